/**
 * The CEL shapes of Kyverno's image policies (`-cel` ClusterPolicies and ValidatingPolicies):
 * `LIST.all(c, TERM || TERM …)` or `LIST.all(c, TERM && TERM …)` where each TERM is
 * `[!]c.image.startsWith|endsWith|contains('…')`. Anything else is not guessed at: it is
 * refused with the expression, so the user sees it among the untranslated parts.
 * Read with string operations only (no regular expression runs over the input).
 */

import { ok, refuse, type Translated } from "./types.js";

export interface CelTerm {
  readonly negated: boolean;
  readonly method: "startsWith" | "endsWith" | "contains";
  readonly literal: string;
}

export interface CelImageTest {
  /** True when the list is every container (containers, initContainers, ephemeralContainers). */
  readonly allContainers: boolean;
  readonly join: "||" | "&&";
  readonly terms: readonly CelTerm[];
}

const ALL_CONTAINER_PARTS = [
  "object.spec.containers",
  "object.spec.?initContainers.orValue([])",
  "object.spec.?ephemeralContainers.orValue([])",
];

/** The expression on one line, for the untranslated list (one line per part). */
export function oneLine(expression: string): string {
  return expression.trim().split(/\s+/).join(" ");
}

/** Drops the white space outside quoted strings. */
export function compact(expression: string): string {
  let out = "";
  let quote = "";
  for (const ch of expression) {
    if (quote !== "") {
      out += ch;
      if (ch === quote) quote = "";
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch !== " " && ch !== "\n" && ch !== "\t" && ch !== "\r") {
      out += ch;
    }
  }
  return out;
}

/** A variable holding `containers + initContainers + ephemeralContainers` (any order). */
export function isAllContainersExpression(expression: string): boolean {
  const parts = compact(expression).split("+");
  return (
    parts.length === ALL_CONTAINER_PARTS.length &&
    ALL_CONTAINER_PARTS.every((p) => parts.includes(p))
  );
}

function splitTopLevel(body: string, op: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = "";
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (quote !== "") {
      if (ch === quote) quote = "";
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (depth === 0 && body.startsWith(op, i)) {
      out.push(body.slice(start, i));
      start = i + op.length;
      i += op.length - 1;
    }
  }
  out.push(body.slice(start));
  return out;
}

function readTerm(term: string, variable: string): CelTerm | undefined {
  let t = term;
  let negated = false;
  while (t.startsWith("(") && t.endsWith(")")) t = t.slice(1, -1);
  if (t.startsWith("!")) {
    negated = true;
    t = t.slice(1);
    while (t.startsWith("(") && t.endsWith(")")) t = t.slice(1, -1);
  }
  const head = `${variable}.image.`;
  if (!t.startsWith(head)) return undefined;
  t = t.slice(head.length);
  for (const method of ["startsWith", "endsWith", "contains"] as const) {
    if (!t.startsWith(`${method}(`) || !t.endsWith(")")) continue;
    const arg = t.slice(method.length + 1, -1);
    const q = arg[0];
    if ((q !== "'" && q !== '"') || arg.length < 2 || arg[arg.length - 1] !== q) return undefined;
    const literal = arg.slice(1, -1);
    if (literal.includes(q) || literal.includes("\\")) return undefined;
    return { negated, method, literal };
  }
  return undefined;
}

/**
 * Reads one validation expression. `allContainersVariables` names the variables that hold
 * every container.
 */
export function readCelImageTest(
  expression: string,
  allContainersVariables: ReadonlySet<string>,
): Translated<CelImageTest> {
  const unrecognized = refuse(`CEL expression not recognized: ${oneLine(expression)}`);
  const s = compact(expression);
  const open = s.indexOf(".all(");
  if (open === -1 || !s.endsWith(")")) return unrecognized;
  const list = s.slice(0, open);
  let allContainers: boolean;
  if (list === "object.spec.containers") allContainers = false;
  else if (list.startsWith("variables.") && allContainersVariables.has(list.slice(10)))
    allContainers = true;
  else return unrecognized;
  const inner = s.slice(open + 5, -1);
  const comma = inner.indexOf(",");
  if (comma <= 0) return unrecognized;
  const variable = inner.slice(0, comma);
  const body = inner.slice(comma + 1);
  const ors = splitTopLevel(body, "||");
  const ands = splitTopLevel(body, "&&");
  if (ors.length > 1 && ands.length > 1) return unrecognized;
  const join = ors.length > 1 ? "||" : "&&";
  const terms: CelTerm[] = [];
  for (const raw of join === "||" ? ors : ands) {
    const term = readTerm(raw, variable);
    if (term === undefined) return unrecognized;
    terms.push(term);
  }
  return ok({ allContainers, join, terms });
}
