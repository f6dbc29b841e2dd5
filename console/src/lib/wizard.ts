/**
 * The policy wizard's state and the ImagePolicy document it stands for. Pure: the console's
 * pages render the state, this module turns it into the document sent to the API (and back,
 * for editing), and lists the problems the form can see before the server is asked.
 */

import { type LabelRow, type SelectorRequirement, toSelector, toSelectorRows } from "./selector.js";

export const API_VERSION = "customs.dev/v1alpha1";

export type Action = "deny" | "warn" | "audit";
export const ACTIONS: readonly Action[] = ["deny", "warn", "audit"];

export type RuleField = "hostname" | "port" | "imageName" | "tag" | "requireDigest" | "minVersion";

export interface Template {
  readonly recipe: string;
  readonly label: string;
  /** Rule fields the recipe takes, exactly as the policy language; empty: no rules. */
  readonly fields: readonly RuleField[];
  readonly help: string;
  /** Inputs besides `rules` and `exemptImages` that the recipe takes and the wizard edits. */
  readonly lists?: readonly ListInput[];
  /** max-image-size's `maxSize`, a text field. */
  readonly maxSize?: true;
}

/** List inputs the wizard edits as rows (`exemptImages`: every recipe). */
export type ListInput = "exemptImages" | "immutableTags" | "allowed";

/** The wizard's templates, in the order of the dropdown. */
export const TEMPLATES: readonly Template[] = [
  {
    recipe: "require-digest",
    label: "Require Digest",
    fields: [],
    help: "Images must be pulled by digest (name@sha256:…).",
  },
  {
    recipe: "allowed-name-tag",
    label: "Name-Tag allowlist",
    fields: ["imageName", "tag"],
    help: "Only images whose name and tag match a rule may run.",
  },
  {
    recipe: "block-latest-tag",
    label: "Block latest tag",
    fields: [],
    help: "Images tagged latest (or with neither tag nor digest) may not run.",
  },
  {
    recipe: "custom",
    label: "Custom",
    fields: ["hostname", "port", "imageName", "tag", "requireDigest"],
    help: "Only images that match a rule (registry, port, name, tag, digest) may run.",
  },
  {
    recipe: "blocked-images",
    label: "Blocked images",
    fields: ["hostname", "port", "imageName", "tag"],
    help: "Images that match a rule may not run.",
  },
  {
    recipe: "require-pull-policy",
    label: "Require pull policy Always",
    fields: [],
    lists: ["immutableTags"],
    help: "Images with a mutable tag and no digest must be pulled with imagePullPolicy: Always (latest and no tag are defaulted to Always by Kubernetes).",
  },
  {
    recipe: "require-pull-secret",
    label: "Require pull secret",
    fields: ["hostname", "port"],
    help: "Images from the listed registries need an imagePullSecret with credentials for that registry.",
  },
  {
    recipe: "minimum-version",
    label: "Minimum version",
    fields: ["hostname", "port", "imageName", "minVersion"],
    help: "Images a rule names must have a version tag at least its minimum (v1.11.2); latest or a digest alone fail.",
  },
  {
    recipe: "max-image-size",
    label: "Maximum image size",
    fields: [],
    maxSize: true,
    help: "Images larger than the size (what a node pulls: compressed layers and config) may not run. Decided by the webhook and customs check, never as a native policy.",
  },
  {
    recipe: "no-volumes",
    label: "No image volumes",
    fields: [],
    lists: ["allowed"],
    help: "Images whose config declares volumes (VOLUME) other than the allowed paths may not run. Decided by the webhook and customs check, never as a native policy.",
  },
];

export function templateOf(recipe: string): Template | undefined {
  return TEMPLATES.find((t) => t.recipe === recipe);
}

export interface RuleRow {
  readonly hostname: string;
  readonly port: string;
  readonly imageName: string;
  readonly tagValue: string;
  readonly tagNegate: boolean;
  readonly requireDigest: boolean;
  /** minimum-version only. */
  readonly minVersion: string;
}

export const EMPTY_RULE: RuleRow = {
  hostname: "",
  port: "",
  imageName: "",
  tagValue: "",
  tagNegate: false,
  requireDigest: false,
  minVersion: "",
};

export type ScopeState =
  | { readonly kind: "organization" }
  | { readonly kind: "workspace"; readonly workspace: string }
  /** `cluster` empty: that namespace in every cluster. */
  | { readonly kind: "namespace"; readonly cluster: string; readonly namespace: string };

