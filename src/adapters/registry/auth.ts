import { type Challenge, findChallenge } from "./challenge.js";
import type { Credential, CredentialStore } from "./credentials.js";
import { RegistryError } from "./errors.js";
import { type RetryPolicy, withRetries } from "./retry.js";
import type { HttpRequest, HttpResponse, Transport } from "./transport.js";

/** Who is asking for what: decides the credentials and the token scope. */
export interface AuthTarget {
  /** Canonical registry name for the credential lookup (`docker.io`, `host:5000`). */
  readonly registry: string;
  /** Repository path, or "" for the `/v2/` ping. */
  readonly repository: string;
}

type Scheme =
  | { readonly kind: "basic" }
  | { readonly kind: "bearer"; readonly challenge: Challenge };

interface TokenRecord {
  readonly promise: Promise<string>;
  expires: number;
  token: string | undefined;
}

const TOKEN_BYTES = 1 << 20;
const MAX_TOKENS = 1000;
/** The token spec's default lifetime when `expires_in` is missing. */
const DEFAULT_TOKEN_SECONDS = 60;

function basic(c: Credential): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
}

function authFailed(registry: string, why: string, status?: number): RegistryError {
  return new RegistryError("AUTH_FAILED", `${registry}: ${why}`, status);
}

/**
 * Anonymous, Basic and Bearer authentication (https://distribution.github.io/distribution/
 * spec/auth/token/). The scheme is learnt from the first 401 of each host and then used up
 * front, so that once a token is cached a request costs one round trip.
 */
export class Authenticator {
  private readonly schemes = new Map<string, Scheme>();
  private readonly tokens = new Map<string, TokenRecord>();

  constructor(
    private readonly transport: Transport,
    private readonly credentials: CredentialStore,
    private readonly retry: RetryPolicy,
    private readonly now: () => number,
  ) {}

  async send(req: HttpRequest, target: AuthTarget): Promise<HttpResponse> {
    const host = req.url.host;
    const credential = this.credentials.credentialsFor(target.registry, target.repository);
    const defaultScope = target.repository ? `repository:${target.repository}:pull` : "";
    let scope = defaultScope;
    let refreshed = false;
    for (;;) {
      const { authorization, tokenKey } = await this.authorize(host, scope, credential, target);
      const headers = authorization ? { ...req.headers, authorization } : req.headers;
      const res = await withRetries(
        () => this.transport.send({ ...req, headers }),
        this.retry,
        this.now,
      );
      if (res.status !== 401) return res;

      // Several challenges may come as several headers; the parser reads them comma-joined.
      const raw = res.headers["www-authenticate"];
      const header = Array.isArray(raw) ? raw.join(", ") : raw;
      const bearer = findChallenge(header, "bearer");
      if (bearer !== undefined) {
        this.schemes.set(host, { kind: "bearer", challenge: bearer });
        // The registry names the scope this request needs; ours is only a first guess.
        scope = bearer.params.scope ?? defaultScope;
        if (tokenKey === undefined) continue;
        // A token was refused (expired, revoked, too narrow): fetch a fresh one, once.
        this.invalidate(tokenKey, authorization?.slice("Bearer ".length));
        if (refreshed) {
          const why = bearer.params.error ? ` (${bearer.params.error})` : "";
          throw authFailed(target.registry, `the registry refused a fresh token${why}`, 401);
        }
        refreshed = true;
        continue;
      }
      if (findChallenge(header, "basic") !== undefined) {
        if (credential === undefined) {
          throw authFailed(target.registry, "credentials required, none configured", 401);
        }
        if (authorization !== undefined) {
          throw authFailed(target.registry, "the registry rejected the credentials", 401);
        }
        this.schemes.set(host, { kind: "basic" });
        continue;
      }
      throw authFailed(target.registry, "401 without a Basic or Bearer challenge", 401);
    }
  }

