import { type KeyObject, randomUUID } from "node:crypto";
import {
  bcryptHasher,
  createSecretVerifier,
  type LoginLimiter,
  type SecretHasher,
  type SecretVerifier,
  secretFingerprint,
  type TokenSigner,
  verifyToken,
} from "../../adapters/registry-token/index.js";
import { printable } from "../../core/policy/index.js";
import {
  type AccountDirectory,
  type CompiledGrant,
  compileGrants,
  evaluateAccess,
  isAccountName,
  type TokenServiceConfig,
  toScope,
} from "../../core/registry-token/index.js";
import { type Caller, readCaller, type TokenRequest } from "./token-request.js";

export interface TokenKeys {
  readonly signer: TokenSigner;
  /** The signing certificate's key and those of spec.trustedCertificates (refresh tokens). */
  readonly verifiers: readonly KeyObject[];
}

/** Everything a reload replaces at once. */
export interface TokenState {
  readonly config: TokenServiceConfig;
  readonly keys: TokenKeys;
  readonly directory: AccountDirectory;
}

export interface TokenReply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** Log lines: the fields never hold a secret, a password or a token. */
export type TokenLog = (
  level: "info" | "warn",
  fields: Record<string, unknown>,
  msg: string,
) => void;

/** Most scopes one request may name: docker asks for two or three. */
const MAX_SCOPES = 32;
const REFRESH_TYPE = "customs-refresh";

/**
 * The Docker registry token protocol (https://distribution.github.io/distribution/spec/auth/token/
 * for GET, .../auth/oauth/ for POST): authenticate, narrow the scopes to the grants, sign.
 */
export class TokenService {
  private state: TokenState;
  private anonymous: CompiledGrant[];
  private secrets: SecretVerifier;

  constructor(
    state: TokenState,
    private readonly limiter: LoginLimiter,
    private readonly log: TokenLog,
    private readonly now: () => number = Date.now,
    private readonly hasher: SecretHasher = bcryptHasher,
  ) {
    this.state = state;
    this.anonymous = compileGrants(state.config.anonymous);
    this.secrets = this.verifierOf(state);
  }

  replace(state: TokenState): void {
    // Built first: a reload swaps everything at once, dummy hashes for new costs included.
    const secrets = this.verifierOf(state);
    this.state = state;
    this.anonymous = compileGrants(state.config.anonymous);
    this.secrets = secrets;
  }

  private verifierOf(state: TokenState): SecretVerifier {
    const hashes = [...state.directory.accounts.values()].map((a) => a.secretHash);
    return createSecretVerifier(hashes, this.hasher);
  }

  async handle(req: TokenRequest): Promise<TokenReply> {
    const { config } = this.state;
    const oauth = req.method === "POST";
    const caller = readCaller(req);
    if (caller.kind === "invalid") return this.fail(oauth, 400, caller.reason, req.client);
    if (caller.service !== config.service)
      return this.fail(
        oauth,
        400,
        `unknown service (this token service signs for "${config.service}")`,
        req.client,
      );
    if (caller.scopes.length > MAX_SCOPES)
      return this.fail(oauth, 400, `more than ${MAX_SCOPES} scopes`, req.client);
    const who = await this.authenticate(caller, req.client, oauth);
    if ("status" in who) return who;
    const decision = evaluateAccess(who.grants, caller.scopes);
    const now = Math.floor(this.now() / 1000);
    const token = this.state.keys.signer.sign({
      iss: config.issuer,
      sub: who.account,
      aud: config.service,
      exp: now + config.tokenLifetimeSeconds,
      nbf: now,
      iat: now,
      jti: randomUUID(),
      access: decision.granted,
    });
    const refresh =
      caller.offline && who.fingerprint
        ? this.refreshToken(who.account, who.fingerprint, now)
        : undefined;
    this.log(
      "info",
      {
        account: who.account || "(anonymous)",
        client: req.client,
        flow: caller.flow,
        granted: decision.granted.map(toScope),
        // Scopes come from the caller: shortened and with control characters escaped.
        refused: decision.refused.map((r) => `${printable(r.scope, 200)} (${r.reason})`),
      },
      "token issued",
    );
    const body = {
      token,
      access_token: token,
      expires_in: config.tokenLifetimeSeconds,
      issued_at: new Date(now * 1000).toISOString(),
      ...(oauth ? { scope: decision.granted.map(toScope).join(" ") } : {}),
      ...(refresh ? { refresh_token: refresh } : {}),
    };
    return { status: 200, headers: { "cache-control": "no-store" }, body };
  }

