import { randomUUID, sign, X509Certificate } from "node:crypto";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createCertificateAuthority, type PemPair } from "../../src/adapters/pki/index.js";

/**
 * A token server for distribution's `auth.token` (https://distribution.github.io/
 * distribution/spec/auth/jwt/). Tokens are ES256 JWTs whose header carries the signing
 * certificate as `x5c`: distribution 2.8 verifies that chain against `rootcertbundle`
 * (token.go parseAndVerifyCertChain), which spares us libtrust key IDs. The registry allows
 * 60 s of clock leeway, so an "expired" token here expired an hour ago.
 */
export interface Access {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

export interface TokenServer {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** The PEM the registry must trust (its rootcertbundle). */
  readonly rootCertBundle: string;
  /** The next N tokens issued are already expired. */
  expiredTokens: number;
  /** Every token issued is expired (a broken token server). */
  alwaysExpired: boolean;
  /** Token requests served, and those that carried credentials. */
  readonly stats: { requests: number; withCredentials: number };
  /** A token signed directly, for the test's own pushes. */
  sign(access: readonly Access[], lifetimeSeconds?: number): string;
  stop(): Promise<void>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

/** `repository:library/busybox:pull,push` → Access. */
function parseScope(scope: string): Access | undefined {
  const m = /^([^:]+):(.+):([a-z*,]+)$/.exec(scope);
  return m ? { type: m[1] ?? "", name: m[2] ?? "", actions: (m[3] ?? "").split(",") } : undefined;
}

export async function startTokenServer(
  tls: PemPair,
  users: Readonly<Record<string, string>>,
): Promise<TokenServer> {
  const signer = await createCertificateAuthority("customs test token signer");
  const x5c = [new X509Certificate(signer.certPem).raw.toString("base64")];
  const service = "customs-test-registry";
  const issuer = "customs-test-token-issuer";

  const issue = (access: readonly Access[], lifetime: number, subject: string): string => {
    const now = Math.floor(Date.now() / 1000);
    const expired = lifetime <= 0;
    const header = { typ: "JWT", alg: "ES256", x5c };
    const claims = {
      iss: issuer,
      sub: subject,
      aud: service,
      iat: expired ? now - 7200 : now,
      nbf: expired ? now - 7200 : now - 5,
      exp: expired ? now - 3600 : now + lifetime,
      jti: randomUUID(),
      access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    // JWS ES256 wants the raw r||s signature, not DER.
    const signature = sign("sha256", Buffer.from(input), {
      key: signer.keyPem,
      dsaEncoding: "ieee-p1363",
    });
    return `${input}.${b64url(signature)}`;
  };

  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://token.invalid");
    state.stats.requests++;
    let subject = "";
    const authorization = req.headers.authorization ?? "";
    if (authorization.startsWith("Basic ")) {
      state.stats.withCredentials++;
      const [user, ...rest] = Buffer.from(authorization.slice(6), "base64")
        .toString("utf8")
        .split(":");
      if (user === undefined || users[user] !== rest.join(":")) {
        res.writeHead(401, { "content-type": "application/json" });
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
        return;
      }
      subject = user;
    }
    if (url.pathname !== "/token" || url.searchParams.get("service") !== service) {
      res.writeHead(400).end();
      return;
    }
    // Anonymous callers get a token with no access: the registry then says insufficient_scope.
    const access = subject
      ? url.searchParams.getAll("scope").flatMap((s) => parseScope(s) ?? [])
      : [];
    let lifetime = 300;
    if (state.alwaysExpired || state.expiredTokens > 0) {
      state.expiredTokens = Math.max(0, state.expiredTokens - 1);
      lifetime = 0;
    }
    const token = issue(access, lifetime, subject);
    res.writeHead(200, { "content-type": "application/json" });
    // expires_in is what the server believes; for expired tokens it is a lie on purpose.
    res.end(JSON.stringify({ token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const state: TokenServer = {
    realm: `https://127.0.0.1:${port}/token`,
    service,
    issuer,
    rootCertBundle: signer.certPem,
    expiredTokens: 0,
    alwaysExpired: false,
    stats: { requests: 0, withCredentials: 0 },
    sign: (access, lifetime = 300) => issue(access, lifetime, "pusher"),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return state;
}
