// biome-ignore-all lint/suspicious/noExplicitAny: JSON answers are checked field by field
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCUMENT_BOUNDS } from "../../src/core/fleet/json-bounds.js";
import {
  DIALECTS,
  named,
  policy,
  startTestControlPlane,
  type TestControlPlane,
} from "./api-harness.js";

const ORG = "/api/v1/organizations/default";

/** `{a: {a: … "x"}}`, `depth` objects deep. */
function nested(depth: number): unknown {
  let v: unknown = "x";
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

describe.each(DIALECTS)("bounds of stored documents on %s", (dialect) => {
  let cp: TestControlPlane;
  let agent = "";
  const admin = (method: string, path: string, body?: unknown) =>
    cp.call(method, path, { token: cp.admin, body });

  beforeAll(async () => {
    cp = await startTestControlPlane({ dialect });
    const c = await admin("POST", `${ORG}/clusters`, named("c1"));
    agent = c.body.agentToken;
  });
  afterAll(async () => cp?.close());

  it("refuses a policy whose labels nest 3,500 deep, naming the limit", async () => {
    const doc = policy("deep", { recipe: "block-latest-tag" });
    const r = await admin("POST", `${ORG}/policies`, {
      ...doc,
      metadata: { name: "deep", labels: nested(3500) },
    });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe("LIMIT_EXCEEDED");
    expect(r.body.error.message).toContain(`deeper than ${DOCUMENT_BOUNDS.maxDepth} levels`);
    expect(r.body.error.details[0].path).toMatch(/^metadata\.labels\.a\.a/);
    expect((await admin("GET", `${ORG}/policies/deep`)).status).toBe(404);
  });

  it("refuses too many keys and too long strings, with the path", async () => {
    const many = Object.fromEntries(
      Array.from({ length: DOCUMENT_BOUNDS.maxKeys + 1 }, (_, i) => [`k${i}`, "v"]),
    );
    const keys = await admin("POST", `${ORG}/policies`, {
      ...policy("keys", { recipe: "block-latest-tag" }),
      metadata: { name: "keys", annotations: many },
    });
    expect(keys.status).toBe(422);
    expect(keys.body.error.details[0]).toEqual({
      path: "metadata.annotations",
      message: `the object has ${DOCUMENT_BOUNDS.maxKeys + 1} keys; at most ${DOCUMENT_BOUNDS.maxKeys}`,
    });
    const long = await admin("POST", `${ORG}/policies`, {
      ...policy("long", { recipe: "block-latest-tag" }),
      metadata: { name: "long", annotations: { note: "x".repeat(DOCUMENT_BOUNDS.maxString + 1) } },
    });
    expect(long.status).toBe(422);
    expect(long.body.error.details[0].path).toBe("metadata.annotations.note");
  });

  it("refuses NUL characters in every stored document, alike on both databases", async () => {
    const p = await admin("POST", `${ORG}/policies`, {
      ...policy("nul", { recipe: "block-latest-tag" }),
      metadata: { name: "nul", annotations: { note: "a\u0000b" } },
    });
    expect(p.status).toBe(422);
    expect(p.body.error.code).toBe("INVALID");
    expect(p.body.error.details[0].path).toBe("metadata.annotations.note");
    const ws = await admin("POST", `${ORG}/workspaces`, named("nul-ws", "a\u0000b"));
    expect(ws.status).toBe(422);
    const register = await cp.call("POST", "/api/v1/agent/register", {
      token: agent,
      body: { agentVersion: "1.0\u0000" },
    });
    expect(register.status).toBe(422);
    expect((await admin("DELETE", `${ORG}/tokens/a%00b`)).status).toBe(404);
    const query = await admin("GET", `${ORG}/insights/violations?cluster=a%00b`);
    expect(query.status).toBe(400);
    expect(query.body.error.code).toBe("BAD_REQUEST");
  });

  it("a deep policy stored before the bounds still gives its clusters a bundle", async () => {
    // Written behind the API's back, as a database from before the bounds may hold it.
    const doc = {
      ...policy("old-deep", { recipe: "block-latest-tag" }),
      metadata: { name: "old-deep", labels: nested(3500) },
    };
    await cp.store.createPolicy({ token: "old", role: "admin" }, "default", doc, {
      kind: "organization",
    });
    // A fresh replica reads the organization from the database, as after a restart.
    const replica = await cp.replica();
    const r = await replica.call("GET", "/api/v1/agent/policies", { token: agent });
    expect(r.status).toBe(200);
    expect(r.body.policies.map((x: any) => x.metadata.name)).toContain("old-deep");
  });
});
