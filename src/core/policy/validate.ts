import { EXCEPTION_KIND, type ImagePolicyException } from "./exception-types.js";
import { lintException, validateException } from "./exception-validate.js";
import { readExemptImages, readImmutableTags } from "./exempt.js";
import { isExtensionSpec, readExtensionFields } from "./extends-validate.js";
import { IssueCollector, isPlainObject, join, typeName } from "./fields.js";
import { lintPolicy } from "./lint.js";
import type { RegexEngine } from "./regex.js";
import { readRule } from "./rules.js";
import { isDnsLabel, isDnsSubdomain, readLabelSelector, readNamespaceRef } from "./selector.js";
import { lintSupply } from "./supply-lint.js";
import { isSupplyRecipe } from "./supply-types.js";
import { readSupplyInput, SUPPLY_INPUT_FIELDS } from "./supply-validate.js";
import {
  ACTIONS,
  type Action,
  API_VERSION,
  type DocumentOrigin,
  IMAGE_INPUT_FIELDS,
  type ImagePolicy,
  type NamespaceRef,
  type PolicyIssue,
  type PolicyRule,
  type PolicyScope,
  RECIPE_RULE_FIELDS,
  RECIPES,
  type Workspace,
} from "./types.js";

/** Fields Kubernetes may set on any object's metadata; CRDs read from a cluster carry them. */
export const METADATA_FIELDS: readonly string[] = [
  "name",
  "namespace",
  "labels",
  "annotations",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "finalizers",
  "ownerReferences",
  "generateName",
  "selfLink",
];
const TOP_FIELDS = ["apiVersion", "kind", "metadata", "spec", "status"];

/** What validation may need from outside core: an RE2 engine, and the time for lint. */
export interface ValidateOptions {
  /** Compiles the `…RegExp` fields of supply-chain recipes; without it they are errors. */
  readonly regex?: RegexEngine;
  /** Now (ms since the epoch), for lint about allowlist entries that expire. */
  readonly now?: number;
}

export type ValidatedDocument =
  | { readonly kind: "ImagePolicy"; readonly policy: ImagePolicy; readonly issues: PolicyIssue[] }
  | { readonly kind: "Workspace"; readonly workspace: Workspace; readonly issues: PolicyIssue[] }
  | { readonly kind: "invalid"; readonly issues: PolicyIssue[] }
  | {
      readonly kind: "ImagePolicyException";
      readonly exception: ImagePolicyException;
      readonly issues: PolicyIssue[];
    };

/** Is this document meant to be a Customs resource (so that its problems are errors)? */
export function isCustomsDocument(doc: unknown): boolean {
  return (
    isPlainObject(doc) &&
    typeof doc.apiVersion === "string" &&
    doc.apiVersion.startsWith("customs.dev/")
  );
}

function readName(
  issues: IssueCollector,
  doc: Record<string, unknown>,
  check: (s: string) => boolean,
  what: string,
): string | undefined {
  const metadata = issues.readObject("metadata", doc.metadata, METADATA_FIELDS);
  if (metadata === undefined) return undefined;
  const name = issues.readString("metadata.name", metadata.name, { required: true });
  if (name !== undefined && !check(name)) {
    issues.error("metadata.name", `"${name}" is not a valid name: ${what}`);
    return undefined;
  }
  return name;
}

function readScope(issues: IssueCollector, spec: Record<string, unknown>): PolicyScope | undefined {
  const workspace = issues.readString("spec.workspace", spec.workspace, { nonEmpty: true });
  const hasNamespace = spec.namespace !== undefined && spec.namespace !== null;
  const namespace = hasNamespace
    ? readNamespaceRef(issues, "spec.namespace", spec.namespace)
    : undefined;
  if (workspace !== undefined && hasNamespace) {
    issues.error("spec", "set at most one of `workspace` and `namespace` (the policy's scope)");
    return undefined;
  }
  if (workspace !== undefined) {
    if (!isDnsLabel(workspace)) {
      issues.error(
        "spec.workspace",
        `"${workspace}" is not a valid workspace name (RFC 1123 label)`,
      );
      return undefined;
    }
    return { kind: "workspace", name: workspace };
  }
  if (namespace !== undefined) return { kind: "namespace", namespace };
  return hasNamespace ? undefined : { kind: "organization" };
}

