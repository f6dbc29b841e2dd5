import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority } from "../../src/adapters/pki/index.js";
import {
  createLoginLimiter,
  toPublicKeys,
  verifyToken,
} from "../../src/adapters/registry-token/index.js";
import { type TokenReply, TokenService, type TokenState } from "../../src/app/registry/token.js";
import {
  loadAccounts,
  loadTokenConfig,
  loadTokenKeys,
} from "../../src/app/registry/token-files.js";
import { toAccountDirectory } from "../../src/core/registry-token/index.js";
import {
  basic,
  CI,
  claimsOf,
  ISSUER,
  NOBODY,
  PULLER,
  SERVICE,
  type TokenFiles,
  writeTokenFiles,
} from "./setup.js";

let files: TokenFiles;
let state: TokenState;
let now = Date.UTC(2026, 0, 1);
const logs: { level: string; fields: Record<string, unknown>; msg: string }[] = [];

function service(overrides: Partial<TokenState["config"]> = {}) {
  const s = { ...state, config: { ...state.config, ...overrides } };
  return new TokenService(
    s,
    createLoginLimiter(s.config.rateLimit, () => now),
    (level, fields, msg) => logs.push({ level, fields, msg }),
    () => now,
  );
}

const get = (query: string, authorization?: string, client = "10.0.0.1") => ({
  method: "GET" as const,
  query: new URLSearchParams(query),
  form: undefined,
  authorization,
  client,
});
const post = (form: string, client = "10.0.0.1") => ({
  method: "POST" as const,
  query: new URLSearchParams(),
  form: new URLSearchParams(form),
  authorization: undefined,
  client,
});
const body = (r: TokenReply) => r.body as Record<string, unknown>;
const access = (r: TokenReply) => claimsOf(body(r).token as string).access;

beforeAll(async () => {
  const tls = await createCertificateAuthority("tls");
  files = await writeTokenFiles(tls, [CI, PULLER, NOBODY]);
  const config = loadTokenConfig(files.config);
  state = {
    config,
    keys: loadTokenKeys(config),
    directory: toAccountDirectory(loadAccounts(config.accountsFile)),
  };
});
afterAll(() => files.cleanup());

