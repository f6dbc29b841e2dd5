/**
 * What the wizard can tell before asking the server. Each problem is keyed by the field path
 * the server would use for it (`metadata.name`, `spec.input.rules[0].port`, …) so that the
 * form shows client and server messages in the same place; label rows, which have no path of
 * their own in the document, use `include[i].key` and `exclude[i].value`.
 */

import { readExemptImages, readImmutableTags } from "../../../src/core/policy/exempt.js";
import { IssueCollector } from "../../../src/core/policy/fields.js";
import { checkPattern } from "../../../src/core/policy/pattern.js";
import {
  isDnsLabel,
  isDnsSubdomain,
  isLabelKey,
  isLabelValue,
} from "../../../src/core/policy/selector.js";
import { readSupplyInput } from "../../../src/core/policy/supply-validate.js";
import { parseVersion } from "../../../src/core/policy/version.js";
import type { LabelRow } from "./selector.js";
import {
  type ListInput,
  listInputsOf,
  type RuleRow,
  splitTags,
  templateOf,
  type WizardState,
} from "./wizard.js";

export type FormErrors = Readonly<Record<string, string>>;

/** Messages for fields not filled in yet: the form shows them only once saving is tried. */
export const MISSING = {
  name: "Enter a name.",
  workspace: "Choose a workspace.",
  namespace: "Enter a namespace.",
  rules: "Add at least one rule.",
  rule: "Fill in at least one field of this rule.",
  entry: "Enter a value, or remove this row.",
  maxSize: "Enter the largest size allowed, e.g. 500Mi.",
} as const;

export function isMissing(message: string): boolean {
  return (Object.values(MISSING) as string[]).includes(message);
}

function nameErrors(state: WizardState, out: Record<string, string>): void {
  const name = state.name.trim();
  if (name === "") out["metadata.name"] = MISSING.name;
  else if (!isDnsSubdomain(name)) {
    out["metadata.name"] =
      "Use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit.";
  }
}

function scopeErrors(state: WizardState, out: Record<string, string>): void {
  const scope = state.scope;
  if (scope.kind === "workspace") {
    const ws = scope.workspace.trim();
    if (ws === "") out["spec.workspace"] = MISSING.workspace;
    else if (!isDnsLabel(ws)) out["spec.workspace"] = `"${ws}" is not a valid workspace name.`;
  }
  if (scope.kind === "namespace") {
    const cluster = scope.cluster.trim();
    const ns = scope.namespace.trim();
    if (cluster !== "" && !isDnsSubdomain(cluster)) {
      out["spec.namespace.cluster"] = `"${cluster}" is not a valid cluster name.`;
    }
    if (ns === "") out["spec.namespace"] = MISSING.namespace;
    else if (!isDnsLabel(ns)) out["spec.namespace"] = `"${ns}" is not a valid namespace name.`;
  }
}

function ruleErrors(row: RuleRow, i: number, state: WizardState, out: Record<string, string>) {
  const fields = templateOf(state.recipe)?.fields ?? [];
  const path = `spec.input.rules[${i}]`;
  const text = { hostname: row.hostname, port: row.port, imageName: row.imageName };
  let used = false;
  for (const field of ["hostname", "port", "imageName"] as const) {
    const value = text[field].trim();
    if (!fields.includes(field) || value === "") continue;
    used = true;
    const problem = checkPattern(field, value);
    if (problem !== undefined) out[`${path}.${field}`] = problem;
  }
  if (fields.includes("port") && row.port.trim() !== "" && row.hostname.trim() === "") {
    out[`${path}.port`] ??= "A port needs a hostname in the same rule.";
  }
  if (fields.includes("tag")) {
    const tags = splitTags(row.tagValue);
    if (tags.length > 0) {
      used = true;
      // Several tags are comma-separated; each must be a tag pattern.
      const problem = tags.map((t) => checkPattern("tag", t)).find((p) => p !== undefined);
      if (problem !== undefined) out[`${path}.tag.value`] = problem;
    } else if (row.tagNegate) {
      out[`${path}.tag.value`] = "Enter the tag that must not match.";
    }
  }
  if (fields.includes("requireDigest") && row.requireDigest) used = true;
  if (fields.includes("minVersion")) {
    const v = row.minVersion.trim();
    if (v === "") out[`${path}.minVersion`] = "Enter the lowest version allowed, e.g. v1.11.2.";
    else if (parseVersion(v) === undefined) {
      out[`${path}.minVersion`] =
        `"${v}" is not a version: MAJOR[.MINOR[.PATCH]][-PRERELEASE], optionally after v.`;
    }
    if (row.imageName.trim() === "")
      out[`${path}.imageName`] ??= "Enter the image name this minimum applies to.";
  }
  // An empty rule matches every image: an allowlist would allow, a blocklist block, all.
  if (!used) out[path] = MISSING.rule;
}

