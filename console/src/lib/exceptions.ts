/**
 * The Exceptions page's logic, without React: how an expiry reads ("expires in 5 days",
 * "expired"), the form's document, its field errors before the server is asked, and the
 * server's field errors placed at the same paths.
 */
import { isDnsLabel, isDnsSubdomain } from "../../../src/core/policy/selector.js";
import type { ErrorDetail } from "./api.js";
import type { ImagePolicyException } from "./api-types.js";

const DAY = 86_400_000;

/** When an exception stops applying: a date is valid through that whole day, UTC. */
export function expiryInstant(expires: string): number | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(expires)) {
    const t = Date.parse(`${expires}T00:00:00Z`);
    return Number.isNaN(t) ? undefined : t + DAY;
  }
  const t = Date.parse(expires);
  return Number.isNaN(t) ? undefined : t;
}

export type ExpiryState = "active" | "expiring" | "expired";

/** The expiry in words and its state: "expiring" within 14 days, as lint warns. */
export function describeExpiry(expires: string, now: number): { text: string; state: ExpiryState } {
  const at = expiryInstant(expires);
  if (at === undefined) return { text: `expires ${expires}`, state: "active" };
  const left = at - now;
  if (left <= 0) {
    const ago = Math.floor(-left / DAY);
    return {
      text: ago === 0 ? "expired today" : `expired ${ago} day${ago === 1 ? "" : "s"} ago`,
      state: "expired",
    };
  }
  const days = Math.floor(left / DAY);
  const text =
    days === 0
      ? `expires in ${Math.max(1, Math.ceil(left / 3_600_000))} h`
      : `expires in ${days} day${days === 1 ? "" : "s"}`;
  return { text, state: left <= 14 * DAY ? "expiring" : "active" };
}

/** What the create form holds, as typed. */
export interface ExceptionForm {
  readonly name: string;
  /** Comma- or space-separated policy names, or `*`. */
  readonly policies: string;
  readonly scope: "organization" | "workspace" | "namespace";
  readonly workspace: string;
  readonly namespace: string;
  /** One pattern a line. */
  readonly images: string;
  /** One `Kind/name-pattern` or `name-pattern` a line. */
  readonly workloads: string;
  readonly reason: string;
  readonly owner: string;
  readonly expires: string;
}

export const EMPTY_FORM: ExceptionForm = {
  name: "",
  policies: "",
  scope: "namespace",
  workspace: "",
  namespace: "",
  images: "",
  workloads: "",
  reason: "",
  owner: "",
  expires: "",
};

const words = (s: string) => s.split(/[\s,]+/).filter((x) => x !== "");
const lines = (s: string) =>
  s
    .split("\n")
    .map((x) => x.trim())
    .filter((x) => x !== "");

function toWorkload(line: string): { kind?: string; name: string } {
  const at = line.indexOf("/");
  return at <= 0 ? { name: line } : { kind: line.slice(0, at), name: line.slice(at + 1) };
}

/** The ImagePolicyException the form describes (the server validates it in full). */
export function toExceptionDocument(form: ExceptionForm): ImagePolicyException {
  const images = lines(form.images);
  const workloads = lines(form.workloads).map(toWorkload);
  const scope =
    form.scope === "workspace"
      ? { workspace: form.workspace.trim() }
      : form.scope === "namespace"
        ? { namespace: form.namespace.trim() }
        : {};
  return {
    apiVersion: "customs.dev/v1alpha1",
    kind: "ImagePolicyException",
    metadata: { name: form.name.trim() },
    spec: {
      policies: words(form.policies),
      ...scope,
      ...(images.length === 0 ? {} : { images }),
      ...(workloads.length === 0 ? {} : { workloads }),
      reason: form.reason.trim(),
      owner: form.owner.trim(),
      expires: form.expires.trim(),
    },
  } as ImagePolicyException;
}