function readAction(
  issues: IssueCollector,
  spec: Record<string, unknown>,
  audit: boolean | undefined,
): Action | undefined {
  if (spec.action === undefined || spec.action === null) return audit ? "audit" : "deny";
  const action = issues.readEnum("spec.action", spec.action, ACTIONS);
  if (action !== undefined && audit === true && action !== "audit") {
    issues.error(
      "spec.input.audit",
      `\`audit: true\` means action audit, but spec.action is ${action}: remove one of them`,
    );
  }
  return action;
}

function readRules(
  issues: IssueCollector,
  input: Record<string, unknown>,
  recipe: ImagePolicy["recipe"],
): PolicyRule[] {
  const fields = RECIPE_RULE_FIELDS[recipe];
  const rules: PolicyRule[] = [];
  if (fields === undefined) return rules;
  const present = input.rules !== undefined && input.rules !== null;
  const raw = issues.readList("spec.input.rules", input.rules);
  if (!present || raw?.length === 0) {
    issues.error("spec.input.rules", `recipe ${recipe} needs at least one rule`);
  }
  if (raw === undefined) return rules;
  raw.forEach((r, i) => {
    const rule = readRule(issues, join("spec.input.rules", i), r, fields);
    if (rule !== undefined) rules.push(rule);
  });
  return rules;
}

function validateImagePolicy(
  issues: IssueCollector,
  doc: Record<string, unknown>,
  origin: DocumentOrigin | undefined,
  regex: RegexEngine | undefined,
): ImagePolicy | undefined {
  const name = readName(issues, doc, isDnsSubdomain, "lowercase RFC 1123 subdomain");
  const spec = issues.readObject("spec", doc.spec, [
    "workspace",
    "namespace",
    "namespaceSelector",
    "action",
    "recipe",
    "input",
    "pinDigests",
    "extensible",
    "extends",
  ]);
  if (spec === undefined) return undefined;
  const scope = readScope(issues, spec);
  const namespaceSelector = readLabelSelector(
    issues,
    "spec.namespaceSelector",
    spec.namespaceSelector,
  );
  // An extension without a recipe takes its parent's; its rules are read as the widest
  // allowlist's (custom) here and against the parent's recipe when the set is checked.
  const inherits = isExtensionSpec(spec) && (spec.recipe === undefined || spec.recipe === null);
  const recipe = inherits ? "custom" : issues.readEnum("spec.recipe", spec.recipe ?? "", RECIPES);
  const supplyRecipe = recipe !== undefined && isSupplyRecipe(recipe) ? recipe : undefined;
  const inputFields =
    supplyRecipe === undefined
      ? [
          "audit",
          "exemptImages",
          "rules",
          ...(recipe === undefined ? [] : (IMAGE_INPUT_FIELDS[recipe] ?? [])),
        ]
      : ["audit", "exemptImages", ...SUPPLY_INPUT_FIELDS[supplyRecipe]];
  const input = issues.readObject("spec.input", spec.input ?? {}, inputFields);
  if (
    supplyRecipe === undefined &&
    recipe !== undefined &&
    input?.rules !== undefined &&
    !RECIPE_RULE_FIELDS[recipe]
  ) {
    issues.error("spec.input.rules", `recipe ${recipe} takes no rules`);
  }
  const audit =
    input === undefined ? undefined : issues.readBoolean("spec.input.audit", input.audit);
  const action = readAction(issues, spec, audit);
  const rules =
    recipe !== undefined && supplyRecipe === undefined && input !== undefined
      ? readRules(issues, input, recipe)
      : [];
  const supply =
    supplyRecipe !== undefined && input !== undefined
      ? readSupplyInput(issues, supplyRecipe, input, regex)
      : undefined;
  const widening = readExtensionFields(issues, spec, input, scope, inherits ? undefined : recipe);
  const exempt = input === undefined ? undefined : readExemptImages(issues, input.exemptImages);
  const immutable =
    recipe === "require-pull-policy" && input !== undefined
      ? readImmutableTags(issues, input.immutableTags)
      : undefined;
  const exemptImages = {
    ...(exempt === undefined ? {} : { exemptImages: exempt }),
    ...(immutable === undefined ? {} : { immutableTags: immutable }),
  };
  if (name === undefined || scope === undefined || recipe === undefined || action === undefined) {
    return undefined;
  }
  const pinDigests = issues.readBoolean("spec.pinDigests", spec.pinDigests) ?? false;
  if (supplyRecipe !== undefined && supply === undefined) return undefined;
  return {
    name,
    scope,
    namespaceSelector,
    action,
    recipe,
    rules,
    pinDigests,
    ...(supplyRecipe !== undefined && supply !== undefined ? { supply } : {}),
    ...exemptImages,
    origin,
    ...widening,
  };
}

