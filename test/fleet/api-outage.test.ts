import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { named, startTestControlPlane, type TestControlPlane } from "./api-harness.js";

let cp: TestControlPlane;
const ORG = "/api/v1/organizations/default";

beforeAll(async () => {
  cp = await startTestControlPlane({ dialect: "postgres" });
});
afterAll(async () => cp?.close());

describe("a database outage", () => {
  it("is 503 UNAVAILABLE with Retry-After, and not ready; health still answers", async () => {
    expect((await cp.call("GET", "/readyz")).status).toBe(200);
    const ok = await cp.call("POST", `${ORG}/workspaces`, { token: cp.admin, body: named("w") });
    expect(ok.status).toBe(201);
    await cp.stopDatabase();
    const r = await cp.call("GET", `${ORG}/workspaces`, { token: cp.admin });
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe("UNAVAILABLE");
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(JSON.stringify(r.body)).not.toMatch(/postgres:\/\//);
    expect((await cp.call("GET", "/readyz")).status).toBe(503);
    expect((await cp.call("GET", "/healthz")).status).toBe(200);
  }, 60_000);
});