/** What can be told before asking the server, keyed by the server's field paths. */
export function formErrors(form: ExceptionForm): Record<string, string> {
  const out: Record<string, string> = {};
  const name = form.name.trim();
  if (name === "") out["metadata.name"] = "Enter a name.";
  else if (!isDnsSubdomain(name)) {
    out["metadata.name"] = "Use lowercase letters, digits, '-' and '.'.";
  }
  if (words(form.policies).length === 0) {
    out["spec.policies"] = "Name at least one policy, or * for every policy.";
  }
  if (form.scope === "workspace" && !isDnsLabel(form.workspace.trim())) {
    out["spec.workspace"] = "Enter a workspace name.";
  }
  if (form.scope === "namespace" && form.namespace.trim() === "") {
    out["spec.namespace"] = "Enter a namespace (NAME or CLUSTER/NAME).";
  }
  if (lines(form.images).length === 0 && lines(form.workloads).length === 0) {
    out.spec = "Say what the exception covers: images and/or workloads.";
  }
  if (form.reason.trim() === "") out["spec.reason"] = "Say why.";
  if (form.owner.trim() === "") out["spec.owner"] = "Say who answers for it.";
  if (expiryInstant(form.expires.trim()) === undefined) {
    out["spec.expires"] = "Enter a date (2027-01-31) or a date-time.";
  }
  return out;
}

/** The server's field errors at the form's fields: `spec.images[2]` shows at `spec.images`. */
export function placeServerErrors(details: readonly ErrorDetail[]): Record<string, string> {
  const fields = [
    "metadata.name",
    "spec.policies",
    "spec.workspace",
    "spec.namespace",
    "spec.images",
    "spec.workloads",
    "spec.reason",
    "spec.owner",
    "spec.expires",
  ];
  const out: Record<string, string> = {};
  for (const d of details) {
    const field =
      fields.find(
        (f) => d.path === f || d.path.startsWith(`${f}[`) || d.path.startsWith(`${f}.`),
      ) ?? "spec";
    const known = d.path.startsWith(field);
    const where = !known || d.path === field ? "" : `${d.path.slice(field.length)}: `;
    const message = `${where}${d.message}`;
    out[field] = out[field] === undefined ? message : `${out[field]} ${message}`;
  }
  return out;
}

/** An exception as read from the API: what editing needs of it. */
export interface StoredException {
  readonly metadata: {
    readonly name: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  /** Read field by field: a stored document may hold what the form does not show. */
  readonly spec: object;
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

/** The form for editing a stored exception (the inverse of toExceptionDocument). */
export function toExceptionForm(doc: StoredException): ExceptionForm {
  const spec = doc.spec as Readonly<Record<string, unknown>>;
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  const workloads = Array.isArray(spec.workloads) ? spec.workloads : [];
  return {
    name: doc.metadata.name,
    policies: strings(spec.policies).join(", "),
    scope:
      typeof spec.workspace === "string"
        ? "workspace"
        : typeof spec.namespace === "string"
          ? "namespace"
          : "organization",
    workspace: text(spec.workspace),
    namespace: text(spec.namespace),
    images: strings(spec.images).join("\n"),
    workloads: workloads
      .map((w: { kind?: unknown; name?: unknown }) =>
        typeof w.kind === "string" && w.kind !== "" ? `${w.kind}/${text(w.name)}` : text(w.name),
      )
      .join("\n"),
    reason: text(spec.reason),
    owner: text(spec.owner),
    expires: text(spec.expires),
  };
}

/**
 * The document that replaces an edited exception: the form's fields, and what the form does not
 * show (`namespaceSelector`, metadata labels and annotations) as it was. The server's
 * bookkeeping (uid, resourceVersion, timestamps) is not sent: If-Match carries the version.
 */
export function toEditedExceptionDocument(
  form: ExceptionForm,
  original: StoredException,
): ImagePolicyException {
  const doc = toExceptionDocument({ ...form, name: original.metadata.name });
  const { labels, annotations } = original.metadata;
  const selector = (original.spec as Readonly<Record<string, unknown>>).namespaceSelector;
  return {
    ...doc,
    metadata: {
      ...doc.metadata,
      ...(labels === undefined ? {} : { labels }),
      ...(annotations === undefined ? {} : { annotations }),
    },
    spec: { ...doc.spec, ...(selector === undefined ? {} : { namespaceSelector: selector }) },
  } as ImagePolicyException;
}
