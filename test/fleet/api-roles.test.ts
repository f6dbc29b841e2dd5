// biome-ignore-all lint/suspicious/noExplicitAny: JSON answers are checked field by field
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DIALECTS,
  named,
  policy,
  startTestControlPlane,
  type TestControlPlane,
} from "./api-harness.js";

describe.each(DIALECTS)("on %s", (dialect) => {
  let cp: TestControlPlane;
  const ORG = "/api/v1/organizations/default";
  const ROLES = [
    "admin",
    "orgAdmin",
    "wsAdmin",
    "viewer",
    "wsViewer",
    "agent",
    "otherOrg",
  ] as const;
  type Who = (typeof ROLES)[number];
  const tokens = {} as Record<Who, string>;
  let reported: { name: string; labels: Record<string, string> }[] = [];

  async function token(org: string, name: string, role: string, workspaces: string[] = []) {
    const r = await cp.call("POST", `/api/v1/organizations/${org}/tokens`, {
      token: cp.admin,
      body: { metadata: { name }, spec: { role, workspaces } },
    });
    expect(r.status).toBe(201);
    return r.body.token as string;
  }

  beforeAll(async () => {
    cp = await startTestControlPlane({ dialect });
    const admin = (method: string, path: string, body?: unknown) =>
      cp.call(method, path, { token: cp.admin, body });
    await admin("POST", "/api/v1/organizations", named("other"));
    for (const w of ["w1", "w2"]) await admin("POST", `${ORG}/workspaces`, named(w));
    const cluster = await admin("POST", `${ORG}/clusters`, named("c1"));
    expect(cluster.status).toBe(201);
    tokens.agent = cluster.body.agentToken;
    await admin("PUT", `${ORG}/workspaces/w1/namespaces/c1/web`);
    await admin("PUT", `${ORG}/workspaces/w2/namespaces/c1/api`);
    await admin("POST", `${ORG}/policies`, policy("p-org", { recipe: "block-latest-tag" }));
    await admin(
      "POST",
      `${ORG}/policies`,
      policy("p-w1", { recipe: "block-latest-tag", workspace: "w1" }),
    );
    await admin(
      "POST",
      `${ORG}/policies`,
      policy("p-w2", { recipe: "block-latest-tag", workspace: "w2" }),
    );
    await admin(
      "POST",
      `${ORG}/policies`,
      policy("p-api", { recipe: "block-latest-tag", namespace: "c1/api" }),
    );
    // An extensible organization allowlist, for the extension rows of the matrix.
    const corp = policy("p-corp", {
      recipe: "custom",
      extensible: true,
      input: { rules: [{ hostname: "registry.corp.example" }] },
    });
    expect((await admin("POST", `${ORG}/policies`, corp)).status).toBe(201);
    tokens.admin = cp.admin;
    tokens.orgAdmin = await token("default", "org-admin", "organization-admin");
    tokens.wsAdmin = await token("default", "ws-admin", "workspace-admin", ["w1"]);
    tokens.viewer = await token("default", "viewer", "viewer");
    tokens.wsViewer = await token("default", "ws-viewer", "viewer", ["w1"]);
    tokens.otherOrg = await token("other", "other-admin", "organization-admin");
    // The agent reports namespaces, so cluster namespace lists have something to filter.
    // Each role gets its own labelled namespaces for the ownership rows of the matrix.
    const label = (ws: string) => ({ "customs.dev/workspace": ws });
    const owned = ROLES.flatMap((r) => {
      const w = r.toLowerCase();
      return [
        { name: `l1-${w}`, labels: label("w1") },
        { name: `l2-${w}`, labels: label("w2") },
        { name: `kube-l1-${w}`, labels: label("w1") },
        { name: `r1-${w}`, labels: label("w1") },
        { name: `r2-${w}`, labels: label("w2") },
      ];
    });
    reported = [
      { name: "web", labels: {} },
      { name: "api", labels: {} },
      { name: "free", labels: {} },
      ...owned,
    ];
    const ns = await cp.call("PUT", "/api/v1/agent/namespaces", {
      token: tokens.agent,
      body: { namespaces: reported },
    });
    expect(ns.status).toBe(200);
    // Attached to w2 by an org admin: r1-* are labelled for w1 (reclaimable by w1), r2-* not.
    for (const r of ROLES) {
      for (const n of [`r1-${r.toLowerCase()}`, `r2-${r.toLowerCase()}`]) {
        expect((await admin("PUT", `${ORG}/workspaces/w2/namespaces/c1/${n}`)).status).toBe(200);
      }
    }
  });
  afterAll(async () => cp?.close());

  type Row = [
    string,
    string,
    (who: Who) => string,
    ((who: Who) => unknown) | undefined,
    Record<Who, number>,
  ];
  const all = (n: number, except: Partial<Record<Who, number>> = {}) =>
    ({ ...Object.fromEntries(ROLES.map((r: any) => [r, n])), ...except }) as Record<Who, number>;

  const fixed = (p: string) => () => p;
  const MATRIX: Row[] = [
    ["list organizations", "GET", fixed("/api/v1/organizations"), undefined, all(200)],
    [
      "read the organization",
      "GET",
      fixed(ORG),
      undefined,
      all(200, { agent: 404, otherOrg: 404 }),
    ],
    [
      "create an organization",
      "POST",
      fixed("/api/v1/organizations"),
      (w: any) => named(`o-${w.toLowerCase()}`),
      all(403, { admin: 201 }),
    ],
    [
      "read another workspace",
      "GET",
      fixed(`${ORG}/workspaces/w2`),
      undefined,
      all(200, { wsAdmin: 404, wsViewer: 404, agent: 404, otherOrg: 404 }),
    ],
    [
      "read its workspace",
      "GET",
      fixed(`${ORG}/workspaces/w1`),
      undefined,
      all(200, { agent: 404, otherOrg: 404 }),
    ],
    [
      "create a workspace",
      "POST",
      fixed(`${ORG}/workspaces`),
      (w: any) => named(`w-${w.toLowerCase()}`),
      all(403, { admin: 201, orgAdmin: 201, agent: 404, otherOrg: 404 }),
    ],
    [
      "read a policy of another workspace",
      "GET",
      fixed(`${ORG}/policies/p-w2`),
      undefined,
      all(200, { wsAdmin: 404, wsViewer: 404, agent: 404, otherOrg: 404 }),
    ],
    [
      "read a policy of another workspace's namespace",
      "GET",
      fixed(`${ORG}/policies/p-api`),
      undefined,
      all(200, { wsAdmin: 404, wsViewer: 404, agent: 404, otherOrg: 404 }),
    ],
    [
      "read an organization-wide policy",
      "GET",
      fixed(`${ORG}/policies/p-org`),
      undefined,
      all(200, { agent: 404, otherOrg: 404 }),
    ],
    [
      "create a policy in w1",
      "POST",
      fixed(`${ORG}/policies`),
      (w: any) => policy(`pw1-${w.toLowerCase()}`, { recipe: "require-digest", workspace: "w1" }),
      all(403, { admin: 201, orgAdmin: 201, wsAdmin: 201, agent: 404, otherOrg: 404 }),
    ],
    [
      "create a policy in w2",
      "POST",
      fixed(`${ORG}/policies`),
      (w: any) => policy(`pw2-${w.toLowerCase()}`, { recipe: "require-digest", workspace: "w2" }),
      all(403, { admin: 201, orgAdmin: 201, agent: 404, otherOrg: 404 }),
    ],
    [
      "create an organization-wide policy",
      "POST",
      fixed(`${ORG}/policies`),
      (w: any) => policy(`po-${w.toLowerCase()}`, { recipe: "require-digest" }),
      all(403, { admin: 201, orgAdmin: 201, agent: 404, otherOrg: 404 }),
    ],
    [
      "extend the organization allowlist for w1",
      "POST",
      fixed(`${ORG}/policies`),
      (w: any) =>
        policy(`xw1-${w.toLowerCase()}`, {
          workspace: "w1",
          extends: "p-corp",
          input: { rules: [{ hostname: "ghcr.io" }] },
        }),
      all(403, { admin: 201, orgAdmin: 201, wsAdmin: 201, agent: 404, otherOrg: 404 }),
    ],
    [
      "extend the organization allowlist for w2",
      "POST",
      fixed(`${ORG}/policies`),
      (w: any) =>
        policy(`xw2-${w.toLowerCase()}`, {
          workspace: "w2",
          extends: "p-corp",
          input: { rules: [{ hostname: "ghcr.io" }] },
        }),
      all(403, { admin: 201, orgAdmin: 201, agent: 404, otherOrg: 404 }),
    ],
    [
      "attach a namespace not reported yet to w1",
      "PUT",
      (w: any) => `${ORG}/workspaces/w1/namespaces/c1/n-${w.toLowerCase()}`,
      undefined,
      all(403, { admin: 200, orgAdmin: 200, agent: 404, otherOrg: 404 }),
    ],
    [
      "attach a namespace labelled for w1 to w1",
      "PUT",
      (w: any) => `${ORG}/workspaces/w1/namespaces/c1/l1-${w.toLowerCase()}`,
      undefined,
      all(403, { admin: 200, orgAdmin: 200, wsAdmin: 200, agent: 404, otherOrg: 404 }),
    ],
    [
      "attach a namespace labelled for w2 to w1",
      "PUT",
      (w: any) => `${ORG}/workspaces/w1/namespaces/c1/l2-${w.toLowerCase()}`,
      undefined,
      all(403, { admin: 200, orgAdmin: 200, agent: 404, otherOrg: 404 }),
    ],
    [
      "attach a kube- namespace labelled for w1 to w1",
      "PUT",
      (w: any) => `${ORG}/workspaces/w1/namespaces/c1/kube-l1-${w.toLowerCase()}`,
      undefined,
      all(403, { admin: 200, orgAdmin: 200, agent: 404, otherOrg: 404 }),
    ],
    [
      "attach kube-system to w1",
      "PUT",
      fixed(`${ORG}/workspaces/w1/namespaces/c1/kube-system`),
      undefined,
      all(403, { admin: 200, orgAdmin: 200, agent: 404, otherOrg: 404 }),
    ],
    [
      "reclaim for w1 a namespace labelled for w1 but attached to w2",
      "POST",
      (w: any) => `${ORG}/workspaces/w1/namespaces/c1/r1-${w.toLowerCase()}/reclaim`,
      undefined,
      all(403, { admin: 200, orgAdmin: 200, wsAdmin: 200, agent: 404, otherOrg: 404 }),
    ],
    [
      "reclaim for w1 a namespace labelled for w2 and attached to w2",
      "POST",
      (w: any) => `${ORG}/workspaces/w1/namespaces/c1/r2-${w.toLowerCase()}/reclaim`,
      undefined,
      all(403, { admin: 200, orgAdmin: 200, agent: 404, otherOrg: 404 }),
    ],
    [
      "attach a namespace to w2",
      "PUT",
      (w: any) => `${ORG}/workspaces/w2/namespaces/c1/m-${w.toLowerCase()}`,
      undefined,
      all(403, {
        admin: 200,
        orgAdmin: 200,
        wsAdmin: 404,
        wsViewer: 404,
        agent: 404,
        otherOrg: 404,
      }),
    ],
    [
      "list clusters",
      "GET",
      fixed(`${ORG}/clusters`),
      undefined,
      all(200, { agent: 404, otherOrg: 404 }),
    ],
    [
      "register a cluster",
      "POST",
      fixed(`${ORG}/clusters`),
      (w: any) => named(`c-${w.toLowerCase()}`),
      all(403, { admin: 201, orgAdmin: 201, agent: 404, otherOrg: 404 }),
    ],
    [
      "read the audit log",
      "GET",
      fixed(`${ORG}/audit`),
      undefined,
      all(403, { admin: 200, orgAdmin: 200, wsAdmin: 200, agent: 404, otherOrg: 404 }),
    ],
    [
      "list tokens",
      "GET",
      fixed(`${ORG}/tokens`),
      undefined,
      all(403, { admin: 200, orgAdmin: 200, agent: 404, otherOrg: 404 }),
    ],
    [
      "read insights",
      "GET",
      fixed(`${ORG}/insights?groupBy=policy`),
      undefined,
      all(200, { agent: 404, otherOrg: 404 }),
    ],
    [
      "agent: poll policies",
      "GET",
      fixed("/api/v1/agent/policies"),
      undefined,
      all(403, { agent: 200 }),
    ],
    [
      "agent: register",
      "POST",
      fixed("/api/v1/agent/register"),
      () => ({ agentVersion: "1" }),
      all(403, { agent: 200 }),
    ],
  ];

  describe("every role's allowed and forbidden requests", () => {
    for (const [what, method, path, body, expected] of MATRIX) {
      it.each(ROLES.map((r) => [r] as const))(`${what}: %s`, async (who: Who) => {
        const r = await cp.call(method, path(who), { token: tokens[who], body: body?.(who) });
        expect(r.status, JSON.stringify(r.body)).toBe(expected[who]);
      });
    }
  });

  describe("namespaces belong to the workspace their label or attachment names", () => {
    it("a workspace admin cannot take another team's namespace, and that team can reclaim it", async () => {
      const w2Admin = await token("default", "w2-admin", "workspace-admin", ["w2"]);
      const team = { name: "team-b", labels: { "customs.dev/workspace": "w2" } };
      const report = await cp.call("PUT", "/api/v1/agent/namespaces", {
        token: tokens.agent,
        body: { namespaces: [...reported, team] },
      });
      expect(report.status).toBe(200);
      const take = await cp.call("PUT", `${ORG}/workspaces/w1/namespaces/c1/team-b`, {
        token: tokens.wsAdmin,
      });
      expect(take.status).toBe(403);
      const steal = await cp.call("POST", `${ORG}/policies`, {
        token: tokens.wsAdmin,
        body: policy("steal-team-b", { recipe: "block-latest-tag", namespace: "c1/team-b" }),
      });
      expect(steal.status).toBe(403);

      // An org admin attached it to w1 by mistake: w2's admin gets a 409 from a plain
      // attach, and takes it back with the explicit reclaim.
      const wrong = await cp.call("PUT", `${ORG}/workspaces/w1/namespaces/c1/team-b`, {
        token: tokens.orgAdmin,
      });
      expect(wrong.status).toBe(200);
      const plain = await cp.call("PUT", `${ORG}/workspaces/w2/namespaces/c1/team-b`, {
        token: w2Admin,
      });
      expect(plain.status).toBe(409);
      expect(plain.body.error.code).toBe("NAMESPACE_ATTACHED");
      expect(plain.body.error.message).not.toContain("w1");
      const byW1 = await cp.call("POST", `${ORG}/workspaces/w1/namespaces/c1/api/reclaim`, {
        token: tokens.wsAdmin,
      });
      expect(byW1.status).toBe(403);
      const reclaim = await cp.call("POST", `${ORG}/workspaces/w2/namespaces/c1/team-b/reclaim`, {
        token: w2Admin,
      });
      expect(reclaim.status, JSON.stringify(reclaim.body)).toBe(200);
      expect(reclaim.body).toMatchObject({ workspace: "w2", cluster: "c1", namespace: "team-b" });
      const w2 = await cp.call("GET", `${ORG}/workspaces/w2/namespaces`, { token: w2Admin });
      expect(w2.body.items.map((n: any) => n.namespace)).toContain("team-b");
      const w1 = await cp.call("GET", `${ORG}/workspaces/w1/namespaces`, { token: tokens.wsAdmin });
      expect(w1.body.items.map((n: any) => n.namespace)).not.toContain("team-b");

      // Both workspaces' admins see the move in their audit log.
      for (const t of [w2Admin, tokens.wsAdmin]) {
        const audit = await cp.call("GET", `${ORG}/audit?limit=20`, { token: t });
        const entry = audit.body.items.find(
          (e: any) => e.action === "reclaim" && e.name === "c1/team-b",
        );
        expect(entry).toMatchObject({
          kind: "NamespaceAttachment",
          actor: { token: "w2-admin", role: "workspace-admin" },
          before: { workspace: "w1" },
          after: { workspace: "w2" },
        });
      }
    });
  });

  describe("a workspace admin is confined to its workspaces", () => {
    const get = (path: string) => cp.call("GET", path, { token: tokens.wsAdmin });

    it("lists only its workspace and the policies it may see", async () => {
      const ws = await get(`${ORG}/workspaces`);
      expect(ws.body.items.map((w: any) => w.metadata.name)).toEqual(["w1"]);
      const ps = await get(`${ORG}/policies?limit=500`);
      const names: string[] = ps.body.items.map((p: any) => p.metadata.name);
      expect(names).toContain("p-w1");
      expect(names).toContain("p-org");
      expect(names).not.toContain("p-w2");
      expect(names).not.toContain("p-api");
    });

    it("never gets a hidden policy's name in a continue token", async () => {
      const hidden = ["p-w2", "p-api"];
      const shown: string[] = [];
      let token: string | undefined;
      for (let i = 0; i < 50; i++) {
        const q = token === undefined ? "" : `&continue=${token}`;
        const r = await get(`${ORG}/policies?limit=1${q}`);
        expect(r.status).toBe(200);
        shown.push(...r.body.items.map((p: any) => p.metadata.name));
        token = r.body.continue;
        if (token === undefined) break;
        const text = Buffer.from(token, "base64url").toString("utf8");
        for (const h of hidden) expect(text).not.toContain(h);
        // A cursor only ever holds a name the caller was just shown.
        expect(shown.some((n) => text.includes(JSON.stringify(n)))).toBe(true);
      }
      expect(shown).toEqual(expect.arrayContaining(["p-org", "p-w1"]));
      for (const h of hidden) expect(shown).not.toContain(h);
    });

    it("a name taken by a hidden policy is refused without saying anything about it", async () => {
      const create = (name: string) =>
        cp.call("POST", `${ORG}/policies`, {
          token: tokens.wsAdmin,
          body: policy(name, { recipe: "require-digest", workspace: "w1" }),
        });
      const words = (name: string) =>
        `the name "${name}" is taken in this organization (policy names are unique across its workspaces); choose another`;
      const hidden = await create("p-w2");
      expect(hidden.status).toBe(409);
      expect(hidden.body).toEqual({ error: { code: "ALREADY_EXISTS", message: words("p-w2") } });
      const visible = await create("p-org");
      expect(visible.body).toEqual({ error: { code: "ALREADY_EXISTS", message: words("p-org") } });
    });

    it("a preview of another workspace's namespace does not name that workspace", async () => {
      const r = await cp.call("POST", `${ORG}/policies/preview`, {
        token: tokens.wsAdmin,
        body: {
          policy: policy("try", { recipe: "block-latest-tag", workspace: "w1" }),
          images: ["nginx:latest"],
          namespace: { cluster: "c1", name: "api" },
        },
      });
      expect(r.status).toBe(200);
      expect(r.body.namespace.applies).toBe(false);
      expect(JSON.stringify(r.body)).not.toContain("w2");
      const org = await cp.call("POST", `${ORG}/policies/preview`, {
        token: tokens.orgAdmin,
        body: {
          policy: policy("try", { recipe: "block-latest-tag", workspace: "w1" }),
          images: ["nginx:latest"],
          namespace: { cluster: "c1", name: "api" },
        },
      });
      expect(org.body.namespace.reason).toContain("w2");
    });

    it("a cursor the server did not hand out is a 400, never a 500", async () => {
      const forged = (k: string) => Buffer.from(JSON.stringify({ k })).toString("base64url");
      for (const k of ["99999999999999999999999", "abc", "-1", "1e3", "a\u0000b"]) {
        for (const list of ["audit", "insights/violations", "policies"]) {
          if (list === "policies" && k !== "a\u0000b") continue;
          const r = await cp.call("GET", `${ORG}/${list}?continue=${forged(k)}`, {
            token: tokens.orgAdmin,
          });
          expect(r.status, `${list} ${k}`).toBe(400);
          expect(r.body.error.code).toBe("BAD_REQUEST");
        }
      }
    });

    it("sees only its namespaces of a cluster", async () => {
      const r = await get(`${ORG}/clusters/c1/namespaces`);
      const mine: string[] = r.body.items.map((n: any) => n.name);
      expect(mine).toContain("web");
      const all = await cp.call("GET", `${ORG}/clusters/c1/namespaces`, { token: tokens.orgAdmin });
      const names: string[] = all.body.items.map((n: any) => n.name);
      expect(names).toEqual(expect.arrayContaining(["api", "free", "web"]));
      const w1 = await cp.call("GET", `${ORG}/workspaces/w1/namespaces`, { token: cp.admin });
      const attached = new Set(w1.body.items.map((a: any) => a.namespace));
      const expected = all.body.items
        .filter((n: any) => n.labels["customs.dev/workspace"] === "w1" || attached.has(n.name))
        .map((n: any) => n.name);
      expect(mine.sort()).toEqual(expected.sort());
      expect(mine).not.toContain("api");
      expect(mine).not.toContain("free");
    });

    it("cannot change or delete another workspace's policy, nor move its own policy there", async () => {
      const theirs = await cp.call("GET", `${ORG}/policies/p-w2`, { token: cp.admin });
      const etag = theirs.headers.get("etag") ?? "";
      const put = await cp.call("PUT", `${ORG}/policies/p-w2`, {
        token: tokens.wsAdmin,
        body: policy("p-w2", { recipe: "require-digest", workspace: "w2" }),
        headers: { "if-match": etag },
      });
      expect(put.status).toBe(404);
      const mine = await cp.call("GET", `${ORG}/policies/p-w1`, { token: tokens.wsAdmin });
      const move = await cp.call("PUT", `${ORG}/policies/p-w1`, {
        token: tokens.wsAdmin,
        body: policy("p-w1", { recipe: "block-latest-tag", workspace: "w2" }),
        headers: { "if-match": mine.headers.get("etag") ?? "" },
      });
      expect(move.status).toBe(403);
    });

    it("audit entries carry before/after and are limited to its workspaces", async () => {
      const w1 = await cp.call("GET", `${ORG}/workspaces/w1`, { token: cp.admin });
      const upd = await cp.call("PUT", `${ORG}/workspaces/w1`, {
        token: tokens.wsAdmin,
        body: named("w1", "the web team"),
        headers: { "if-match": w1.headers.get("etag") ?? "" },
      });
      expect(upd.status).toBe(200);
      const full = await cp.call("GET", `${ORG}/audit?limit=500`, { token: tokens.orgAdmin });
      const entry = full.body.items.find((e: any) => e.action === "update" && e.name === "w1");
      expect(entry).toBeDefined();
      expect(entry.actor).toEqual({ token: "ws-admin", role: "workspace-admin" });
      expect(JSON.stringify(entry.before)).not.toContain("the web team");
      expect(JSON.stringify(entry.after)).toContain("the web team");
      const ids: number[] = full.body.items.map((e: any) => e.id);
      expect([...ids].sort((a, b) => b - a)).toEqual(ids);
      expect(JSON.stringify(full.body)).not.toMatch(/cst_[0-9a-f]+_/);
      const mine = await cp.call("GET", `${ORG}/audit?limit=500`, { token: tokens.wsAdmin });
      expect(mine.body.items.length).toBeGreaterThan(0);
      expect(mine.body.items.every((e: any) => e.workspace === "w1")).toBe(true);
    });
  });
});