describe("TokenService: GET /token (docker token protocol)", () => {
  it("signs a narrowed access claim for the registry's service and issuer", async () => {
    const r = await service().handle(
      get(
        `service=${SERVICE}&scope=repository:team/app:pull,push&scope=repository:other/x:push`,
        basic(CI.name, CI.secret),
      ),
    );
    expect(r.status).toBe(200);
    const claims = claimsOf(body(r).token as string);
    expect(claims).toMatchObject({
      iss: ISSUER,
      aud: SERVICE,
      sub: "ci",
      exp: now / 1000 + 300,
      access: [{ type: "repository", name: "team/app", actions: ["pull", "push"] }],
    });
    expect(body(r).access_token).toBe(body(r).token);
    expect(verifyToken(body(r).token as string, toPublicKeys([files.signer.certPem]))).toEqual(
      claims,
    );
    expect(logs.at(-1)).toMatchObject({
      msg: "token issued",
      fields: {
        account: "ci",
        granted: ["repository:team/app:pull,push"],
        refused: ["repository:other/x:push (not-granted)"],
      },
    });
  });

  it("the pull account gets pull and never push", async () => {
    const r = await service().handle(
      get(
        `service=${SERVICE}&scope=repository:team/app:pull,push`,
        basic(PULLER.name, PULLER.secret),
      ),
    );
    expect(access(r)).toEqual([{ type: "repository", name: "team/app", actions: ["pull"] }]);
  });

  it("docker login (no scope, offline_token) gets an empty token and a refresh token", async () => {
    const r = await service().handle(
      get(
        `service=${SERVICE}&offline_token=true&client_id=docker&account=ci`,
        basic(CI.name, CI.secret),
      ),
    );
    expect(access(r)).toEqual([]);
    expect(typeof body(r).refresh_token).toBe("string");
    expect(claimsOf(body(r).refresh_token as string)).toMatchObject({ aud: ISSUER, sub: "ci" });
  });

  it.each([
    ["an unknown account", basic("mallory", "x"), "unknown account"],
    ["a wrong secret", basic(CI.name, "ci secret 2"), "wrong secret"],
    ["a name no account can have", basic(`${"x".repeat(5000)}\n`, "x"), "not an account name"],
    [
      "a secret over bcrypt's 72 bytes that starts right",
      basic(CI.name, CI.secret + "x".repeat(80)),
      "wrong secret",
    ],
  ])("refuses %s with 401, logging without the secret", async (_, auth, reason) => {
    const r = await service().handle(
      get(`service=${SERVICE}&scope=repository:team/app:pull`, auth, `client-${reason}`),
    );
    expect(r.status).toBe(401);
    expect(r.headers["www-authenticate"]).toContain("Basic");
    expect(body(r)).toEqual({
      errors: [{ code: "UNAUTHORIZED", message: "invalid username or password" }],
    });
    expect(logs.at(-1)).toMatchObject({ level: "warn", msg: "login refused", fields: { reason } });
    expect(JSON.stringify(logs)).not.toContain("ci secret 2");
    expect(JSON.stringify(logs.at(-1)).length).toBeLessThan(300);
  });

  it("anonymous requests are refused unless anonymous grants are configured", async () => {
    const q = `service=${SERVICE}&scope=repository:public/x:pull,push`;
    expect((await service().handle(get(q))).status).toBe(401);
    const open = service({ anonymous: [{ repositories: ["public/*"], actions: ["pull"] }] });
    expect(access(await open.handle(get(q)))).toEqual([
      { type: "repository", name: "public/x", actions: ["pull"] },
    ]);
  });

  it.each([
    ["another service", "service=other&scope=repository:a:pull", 400],
    ["no service", "scope=repository:a:pull", 400],
    [
      "too many scopes",
      `service=${SERVICE}&${Array.from({ length: 33 }, (_, i) => `scope=repository:a${i}:pull`).join("&")}`,
      400,
    ],
  ])("refuses %s", async (_, q, status) => {
    expect((await service().handle(get(q, basic(CI.name, CI.secret)))).status).toBe(status);
  });

  it("refuses credentials that are not Basic", async () => {
    expect((await service().handle(get(`service=${SERVICE}`, "Bearer abc"))).status).toBe(400);
    expect((await service().handle(get(`service=${SERVICE}`, "Basic bm9jb2xvbg=="))).status).toBe(
      400,
    );
  });
});

describe("TokenService: failed logins are rate-limited per account and client", () => {
  it("after the free failures, waits double up to the maximum; a success clears them", async () => {
    const s = service();
    const q = `service=${SERVICE}`;
    const wrong = basic(NOBODY.name, "wrong");
    for (let i = 0; i < 3; i++)
      expect((await s.handle(get(q, wrong, "10.9.9.9"))).status).toBe(401);
    expect((await s.handle(get(q, wrong, "10.9.9.9"))).status).toBe(401); // 4th: now blocked for 1 s
    const blocked = await s.handle(get(q, basic(NOBODY.name, NOBODY.secret), "10.9.9.9"));
    expect(blocked.status).toBe(429);
    expect(blocked.headers["retry-after"]).toBe("1");
    // Another client, or another account, is not affected.
    expect((await s.handle(get(q, basic(NOBODY.name, NOBODY.secret), "10.9.9.8"))).status).toBe(
      200,
    );
    expect((await s.handle(get(q, basic(CI.name, CI.secret), "10.9.9.9"))).status).toBe(200);
    now += 1000;
    expect((await s.handle(get(q, wrong, "10.9.9.9"))).status).toBe(401); // 5th: 2 s
    expect((await s.handle(get(q, wrong, "10.9.9.9"))).headers["retry-after"]).toBe("2");
    now += 2000;
    expect((await s.handle(get(q, basic(NOBODY.name, NOBODY.secret), "10.9.9.9"))).status).toBe(
      200,
    );
    expect((await s.handle(get(q, wrong, "10.9.9.9"))).status).toBe(401); // cleared: free again
  });
});

