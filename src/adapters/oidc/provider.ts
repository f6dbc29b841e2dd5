import { createHash, randomBytes } from "node:crypto";
import { CustomsError } from "../../core/errors.js";
import { checkIdTokenClaims } from "../../core/oidc/claims.js";
import { type ProviderTransport, requestJson } from "./http.js";
import {
  ASYMMETRIC_ALGORITHMS,
  checkAlgorithm,
  decodeJwt,
  type Jwk,
  selectKey,
  verifySignature,
} from "./jwt.js";

/** What the client needs of the provider's discovery document (OpenID Connect Discovery 1.0). */
export interface ProviderMetadata {
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
  readonly endSessionEndpoint: string | undefined;
  /** The asymmetric algorithms the provider signs ID tokens with. */
  readonly algorithms: readonly string[];
}

export interface ClientSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tokenAuthMethod: "client_secret_basic" | "client_secret_post";
  readonly redirectUrl: string;
  readonly scopes: readonly string[];
}

export interface ProviderOptions {
  readonly transport?: ProviderTransport;
  /** The clock (ms since the epoch). */
  readonly now?: () => number;
  /** Clock difference tolerated on the ID token's times (default 60 s). */
  readonly skewSeconds?: number;
  /** An unknown `kid` fetches the key set again at most this often (default 10 s). */
  readonly keyRefetchMs?: number;
  /** Discovery and keys are read again after this long (default 1 h). */
  readonly metadataTtlMs?: number;
}