function validateWorkspace(
  issues: IssueCollector,
  doc: Record<string, unknown>,
  origin: DocumentOrigin | undefined,
): Workspace | undefined {
  const name = readName(
    issues,
    doc,
    isDnsLabel,
    "lowercase RFC 1123 label (it is used as a label value)",
  );
  const spec = issues.readObject("spec", doc.spec ?? {}, ["namespaces"]);
  const namespaces: NamespaceRef[] = [];
  const raw = spec === undefined ? undefined : issues.readList("spec.namespaces", spec.namespaces);
  raw?.forEach((n, i) => {
    const ref = readNamespaceRef(issues, join("spec.namespaces", i), n);
    if (ref !== undefined) namespaces.push(ref);
  });
  if (name === undefined || spec === undefined) return undefined;
  return { name, namespaces, origin };
}

/**
 * Validates one document as an ImagePolicy or a Workspace: strict (unknown fields are
 * errors), every problem with its field path, then lint warnings for valid policies.
 */
export function validateDocument(
  doc: unknown,
  origin?: DocumentOrigin,
  options: ValidateOptions = {},
): ValidatedDocument {
  const issues = new IssueCollector();
  const top = issues.readObject("", doc, TOP_FIELDS);
  if (top === undefined) return { kind: "invalid", issues: issues.issues };
  const apiVersion = issues.readString("apiVersion", top.apiVersion, { required: true });
  if (apiVersion !== undefined && apiVersion !== API_VERSION) {
    issues.error("apiVersion", `expected ${API_VERSION}, got "${apiVersion}"`);
  }
  const kind = issues.readString("kind", top.kind, { required: true });
  if (kind === "ImagePolicy") {
    const policy = validateImagePolicy(issues, top, origin, options.regex);
    if (policy === undefined || issues.hasErrors) return { kind: "invalid", issues: issues.issues };
    lintPolicy(issues, policy);
    lintSupply(issues, policy, options.now);
    return { kind: "ImagePolicy", policy, issues: issues.issues };
  }
  if (kind === "Workspace") {
    const workspace = validateWorkspace(issues, top, origin);
    if (workspace === undefined || issues.hasErrors)
      return { kind: "invalid", issues: issues.issues };
    return { kind: "Workspace", workspace, issues: issues.issues };
  }
  if (kind === EXCEPTION_KIND) {
    const exception = validateException(issues, top, origin, {
      name: (i, d) => readName(i, d, isDnsSubdomain, "lowercase RFC 1123 subdomain"),
      scope: readScope,
    });
    if (exception === undefined || issues.hasErrors)
      return { kind: "invalid", issues: issues.issues };
    lintException(issues, exception, options.now);
    return { kind: EXCEPTION_KIND, exception, issues: issues.issues };
  }
  if (kind !== undefined) {
    issues.error(
      "kind",
      `expected ImagePolicy or Workspace or ${EXCEPTION_KIND}, got ${typeName(kind)}`,
    );
  }
  return { kind: "invalid", issues: issues.issues };
}