describe("TokenService: POST /token (OAuth2 form)", () => {
  it("grant_type=password with access_type=offline returns a refresh token that works", async () => {
    const s = service();
    const r = await s.handle(
      post(
        `grant_type=password&username=ci&password=${encodeURIComponent(CI.secret)}&service=${SERVICE}&client_id=docker&access_type=offline&scope=repository:team/app:pull`,
      ),
    );
    expect(r.status).toBe(200);
    expect(body(r).scope).toBe("repository:team/app:pull");
    const refresh = body(r).refresh_token as string;
    const again = await s.handle(
      post(
        `grant_type=refresh_token&refresh_token=${refresh}&service=${SERVICE}&client_id=docker&scope=repository:team/app:push`,
      ),
    );
    expect(again.status).toBe(200);
    expect(access(again)).toEqual([{ type: "repository", name: "team/app", actions: ["push"] }]);
    // Refresh tokens are not access tokens: the registry would refuse its audience.
    expect(claimsOf(refresh).aud).not.toBe(SERVICE);
  });

  it("without access_type=offline there is no refresh token", async () => {
    const r = await service().handle(
      post(
        `grant_type=password&username=ci&password=${encodeURIComponent(CI.secret)}&service=${SERVICE}`,
      ),
    );
    expect(body(r).refresh_token).toBeUndefined();
  });

  it.each([
    [
      "a wrong password",
      `grant_type=password&username=ci&password=nope&service=${SERVICE}`,
      401,
      "invalid_grant",
    ],
    [
      "a missing password",
      `grant_type=password&username=ci&service=${SERVICE}`,
      400,
      "invalid_request",
    ],
    [
      "an unknown grant type",
      `grant_type=client_credentials&service=${SERVICE}`,
      400,
      "invalid_request",
    ],
    [
      "a forged refresh token",
      `grant_type=refresh_token&refresh_token=a.b.c&service=${SERVICE}`,
      401,
      "invalid_grant",
    ],
    ["an access token used as refresh token", "", 401, "invalid_grant"],
  ])("refuses %s in OAuth2's error shape", async (_, form, status, error) => {
    const s = service();
    let f = form;
    if (f === "") {
      const r = await s.handle(get(`service=${SERVICE}`, basic(CI.name, CI.secret)));
      f = `grant_type=refresh_token&refresh_token=${body(r).token}&service=${SERVICE}`;
    }
    const r = await s.handle(post(f, "10.7.7.7"));
    expect(r.status).toBe(status);
    expect(body(r).error).toBe(error);
  });

  it("refresh tokens expire, and die with the account's secret or signer", async () => {
    const s = service();
    const login = await s.handle(
      post(
        `grant_type=password&username=ci&password=${encodeURIComponent(CI.secret)}&service=${SERVICE}&access_type=offline`,
      ),
    );
    const refresh = `grant_type=refresh_token&refresh_token=${body(login).refresh_token}&service=${SERVICE}`;
    expect((await s.handle(post(refresh))).status).toBe(200);
    // A new secret for ci: the old refresh token no longer works.
    const changed = {
      ...state.directory.accounts.get("ci"),
      secretHash: "$2y$04$abcdefghijklmnopqrstuuJ3G0P6zQ8cH0H1Hq1b5l3v0sP3m3x2a",
    } as never;
    s.replace({ ...state, directory: toAccountDirectory([changed]) });
    expect((await s.handle(post(refresh))).status).toBe(401);
    s.replace(state);
    const old = now;
    now += 8 * 86400 * 1000;
    expect((await s.handle(post(refresh))).status).toBe(401);
    now = old;
    // Signed by a key no longer trusted (rotation finished): refused.
    const other = await createCertificateAuthority("other signer");
    s.replace({ ...state, keys: { ...state.keys, verifiers: toPublicKeys([other.certPem]) } });
    expect((await s.handle(post(refresh))).status).toBe(401);
  });
});