  /** The Authorization header for what we know of the host's scheme (none at first). */
  private async authorize(
    host: string,
    scope: string,
    credential: Credential | undefined,
    target: AuthTarget,
  ): Promise<{ authorization?: string; tokenKey?: string }> {
    const scheme = this.schemes.get(host);
    if (scheme?.kind === "basic" && credential) return { authorization: basic(credential) };
    if (scheme?.kind !== "bearer") return {};
    const tokenKey = this.tokenKey(scheme.challenge, scope, credential);
    const token = await this.token(tokenKey, scheme.challenge, scope, credential, target);
    return { authorization: `Bearer ${token}`, tokenKey };
  }

  private tokenKey(ch: Challenge, scope: string, credential: Credential | undefined): string {
    // No password in the key: keys may show up in a debugger or heap dump.
    return [ch.params.realm, ch.params.service, scope, credential?.username ?? ""].join("\n");
  }

  private invalidate(key: string, used: string | undefined): void {
    // Only the token that failed: concurrent requests may already have fetched a new one.
    const record = this.tokens.get(key);
    if (record !== undefined && record.token === used) {
      this.tokens.delete(key);
    }
  }

  private token(
    key: string,
    ch: Challenge,
    scope: string,
    credential: Credential | undefined,
    target: AuthTarget,
  ): Promise<string> {
    const cached = this.tokens.get(key);
    if (cached !== undefined && cached.expires > this.now()) return cached.promise;
    const fetched = this.fetchToken(ch, scope, credential, target);
    const record: TokenRecord = {
      promise: fetched.then((t) => t.token),
      expires: Number.POSITIVE_INFINITY,
      token: undefined,
    };
    fetched.then(
      (t) => {
        record.token = t.token;
        record.expires = t.expires;
      },
      () => {
        if (this.tokens.get(key) === record) this.tokens.delete(key);
      },
    );
    this.prune();
    this.tokens.set(key, record);
    return record.promise;
  }

  /** One token per repository scope: drop the expired ones once there are many. */
  private prune(): void {
    if (this.tokens.size < MAX_TOKENS) return;
    const now = this.now();
    for (const [key, record] of this.tokens) if (record.expires <= now) this.tokens.delete(key);
  }

  private async fetchToken(
    ch: Challenge,
    scope: string,
    credential: Credential | undefined,
    target: AuthTarget,
  ): Promise<{ token: string; expires: number }> {
    const realm = ch.params.realm;
    let url: URL;
    try {
      url = new URL(realm ?? "");
    } catch {
      throw authFailed(target.registry, "the Bearer challenge has no usable realm");
    }
    if (ch.params.service) url.searchParams.set("service", ch.params.service);
    for (const s of scope.split(" ").filter(Boolean)) url.searchParams.append("scope", s);
    // Credentials go to the realm the registry names; transport refuses plain HTTP for it
    // unless that host is marked insecure, so they never cross the network in clear.
    const headers: Record<string, string> = { accept: "application/json" };
    if (credential) headers.authorization = basic(credential);
    const res = await withRetries(
      () => this.transport.send({ method: "GET", url, headers, maxBytes: TOKEN_BYTES }),
      this.retry,
      this.now,
    );
    if (res.status === 401 || res.status === 403) {
      throw authFailed(target.registry, `the token server refused us (${res.status})`, res.status);
    }
    if (res.status !== 200) {
      throw new RegistryError(
        res.status === 429 ? "RATE_LIMITED" : "REGISTRY_ERROR",
        `${target.registry}: the token server answered ${res.status}`,
        res.status,
      );
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(res.body.toString("utf8"));
    } catch {
      throw authFailed(target.registry, "the token server answered something other than JSON");
    }
    const token = typeof body.token === "string" ? body.token : body.access_token;
    if (typeof token !== "string" || token === "") {
      throw authFailed(target.registry, "the token server answered without a token");
    }
    const seconds =
      typeof body.expires_in === "number" && body.expires_in > 0
        ? body.expires_in
        : DEFAULT_TOKEN_SECONDS;
    // Renew a little early so that a token does not expire between cache and registry.
    const lifetime = seconds * 1000;
    return { token, expires: this.now() + lifetime - Math.min(10_000, lifetime / 10) };
  }
}
