// biome-ignore-all lint/suspicious/noExplicitAny: JSON answers are checked field by field
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, startTestControlPlane, type TestControlPlane } from "./api-harness.js";

const ORG = "/api/v1/organizations/default";

describe.each(DIALECTS)("token management on %s", (dialect) => {
  let cp: TestControlPlane;
  let now = Date.UTC(2026, 0, 1);
  let admin = "";
  const whoami = (token: string) => cp.call("GET", "/api/v1/whoami", { token });

  beforeAll(async () => {
    cp = await startTestControlPlane({ dialect, now: () => new Date(now) });
    admin = cp.admin;
  });
  afterAll(async () => cp?.close());

  it("the first admin token can be rotated: the old text stops working at once", async () => {
    const r = await cp.call("POST", "/api/v1/tokens/admin/rotate", { token: admin });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      metadata: { name: "admin" },
      spec: { role: "admin" },
      status: { revoked: false },
    });
    expect(r.body.token).toMatch(/^cst_[0-9a-f]+_/);
    expect((await whoami(admin)).status).toBe(401);
    const me = await whoami(r.body.token);
    expect(me.body).toMatchObject({ token: "admin", role: "admin" });
    admin = r.body.token;
  });

  it("the last live admin token cannot be revoked; with another one it can", async () => {
    const last = await cp.call("DELETE", "/api/v1/tokens/admin", { token: admin });
    expect(last.status).toBe(409);
    expect(last.body.error.code).toBe("LAST_ADMIN_TOKEN");
    expect((await whoami(admin)).status).toBe(200);
    const ops = await cp.call("POST", "/api/v1/tokens", {
      token: admin,
      body: { metadata: { name: "ops" }, spec: { role: "admin" } },
    });
    expect(ops.status).toBe(201);
    const gone = await cp.call("DELETE", "/api/v1/tokens/admin", { token: ops.body.token });
    expect(gone.status).toBe(204);
    expect((await whoami(admin)).status).toBe(401);
    const self = await cp.call("DELETE", "/api/v1/tokens/ops", { token: ops.body.token });
    expect(self.status).toBe(409);
    const list = await cp.call("GET", "/api/v1/tokens", { token: ops.body.token });
    expect(list.body.items.map((t: any) => [t.metadata.name, t.status.revoked])).toEqual([
      ["admin", true],
      ["admin", true],
      ["ops", false],
    ]);
    // The whole secret after `cst_<id>_`: a base64url secret may hold a `_` itself.
    const secret = ops.body.token.slice(ops.body.token.indexOf("_", 4) + 1);
    expect(JSON.stringify(list.body)).not.toContain(secret);
    admin = ops.body.token;
  });

  it("only an admin manages admin tokens", async () => {
    const org = await cp.call("POST", `${ORG}/tokens`, {
      token: admin,
      body: { metadata: { name: "org-admin" }, spec: { role: "organization-admin" } },
    });
    const t = org.body.token;
    expect((await cp.call("GET", "/api/v1/tokens", { token: t })).status).toBe(403);
    expect((await cp.call("POST", "/api/v1/tokens/ops/rotate", { token: t })).status).toBe(403);
    expect((await cp.call("DELETE", "/api/v1/tokens/ops", { token: t })).status).toBe(403);
    const other = await cp.call("POST", "/api/v1/tokens", {
      token: admin,
      body: { metadata: { name: "x" }, spec: { role: "viewer" } },
    });
    expect(other.status).toBe(422);
  });

  it("an organization's tokens rotate too, keeping name, role and workspaces", async () => {
    await cp.call("POST", `${ORG}/workspaces`, { token: admin, body: { metadata: { name: "w" } } });
    const made = await cp.call("POST", `${ORG}/tokens`, {
      token: admin,
      body: { metadata: { name: "ci" }, spec: { role: "viewer", workspaces: ["w"] } },
    });
    const r = await cp.call("POST", `${ORG}/tokens/ci/rotate`, { token: admin });
    expect(r.status).toBe(200);
    expect(r.body.spec).toEqual({ role: "viewer", workspaces: ["w"] });
    expect((await whoami(made.body.token)).status).toBe(401);
    expect((await whoami(r.body.token)).body).toMatchObject({ token: "ci", workspaces: ["w"] });
    const audit = await cp.call("GET", `${ORG}/audit?limit=5`, { token: admin });
    const entry = audit.body.items.find((e: any) => e.action === "rotate" && e.name === "ci");
    expect(entry).toMatchObject({ kind: "Token", before: { revokedAt: expect.any(String) } });
    expect(JSON.stringify(audit.body)).not.toMatch(/cst_[0-9a-f]+_/);
  });

  it("lists when each token was last used, to the minute", async () => {
    const made = await cp.call("POST", `${ORG}/tokens`, {
      token: admin,
      body: { metadata: { name: "seen" }, spec: { role: "viewer" } },
    });
    const seen = () =>
      cp
        .call("GET", `${ORG}/tokens`, { token: admin })
        .then((r) => r.body.items.find((t: any) => t.metadata.name === "seen"));
    expect((await seen()).status.lastUsedAt).toBeUndefined();
    const first = new Date(now).toISOString();
    await whoami(made.body.token);
    expect((await seen()).status.lastUsedAt).toBe(first);
    now += 30_000;
    await whoami(made.body.token);
    expect((await seen()).status.lastUsedAt).toBe(first);
    now += 31_000;
    await whoami(made.body.token);
    expect((await seen()).status.lastUsedAt).toBe(new Date(now).toISOString());
  });
});
