/**
 * Names of the generated objects: `customs-<policy name>`, within the 253 characters of a
 * Kubernetes object name (RFC 1123 subdomain). An ImagePolicy's name may itself be 253 long,
 * so a name that would not fit is cut and given a hash of the whole, which keeps names
 * unique and stable from one run to the next.
 */

export const NAME_PREFIX = "customs-";
export const MAX_OBJECT_NAME = 253;

/** FNV-1a, 32 bits, as 8 hex digits: stable, pure, enough to tell cut names apart. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/**
 * `customs-<name><suffix>`, cut with a hash when longer than 253 characters. The cut part
 * loses any trailing "." or "-" so the result stays a valid subdomain.
 */
export function objectName(policyName: string, suffix = ""): string {
  const full = `${NAME_PREFIX}${policyName}${suffix}`;
  if (full.length <= MAX_OBJECT_NAME) return full;
  const hash = fnv1a(full);
  const room = MAX_OBJECT_NAME - NAME_PREFIX.length - suffix.length - hash.length - 1;
  const cut = policyName.slice(0, room).replace(/[.-]+$/, "");
  return `${NAME_PREFIX}${cut}-${hash}${suffix}`;
}
