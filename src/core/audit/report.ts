/**
 * wgpolicyk8s.io/v1alpha2 PolicyReports, as Kyverno writes them and Policy Reporter reads
 * them: one report per audited workload (its top owner), named after it, in its namespace.
 * See docs/audit.md for the names, the severities and what each field holds.
 */
import type { InventoryWorkload } from "../fleet/inventory.js";
import type { Action } from "../policy/index.js";
import type { AuditResult } from "./results.js";

export const POLICY_REPORT_API_VERSION = "wgpolicyk8s.io/v1alpha2";
export const POLICY_REPORTS_GROUP = "wgpolicyk8s.io";
/** The label every report Customs writes carries; the auditor lists and deletes only those. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "customs";
/** `result.source`: Policy Reporter groups results by it. */
export const REPORT_SOURCE = "customs";
export const REPORT_CATEGORY = "Image policy";
/** Labels naming the report's workload, for `kubectl get polr -l customs.dev/owner-kind=...`. */
export const OWNER_KIND_LABEL = "customs.dev/owner-kind";

/** Kubernetes object names (DNS subdomains) are at most this long. */
const MAX_NAME = 253;

export type Severity = "high" | "medium" | "low";

/** deny → high, warn → medium, audit → low: how much the policy's own action says it matters. */
export const SEVERITY_OF: Record<Action, Severity> = { deny: "high", warn: "medium", audit: "low" };

/** The apiVersion each workload kind is served at. */
export const API_VERSION_OF: Record<InventoryWorkload["kind"], string> = {
  Deployment: "apps/v1",
  StatefulSet: "apps/v1",
  DaemonSet: "apps/v1",
  ReplicaSet: "apps/v1",
  CronJob: "batch/v1",
  Job: "batch/v1",
  Pod: "v1",
  ReplicationController: "v1",
};

/** One audited workload: what the report's scope names, and its results. */
export interface AuditedWorkload {
  readonly namespace: string;
  /** An InventoryWorkload kind, or (from `customs check`) any kind that holds a pod spec. */
  readonly kind: string;
  /** Its apiVersion; by default the one each InventoryWorkload kind is served at. */
  readonly apiVersion?: string;
  readonly name: string;
  /** The owner's uid, when the auditor read the owner itself. */
  readonly uid?: string;
  readonly results: readonly AuditResult[];
}

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
}

export interface PolicyReportResult {
  readonly source: string;
  readonly policy: string;
  readonly rule: string;
  readonly result: "pass" | "fail" | "warn" | "error" | "skip";
  readonly message?: string;
  readonly severity: Severity;
  readonly category: string;
  readonly scored: boolean;
  readonly timestamp: { readonly seconds: number; readonly nanos: number };
  readonly resources: readonly ObjectRef[];
  readonly properties?: Readonly<Record<string, string>>;
}

export interface PolicyReportSummary {
  readonly pass: number;
  readonly fail: number;
  readonly warn: number;
  readonly error: number;
  readonly skip: number;
}

export interface PolicyReport {
  readonly apiVersion: typeof POLICY_REPORT_API_VERSION;
  readonly kind: "PolicyReport";
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
  };
  readonly scope: ObjectRef;
  readonly summary: PolicyReportSummary;
  readonly results: readonly PolicyReportResult[];
}

/** 32-bit FNV-1a, hex: a short, stable suffix for names too long to use whole. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/**
 * `customs-<kind>-<name>` (kind in lower case): stable across passes and restarts, so a
 * report is replaced in place, and readable in `kubectl get polr`. A name that would pass 253
 * characters keeps its start and ends with a hash of the whole.
 */
export function policyReportName(kind: string, name: string): string {
  const full = `customs-${kind.toLowerCase()}-${name}`;
  if (full.length <= MAX_NAME) return full;
  const hash = fnv1a(full);
  return `${full.slice(0, MAX_NAME - hash.length - 1).replace(/[-.]+$/, "")}-${hash}`;
}

function ruleOf(r: AuditResult): string {
  if (r.code !== undefined) return r.code;
  return r.result === "skip" ? "supply-chain" : "images";
}

/** The report of one workload; `nowMs` stamps every result (core has no clock). */
export function buildPolicyReport(w: AuditedWorkload, nowMs: number): PolicyReport {
  const scope: ObjectRef = {
    apiVersion: w.apiVersion ?? API_VERSION_OF[w.kind as InventoryWorkload["kind"]] ?? "v1",
    kind: w.kind,
    name: w.name,
    namespace: w.namespace,
    ...(w.uid !== undefined ? { uid: w.uid } : {}),
  };
  const timestamp = {
    seconds: Math.floor(nowMs / 1000),
    nanos: Math.floor((((nowMs % 1000) + 1000) % 1000) * 1e6),
  };
  const summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  const results: PolicyReportResult[] = [];
  for (const r of w.results) {
    summary[r.result]++;
    const properties: Record<string, string> = {};
    if (r.image !== undefined) properties.image = r.image;
    if (r.container !== undefined) properties.container = r.container;
    if (r.code !== undefined) properties.code = r.code;
    if (r.violations > 1) properties.violations = String(r.violations);
    results.push({
      source: REPORT_SOURCE,
      policy: r.policy,
      rule: ruleOf(r),
      result: r.result,
      ...(r.message !== undefined ? { message: r.message } : {}),
      severity: SEVERITY_OF[r.action],
      category: REPORT_CATEGORY,
      scored: true,
      timestamp,
      resources: [scope],
      ...(Object.keys(properties).length > 0 ? { properties } : {}),
    });
  }
  return {
    apiVersion: POLICY_REPORT_API_VERSION,
    kind: "PolicyReport",
    metadata: {
      name: policyReportName(w.kind, w.name),
      namespace: w.namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [OWNER_KIND_LABEL]: w.kind },
    },
    scope,
    summary,
    results,
  };
}

/**
 * What a report says, without its timestamps: two passes that found the same results give
 * the same fingerprint, so the auditor writes a report only when its content changed.
 */
export function reportFingerprint(r: PolicyReport): string {
  return JSON.stringify({
    metadata: r.metadata,
    scope: r.scope,
    summary: r.summary,
    results: r.results.map(({ timestamp: _t, ...rest }) => rest),
  });
}

/** `namespace/name`: the key of a report among a cluster's. */
export function reportKey(r: { metadata: { name: string; namespace?: string } }): string {
  return `${r.metadata.namespace ?? ""}/${r.metadata.name}`;
}
