import { CustomsError } from "../errors.js";
import { isDnsLabel } from "../policy/index.js";

/**
 * `--oidc-config FILE` (docs/sso.md): how the control plane signs people in with an OpenID
 * Provider and which role each group of the provider gives. The client secret is never in
 * this file's values as given on a command line: it is read from `clientSecretFile`.
 */
export interface OidcConfig {
  /** The issuer, exactly as the provider's discovery document and ID tokens name it. */
  readonly issuer: string;
  readonly clientId: string;
  /** Path of the file that holds the client secret (its first line). */
  readonly clientSecretFile: string;
  /** Where the provider sends the browser back: `…/api/v1/auth/callback` of this control plane. */
  readonly redirectUrl: string | undefined;
  readonly scopes: readonly string[];
  /** The ID token claim holding the groups (a list of strings, or one string). */
  readonly groupsClaim: string;
  /** The claim shown as the person's name and recorded in the audit log (falls back to `sub`). */
  readonly usernameClaim: string;
  /** How the client authenticates at the token endpoint. */
  readonly tokenAuthMethod: "client_secret_basic" | "client_secret_post";
  /** PEM file of CAs for the provider's TLS, besides the system's. */
  readonly caFile: string | undefined;
  /** The organization signed-in people work in. */
  readonly organization: string;
  readonly idleTimeoutSeconds: number;
  readonly absoluteTimeoutSeconds: number;
  readonly mappings: readonly GroupMapping[];
}

export type MappedRole = "organization-admin" | "workspace-admin" | "viewer";

export interface GroupMapping {
  readonly group: string;
  readonly role: MappedRole;
  /** workspace-admin: the workspaces (one at least); viewer: limits it when not empty. */
  readonly workspaces: readonly string[];
}

const ROLES: readonly MappedRole[] = ["organization-admin", "workspace-admin", "viewer"];
const KEYS = [
  "issuer",
  "clientID",
  "clientSecretFile",
  "redirectURL",
  "scopes",
  "groupsClaim",
  "usernameClaim",
  "tokenEndpointAuthMethod",
  "caFile",
  "organization",
  "idleTimeout",
  "absoluteTimeout",
  "mappings",
];

function invalid(path: string, message: string): CustomsError {
  return new CustomsError("OIDC_CONFIG_INVALID", `${path}: ${message}`, path);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function text(raw: Record<string, unknown>, key: string, fallback?: string): string {
  const v = raw[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== "string" || v.trim() === "") throw invalid(key, "a non-empty string is needed");
  return v.trim();
}

function optionalText(raw: Record<string, unknown>, key: string): string | undefined {
  return raw[key] === undefined ? undefined : text(raw, key);
}

/** `90`, `"90s"`, `"30m"`, `"8h"`, `"1d"`: seconds. */
export function parseDuration(value: unknown, path: string): number {
  if (typeof value === "number" && Number.isInteger(value) && value > 0) return value;
  const m = typeof value === "string" ? /^(\d+)\s*(s|m|h|d)?$/.exec(value.trim()) : null;
  const n = m === null ? Number.NaN : Number(m[1]);
  if (m === null || !(n > 0))
    throw invalid(path, 'a duration such as "30m", "8h" or 3600 (seconds)');
  return n * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? "s") as "s" | "m" | "h" | "d"];
}

/** https only, except a loopback http URL (a provider on the same host, in development). */
function checkUrl(value: string, path: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(path, `"${value}" is not a URL`);
  }
  const loopback = ["127.0.0.1", "[::1]", "localhost"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback))
    throw invalid(path, "must be an https:// URL");
  if (url.hash !== "" || url.username !== "" || url.password !== "")
    throw invalid(path, "must have no fragment and no user information");
  return value;
}

function parseMapping(raw: unknown, path: string): GroupMapping {
  if (!isRecord(raw)) throw invalid(path, "an object {group, role, workspaces?} is needed");
  for (const key of Object.keys(raw)) {
    if (!["group", "role", "workspaces"].includes(key))
      throw invalid(`${path}.${key}`, "unknown field");
  }
  const group = raw.group;
  if (typeof group !== "string" || group === "")
    throw invalid(`${path}.group`, "a group name is needed");
  const role = raw.role;
  if (typeof role !== "string" || !ROLES.includes(role as MappedRole))
    throw invalid(`${path}.role`, `one of ${ROLES.join(", ")}`);
  const ws = raw.workspaces ?? [];
  if (!Array.isArray(ws) || ws.some((w) => typeof w !== "string" || !isDnsLabel(w)))
    throw invalid(`${path}.workspaces`, "a list of workspace names (RFC 1123 labels)");
  const workspaces = [...new Set(ws as string[])];
  if (role === "workspace-admin" && workspaces.length === 0)
    throw invalid(`${path}.workspaces`, "a workspace-admin mapping names its workspaces");
  if (role === "organization-admin" && workspaces.length > 0)
    throw invalid(`${path}.workspaces`, "an organization-admin is not limited to workspaces");
  return { group, role: role as MappedRole, workspaces };
}

/** Validates the parsed YAML/JSON of `--oidc-config`; every problem names its field. */
export function parseOidcConfig(raw: unknown): OidcConfig {
  if (!isRecord(raw)) throw invalid("(file)", "a YAML or JSON object is needed");
  for (const key of Object.keys(raw)) {
    if (!KEYS.includes(key)) {
      const hint =
        key === "clientSecret" ? " (give clientSecretFile: a secret is not kept here)" : "";
      throw invalid(key, `unknown field${hint}`);
    }
  }
  const scopes = raw.scopes ?? ["openid", "email", "profile"];
  if (
    !Array.isArray(scopes) ||
    scopes.some((s) => typeof s !== "string" || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))
  )
    throw invalid("scopes", "a list of scope names");
  const method = raw.tokenEndpointAuthMethod ?? "client_secret_basic";
  if (method !== "client_secret_basic" && method !== "client_secret_post")
    throw invalid("tokenEndpointAuthMethod", "client_secret_basic or client_secret_post");
  const organization = text(raw, "organization", "default");
  if (!isDnsLabel(organization))
    throw invalid("organization", "an organization name (RFC 1123 label)");
  const mappings = raw.mappings;
  if (!Array.isArray(mappings) || mappings.length === 0)
    throw invalid(
      "mappings",
      "a list of {group, role, workspaces?}: nobody could sign in without one",
    );
  const redirect = optionalText(raw, "redirectURL");
  const idle = parseDuration(raw.idleTimeout ?? "1h", "idleTimeout");
  const absolute = parseDuration(raw.absoluteTimeout ?? "12h", "absoluteTimeout");
  if (idle > absolute) throw invalid("idleTimeout", "must not be longer than absoluteTimeout");
  const issuer = checkUrl(text(raw, "issuer"), "issuer");
  return {
    issuer,
    clientId: text(raw, "clientID"),
    clientSecretFile: text(raw, "clientSecretFile"),
    redirectUrl: redirect === undefined ? undefined : checkUrl(redirect, "redirectURL"),
    scopes: [...new Set(["openid", ...(scopes as string[])])],
    groupsClaim: text(raw, "groupsClaim", "groups"),
    usernameClaim: text(raw, "usernameClaim", "email"),
    tokenAuthMethod: method,
    caFile: optionalText(raw, "caFile"),
    organization,
    idleTimeoutSeconds: idle,
    absoluteTimeoutSeconds: absolute,
    mappings: mappings.map((m, i) => parseMapping(m, `mappings[${i}]`)),
  };
}