function failed(message: string): CustomsError {
  return new CustomsError("OIDC_PROVIDER_FAILED", message);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Endpoints are https, or http on the same loopback origin as an http issuer (development). */
function endpoint(doc: Record<string, unknown>, name: string, issuer: URL, required: boolean) {
  const value = doc[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== "string") throw failed(`the discovery document has no ${name}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw failed(`the discovery document's ${name} is not a URL`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && issuer.protocol === "http:"))
    throw failed(`the discovery document's ${name} is not https`);
  return value;
}

/** base64url(sha256(verifier)): the S256 code challenge of PKCE (RFC 7636, 4.2). */
export function codeChallengeOf(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

/** 32 random bytes, base64url: state, nonce, PKCE verifiers, session ids. */
export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * An OpenID Provider as a relying party sees it: discovery, the authorization URL (code flow
 * with PKCE S256, state and nonce), the code exchange, and ID token verification with the
 * provider's keys, fetched again when a token names a key not seen yet (key rotation).
 */
export class OidcProvider {
  readonly #settings: ClientSettings;
  readonly #transport: ProviderTransport;
  readonly #now: () => number;
  readonly #skew: number;
  readonly #refetchMs: number;
  readonly #ttlMs: number;
  #metadata: { value: Promise<ProviderMetadata>; at: number } | undefined;
  #keys: { value: Promise<readonly Jwk[]>; at: number } | undefined;

  constructor(settings: ClientSettings, options: ProviderOptions = {}) {
    this.#settings = settings;
    this.#transport = options.transport ?? {};
    this.#now = options.now ?? (() => Date.now());
    this.#skew = options.skewSeconds ?? 60;
    this.#refetchMs = options.keyRefetchMs ?? 10_000;
    this.#ttlMs = options.metadataTtlMs ?? 3_600_000;
  }

  get settings(): ClientSettings {
    return this.#settings;
  }

  /** The discovery document, read once an hour; a failed read is tried again next time. */
  metadata(): Promise<ProviderMetadata> {
    const now = this.#now();
    if (this.#metadata === undefined || now - this.#metadata.at > this.#ttlMs) {
      const value = this.#discover();
      value.catch(() => {
        if (this.#metadata?.value === value) this.#metadata = undefined;
      });
      this.#metadata = { value, at: now };
    }
    return this.#metadata.value;
  }

  async #discover(): Promise<ProviderMetadata> {
    const issuer = this.#settings.issuer;
    const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    const { status, body } = await requestJson(this.#transport, url);
    if (status !== 200 || !isRecord(body))
      throw failed(`${url} answered ${status}, not a discovery document`);
    // Discovery 4.3: the document's issuer is exactly the one asked for (no mix-up).
    if (body.issuer !== issuer)
      throw failed(
        `the discovery document names the issuer ${JSON.stringify(body.issuer)}, not ${JSON.stringify(issuer)}`,
      );
    const base = new URL(issuer);
    const advertised = body.id_token_signing_alg_values_supported;
    const algorithms = (Array.isArray(advertised) ? advertised : ["RS256"]).filter(
      (a): a is string =>
        typeof a === "string" && (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(a),
    );
    if (algorithms.length === 0)
      throw failed("the provider signs ID tokens with no asymmetric algorithm Customs accepts");
    return {
      issuer,
      authorizationEndpoint: endpoint(body, "authorization_endpoint", base, true) ?? "",
      tokenEndpoint: endpoint(body, "token_endpoint", base, true) ?? "",
      jwksUri: endpoint(body, "jwks_uri", base, true) ?? "",
      endSessionEndpoint: endpoint(body, "end_session_endpoint", base, false),
      algorithms,
    };
  }

  async #fetchKeys(): Promise<readonly Jwk[]> {
    const { jwksUri } = await this.metadata();
    const { status, body } = await requestJson(this.#transport, jwksUri);
    if (status !== 200 || !isRecord(body) || !Array.isArray(body.keys))
      throw failed(`${jwksUri} answered ${status}, not a JSON Web Key Set`);
    return body.keys.filter(isRecord) as Jwk[];
  }

  /** The key set: cached; `fresh` asks again unless it was asked within keyRefetchMs. */
  #keySet(fresh: boolean): Promise<readonly Jwk[]> {
    const now = this.#now();
    const stale =
      this.#keys === undefined ||
      now - this.#keys.at > this.#ttlMs ||
      (fresh && now - this.#keys.at >= this.#refetchMs);
    if (stale) {
      const value = this.#fetchKeys();
      value.catch(() => {
        if (this.#keys?.value === value) this.#keys = undefined;
      });
      this.#keys = { value, at: now };
    }
    return (this.#keys as { value: Promise<readonly Jwk[]> }).value;
  }

  /** Where to send the browser: the authorization endpoint with the code flow's parameters. */
  async authorizationUrl(p: {
    state: string;
    nonce: string;
    codeVerifier: string;
  }): Promise<string> {
    const { authorizationEndpoint } = await this.metadata();
    const url = new URL(authorizationEndpoint);
    const q = url.searchParams;
    q.set("response_type", "code");
    q.set("client_id", this.#settings.clientId);
    q.set("redirect_uri", this.#settings.redirectUrl);
    q.set("scope", this.#settings.scopes.join(" "));
    q.set("state", p.state);
    q.set("nonce", p.nonce);
    q.set("code_challenge", codeChallengeOf(p.codeVerifier));
    q.set("code_challenge_method", "S256");
    return url.toString();
  }

  /** Trades the authorization code for tokens; answers the ID token (not yet verified). */
  async exchangeCode(code: string, codeVerifier: string): Promise<string> {
    const { tokenEndpoint } = await this.metadata();
    const s = this.#settings;
    const form = new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: s.redirectUrl,
      code_verifier: codeVerifier,
    });
    const headers: Record<string, string> = {};
    if (s.tokenAuthMethod === "client_secret_post") {
      form.set("client_id", s.clientId);
      form.set("client_secret", s.clientSecret);
    } else {
      // RFC 6749 2.3.1: each part form-encoded before base64.
      const enc = (v: string) => encodeURIComponent(v).replace(/%20/g, "+");
      headers.authorization = `Basic ${Buffer.from(`${enc(s.clientId)}:${enc(s.clientSecret)}`).toString("base64")}`;
    }
    const { status, body } = await requestJson(this.#transport, tokenEndpoint, {
      method: "POST",
      form,
      headers,
    });
    if (status !== 200 || !isRecord(body)) {
      const error =
        isRecord(body) && typeof body.error === "string" ? body.error : `HTTP ${status}`;
      throw failed(`the token endpoint refused the code: ${error}`);
    }
    if (typeof body.id_token !== "string") throw failed("the token endpoint answered no id_token");
    return body.id_token;
  }

  /**
   * Verifies an ID token: an asymmetric algorithm the provider advertises, the signature by
   * the provider's key of that `kid` (the key set is fetched again once for an unknown kid),
   * then issuer, audience, times (with the skew) and the nonce of this sign-in.
   */
  async verifyIdToken(idToken: string, nonce: string): Promise<Record<string, unknown>> {
    const jwt = decodeJwt(idToken);
    const metadata = await this.metadata();
    const alg = checkAlgorithm(jwt.header, metadata.algorithms);
    let key = selectKey(alg, jwt.header.kid, await this.#keySet(false));
    if (key === undefined) key = selectKey(alg, jwt.header.kid, await this.#keySet(true));
    if (key === undefined) {
      throw new CustomsError(
        "OIDC_TOKEN_INVALID",
        `the ID token is refused: the provider has no key ${JSON.stringify(jwt.header.kid ?? "")} for ${alg}`,
      );
    }
    verifySignature(jwt, alg, key);
    checkIdTokenClaims(jwt.claims, {
      issuer: this.#settings.issuer,
      clientId: this.#settings.clientId,
      nonce,
      now: Math.floor(this.#now() / 1000),
      skewSeconds: this.#skew,
    });
    return jwt.claims;
  }
}
