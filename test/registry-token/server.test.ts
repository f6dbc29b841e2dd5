import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningTokenServer, startTokenServer } from "../../src/server/registry-token.js";
import { createTestPki, type TestPki } from "../registry/harness.js";
import { https } from "./http.js";
import {
  accountsYaml,
  basic,
  CI,
  PULLER,
  SERVICE,
  type TokenFiles,
  writeTokenFiles,
} from "./setup.js";

/** The HTTPS listener itself (no registry needed): routes, limits, reloads. */
describe("customs registry token-server (HTTPS listener)", () => {
  let pki: TestPki;
  let files: TokenFiles;
  let server: RunningTokenServer;
  const logs: string[] = [];
  const url = (path: string) => `https://127.0.0.1:${server.port}${path}`;
  const login = (who: { name: string; secret: string }) =>
    https(url(`/token?service=${SERVICE}`), pki.ca.certPem, {
      headers: { authorization: basic(who.name, who.secret) },
    });

  beforeAll(async () => {
    pki = await createTestPki();
    files = await writeTokenFiles(pki.server, [CI]);
    server = await startTokenServer(
      files.config,
      pino({}, { write: (l: string) => void logs.push(l) }),
      { pollMs: 50 },
    );
  });
  afterAll(async () => {
    await server?.stop();
    files?.cleanup();
  });

  it("answers /healthz, and 404 elsewhere", async () => {
    expect((await https(url("/healthz"), pki.ca.certPem)).status).toBe(200);
    const other = await https(url("/v2/"), pki.ca.certPem);
    expect(other.status).toBe(404);
    expect(JSON.parse(other.body)).toEqual({
      error: { code: "NOT_FOUND", message: expect.any(String) },
    });
    expect((await https(url("/token"), pki.ca.certPem, { method: "DELETE" })).status).toBe(404);
  });

  it("refuses a POST body over 64 KiB with 413, in OAuth2's error shape", async () => {
    const r = await https(url("/token"), pki.ca.certPem, {
      method: "POST",
      body: "a=".padEnd(70_000, "x"),
    });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toEqual({
      error: "invalid_request",
      error_description: expect.stringContaining("larger than 65536 bytes"),
    });
  });

  it("reloads the accounts file when it changes, and keeps the last good one when it breaks", async () => {
    expect((await login(PULLER)).status).toBe(401);
    files.write("accounts.yaml", accountsYaml([CI, PULLER]));
    await expect
      .poll(async () => (await login(PULLER)).status, { timeout: 5000, interval: 50 })
      .toBe(200);
    files.write("accounts.yaml", "accounts: [\n");
    await expect
      .poll(() => logs.some((l) => l.includes("reload failed")), { timeout: 5000, interval: 50 })
      .toBe(true);
    expect((await login(PULLER)).status).toBe(200);
    expect((await login(CI)).status).toBe(200);
  });
});