export interface WizardState {
  readonly name: string;
  readonly scope: ScopeState;
  readonly recipe: string;
  readonly rules: readonly RuleRow[];
  readonly include: readonly LabelRow[];
  readonly exclude: readonly LabelRow[];
  /** Selector expressions the tables cannot show, kept as they were. */
  readonly extraExpressions: readonly SelectorRequirement[];
  readonly action: Action;
  /**
   * An extension: the extensible allowlist it adds its rules to (extensions.ts). The recipe is
   * then the parent's and the action is the parent's (neither is written).
   */
  readonly extends?: string;
  /** An allowlist that narrower scopes may extend (`spec.extensible`). */
  readonly extensible?: boolean;
  /**
   * `spec.input.exemptImages`, one pattern a row (a blank row is a form error, so that row i is
   * entry i and the server's errors land on their row). Not written by an extension.
   */
  readonly exemptImages?: readonly string[];
  /** require-pull-policy's `spec.input.immutableTags`, one tag pattern a row. */
  readonly immutableTags?: readonly string[];
  /** no-volumes' `spec.input.allowed`, one absolute volume path a row. */
  readonly allowed?: readonly string[];
  /** max-image-size's `spec.input.maxSize` (500Mi, 1Gi, a number of bytes). */
  readonly maxSize?: string;
  /** Fields of an edited document the wizard does not show, written back unchanged. */
  readonly keep: {
    readonly metadata: Readonly<Record<string, unknown>>;
    readonly spec: Readonly<Record<string, unknown>>;
    readonly input: Readonly<Record<string, unknown>>;
  };
}

export const NEW_POLICY: WizardState = {
  name: "",
  scope: { kind: "organization" },
  recipe: "custom",
  rules: [EMPTY_RULE],
  include: [],
  exclude: [],
  extraExpressions: [],
  action: "deny",
  keep: { metadata: {}, spec: {}, input: {} },
};

/** The tags of the form's tag field: comma-separated (no tag can hold a comma). */
export function splitTags(text: string): string[] {
  return text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
}

export function toRuleDocument(
  row: RuleRow,
  fields: readonly RuleField[],
): Record<string, unknown> {
  const rule: Record<string, unknown> = {};
  const text = { hostname: row.hostname, port: row.port, imageName: row.imageName };
  for (const field of ["hostname", "port", "imageName"] as const) {
    const value = text[field].trim();
    if (fields.includes(field) && value !== "") rule[field] = value;
  }
  const tags = splitTags(row.tagValue);
  if (fields.includes("tag") && tags.length > 0) {
    // Several tags (comma-separated in the form) are `values`: any one matching is a match.
    rule.tag =
      tags.length === 1
        ? { value: tags[0], negate: row.tagNegate }
        : { values: tags, negate: row.tagNegate };
  }
  if (fields.includes("requireDigest") && row.requireDigest) rule.requireDigest = true;
  if (fields.includes("minVersion") && row.minVersion.trim() !== "") {
    rule.minVersion = row.minVersion.trim();
  }
  return rule;
}

function toScopeFields(scope: ScopeState): Record<string, string> {
  if (scope.kind === "workspace") return { workspace: scope.workspace.trim() };
  if (scope.kind === "namespace") {
    const cluster = scope.cluster.trim();
    const ns = scope.namespace.trim();
    return { namespace: cluster === "" ? ns : `${cluster}/${ns}` };
  }
  return {};
}

/** The ImagePolicy document the wizard's state stands for. */
export function toDocument(state: WizardState): Record<string, unknown> {
  const fields = templateOf(state.recipe)?.fields;
  const spec: Record<string, unknown> = { ...state.keep.spec, ...toScopeFields(state.scope) };
  const selector = toSelector({
    include: state.include,
    exclude: state.exclude,
    extra: state.extraExpressions,
  });
  if (selector !== undefined) spec.namespaceSelector = selector;
  if (state.extends !== undefined && state.extends !== "") {
    // An extension has no action or recipe of its own: its parent's apply.
    spec.extends = state.extends;
  } else {
    spec.action = state.action;
    spec.recipe = state.recipe;
    if (state.extensible === true && isAllowlist(state.recipe)) spec.extensible = true;
  }
  const input: Record<string, unknown> = { ...state.keep.input };
  if (fields !== undefined && fields.length > 0) {
    input.rules = state.rules.map((r) => toRuleDocument(r, fields));
  }
  for (const list of listInputsOf(state)) {
    const rows = toListDocument(state[list]);
    if (rows.length > 0) input[list] = rows;
  }
  if (templateOf(state.recipe)?.maxSize === true && !isExtension(state)) {
    input.maxSize = (state.maxSize ?? "").trim();
  }
  if (Object.keys(input).length > 0) spec.input = input;
  return {
    apiVersion: API_VERSION,
    kind: "ImagePolicy",
    metadata: { ...state.keep.metadata, name: state.name.trim() },
    spec,
  };
}

function isExtension(state: Pick<WizardState, "extends">): boolean {
  return state.extends !== undefined && state.extends !== "";
}

/**
 * The list inputs the wizard edits for this state: `exemptImages` for every recipe (not for an
 * extension, which adds rules only), and the template's own.
 */
export function listInputsOf(state: Pick<WizardState, "recipe" | "extends">): ListInput[] {
  if (isExtension(state)) return [];
  return ["exemptImages", ...(templateOf(state.recipe)?.lists ?? [])];
}

