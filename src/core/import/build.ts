/** Building the Customs documents `customs import` prints, and the scope they apply to. */

import { API_VERSION, NAMESPACE_NAME_LABEL } from "../policy/index.js";
import type { ImportedDocument, ImportedRule, ImportOrigin, Untranslated } from "./types.js";

export const IMPORTED_FROM_ANNOTATION = "customs.dev/imported-from";

export type ImportedAction = "deny" | "warn" | "audit";

export type ImageCheck =
  | { readonly recipe: "custom"; readonly rules: ImportedRule[] }
  | { readonly recipe: "blocked-images"; readonly rules: ImportedRule[] }
  | { readonly recipe: "require-digest" }
  | { readonly recipe: "block-latest-tag" };

export interface SelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

/** A namespace LabelSelector under construction; the parts are ANDed. */
export interface Scope {
  matchLabels: Record<string, string>;
  matchExpressions: SelectorRequirement[];
}

export function emptyScope(): Scope {
  return { matchLabels: {}, matchExpressions: [] };
}

export function withNames(scope: Scope, operator: "In" | "NotIn", names: string[]): Scope {
  if (names.length === 0) return scope;
  return {
    matchLabels: scope.matchLabels,
    matchExpressions: [
      ...scope.matchExpressions,
      { key: NAMESPACE_NAME_LABEL, operator, values: [...new Set(names)] },
    ],
  };
}

/** `kube-*` is not a name: a label selector cannot say "starts with". */
export function isNameGlob(name: string): boolean {
  return name.includes("*") || name.includes("?");
}

export function describeOrigin(origin: ImportOrigin): string {
  const rule = origin.rule === undefined ? "" : ` rule ${origin.rule}`;
  return `${origin.source} ${origin.kind}/${origin.name}${rule}`;
}

/** An RFC 1123 subdomain made from the source's names. */
export function policyName(parts: readonly string[]): string {
  const raw = parts
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, 240)
    .replace(/[^a-z0-9]+$/, "");
  return raw === "" ? "imported" : raw;
}

export interface PolicyParts {
  readonly name: string;
  readonly origin: ImportOrigin;
  readonly action: ImportedAction;
  readonly check: ImageCheck;
  readonly scope: Scope;
  /** A Kyverno Policy's own namespace. */
  readonly namespace?: string;
  readonly exemptImages?: readonly string[];
}

export function buildImagePolicy(parts: PolicyParts): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  if (parts.namespace !== undefined) spec.namespace = parts.namespace;
  const { matchLabels, matchExpressions } = parts.scope;
  if (Object.keys(matchLabels).length > 0 || matchExpressions.length > 0) {
    const selector: Record<string, unknown> = {};
    if (Object.keys(matchLabels).length > 0) selector.matchLabels = matchLabels;
    if (matchExpressions.length > 0) selector.matchExpressions = matchExpressions;
    spec.namespaceSelector = selector;
  }
  spec.action = parts.action;
  spec.recipe = parts.check.recipe;
  const input: Record<string, unknown> = {};
  if (parts.check.recipe === "custom" || parts.check.recipe === "blocked-images") {
    input.rules = parts.check.rules;
  }
  if (parts.exemptImages !== undefined && parts.exemptImages.length > 0) {
    input.exemptImages = [...parts.exemptImages];
  }
  if (Object.keys(input).length > 0) spec.input = input;
  return {
    apiVersion: API_VERSION,
    kind: "ImagePolicy",
    metadata: {
      name: parts.name,
      annotations: { [IMPORTED_FROM_ANNOTATION]: describeOrigin(parts.origin) },
    },
    spec,
  };
}

/** Gives every document a name no earlier one has (two source objects may share one). */
export class NameBook {
  private readonly used = new Set<string>();

  claim(name: string): string {
    let candidate = name;
    for (let i = 2; this.used.has(candidate); i++) candidate = `${name}-${i}`;
    this.used.add(candidate);
    return candidate;
  }
}

/** What each translator adds to as it goes. */
export interface ImportSink {
  readonly documents: ImportedDocument[];
  readonly untranslated: Untranslated[];
  readonly names: NameBook;
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A matchExpressions entry as Kubernetes takes it, or undefined. */
export function toRequirement(e: unknown): SelectorRequirement | undefined {
  if (!isObj(e) || typeof e.key !== "string") return undefined;
  const op = e.operator;
  if (op !== "In" && op !== "NotIn" && op !== "Exists" && op !== "DoesNotExist") return undefined;
  const values = e.values ?? [];
  if (!Array.isArray(values) || !values.every((v) => typeof v === "string")) return undefined;
  if ((op === "In" || op === "NotIn") !== values.length > 0) return undefined;
  return values.length > 0 ? { key: e.key, operator: op, values } : { key: e.key, operator: op };
}