  private refreshToken(account: string, fingerprint: string, now: number): string | undefined {
    const { config, keys } = this.state;
    if (config.refreshTokenLifetimeSeconds === 0) return undefined;
    // Audience is the issuer itself: the registry (audience `service`) never accepts it.
    return keys.signer.sign({
      typ: REFRESH_TYPE,
      iss: config.issuer,
      sub: account,
      aud: config.issuer,
      iat: now,
      exp: now + config.refreshTokenLifetimeSeconds,
      jti: randomUUID(),
      sfp: fingerprint,
    });
  }

  private async authenticate(
    caller: Caller & { kind: "anonymous" | "password" | "refresh" },
    client: string,
    oauth: boolean,
  ): Promise<
    { account: string; grants: readonly CompiledGrant[]; fingerprint?: string } | TokenReply
  > {
    const { directory } = this.state;
    if (caller.kind === "anonymous") {
      if (this.state.config.anonymous.length === 0) {
        this.log("warn", { client, flow: caller.flow }, "anonymous request refused");
        return this.fail(oauth, 401, "authentication required", client, false);
      }
      return { account: "", grants: this.anonymous };
    }
    if (caller.kind === "refresh") {
      const claims = verifyToken(caller.refreshToken, this.state.keys.verifiers);
      const sub = typeof claims?.sub === "string" ? claims.sub : "";
      const account = directory.accounts.get(sub);
      const valid =
        claims !== undefined &&
        claims.typ === REFRESH_TYPE &&
        claims.iss === this.state.config.issuer &&
        claims.aud === this.state.config.issuer &&
        typeof claims.exp === "number" &&
        claims.exp > this.now() / 1000 &&
        account !== undefined &&
        claims.sfp === secretFingerprint(account.secretHash);
      if (!valid) {
        this.log(
          "warn",
          { account: sub || "(unknown)", client, flow: caller.flow },
          "refresh token refused",
        );
        return this.fail(oauth, 401, "invalid refresh token", client, false);
      }
      return {
        account: sub,
        grants: directory.grants.get(sub) ?? [],
        fingerprint: claims.sfp as string,
      };
    }
    // No account can hold such a name, so refusing it at once tells nothing about accounts;
    // and the name (up to a 16 KiB header) never reaches the logs or the limiter's memory.
    if (!isAccountName(caller.account)) {
      this.log(
        "warn",
        { client, flow: caller.flow, reason: "not an account name" },
        "login refused",
      );
      return this.fail(oauth, 401, "invalid username or password", client, false);
    }
    const wait = this.limiter.retryAfter(caller.account, client);
    if (wait > 0) {
      this.log(
        "warn",
        { account: caller.account, client, flow: caller.flow, retryAfter: wait },
        "login rate-limited",
      );
      const reply = this.fail(oauth, 429, "too many failed logins; try again later", client, false);
      return { ...reply, headers: { ...reply.headers, "retry-after": String(wait) } };
    }
    const account = directory.accounts.get(caller.account);
    if (!(await this.secrets.verify(account?.secretHash, caller.secret))) {
      this.limiter.failed(caller.account, client);
      const reason = account === undefined ? "unknown account" : "wrong secret";
      this.log(
        "warn",
        { account: caller.account, client, flow: caller.flow, reason },
        "login refused",
      );
      return this.fail(oauth, 401, "invalid username or password", client, false);
    }
    this.limiter.succeeded(caller.account, client);
    return {
      account: caller.account,
      grants: directory.grants.get(caller.account) ?? [],
      fingerprint: secretFingerprint(account?.secretHash ?? ""),
    };
  }

  /** Errors in each flow's own shape: distribution's `errors` list, or OAuth2's `error`. */
  private fail(
    oauth: boolean,
    status: number,
    message: string,
    client: string,
    log = true,
  ): TokenReply {
    if (log) this.log("warn", { client, status, reason: message }, "token request refused");
    const headers: Record<string, string> =
      status === 401 ? { "www-authenticate": `Basic realm="${this.state.config.service}"` } : {};
    if (oauth) {
      const error =
        status === 400 ? "invalid_request" : status === 429 ? "slow_down" : "invalid_grant";
      return { status, headers, body: { error, error_description: message } };
    }
    const code =
      status === 400 ? "INVALID_REQUEST" : status === 429 ? "TOOMANYREQUESTS" : "UNAUTHORIZED";
    return { status, headers, body: { errors: [{ code, message }] } };
  }
}