/** The entries a list editor's rows stand for, trimmed (blank rows are left out). */
export function toListDocument(rows: readonly string[] | undefined): string[] {
  return (rows ?? []).map((r) => r.trim()).filter((r) => r !== "");
}

/** The recipes whose policies narrower scopes may extend (the policy language's allowlists). */
export const EXTENSIBLE_RECIPES: readonly string[] = ["custom", "allowed-name-tag"];

export function isAllowlist(recipe: string): boolean {
  return EXTENSIBLE_RECIPES.includes(recipe);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string =>
  typeof v === "string" || typeof v === "number" ? String(v) : "";

function toRuleRow(raw: unknown): RuleRow {
  if (!isRecord(raw)) return EMPTY_RULE;
  const tag = raw.tag;
  const list = (v: unknown) => (Array.isArray(v) ? v.map(str).join(", ") : "");
  const tagValue =
    typeof tag === "string"
      ? tag
      : Array.isArray(tag)
        ? list(tag)
        : isRecord(tag)
          ? tag.values !== undefined
            ? list(tag.values)
            : str(tag.value)
          : "";
  return {
    hostname: str(raw.hostname),
    port: str(raw.port),
    imageName: str(raw.imageName),
    tagValue,
    tagNegate: isRecord(tag) && tag.negate === true,
    requireDigest: raw.requireDigest === true,
    minVersion: str(raw.minVersion),
  };
}

function toScopeState(spec: Record<string, unknown>): ScopeState {
  if (typeof spec.workspace === "string") return { kind: "workspace", workspace: spec.workspace };
  if (typeof spec.namespace === "string") {
    const slash = spec.namespace.indexOf("/");
    return slash === -1
      ? { kind: "namespace", cluster: "", namespace: spec.namespace }
      : {
          kind: "namespace",
          cluster: spec.namespace.slice(0, slash),
          namespace: spec.namespace.slice(slash + 1),
        };
  }
  return { kind: "organization" };
}

function without(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

/** The wizard's state for an existing document (fields it does not show are kept). */
export function toWizardState(doc: Readonly<Record<string, unknown>>): WizardState {
  const metadata = isRecord(doc.metadata) ? doc.metadata : {};
  const spec = isRecord(doc.spec) ? doc.spec : {};
  const input = isRecord(spec.input) ? spec.input : {};
  const recipe = typeof spec.recipe === "string" ? spec.recipe : "custom";
  const takesRules = (templateOf(recipe)?.fields.length ?? 0) > 0;
  const rows = toSelectorRows(spec.namespaceSelector);
  const audit = input.audit === true;
  const action = ACTIONS.find((a) => a === spec.action) ?? (audit ? "audit" : "deny");
  // A document without rules starts the editor with one empty rule to fill in.
  const rules = Array.isArray(input.rules) ? input.rules.map(toRuleRow) : [EMPTY_RULE];
  // List inputs the editors show become rows; a list that is not one of strings stays as it
  // was (the server names its path).
  const lists = listInputsOf({
    recipe,
    ...(typeof spec.extends === "string" ? { extends: spec.extends } : {}),
  }).filter(
    (l) => Array.isArray(input[l]) && (input[l] as unknown[]).every((v) => typeof v === "string"),
  );
  const listRows = Object.fromEntries(lists.map((l) => [l, [...(input[l] as string[])]]));
  // maxSize is the size field's (a number of bytes as written, as its text).
  const size =
    templateOf(recipe)?.maxSize === true &&
    spec.extends === undefined &&
    input.maxSize !== undefined
      ? { maxSize: str(input.maxSize) }
      : {};
  const taken = [...lists, ...(size.maxSize === undefined ? [] : ["maxSize"])];
  const widening = {
    ...(typeof spec.extends === "string" ? { extends: spec.extends } : {}),
    ...(spec.extensible === true ? { extensible: true } : {}),
  };
  return {
    name: str(metadata.name),
    scope: toScopeState(spec),
    recipe,
    ...widening,
    ...listRows,
    ...size,
    rules: takesRules ? rules : [],
    include: rows.include,
    exclude: rows.exclude,
    extraExpressions: rows.extra,
    action,
    keep: {
      // Only what the author wrote: uid, resourceVersion, timestamps and authors are the
      // server's (sent back, the policy language would refuse some of them as unknown).
      metadata: Object.fromEntries(
        Object.entries(metadata).filter(([k]) => k === "labels" || k === "annotations"),
      ),
      spec: without(spec, [
        "workspace",
        "namespace",
        "namespaceSelector",
        "action",
        "recipe",
        "input",
        "extends",
        "extensible",
      ]),
      // `audit: true` is folded into the action radio; rules are the editor's.
      input: without(input, takesRules ? ["rules", "audit", ...taken] : ["audit", ...taken]),
    },
  };
}
