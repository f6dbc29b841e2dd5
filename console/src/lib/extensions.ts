/**
 * Extensible allowlists and their extensions in the console (docs/policy-language.md,
 * "Widening an allowlist"): which policies a new policy may extend, the allowlist a
 * namespace of the extension gets (the parent's rules, then the extension's), and the order
 * of the policy table (each extension under its parent). Pure.
 */
import { toPolicyScope, toScopeLabel } from "./policy-tree.js";
import type { PolicyDocument } from "./resources.js";
import { isAllowlist } from "./wizard.js";

/** A policy a new extension may extend. */
export interface ParentOption {
  readonly name: string;
  readonly recipe: string;
  /** Where it is assigned, in words. */
  readonly scope: string;
  readonly kind: "organization" | "workspace" | "namespace";
}

export function extendsOf(p: PolicyDocument): string | undefined {
  const parent = (p.spec as { extends?: unknown }).extends;
  return typeof parent === "string" && parent !== "" ? parent : undefined;
}

/**
 * The extensible allowlists, organization first. A namespace policy is left out: nothing is
 * narrower than one namespace, so it cannot be extended.
 */
export function extensibleParents(policies: readonly PolicyDocument[]): ParentOption[] {
  const rank = { organization: 0, workspace: 1, namespace: 2 } as const;
  return policies
    .filter((p) => p.spec.extensible === true && extendsOf(p) === undefined)
    .filter((p) => isAllowlist(String(p.spec.recipe ?? "")))
    .map((p) => {
      const scope = toPolicyScope(p.spec);
      return {
        name: p.metadata.name,
        recipe: String(p.spec.recipe),
        scope: toScopeLabel(scope),
        kind: scope.kind,
      };
    })
    .filter((o) => o.kind !== "namespace")
    .sort((a, b) => rank[a.kind] - rank[b.kind] || (a.name < b.name ? -1 : 1));
}

/** The scopes an extension of this parent may have (strictly narrower). */
export function extensionScopes(parent: ParentOption): readonly ("workspace" | "namespace")[] {
  return parent.kind === "organization" ? ["workspace", "namespace"] : ["namespace"];
}

/** A rule in words, as the engine writes it in messages. */
export function describeRuleDocument(rule: unknown): string {
  if (typeof rule !== "object" || rule === null) return "any image";
  const r = rule as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof r.hostname === "string") parts.push(`hostname ${r.hostname}`);
  if (typeof r.port === "string" || typeof r.port === "number") parts.push(`port ${r.port}`);
  if (typeof r.imageName === "string") parts.push(`image name ${r.imageName}`);
  const tag = typeof r.tag === "string" ? { value: r.tag, negate: false } : r.tag;
  if (typeof tag === "object" && tag !== null) {
    const t = tag as { value?: unknown; negate?: unknown };
    if (typeof t.value === "string" && t.value !== "") {
      parts.push(t.negate === true ? `a tag other than ${t.value}` : `tag ${t.value}`);
    }
  }
  if (r.requireDigest === true) parts.push("with a digest");
  return parts.length === 0 ? "any image" : parts.join(", ");
}

/** One line of a merged allowlist: which policy a rule comes from, and the rule. */
export interface MergedRule {
  readonly policy: string;
  readonly index: number;
  readonly rule: string;
}

function rulesOf(doc: { spec?: unknown } | undefined): readonly unknown[] {
  const input = (doc?.spec as { input?: { rules?: unknown } } | undefined)?.input;
  return Array.isArray(input?.rules) ? input.rules : [];
}

/**
 * What a namespace of the extension may run: every rule of the parent, then every rule of the
 * extension (an image passes when any of them matches; other policies still apply).
 */
export function mergedAllowlist(
  parent: PolicyDocument | undefined,
  extension: { metadata?: unknown; spec?: unknown },
): MergedRule[] {
  const name = String((extension.metadata as { name?: unknown } | undefined)?.name ?? "");
  const own = (p: string, rules: readonly unknown[]) =>
    rules.map((r, i) => ({ policy: p, index: i + 1, rule: describeRuleDocument(r) }));
  return [
    ...(parent === undefined ? [] : own(parent.metadata.name, rulesOf(parent))),
    ...own(name || "(this policy)", rulesOf(extension)),
  ];
}

/** A table row: the policy, and the parent it extends when that parent is in the same table. */
export interface OrderedPolicy {
  readonly policy: PolicyDocument;
  readonly parent: string | undefined;
}

/**
 * Each extension right under its parent (when the parent is listed too), in the given order
 * otherwise; an extension whose parent is not listed keeps its place and still names it.
 */
export function withExtensionsUnderParents(items: readonly PolicyDocument[]): OrderedPolicy[] {
  const listed = new Set(items.map((p) => p.metadata.name));
  const under = new Map<string, PolicyDocument[]>();
  for (const p of items) {
    const parent = extendsOf(p);
    if (parent !== undefined && listed.has(parent)) {
      under.set(parent, [...(under.get(parent) ?? []), p]);
    }
  }
  const out: OrderedPolicy[] = [];
  for (const p of items) {
    const parent = extendsOf(p);
    if (parent !== undefined && listed.has(parent)) continue;
    out.push({ policy: p, parent });
    for (const e of under.get(p.metadata.name) ?? [])
      out.push({ policy: e, parent: p.metadata.name });
  }
  return out;
}