function labelErrors(rows: readonly LabelRow[], table: string, out: Record<string, string>) {
  const keys = new Set<string>();
  rows.forEach((row, i) => {
    const key = row.key.trim();
    const value = row.value.trim();
    if (key === "" && value === "") return;
    if (key === "") out[`${table}[${i}].key`] = "Enter a label key.";
    else if (!isLabelKey(key)) out[`${table}[${i}].key`] = `"${key}" is not a valid label key.`;
    else if (table === "include" && keys.has(key)) {
      // Include rows are ANDed: one key with two values could never match.
      out[`${table}[${i}].key`] = `"${key}" is already listed; a namespace has one value per key.`;
    }
    keys.add(key);
    if (!isLabelValue(value))
      out[`${table}[${i}].value`] = `"${value}" is not a valid label value.`;
  });
}

type Reader = (issues: IssueCollector, rows: readonly string[]) => unknown;
const LIST_READERS: Record<ListInput, Reader> = {
  exemptImages: readExemptImages,
  immutableTags: readImmutableTags,
  allowed: (issues, rows) => readSupplyInput(issues, "no-volumes", { allowed: rows }, undefined),
};

function maxSizeErrors(state: WizardState, out: Record<string, string>) {
  const size = (state.maxSize ?? "").trim();
  if (size === "") {
    out["spec.input.maxSize"] = MISSING.maxSize;
    return;
  }
  const issues = new IssueCollector();
  readSupplyInput(issues, "max-image-size", { maxSize: size }, undefined);
  for (const issue of issues.issues) out[issue.path] ??= issue.message;
}

/**
 * Rows of a list input: a blank row is flagged (row i must be entry i); the rest are checked
 * by the policy language's own reader, so messages and paths are the server's.
 */
function listErrors(state: WizardState, list: ListInput, out: Record<string, string>) {
  const rows = state[list] ?? [];
  const path = `spec.input.${list}`;
  rows.forEach((row, i) => {
    if (row.trim() === "") out[`${path}[${i}]`] = MISSING.entry;
  });
  const issues = new IssueCollector();
  LIST_READERS[list](
    issues,
    rows.map((r) => r.trim()),
  );
  for (const issue of issues.issues) {
    if (issue.severity === "error") out[issue.path] ??= issue.message;
  }
}

/** The problems the form can see; empty when the document should validate. */
export function toFormErrors(state: WizardState): FormErrors {
  const out: Record<string, string> = {};
  nameErrors(state, out);
  scopeErrors(state, out);
  const template = templateOf(state.recipe);
  if (template !== undefined && template.fields.length > 0) {
    if (state.rules.length === 0) out["spec.input.rules"] = MISSING.rules;
    state.rules.forEach((row, i) => {
      ruleErrors(row, i, state, out);
    });
  }
  for (const list of listInputsOf(state)) listErrors(state, list, out);
  if (template?.maxSize === true && !(state.extends !== undefined && state.extends !== "")) {
    maxSizeErrors(state, out);
  }
  labelErrors(state.include, "include", out);
  labelErrors(state.exclude, "exclude", out);
  return out;
}

export function hasErrors(errors: FormErrors): boolean {
  return Object.keys(errors).length > 0;
}
