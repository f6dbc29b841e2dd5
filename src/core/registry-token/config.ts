import { isDnsSubdomain } from "../policy/selector.js";
import { FieldReader, join } from "./fields.js";
import { readGrants } from "./grant-fields.js";
import type { Grant } from "./grants.js";

export const TOKEN_API_VERSION = "customs.dev/v1alpha1";

/**
 * The token service's configuration (`customs registry token-server --config FILE`), as in
 * docs/registry-access.md. File paths are as written; the caller resolves them against the
 * configuration file's folder.
 */
export interface TokenServiceConfig {
  /** The registry's `auth.token.service`: the tokens' audience. */
  readonly service: string;
  /** The registry's `auth.token.issuer`. */
  readonly issuer: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly tls: { readonly certificate: string; readonly key: string };
  /** The key tokens are signed with, and its certificate (sent as `x5c`). */
  readonly signing: { readonly certificate: string; readonly key: string };
  /** Earlier signing certificates whose refresh tokens are still honoured during a rotation. */
  readonly trustedCertificates: readonly string[];
  readonly accountsFile: string;
  readonly tokenLifetimeSeconds: number;
  /** 0 turns refresh (offline) tokens off. */
  readonly refreshTokenLifetimeSeconds: number;
  /** What callers without credentials may do; empty (the default) = nothing. */
  readonly anonymous: readonly Grant[];
  readonly rateLimit: RateLimitConfig;
}

export interface RateLimitConfig {
  /** Failed logins per account and client address before delays start. */
  readonly freeFailures: number;
  readonly baseDelaySeconds: number;
  readonly maxDelaySeconds: number;
}

const SPEC_FIELDS = [
  "service",
  "issuer",
  "listen",
  "tls",
  "signing",
  "trustedCertificates",
  "accountsFile",
  "tokenLifetimeSeconds",
  "refreshTokenLifetimeSeconds",
  "anonymous",
  "rateLimit",
];

function pair(r: FieldReader, path: string, value: unknown) {
  const o = r.object(path, value, ["certificate", "key"]) ?? {};
  return {
    certificate: r.string(join(path, "certificate"), o.certificate) ?? "",
    key: r.string(join(path, "key"), o.key) ?? "",
  };
}

/** Validates a parsed configuration document; throws TOKEN_CONFIG_INVALID listing every problem. */
export function parseTokenServiceConfig(doc: unknown, where: string): TokenServiceConfig {
  const r = new FieldReader("TOKEN_CONFIG_INVALID");
  const top = r.object("", doc, ["apiVersion", "kind", "spec"]) ?? {};
  if (doc !== undefined && top) r.header("", top, "RegistryTokenService", TOKEN_API_VERSION);
  const s = r.object("spec", top.spec, SPEC_FIELDS) ?? {};
  const listen = r.object("spec.listen", s.listen ?? {}, ["host", "port"]) ?? {};
  const limit =
    r.object("spec.rateLimit", s.rateLimit ?? {}, [
      "freeFailures",
      "baseDelaySeconds",
      "maxDelaySeconds",
    ]) ?? {};
  const issuer = r.string("spec.issuer", s.issuer ?? "customs-registry-token") ?? "";
  const service = r.string("spec.service", s.service) ?? "";
  const trusted = r
    .list("spec.trustedCertificates", s.trustedCertificates)
    .map((c, i) => r.string(join("spec.trustedCertificates", i), c) ?? "");
  const config: TokenServiceConfig = {
    service,
    issuer,
    listen: {
      host: r.string("spec.listen.host", listen.host ?? "0.0.0.0") ?? "",
      port: r.integer("spec.listen.port", listen.port, 5001, 0, 65535),
    },
    tls: pair(r, "spec.tls", s.tls),
    signing: pair(r, "spec.signing", s.signing),
    trustedCertificates: trusted,
    accountsFile: r.string("spec.accountsFile", s.accountsFile) ?? "",
    tokenLifetimeSeconds: r.integer(
      "spec.tokenLifetimeSeconds",
      s.tokenLifetimeSeconds,
      300,
      60,
      3600,
    ),
    refreshTokenLifetimeSeconds: r.integer(
      "spec.refreshTokenLifetimeSeconds",
      s.refreshTokenLifetimeSeconds,
      7 * 86400,
      0,
      90 * 86400,
    ),
    anonymous: readGrants(r, "spec.anonymous", s.anonymous),
    rateLimit: {
      freeFailures: r.integer("spec.rateLimit.freeFailures", limit.freeFailures, 5, 0, 100),
      baseDelaySeconds: r.integer(
        "spec.rateLimit.baseDelaySeconds",
        limit.baseDelaySeconds,
        1,
        1,
        60,
      ),
      maxDelaySeconds: r.integer(
        "spec.rateLimit.maxDelaySeconds",
        limit.maxDelaySeconds,
        300,
        1,
        86400,
      ),
    },
  };
  // Both are matched byte for byte by the registry; odd characters are surely a typo.
  if (issuer && /\s/.test(issuer)) r.fail("spec.issuer", "must not contain spaces");
  if (service && /\s/.test(service)) r.fail("spec.service", "must not contain spaces");
  if (
    config.listen.host &&
    !isDnsSubdomain(config.listen.host) &&
    !/^[0-9a-f.:]+$/i.test(config.listen.host)
  )
    r.fail("spec.listen.host", "expected an IP address or a host name");
  r.finish(where);
  return config;
}
