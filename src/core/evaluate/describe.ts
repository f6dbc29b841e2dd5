import type { PolicyRule } from "../policy/index.js";

/** A rule in words, e.g. `hostname registry.mycorp.local, port 5000, image name team/*, tag v*, with a digest`. */
export function describeRule(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.hostname !== undefined) parts.push(`hostname ${rule.hostname}`);
  if (rule.port !== undefined) parts.push(`port ${rule.port}`);
  if (rule.imageName !== undefined) parts.push(`image name ${rule.imageName}`);
  const tags = rule.tag?.values.filter((v) => v !== "") ?? [];
  if (tags.length > 0) {
    const list = tags.join(tags.length === 2 ? " or " : ", ");
    const one = tags.length === 1;
    parts.push(
      rule.tag?.negate
        ? `a tag other than ${one ? list : `any of ${list}`}`
        : `${one ? "tag" : "a tag of"} ${list}`,
    );
  }
  if (rule.requireDigest) parts.push("with a digest");
  return parts.length === 0 ? "any image" : parts.join(", ");
}

/** Every rule of an allowlist, as the "what would have been allowed" part of a message. */
export function describeAllowed(rules: readonly PolicyRule[]): string {
  if (rules.length === 1 && rules[0] !== undefined) return describeRule(rules[0]);
  return rules.map((r, i) => `(${i + 1}) ${describeRule(r)}`).join("; or ");
}
