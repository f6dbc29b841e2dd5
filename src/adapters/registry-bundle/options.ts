import { CustomsError } from "../../core/errors.js";
import { isDnsLabel } from "../../core/policy/index.js";
import { parseNormalized, splitHostPort } from "../../core/reference/index.js";

/** A registry user: the name and the clear-text password (hashed before it is printed). */
export interface RegistryUser {
  readonly name: string;
  readonly password: string;
}

/** `host[:port]` as it appears in image references, and its two parts. */
export interface RegistryHost {
  /** As written, e.g. `registry.example.com` or `registry.example.com:5443`. */
  readonly domain: string;
  readonly hostname: string;
  /** "" when none. */
  readonly port: string;
}

// Lowercase RFC 1123 subdomain: what an Ingress host and a certificate DNS name accept.
const DNS_NAME =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/**
 * Checks HOST with the image reference grammar itself (parseImageReference semantics) (so every image the policy admits can
 * name it), then asks for a DNS name: the Ingress and the certificate need one, not an IP.
 */
export function parseRegistryHost(text: string): RegistryHost {
  // Normalized as a runtime pulls: `registry/x` would be docker.io/registry/x, not a host.
  const parsed = parseNormalized(`${text}/x`);
  if (!parsed.ok || parsed.ref.domain !== text)
    throw new CustomsError(
      "USAGE",
      `--host: "${text}" is not a registry host[:port] (as in HOST/image:tag)`,
    );
  const { host, port } = splitHostPort(text);
  // An IPv4 address passes the DNS pattern but no Ingress host or certificate DNS name.
  if (!DNS_NAME.test(host) || /^[0-9.]+$/.test(host))
    throw new CustomsError(
      "USAGE",
      `--host: "${host}" must be a lowercase DNS name (the Ingress and the certificate need one)`,
    );
  return { domain: text, hostname: host, port };
}

/** `NAME:PASSWORD` (split at the first colon: htpasswd names cannot hold one). */
export function parseUsers(texts: readonly string[]): RegistryUser[] {
  const users: RegistryUser[] = [];
  for (const text of texts) {
    const colon = text.indexOf(":");
    const name = colon < 0 ? text : text.slice(0, colon);
    const password = colon < 0 ? "" : text.slice(colon + 1);
    if (name === "") throw new CustomsError("USAGE", `--user "${text}": the name is empty`);
    if (password === "")
      throw new CustomsError("USAGE", `--user "${name}": give a password as NAME:PASSWORD`);
    if (/\s/.test(name))
      throw new CustomsError("USAGE", `--user "${name}": the name cannot contain spaces`);
    if (users.some((u) => u.name === name))
      throw new CustomsError("USAGE", `--user "${name}" is given twice`);
    users.push({ name, password });
  }
  return users;
}

export function checkNamespace(flag: string, name: string): string {
  if (!isDnsLabel(name))
    throw new CustomsError(
      "USAGE",
      `${flag}: "${name}" is not a valid namespace name (RFC 1123 label)`,
    );
  return name;
}

/** An image reference by the grammar a runtime pulls with (`--registry-image`, `--token-image`). */
export function checkImage(flag: string, text: string): string {
  const parsed = parseNormalized(text);
  if (!parsed.ok)
    throw new CustomsError(
      "USAGE",
      `${flag}: "${text}" is not an image reference (${parsed.message})`,
    );
  return text;
}
