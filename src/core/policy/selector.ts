import { type IssueCollector, isPlainObject, join, typeName } from "./fields.js";
import type {
  LabelSelector,
  LabelSelectorRequirement,
  NamespaceRef,
  SelectorOperator,
} from "./types.js";

/** RFC 1123 label: what a Namespace name (and a workspace name, a label value) must be. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** RFC 1123 subdomain: object names such as an ImagePolicy's. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Label key name part and label values (Kubernetes validation.IsQualifiedName/IsValidLabelValue). */
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/;

export function isDnsLabel(s: string): boolean {
  return DNS_LABEL.test(s);
}

export function isDnsSubdomain(s: string): boolean {
  return s.length <= 253 && DNS_SUBDOMAIN.test(s);
}

export function isLabelKey(key: string): boolean {
  const slash = key.indexOf("/");
  if (slash === -1) return LABEL_NAME.test(key);
  const prefix = key.slice(0, slash);
  return isDnsSubdomain(prefix) && LABEL_NAME.test(key.slice(slash + 1));
}

export function isLabelValue(value: string): boolean {
  return value === "" || LABEL_NAME.test(value);
}

/** `CLUSTER/NAMESPACE` or a bare namespace name (every cluster). */
export function readNamespaceRef(
  issues: IssueCollector,
  path: string,
  value: unknown,
): NamespaceRef | undefined {
  // Required: a null in a Workspace's list of namespaces is no namespace, not one to skip.
  const s = issues.readString(path, value, { required: true, nonEmpty: true });
  if (s === undefined) return undefined;
  const parts = s.split("/");
  const name = parts[parts.length - 1] ?? "";
  const cluster = parts.length === 2 ? parts[0] : undefined;
  if (parts.length > 2 || (cluster !== undefined && !isDnsSubdomain(cluster))) {
    issues.error(path, `"${s}" is not NAMESPACE or CLUSTER/NAMESPACE`);
    return undefined;
  }
  if (!isDnsLabel(name)) {
    issues.error(path, `"${s}": "${name}" is not a valid namespace name (RFC 1123 label)`);
    return undefined;
  }
  return { cluster, name };
}

const OPERATORS: readonly SelectorOperator[] = ["In", "NotIn", "Exists", "DoesNotExist"];

function readRequirement(
  issues: IssueCollector,
  path: string,
  value: unknown,
): LabelSelectorRequirement | undefined {
  const o = issues.readObject(path, value, ["key", "operator", "values"]);
  if (o === undefined) return undefined;
  const key = issues.readString(join(path, "key"), o.key, { required: true });
  if (key !== undefined && !isLabelKey(key)) {
    issues.error(join(path, "key"), `"${key}" is not a valid label key`);
  }
  const operator = issues.readEnum(join(path, "operator"), o.operator ?? "", OPERATORS);
  const rawValues = issues.readList(join(path, "values"), o.values) ?? [];
  const values: string[] = [];
  rawValues.forEach((v, i) => {
    const s = issues.readString(join(join(path, "values"), i), v, { required: true });
    if (s !== undefined) values.push(s);
  });
  if (operator === "In" || operator === "NotIn") {
    if (values.length === 0) {
      issues.error(join(path, "values"), `operator ${operator} needs at least one value`);
    }
  } else if (operator !== undefined && values.length > 0) {
    issues.error(join(path, "values"), `operator ${operator} takes no values`);
  }
  if (key === undefined || operator === undefined) return undefined;
  return { key, operator, values };
}

export function readLabelSelector(
  issues: IssueCollector,
  path: string,
  value: unknown,
): LabelSelector | undefined {
  if (value === undefined || value === null) return undefined;
  const o = issues.readObject(path, value, ["matchLabels", "matchExpressions"]);
  if (o === undefined) return undefined;
  const matchLabels: Record<string, string> = {};
  if (o.matchLabels !== undefined && o.matchLabels !== null) {
    const labels = isPlainObject(o.matchLabels) ? o.matchLabels : undefined;
    if (labels === undefined) {
      issues.error(join(path, "matchLabels"), `expected an object, got ${typeName(o.matchLabels)}`);
    }
    for (const [k, v] of Object.entries(labels ?? {})) {
      // null is absent, as everywhere (Kubernetes prunes the entry before storing it).
      if (v === null) continue;
      const at = join(join(path, "matchLabels"), k);
      if (!isLabelKey(k)) issues.error(at, `"${k}" is not a valid label key`);
      if (typeof v !== "string") issues.error(at, `expected a string, got ${typeName(v)}`);
      else if (!isLabelValue(v)) issues.error(at, `"${v}" is not a valid label value`);
      else matchLabels[k] = v;
    }
  }
  const matchExpressions: LabelSelectorRequirement[] = [];
  const rawExpressions = issues.readList(join(path, "matchExpressions"), o.matchExpressions) ?? [];
  rawExpressions.forEach((e, i) => {
    const r = readRequirement(issues, join(join(path, "matchExpressions"), i), e);
    if (r !== undefined) matchExpressions.push(r);
  });
  return { matchLabels, matchExpressions };
}

/** LabelSelector semantics: every matchLabels entry and every expression must hold. */
export function matchesSelector(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const key in selector.matchLabels) {
    if (labels[key] !== selector.matchLabels[key]) return false;
  }
  for (const r of selector.matchExpressions) {
    const has = Object.hasOwn(labels, r.key);
    switch (r.operator) {
      case "In":
        if (!has || !r.values.includes(labels[r.key] as string)) return false;
        break;
      case "NotIn":
        if (has && r.values.includes(labels[r.key] as string)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
    }
  }
  return true;
}
