// biome-ignore-all lint/suspicious/noExplicitAny: JSON answers are checked field by field
/** POST /organizations/{org}/impact: validation, authorization, tenant isolation, buckets. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DIALECTS,
  exception,
  named,
  policy,
  startTestControlPlane,
  type TestControlPlane,
} from "./api-harness.js";

const ORG = "/api/v1/organizations/default";
const IMPACT = `${ORG}/impact`;

const deployment = (namespace: string, name: string, image: string) => ({
  namespace,
  kind: "Deployment",
  name,
  containers: [{ name: "app", image, type: "container" }],
  results: [],
});

const corpOnly = (name: string, extra: Record<string, unknown> = {}) =>
  policy(name, { recipe: "custom", input: { rules: [{ hostname: "registry.corp" }] }, ...extra });

describe.each(DIALECTS)("impact on %s", (dialect) => {
  let cp: TestControlPlane;
  const tokens: Record<string, string> = {};
  const as = (who: string, body: unknown) => cp.call("POST", IMPACT, { token: tokens[who], body });

  beforeAll(async () => {
    cp = await startTestControlPlane({ dialect });
    tokens.admin = cp.admin;
    const admin = (method: string, path: string, body?: unknown) =>
      cp.call(method, path, { token: cp.admin, body });
    for (const w of ["w1", "w2"]) await admin("POST", `${ORG}/workspaces`, named(w));
    const agents: Record<string, string> = {};
    for (const c of ["c1", "c2"]) {
      const r = await admin("POST", `${ORG}/clusters`, named(c));
      expect(r.status).toBe(201);
      agents[c] = r.body.agentToken;
    }
    await admin("PUT", `${ORG}/workspaces/w1/namespaces/c1/web`);
    await admin("PUT", `${ORG}/workspaces/w2/namespaces/c1/api`);
    expect(
      (await admin("POST", `${ORG}/policies`, policy("no-latest", { recipe: "block-latest-tag" })))
        .status,
    ).toBe(201);
    expect(
      (
        await admin(
          "POST",
          `${ORG}/policies`,
          policy("p-w2-secret", { recipe: "block-latest-tag", workspace: "w2" }),
        )
      ).status,
    ).toBe(201);
    const put = await cp.call("PUT", "/api/v1/agent/inventory", {
      token: agents.c1,
      body: {
        revision: 1,
        generatedAt: "2026-12-07T05:00:00Z",
        workloads: [
          deployment("web", "shop", "registry.corp/shop:1"),
          deployment("web", "cache", "docker.io/library/redis:latest"),
          deployment("api", "secret-api", "quay.io/x/api:latest"),
        ],
      },
    });
    expect(put.status).toBe(204);
    const reports = await cp.call("POST", "/api/v1/agent/reports", {
      token: agents.c1,
      body: {
        violations: [1, 2].map((i) => ({
          time: new Date(Date.now() - i * 3_600_000).toISOString(),
          source: "admission",
          operation: "CREATE",
          namespace: "web",
          kind: "Deployment",
          name: "old-job",
          container: "main",
          image: "docker.io/library/busybox:latest",
          policy: "no-latest",
          action: "deny",
          code: "IMAGE_TAG_LATEST",
          message: "latest",
        })),
      },
    });
    expect(reports.status).toBe(200);
    const token = async (name: string, role: string, workspaces: string[] = []) => {
      const r = await admin("POST", `${ORG}/tokens`, {
        metadata: { name },
        spec: { role, workspaces },
      });
      expect(r.status).toBe(201);
      return r.body.token as string;
    };
    tokens.wsAdmin = await token("ws1-admin", "workspace-admin", ["w1"]);
    tokens.viewer = await token("viewer", "viewer");
  });
  afterAll(async () => cp?.close());

  it("a new allowlist: what it would deny, what is denied already, and which clusters are unknown", async () => {
    const r = await as("admin", {
      changes: [{ op: "create", kind: "ImagePolicy", document: corpOnly("corp") }],
    });
    expect(r.status).toBe(200);
    expect(r.body.changes).toEqual([{ op: "create", kind: "ImagePolicy", name: "corp" }]);
    expect(r.body.inventory.evaluated).toBe(3);
    expect(r.body.inventory.wouldDeny).toMatchObject({ workloads: 0, clusters: 0 });
    expect(r.body.inventory.alreadyDenied.groups.map((g: any) => g.owner.name)).toEqual([
      "secret-api",
      "cache",
    ]);
    expect(r.body.inventory.alreadyDenied.groups[1].policies).toEqual(["corp", "no-latest"]);
    expect(r.body.clusters).toEqual([
      { cluster: "c1", status: "reported", asOf: "2026-12-07T05:00:00.000Z" },
      { cluster: "c2", status: "unknown" },
    ]);
    expect(r.body.days).toBe(7);
  });

  it("deleting a policy lists what it would allow, and re-decides the admissions of the window", async () => {
    const r = await as("admin", {
      changes: [{ op: "delete", kind: "ImagePolicy", name: "no-latest" }],
      days: 1,
    });
    expect(r.status).toBe(200);
    expect(r.body.inventory.wouldAllow.groups.map((g: any) => g.owner.name)).toEqual(["cache"]);
    expect(r.body.admissions.wouldAllow.groups).toEqual([
      expect.objectContaining({
        namespace: "web",
        owner: { kind: "Deployment", name: "old-job" },
        records: 2,
      }),
    ]);
  });

  it("apply creates or updates by name; an exception allows what it names", async () => {
    const warnOnly = policy("no-latest", { recipe: "block-latest-tag", action: "warn" });
    const upd = await as("admin", {
      changes: [{ op: "apply", kind: "ImagePolicy", document: warnOnly }],
    });
    expect(upd.body.changes[0].op).toBe("update");
    expect(upd.body.inventory.wouldAllow.workloads).toBe(1);
    const exc = exception("redis-ok", {
      policies: ["no-latest"],
      images: ["docker.io/library/redis:*"],
    });
    const r = await as("admin", {
      changes: [{ op: "apply", kind: "ImagePolicyException", document: exc }],
    });
    expect(r.status).toBe(200);
    expect(r.body.changes[0].op).toBe("create");
    expect(r.body.inventory.wouldAllow.groups.map((g: any) => g.owner.name)).toEqual(["cache"]);
  });

  it.each([
    [{ changes: [] }, "changes"],
    [{ changes: [{ op: "move", kind: "ImagePolicy", name: "x" }] }, "changes[0].op"],
    [{ changes: [{ op: "create", kind: "Secret", document: {} }] }, "changes[0].kind"],
    [{ changes: [{ op: "delete", kind: "ImagePolicy" }] }, "changes[0].name"],
    [{ changes: [{ op: "create", kind: "ImagePolicy" }] }, "changes[0].document"],
    [{ changes: [{ op: "delete", kind: "ImagePolicy", name: "x", extra: 1 }] }, "changes[0].extra"],
    [{ changes: [{ op: "delete", kind: "ImagePolicy", name: "no-latest" }], days: 31 }, "days"],
    [{ changes: [{ op: "delete", kind: "ImagePolicy", name: "no-latest" }], more: true }, "more"],
  ])("refuses a malformed request %# at its field path", async (body, path) => {
    const r = await as("admin", body);
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe("INVALID");
    expect(r.body.error.details.map((d: any) => d.path)).toContain(path);
  });

  it("validates a candidate as its create would, naming the change", async () => {
    const bad = policy("bad", { recipe: "custom", input: { rules: [{ hostname: 7 }] } });
    const r = await as("admin", {
      changes: [{ op: "create", kind: "ImagePolicy", document: bad }],
    });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe("POLICY_INVALID");
    expect(r.body.error.details[0].path).toMatch(/^changes\[0\]\.document\.spec\./);
  });

  it("refuses a workspace that does not exist, as a create would", async () => {
    const r = await as("admin", {
      changes: [
        { op: "create", kind: "ImagePolicy", document: corpOnly("x", { workspace: "nowhere" }) },
      ],
    });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe("WORKSPACE_NOT_FOUND");
    expect(r.body.error.details[0].path).toBe("changes[0].document.spec.workspace");
  });

  it("authorizes each change as its write would be", async () => {
    const orgWide = await as("wsAdmin", {
      changes: [{ op: "create", kind: "ImagePolicy", document: corpOnly("x") }],
    });
    expect(orgWide.status).toBe(403);
    const del = await as("wsAdmin", {
      changes: [{ op: "delete", kind: "ImagePolicy", name: "no-latest" }],
    });
    expect(del.status).toBe(403);
    const viewer = await as("viewer", {
      changes: [
        { op: "create", kind: "ImagePolicy", document: corpOnly("x", { workspace: "w1" }) },
      ],
    });
    expect(viewer.status).toBe(403);
    const hidden = await as("wsAdmin", {
      changes: [{ op: "delete", kind: "ImagePolicy", name: "p-w2-secret" }],
    });
    expect(hidden.status).toBe(404);
    const missing = await as("admin", {
      changes: [{ op: "update", kind: "ImagePolicy", document: corpOnly("nope") }],
    });
    expect(missing.status).toBe(404);
  });

  it("answers a workspace admin about its own namespaces only", async () => {
    const r = await as("wsAdmin", {
      changes: [
        { op: "create", kind: "ImagePolicy", document: corpOnly("w1-corp", { workspace: "w1" }) },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.inventory.evaluated).toBe(2);
    expect(r.body.inventory.alreadyDenied.groups.map((g: any) => g.owner.name)).toEqual(["cache"]);
    const text = JSON.stringify(r.body);
    for (const secret of ["secret-api", "p-w2-secret", "quay.io", '"api"', "w2"]) {
      expect(text).not.toContain(secret);
    }
  });
});
