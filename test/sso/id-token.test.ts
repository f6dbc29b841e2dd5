import { createHmac, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OidcProvider } from "../../src/adapters/oidc/index.js";
import { checkIdTokenClaims } from "../../src/core/oidc/claims.js";

/**
 * ID token verification (docs/sso.md) against a small provider on 127.0.0.1 that serves a
 * discovery document and a key set the test changes (key rotation). Tokens are signed here
 * with node:crypto.
 */
interface TestKey {
  kid: string;
  alg: "RS256" | "ES256" | "PS256";
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

function newKey(kid: string, alg: TestKey["alg"]): TestKey {
  const { privateKey, publicKey } =
    alg === "ES256"
      ? generateKeyPairSync("ec", { namedCurve: "P-256" })
      : generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { kid, alg, privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, use: "sig" } };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

function signJwt(
  key: TestKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
) {
  const h = b64({ alg: key.alg, kid: key.kid, typ: "JWT", ...header });
  const input = `${h}.${b64(claims)}`;
  const hash = "sha256";
  const sig =
    key.alg === "ES256"
      ? sign(hash, Buffer.from(input), { key: key.privateKey, dsaEncoding: "ieee-p1363" })
      : key.alg === "PS256"
        ? sign(hash, Buffer.from(input), { key: key.privateKey, padding: 6, saltLength: 32 })
        : sign(hash, Buffer.from(input), key.privateKey);
  return `${input}.${sig.toString("base64url")}`;
}

let server: Server;
let issuer: string;
let keys: TestKey[];
let jwksFetches = 0;
let clock = Date.parse("2026-09-01T10:00:00Z");
const NOW = () => Math.floor(clock / 1000);

function claims(extra: Record<string, unknown> = {}) {
  return {
    iss: issuer,
    aud: "customs",
    sub: "user-1",
    email: "alice@example.com",
    iat: NOW(),
    exp: NOW() + 300,
    nonce: "the-nonce",
    ...extra,
  };
}

let provider: OidcProvider;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/.well-known/openid-configuration") {
      res.end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/keys`,
          id_token_signing_alg_values_supported: ["RS256", "ES256", "PS256", "HS256", "none"],
        }),
      );
    } else if (req.url === "/keys") {
      jwksFetches++;
      res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
    } else {
      res.statusCode = 404;
      res.end("{}");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

beforeEach(() => {
  keys = [newKey("rsa-1", "RS256"), newKey("ec-1", "ES256")];
  jwksFetches = 0;
  provider = new OidcProvider(
    {
      issuer,
      clientId: "customs",
      clientSecret: "secret",
      tokenAuthMethod: "client_secret_basic",
      redirectUrl: "https://cp.example/api/v1/auth/oidc/callback",
      scopes: ["openid"],
    },
    { now: () => clock, keyRefetchMs: 10_000 },
  );
});

const verify = (token: string, nonce = "the-nonce") => provider.verifyIdToken(token, nonce);
const refusal = async (token: string, nonce?: string) => {
  try {
    await verify(token, nonce);
  } catch (e) {
    return `${(e as { code?: string }).code}: ${(e as Error).message}`;
  }
  return "accepted";
};

describe("ID token verification", () => {
  it("accepts RS256, ES256 and PS256 tokens of the provider's keys", async () => {
    expect((await verify(signJwt(keys[0] as TestKey, claims()))).email).toBe("alice@example.com");
    expect((await verify(signJwt(keys[1] as TestKey, claims()))).sub).toBe("user-1");
    keys.push(newKey("ps-1", "PS256"));
    clock += 11_000;
    expect((await verify(signJwt(keys[2] as TestKey, claims()))).sub).toBe("user-1");
  });

  it("refuses an expired token, allowing 60 s of clock skew", async () => {
    const key = keys[0] as TestKey;
    const justExpired = claims({ iat: NOW() - 400, exp: NOW() - 30 });
    expect(await refusal(signJwt(key, justExpired))).toBe("accepted");
    const expired = claims({ iat: NOW() - 400, exp: NOW() - 61 });
    expect(await refusal(signJwt(key, expired))).toMatch(/^OIDC_TOKEN_INVALID: .*expired/);
  });

  it("refuses a token issued in the future, or not valid yet", async () => {
    const key = keys[0] as TestKey;
    expect(await refusal(signJwt(key, claims({ iat: NOW() + 120 })))).toMatch(/future/);
    expect(await refusal(signJwt(key, claims({ nbf: NOW() + 120 })))).toMatch(/not valid yet/);
  });

  it("refuses another audience, and several audiences without azp naming us", async () => {
    const key = keys[0] as TestKey;
    expect(await refusal(signJwt(key, claims({ aud: "another-app" })))).toMatch(/audience/);
    expect(await refusal(signJwt(key, claims({ aud: ["customs", "other"] })))).toMatch(/azp/);
    expect(await refusal(signJwt(key, claims({ aud: ["customs", "other"], azp: "customs" })))).toBe(
      "accepted",
    );
  });

  it("refuses another issuer", async () => {
    const token = signJwt(keys[0] as TestKey, claims({ iss: "https://evil.example" }));
    expect(await refusal(token)).toMatch(/^OIDC_TOKEN_INVALID: .*issuer/);
  });

  it("refuses a token without this sign-in's nonce", async () => {
    const key = keys[0] as TestKey;
    expect(await refusal(signJwt(key, claims()), "another-nonce")).toMatch(/nonce/);
    const { nonce: _, ...without } = claims();
    expect(await refusal(signJwt(key, without))).toMatch(/nonce/);
  });

  it("refuses an unknown kid after fetching the key set again once", async () => {
    await verify(signJwt(keys[0] as TestKey, claims()));
    expect(jwksFetches).toBe(1);
    clock += 11_000;
    const stranger = newKey("not-published", "RS256");
    expect(await refusal(signJwt(stranger, claims()))).toMatch(/no key "not-published"/);
    expect(jwksFetches).toBe(2);
    // Asked again at once: the set is not fetched again (no fetch storm from forged kids).
    expect(await refusal(signJwt(stranger, claims()))).toMatch(/no key/);
    expect(jwksFetches).toBe(2);
  });

  it("follows key rotation: a token of a new key fetches the set again", async () => {
    await verify(signJwt(keys[0] as TestKey, claims()));
    const next = newKey("rsa-2", "RS256");
    keys = [next];
    clock += 11_000;
    expect((await verify(signJwt(next, claims()))).sub).toBe("user-1");
    expect(jwksFetches).toBe(2);
  });

  it('refuses alg "none"', async () => {
    const token = `${b64({ alg: "none", typ: "JWT" })}.${b64(claims())}.`;
    expect(await refusal(token)).toMatch(/algorithm "none" is not accepted/);
  });

  it("refuses HS256 signed with the provider's public key (algorithm confusion)", async () => {
    const key = keys[0] as TestKey;
    const secret = JSON.stringify(key.jwk);
    const input = `${b64({ alg: "HS256", kid: key.kid })}.${b64(claims())}`;
    const mac = createHmac("sha256", secret).update(input).digest("base64url");
    expect(await refusal(`${input}.${mac}`)).toMatch(/algorithm "HS256" is not accepted/);
  });

  it("refuses a key of another type than the algorithm, and a forged signature", async () => {
    const ec = keys[1] as TestKey;
    const rsa = keys[0] as TestKey;
    // An RS256 header naming the EC key.
    const mixed = signJwt(rsa, claims(), { kid: ec.kid });
    expect(await refusal(mixed)).toMatch(/does not fit the algorithm RS256/);
    const token = signJwt(rsa, claims());
    const [h, , s] = token.split(".");
    const forged = `${h}.${b64(claims({ sub: "admin" }))}.${s}`;
    expect(await refusal(forged)).toMatch(/signature does not verify/);
    expect(await refusal("not.a.jwt!")).toMatch(/compact JWS/);
  });
});

describe("checkIdTokenClaims", () => {
  const base = { issuer: "https://idp", clientId: "c", nonce: "n", now: 1000, skewSeconds: 60 };
  const ok = { iss: "https://idp", aud: "c", sub: "s", iat: 1000, exp: 1300, nonce: "n" };
  it.each([
    ["no sub", { ...ok, sub: undefined }, /sub/],
    ["no exp", { ...ok, exp: undefined }, /exp/],
    ["exp not a number", { ...ok, exp: "1300" }, /exp/],
    ["azp of another client", { ...ok, azp: "other" }, /azp/],
    ["issued more than a day ago", { ...ok, iat: 1000 - 90_000, exp: 2000 }, /a day/],
  ])("refuses %s", (_name, claims, message) => {
    expect(() => checkIdTokenClaims(claims, base)).toThrow(message);
  });
});
