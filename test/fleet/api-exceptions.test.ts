// biome-ignore-all lint/suspicious/noExplicitAny: JSON answers are checked field by field
/** ImagePolicyExceptions in the control plane: CRUD, field errors, audit and delivery. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DIALECTS,
  exception,
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

  beforeAll(async () => {
    cp = await startTestControlPlane({ dialect });
    const c = await admin("POST", `${ORG}/clusters`, named("prod"));
    agent = c.body.agentToken;
    await admin("POST", `${ORG}/workspaces`, named("web"));
    await admin("POST", `${ORG}/policies`, policy("no-latest", { recipe: "block-latest-tag" }));
  });
  afterAll(async () => cp?.close());

  it("refuses an invalid exception with every error at its field path", async () => {
    const r = await admin(
      "POST",
      `${ORG}/exceptions`,
      exception("bad", { policies: ["*", "x"], images: ["busybox"], reason: "", expires: "soon" }),
    );
    expect(r.status).toBe(422);
    const paths = r.body.error.details.map((d: { path: string }) => d.path);
    for (const p of ["spec.policies", "spec.images[0]", "spec.reason", "spec.expires"]) {
      expect(paths).toContain(p);
    }
  });

  it("creates, lists, reads and deletes an exception, warning of its expiry, with audit entries", async () => {
    const soon = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const created = await admin(
      "POST",
      `${ORG}/exceptions`,
      exception("legacy", { policies: ["no-latest"], namespace: "prod/team-a", expires: soon }),
    );
    expect(created.status).toBe(201);
    expect(created.body.metadata).toMatchObject({ name: "legacy", createdBy: expect.any(String) });
    expect(created.body.warnings).toMatchObject([
      { code: "LINT_EXCEPTION_EXPIRING", path: "spec.expires" },
    ]);
    const list = await admin("GET", `${ORG}/exceptions`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((e: any) => e.metadata.name)).toEqual(["legacy"]);
    const one = await admin("GET", `${ORG}/exceptions/legacy`);
    expect(one.body.spec).toMatchObject({ policies: ["no-latest"], expires: soon });
    const audit = await admin("GET", `${ORG}/audit`);
    expect(
      audit.body.items.some(
        (e: any) =>
          e.kind === "ImagePolicyException" && e.name === "legacy" && e.action === "create",
      ),
    ).toBe(true);
    const rv = one.body.metadata.resourceVersion;
    const gone = await admin("DELETE", `${ORG}/exceptions/legacy`, undefined, { "if-match": rv });
    expect(gone.status).toBe(204);
    expect((await admin("GET", `${ORG}/exceptions/legacy`)).status).toBe(404);
  });

  it("delivers exceptions to the clusters they can apply to, in the bundle", async () => {
    const before = await cp.call("GET", "/api/v1/agent/policies", { token: agent });
    expect(before.status).toBe(200);
    expect(before.body.exceptions).toBeUndefined();
    await admin(
      "POST",
      `${ORG}/exceptions`,
      exception("everywhere", { policies: ["no-latest"], images: ["docker.io/library/busybox:*"] }),
    );
    await admin(
      "POST",
      `${ORG}/exceptions`,
      exception("other-cluster", { policies: ["no-latest"], namespace: "staging/team-a" }),
    );
    const after = await cp.call("GET", "/api/v1/agent/policies", { token: agent });
    expect(after.status).toBe(200);
    expect(after.body.exceptions.map((e: any) => e.metadata.name)).toEqual(["everywhere"]);
    expect(after.body.policies.map((p: any) => p.metadata.name)).toEqual(["no-latest"]);
    expect(after.body.signature.etag).not.toBe(before.body.signature.etag);
  });
});
