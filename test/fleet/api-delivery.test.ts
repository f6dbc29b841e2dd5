// biome-ignore-all lint/suspicious/noExplicitAny: JSON answers are checked field by field
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DIALECTS,
  heldPolls,
  named,
  policy,
  startTestControlPlane,
  type TestControlPlane,
} from "./api-harness.js";

describe.each(DIALECTS)("on %s", (dialect) => {
  let cp: TestControlPlane;
  let agent: string;
  const ORG = "/api/v1/organizations/default";
  const admin = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    cp.call(method, path, { token: cp.admin, body, ...(headers ? { headers } : {}) });
  const poll = (
    etag: string | undefined,
    wait: number,
    on = cp as { call: TestControlPlane["call"] },
  ) =>
    on.call("GET", `/api/v1/agent/policies?wait=${wait}`, {
      token: agent,
      ...(etag === undefined ? {} : { headers: { "if-none-match": etag } }),
    });
  const names = (body: { policies: { metadata: { name: string } }[] }): string[] =>
    body.policies.map((p: any) => p.metadata.name);

  beforeAll(async () => {
    cp = await startTestControlPlane({ dialect });
    const c = await admin("POST", `${ORG}/clusters`, named("prod"));
    agent = c.body.agentToken;
    await admin("POST", `${ORG}/workspaces`, named("web"));
    await admin("POST", `${ORG}/workspaces`, named("elsewhere"));
  });
  afterAll(async () => cp?.close());

  describe("agent protocol", () => {
    it("register answers the cluster and organization and marks the cluster connected", async () => {
      const before = await admin("GET", `${ORG}/clusters/prod`);
      expect(before.body.status.phase).toBe("pending");
      const r = await cp.call("POST", "/api/v1/agent/register", {
        token: agent,
        body: { agentVersion: "0.9.0", kubernetesVersion: "v1.31.0" },
      });
      expect(r.body).toEqual({ cluster: "prod", organization: "default" });
      const after = await admin("GET", `${ORG}/clusters/prod`);
      expect(after.body.status).toMatchObject({
        phase: "connected",
        agentVersion: "0.9.0",
        kubernetesVersion: "v1.31.0",
      });
    });

    it("namespaces are stored; invalid ones are 422 naming the entry", async () => {
      const ok = await cp.call("PUT", "/api/v1/agent/namespaces", {
        token: agent,
        body: {
          namespaces: [
            { name: "shop", labels: { tier: "gold" } },
            { name: "batch", labels: {} },
          ],
        },
      });
      expect(ok.status).toBe(200);
      const bad = await cp.call("PUT", "/api/v1/agent/namespaces", {
        token: agent,
        body: { namespaces: [{ name: "Bad" }] },
      });
      expect(bad.status).toBe(422);
      expect(bad.body.error.details[0].path).toBe("namespaces[0].name");
      const listed = await admin("GET", `${ORG}/clusters/prod/namespaces`);
      expect(listed.body.items.map((n: any) => n.name).sort()).toEqual(["batch", "shop"]);
    });

    it("long poll: 304 on timeout, 200 at once on a change, ETag unchanged by unrelated changes", async () => {
      const first = await poll(undefined, 0);
      expect(first.status).toBe(200);
      const etag = first.headers.get("etag") ?? "";
      expect(etag).toMatch(/^".+"$/);
      expect((await poll(etag, 1)).status).toBe(304);

      // A workspace with no namespace in this cluster: its policy does not concern "prod".
      await admin(
        "POST",
        `${ORG}/policies`,
        policy("far", { recipe: "require-digest", workspace: "elsewhere" }),
      );
      const unrelated = await poll(etag, 0);
      expect(unrelated.status).toBe(304);

      const waiting = poll(etag, 30);
      await heldPolls(cp, (n) => n === 1, "the poll held");
      await admin("POST", `${ORG}/policies`, policy("near", { recipe: "block-latest-tag" }));
      const woken = await waiting;
      expect(woken.status).toBe(200);
      expect(names(woken.body)).toEqual(["near"]);
      expect(woken.headers.get("etag")).not.toBe(etag);

      // Attaching a namespace of this cluster brings the workspace's policies and document.
      await admin(
        "POST",
        `${ORG}/policies`,
        policy("web-only", { recipe: "require-digest", workspace: "web" }),
      );
      await admin("PUT", `${ORG}/workspaces/web/namespaces/prod/shop`);
      const attached = await poll(woken.headers.get("etag") ?? "", 5);
      expect(names(attached.body)).toEqual(["near", "web-only"]);
      expect(attached.body.workspaces).toEqual([
        {
          apiVersion: "customs.dev/v1alpha1",
          kind: "Workspace",
          metadata: { name: "web" },
          spec: { namespaces: ["prod/shop"] },
        },
      ]);
      const status = await admin("GET", `${ORG}/clusters/prod`);
      expect(status.body.status.deliveredRevision).toBe(String(attached.body.revision));
    });

    it.each(["61", "-1", "x"])("wait=%s is 422", async (wait) => {
      const r = await cp.call("GET", `/api/v1/agent/policies?wait=${wait}`, { token: agent });
      expect(r.status).toBe(422);
    });

    it("a second replica on the same database delivers a change made through the first", async () => {
      const replica = await cp.replica();
      const current = await poll(undefined, 0, replica);
      const waiting = poll(current.headers.get("etag") ?? "", 30, replica);
      await heldPolls(replica, (n) => n === 1, "the poll held by the replica");
      await admin("POST", `${ORG}/policies`, policy("from-first", { recipe: "require-digest" }));
      const got = await waiting;
      expect(got.status).toBe(200);
      expect(names(got.body)).toContain("from-first");
      await replica.close();
    });

    it("a poll whose client hangs up stops waiting; metrics count waiting polls and agents", async () => {
      const etag = (await poll(undefined, 0)).headers.get("etag") ?? "";
      const metric = async (name: string) => {
        const m = await cp.call("GET", "/metrics");
        return Number(new RegExp(`^${name} (\\d+)$`, "m").exec(m.body)?.[1]);
      };
      const hangUp = new AbortController();
      const waiting = cp.call("GET", "/api/v1/agent/policies?wait=30", {
        token: agent,
        headers: { "if-none-match": etag },
        signal: hangUp.signal,
      });
      waiting.catch(() => {});
      await heldPolls(cp, (n) => n === 1, "the poll held");
      expect(await metric("customs_control_plane_waiting_long_polls")).toBe(1);
      expect(await metric("customs_control_plane_connected_agents")).toBe(1);
      hangUp.abort();
      await heldPolls(cp, (n) => n === 0, "the hung-up poll released");
      expect(await metric("customs_control_plane_waiting_long_polls")).toBe(0);
    });

    it("a replica shutting down answers its waiting polls 304 at once", async () => {
      const replica = await cp.replica();
      const etag = (await poll(undefined, 0, replica)).headers.get("etag") ?? "";
      const waiting = poll(etag, 60, replica);
      await heldPolls(replica, (n) => n === 1, "the poll held by the replica");
      await replica.close();
      expect((await waiting).status).toBe(304);
    });

    it("reports: violations become insights and records; the applied revision is kept", async () => {
      const v = (i: number, policyName: string) => ({
        time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
        source: "admission",
        operation: "CREATE",
        namespace: "shop",
        kind: "Deployment",
        name: `app-${i}`,
        container: "main",
        image: "nginx:latest",
        normalizedImage: "docker.io/library/nginx:latest",
        policy: policyName,
        action: "deny",
        code: "LATEST_TAG_BLOCKED",
        message: "latest",
      });
      const r = await cp.call("POST", "/api/v1/agent/reports", {
        token: agent,
        body: { appliedRevision: "12", violations: [v(1, "near"), v(2, "near"), v(3, "web-only")] },
      });
      expect(r.status).toBe(200);
      const groups = await admin("GET", `${ORG}/insights?groupBy=policy`);
      const byKey = Object.fromEntries(groups.body.items.map((g: any) => [g.key, g.count]));
      expect(byKey).toMatchObject({ near: 2, "web-only": 1 });
      const list = await admin("GET", `${ORG}/insights/violations?policy=near`);
      expect(list.body.items.map((x: any) => x.name)).toEqual(["app-2", "app-1"]);
      // Bad records are refused one by one, named by index; the others are stored. A NUL
      // once made PostgreSQL refuse the whole batch with a 500, again at every retry.
      const bad = await cp.call("POST", "/api/v1/agent/reports", {
        token: agent,
        body: {
          violations: [
            { ...v(4, "near"), action: "explode" },
            { ...v(5, "near"), image: "nginx\u0000:latest" },
            v(6, "near"),
            { ...v(7, "near"), normalizedImage: "a\u0000b" },
          ],
        },
      });
      expect(bad.status, JSON.stringify(bad.body)).toBe(200);
      expect(bad.body.accepted).toBe(1);
      expect(bad.body.rejected.map((r: any) => r.index)).toEqual([0, 1, 3]);
      expect(bad.body.rejected[0].details[0].path).toBe("violations[0].action");
      expect(bad.body.rejected[1].details[0].path).toBe("violations[1].image");
      const near = await admin("GET", `${ORG}/insights/violations?policy=near`);
      expect(near.body.items.map((x: any) => x.name)).toEqual(["app-6", "app-2", "app-1"]);
      const status = await admin("GET", `${ORG}/clusters/prod`);
      expect(status.body.status.appliedRevision).toBe("12");
    });
  });

  it("deleting a cluster revokes its agent token", async () => {
    const c = await admin("POST", `${ORG}/clusters`, named("short-lived"));
    const token = c.body.agentToken;
    const ok = await cp.call("POST", "/api/v1/agent/register", { token, body: {} });
    expect(ok.status).toBe(200);
    const del = await admin("DELETE", `${ORG}/clusters/short-lived`, undefined, {
      "if-match": `"${c.body.metadata.resourceVersion}"`,
    });
    expect(del.status).toBe(204);
    const after = await cp.call("POST", "/api/v1/agent/register", { token, body: {} });
    expect(after.status).toBe(401);
    const tokens = await admin("GET", `${ORG}/tokens`);
    const listed = tokens.body.items.find((t: any) => t.metadata.name === "agent:short-lived");
    expect(listed.status.revoked).toBe(true);
    // Its secret is never shown: all of `cst_<id>_<secret>` after the id (a base64url secret
    // may hold a `_` itself, and a piece of it as short as one letter is in any listing).
    expect(JSON.stringify(tokens.body)).not.toContain(token.slice(token.indexOf("_", 4) + 1));
  });
});
