import { CustomsError } from "../errors.js";

/**
 * The checks of an ID token's claims once its signature verified (OpenID Connect Core 1.0,
 * 3.1.3.7, https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation).
 */
export interface ClaimExpectations {
  readonly issuer: string;
  readonly clientId: string;
  /** The nonce this sign-in sent: the token must carry it (replay of another sign-in's token). */
  readonly nonce: string;
  /** Seconds since the epoch. */
  readonly now: number;
  /** Clock difference tolerated on exp, iat and nbf, in seconds. */
  readonly skewSeconds: number;
}

/** Tokens issued further back than this are refused even when not expired (a day). */
const MAX_AGE_SECONDS = 24 * 3600;

function refused(message: string): CustomsError {
  return new CustomsError("OIDC_TOKEN_INVALID", `the ID token is refused: ${message}`);
}

function numeric(claims: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const v = claims[name];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) throw refused(`"${name}" is not a number`);
  return v;
}

/** Throws OIDC_TOKEN_INVALID naming the first claim that fails. */
export function checkIdTokenClaims(
  claims: Readonly<Record<string, unknown>>,
  expect: ClaimExpectations,
): void {
  if (claims.iss !== expect.issuer)
    throw refused(`issuer ${JSON.stringify(claims.iss)} is not ${JSON.stringify(expect.issuer)}`);
  const aud = claims.aud;
  const audiences = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.includes(expect.clientId))
    throw refused(`its audience does not name the client "${expect.clientId}"`);
  // With several audiences, the authorized party must be us (Core 3.1.3.7 items 4 and 5).
  if (audiences.length > 1 && claims.azp !== expect.clientId)
    throw refused("it names several audiences and azp is not this client");
  if (claims.azp !== undefined && claims.azp !== expect.clientId)
    throw refused("azp names another client");
  if (typeof claims.sub !== "string" || claims.sub === "") throw refused('it has no "sub"');
  const exp = numeric(claims, "exp");
  const iat = numeric(claims, "iat");
  const nbf = numeric(claims, "nbf");
  if (exp === undefined) throw refused('it has no "exp"');
  if (iat === undefined) throw refused('it has no "iat"');
  if (exp + expect.skewSeconds <= expect.now) throw refused("it has expired");
  if (iat - expect.skewSeconds > expect.now) throw refused("it is issued in the future");
  if (iat + MAX_AGE_SECONDS < expect.now) throw refused("it was issued more than a day ago");
  if (nbf !== undefined && nbf - expect.skewSeconds > expect.now)
    throw refused("it is not valid yet");
  if (typeof claims.nonce !== "string" || claims.nonce !== expect.nonce)
    throw refused("its nonce is not the one this sign-in sent");
}
