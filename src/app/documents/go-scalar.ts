/**
 * What a plain YAML scalar means to Kubernetes. kubectl and the API server turn a manifest into
 * JSON with sigs.k8s.io/yaml, which reads it with go-yaml v2; go-yaml's `resolve` does not
 * follow the YAML 1.1 regular expressions but Go's number parsers. So `e0`, `-e3` and `._` are
 * strings (a number must start with a sign, a digit or a dot), `0o17` and `0b101` are
 * integers, `08` is the float 8 (not octal, but a float in YAML's style), `1e400` is a string
 * (out of range), and a timestamp stays the string it was written as.
 *
 * Source: go.yaml.in/yaml/v2 v2.4.2 resolve.go (the version sigs.k8s.io/yaml v1.6.0 uses),
 * with Go's strconv.ParseInt/ParseUint (base 0) and ParseFloat. test/oracles/yaml runs the Go
 * code itself against this file (test/yaml.differential.test.ts).
 */

export type GoScalarType = "null" | "bool" | "int" | "float" | "str";

export interface GoScalar {
  readonly type: GoScalarType;
  readonly value: null | boolean | number | string;
  /** An integer only a uint64 holds: go-yaml will not read it as a float under `!!float`. */
  readonly unsigned?: boolean;
}

const MAP = new Map<string, GoScalar>();
for (const [type, value, words] of [
  ["bool", true, "y Y yes Yes YES true True TRUE on On ON"],
  ["bool", false, "n N no No NO false False FALSE off Off OFF"],
  ["null", null, "~ null Null NULL"],
  ["float", Number.NaN, ".nan .NaN .NAN"],
  ["float", Number.POSITIVE_INFINITY, ".inf .Inf .INF +.inf +.Inf +.INF"],
  ["float", Number.NEGATIVE_INFINITY, "-.inf -.Inf -.INF"],
] as const) {
  for (const word of words.split(" ")) MAP.set(word, { type, value });
}
MAP.set("", { type: "null", value: null });

/**
 * What go-yaml makes of a plain scalar that starts with a letter: a boolean or a null for the
 * words of its table, undefined (a string) for anything else. The same answer as
 * resolveGoScalar for such texts, without building one.
 */
export function goWord(text: string): GoScalar | undefined {
  return MAP.get(text);
}

/** go-yaml's first-character hint: only these may be anything but a string. */
const HINTED = /^[-+0-9yYnNtTfFoO~.]/;

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

function integer(value: bigint): GoScalar {
  return value > INT64_MAX
    ? { type: "int", value: Number(value), unsigned: true }
    : { type: "int", value: Number(value) };
}

/** Digits of each base, as Go's strconv reads them once the prefix is gone. */
const DIGITS: Readonly<Record<number, RegExp>> = {
  2: /^[01]+$/,
  8: /^[0-7]+$/,
  10: /^[0-9]+$/,
  16: /^[0-9a-fA-F]+$/,
};

/**
 * strconv.ParseInt(s, 0, 64) and ParseUint(s, 0, 64) as one: the value when either accepts
 * `s` (which holds no `_`: go-yaml removes them first), else undefined. A sign is for
 * ParseInt only; ParseUint takes what ParseInt refuses as out of range.
 */
function goParseInteger(s: string): bigint | undefined {
  let sign = 1n;
  let body = s;
  const signed = body[0] === "-" || body[0] === "+";
  if (signed) {
    if (body[0] === "-") sign = -1n;
    body = body.slice(1);
  }
  let base = 10;
  let digits = body;
  const prefix = body.slice(0, 2).toLowerCase();
  if (prefix === "0x") [base, digits] = [16, body.slice(2)];
  else if (prefix === "0o") [base, digits] = [8, body.slice(2)];
  else if (prefix === "0b") [base, digits] = [2, body.slice(2)];
  else if (body.length > 1 && body[0] === "0") [base, digits] = [8, body.slice(1)];
  if (!DIGITS[base]?.test(digits)) return undefined;
  const radix = base === 16 ? "0x" : base === 8 ? "0o" : base === 2 ? "0b" : "";
  const value = sign * BigInt(`${radix}${digits}`);
  if (value >= INT64_MIN && value <= INT64_MAX) return value;
  // ParseUint: no sign at all, and within 64 bits.
  if (!signed && value <= UINT64_MAX) return value;
  return undefined;
}

const YAML_STYLE_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/**
 * strconv.ParseFloat(s, 64) for the texts that reach it: a range error (the value rounds to
 * an infinity) is a failure, as in Go; an underflow to zero is not.
 */
function goParseFloat(s: string): number | undefined {
  const value = Number(s);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * For texts starting with `.`: Go's ParseFloat syntax for a decimal float, underscores
 * allowed between digits. Infinity and NaN spellings never start with a dot.
 */
const GO_DOT_FLOAT = /^\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?$/;

/** What go-yaml makes of a plain (unquoted, untagged) scalar. */
export function resolveGoScalar(text: string): GoScalar {
  const known = MAP.get(text);
  if (known !== undefined) return known;
  if (!HINTED.test(text)) return { type: "str", value: text };
  const first = text[0];
  if (first === ".") {
    if (GO_DOT_FLOAT.test(text)) {
      const value = goParseFloat(text.replaceAll("_", ""));
      if (value !== undefined) return { type: "float", value };
    }
    return { type: "str", value: text };
  }
  if (first === "-" || first === "+" || (first !== undefined && first >= "0" && first <= "9")) {
    // A timestamp (YYYY-...) is tried first; decoded into an untyped value it stays a string.
    const plain = text.replaceAll("_", "");
    const parsed = goParseInteger(plain);
    if (parsed !== undefined) return integer(parsed);
    if (YAML_STYLE_FLOAT.test(plain)) {
      const value = goParseFloat(plain);
      if (value !== undefined) return { type: "float", value };
    }
    if (plain.startsWith("0b") || plain.startsWith("-0b")) {
      // go-yaml's own binary fallback: what base 0 refused, base 2 may take.
      const negative = plain[0] === "-";
      const digits = plain.slice(negative ? 3 : 2);
      if (DIGITS[2]?.test(digits)) {
        const value = (negative ? -1n : 1n) * BigInt(`0b${digits}`);
        if (value >= INT64_MIN && value <= (negative ? INT64_MAX : UINT64_MAX)) {
          return integer(value);
        }
      }
    }
  }
  return { type: "str", value: text };
}

/**
 * A scalar with an explicit tag (`!!int "12"`): go-yaml resolves the text as if it were
 * plain and then requires the tag's type, except that an integer may be read as a float.
 * Undefined: go-yaml refuses it ("cannot decode !!str `x` as a !!int").
 */
export function resolveTaggedGoScalar(type: GoScalarType, text: string): GoScalar | undefined {
  const resolved = resolveGoScalar(text);
  if (resolved.type === type) return resolved;
  if (type === "float" && resolved.type === "int" && resolved.unsigned !== true) {
    return { type, value: resolved.value };
  }
  return undefined;
}
