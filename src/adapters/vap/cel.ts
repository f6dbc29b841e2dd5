/**
 * Small helpers to write CEL source text. Everything generated here must evaluate the same in
 * Kubernetes' CEL environment (cel-go with its strings extension) and in @bufbuild/cel, so the
 * helpers only emit what both understand (spec: "Native policy").
 */

/** A CEL string literal (single-quoted) that reads back as exactly `value`. */
export function celString(value: string): string {
  let out = "'";
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "\\") out += "\\\\";
    else if (ch === "'") out += "\\'";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}'`;
}

/** A CEL list literal of string literals. */
export function celStringList(values: readonly string[]): string {
  return `[${values.map(celString).join(", ")}]`;
}

/** RE2 metacharacters; every other character of a pattern stands for itself. */
const RE2_META = /[\\.+*?()|[\]{}^$]/g;

/** `value` as an RE2 expression that matches exactly that text. */
export function re2Literal(value: string): string {
  return value.replace(RE2_META, "\\$&");
}

/**
 * `has()` guards for a field path, outermost first: `has(a.b) && has(a.b.c)`. CEL's `has()`
 * tests only the last field and fails when an inner one is missing, so each level needs one.
 */
export function hasChain(root: string, path: readonly string[]): string {
  const guards: string[] = [];
  let at = root;
  for (const field of path) {
    at = `${at}.${field}`;
    guards.push(`has(${at})`);
  }
  return guards.join(" && ");
}
