/**
 * Impact preview (docs/impact.md): what a change to the organization's policies or exceptions
 * would do to the workloads running in its clusters and to the recent admissions, before the
 * change is made. Every workload is decided twice, under the current and the candidate set,
 * with the same per-cluster scoping as the agent's bundle (compileBundle), so the answer is
 * what the clusters would enforce.
 *
 * Pure: the caller passes the rows, the regex engine and the time.
 */
import {
  type ContainerInput,
  type ContainerKind,
  createEvaluator,
  type Evaluator,
  type NamespaceFacts,
  toNamespaceFacts,
  type Verdict,
} from "../evaluate/index.js";
import {
  compilePolicySet,
  type ImagePolicy,
  type ImagePolicyException,
  type RegexEngine,
  validateDocument,
  type Workspace,
} from "../policy/index.js";
import { compileBundle, isExceptionRow } from "./bundle.js";
import type { InventoryWorkload } from "./inventory.js";
import type { AttachmentRow, NamespaceRow, PolicyRow, ViolationRecord } from "./store.js";

export type ImpactKind = "ImagePolicy" | "ImagePolicyException";

/** One change to preview, resolved: `document` is set for create and update. */
export interface ImpactChange {
  readonly op: "create" | "update" | "delete";
  readonly kind: ImpactKind;
  readonly name: string;
  readonly document?: Readonly<Record<string, unknown>>;
}

export interface InventoryRow {
  readonly cluster: string;
  readonly workload: InventoryWorkload;
}

export interface ImpactInput {
  /** The organization's stored policies and exceptions (exception rows told by their kind). */
  readonly rows: readonly PolicyRow[];
  readonly attachments: readonly AttachmentRow[];
  readonly namespaces: readonly NamespaceRow[];
  readonly changes: readonly ImpactChange[];
  readonly inventory: readonly InventoryRow[];
  /** Violation records of the last N days (the admission event stream). */
  readonly admissions: readonly ViolationRecord[];
  readonly regex: RegexEngine;
  /** ms since the epoch: exception expiry and validation. */
  readonly now: number;
  /** Most groups listed per bucket (default 200). */
  readonly maxGroups?: number;
  /** Workloads outside what the caller may see are left out of every count. */
  readonly canSee?: (cluster: string, namespace: string) => boolean;
  /** Policy and exception names the caller may see; others are shown as HIDDEN_POLICY. */
  readonly canSeePolicy?: (name: string) => boolean;
}

export const HIDDEN_POLICY = "(a policy outside your workspaces)";
export const DEFAULT_MAX_GROUPS = 200;

export interface ImpactGroup {
  readonly cluster: string;
  readonly namespace: string;
  readonly owner: { readonly kind: string; readonly name: string };
  readonly images: readonly string[];
  /** The policies that deny (or warn) after the change; before it for wouldAllow. */
  readonly policies: readonly string[];
  readonly codes: readonly string[];
  /** Admissions only: how many violation records the workload has in the window. */
  readonly records?: number;
}

export interface ImpactBucket {
  readonly workloads: number;
  readonly clusters: number;
  readonly groups: readonly ImpactGroup[];
  readonly truncated: boolean;
}

export interface ImpactSide {
  /** Workloads decided (visible to the caller). */
  readonly evaluated: number;
  /** Allowed or warned now, denied after the change. */
  readonly wouldDeny: ImpactBucket;
  /** Allowed now, warned after the change. */
  readonly wouldWarn: ImpactBucket;
  /** Denied now and after. */
  readonly alreadyDenied: ImpactBucket;
  /** Denied now, no longer denied after the change (deletes, exceptions). */
  readonly wouldAllow: ImpactBucket;
}

export interface ImpactResult {
  readonly inventory: ImpactSide;
  readonly admissions: ImpactSide;
  /** What the preview could not decide, in words (supply-chain rules, invalid stored documents). */
  readonly notEvaluated: readonly string[];
}

type Validated =
  | { readonly kind: "ImagePolicy"; readonly policy: ImagePolicy }
  | { readonly kind: "ImagePolicyException"; readonly exception: ImagePolicyException };

/** The scope of a validated document as stored (what the bundle's scoping reads). */
function scopeOf(v: Validated): PolicyRow["scope"] {
  const scope = v.kind === "ImagePolicy" ? v.policy.scope : v.exception.scope;
  switch (scope.kind) {
    case "organization":
      return { kind: "organization" };
    case "workspace":
      return { kind: "workspace", workspace: scope.name };
    case "namespace":
      return {
        kind: "namespace",
        namespace: scope.namespace.name,
        ...(scope.namespace.cluster === undefined ? {} : { cluster: scope.namespace.cluster }),
      };
  }
}

const keyOf = (kind: string, name: string) => `${kind}/${name}`;

function rowKind(row: PolicyRow): ImpactKind {
  return isExceptionRow(row) ? "ImagePolicyException" : "ImagePolicy";
}

/** A validated document set: rows by kind/name, each validated once. */
class DocumentSet {
  readonly rows: PolicyRow[] = [];
  readonly validated = new Map<string, Validated>();
  constructor(
    private readonly regex: RegexEngine,
    private readonly now: number,
    private readonly invalid: string[],
  ) {}

  add(row: PolicyRow, known?: Validated): void {
    const kind = rowKind(row);
    const v = known ?? this.validate(row.document);
    if (v === undefined) {
      // A stored document that no longer validates is refused by every agent with its bundle.
      this.invalid.push(`${kind} ${row.metadata.name} does not validate and was left out`);
      return;
    }
    this.rows.push(row);
    this.validated.set(keyOf(kind, row.metadata.name), v);
  }

  validate(document: unknown): Validated | undefined {
    const r = validateDocument(document, undefined, { regex: this.regex, now: this.now });
    if (r.kind === "ImagePolicy") return { kind: r.kind, policy: r.policy };
    if (r.kind === "ImagePolicyException") return { kind: r.kind, exception: r.exception };
    return undefined;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** The organization's set after the changes, in the order stored rows have. */
function applyChanges(
  current: DocumentSet,
  changes: readonly ImpactChange[],
  candidate: DocumentSet,
): void {
  const replaced = new Map<string, ImpactChange>();
  for (const c of changes) replaced.set(keyOf(c.kind, c.name), c);
  for (const row of current.rows) {
    const key = keyOf(rowKind(row), row.metadata.name);
    if (replaced.has(key)) continue;
    candidate.add(row, current.validated.get(key));
  }
  for (const c of replaced.values()) {
    if (c.op === "delete" || c.document === undefined) continue;
    const v = candidate.validate(c.document);
    if (v === undefined) continue;
    candidate.add(
      {
        organization: "",
        metadata: {
          name: c.name,
          uid: "",
          resourceVersion: "0",
          creationTimestamp: "",
          updatedAt: "",
          createdBy: "",
          updatedBy: "",
        },
        document: c.document,
        scope: scopeOf(v),
      },
      v,
    );
  }
}

interface ClusterIndex {
  readonly attachments: ReadonlyMap<string, readonly AttachmentRow[]>;
  readonly namespaces: ReadonlyMap<string, readonly NamespaceRow[]>;
}

interface CompiledCluster {
  readonly evaluator: Evaluator;
  /** Identifies the compiled set: clusters whose bundles are equal share it. */
  readonly id: string;
  readonly hasExceptions: boolean;
}

/**
 * Compiles each cluster's bundle of one document set once; clusters with equal bundles
 * (the same policies and workspace lists) share one compiled set and its memos.
 */
class ClusterSets {
  private readonly byCluster = new Map<string, CompiledCluster>();
  private readonly byContent = new Map<string, CompiledCluster>();
  constructor(
    private readonly docs: DocumentSet,
    private readonly index: ClusterIndex,
    private readonly regex: RegexEngine,
    private readonly now: number,
  ) {}

  get(cluster: string): CompiledCluster {
    const known = this.byCluster.get(cluster);
    if (known !== undefined) return known;
    const bundle = compileBundle({
      revision: 0,
      cluster,
      policies: this.docs.rows,
      attachments: this.index.attachments.get(cluster) ?? [],
      namespaces: this.index.namespaces.get(cluster) ?? [],
    });
    const policyNames = bundle.policies.map((d) => (d.metadata as { name: string }).name);
    const exceptionNames = (bundle.exceptions ?? []).map(
      (d) => (d.metadata as { name: string }).name,
    );
    const workspaces: Workspace[] = bundle.workspaces.map((d) => ({
      name: (d.metadata as { name: string }).name,
      namespaces: ((d.spec as { namespaces: string[] }).namespaces ?? []).map((ref) => {
        const slash = ref.indexOf("/");
        return { cluster: ref.slice(0, slash), name: ref.slice(slash + 1) };
      }),
      origin: undefined,
    }));
    const content = JSON.stringify([policyNames, exceptionNames, bundle.workspaces]);
    let compiled = this.byContent.get(content);
    if (compiled === undefined) {
      const policies: ImagePolicy[] = [];
      for (const name of policyNames) {
        const v = this.docs.validated.get(keyOf("ImagePolicy", name));
        if (v?.kind === "ImagePolicy") policies.push(v.policy);
      }
      const exceptions: ImagePolicyException[] = [];
      for (const name of exceptionNames) {
        const v = this.docs.validated.get(keyOf("ImagePolicyException", name));
        if (v?.kind === "ImagePolicyException") exceptions.push(v.exception);
      }
      const now = this.now;
      compiled = {
        evaluator: createEvaluator(
          compilePolicySet(policies, workspaces, this.regex, exceptions),
          undefined,
          { now: () => now },
        ),
        id: String(this.byContent.size),
        hasExceptions: exceptions.length > 0,
      };
      this.byContent.set(content, compiled);
    }
    this.byCluster.set(cluster, compiled);
    return compiled;
  }
}

/** What one workload is decided on: the subject of a group. */
interface Subject {
  readonly cluster: string;
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly containers: readonly ContainerInput[];
  readonly records?: number;
}

interface Outcome {
  readonly verdict: Verdict;
  readonly deny: readonly string[];
  readonly warn: readonly string[];
  readonly codes: readonly string[];
}

const TYPES: Record<InventoryWorkload["containers"][number]["type"], ContainerKind> = {
  container: "containers",
  initContainer: "initContainers",
  ephemeralContainer: "ephemeralContainers",
};

const NONE: readonly string[] = [];

/** Distinct and sorted; the common short lists skip the Set. */
function sorted(xs: readonly string[]): readonly string[] {
  if (xs.length === 0) return NONE;
  if (xs.length === 1) return xs;
  return [...new Set(xs)].sort();
}

/** Most workloads break nothing: one shared outcome, no allocation per decision. */
const ALLOWED: Outcome = { verdict: "allow", deny: NONE, warn: NONE, codes: NONE };

/** The images part of a subject's memo key, made once for both decisions. */
const imagesKeys = new WeakMap<Subject, string>();
function imagesKeyOf(s: Subject): string {
  let key = imagesKeys.get(s);
  if (key === undefined) {
    key = s.containers.map((c) => `${c.containerType}=${c.image ?? ""}`).join("\n");
    imagesKeys.set(s, key);
  }
  return key;
}

/** Decides subjects under one document set, memoized by (compiled set, namespace facts, images). */
class Decider {
  private readonly facts = new Map<string, { facts: NamespaceFacts; key: string }>();
  /** By compiled set and namespace, then by workload (with exceptions) and images. */
  private readonly memo = new Map<string, Map<string, Outcome>>();
  constructor(
    private readonly sets: ClusterSets,
    private readonly labels: ReadonlyMap<string, Readonly<Record<string, string>>>,
  ) {}

  /**
   * The namespace's facts, and the key its decisions are memoized under: its name and labels,
   * not its cluster. Clusters share a compiled set only when their bundles are equal, and an
   * equal bundle names no cluster (a policy or workspace naming one reaches only that
   * cluster's bundle), so in a shared set a namespace is decided by its name and labels alone.
   */
  private factsOf(cluster: string, namespace: string): { facts: NamespaceFacts; key: string } {
    const at = `${cluster}/${namespace}`;
    let f = this.facts.get(at);
    if (f === undefined) {
      const labels = this.labels.get(at) ?? {};
      const pairs = Object.keys(labels)
        .sort()
        .map((k) => [k, labels[k]]);
      f = {
        facts: toNamespaceFacts(namespace, labels, cluster),
        key: `${namespace}\u0000${JSON.stringify(pairs)}`,
      };
      this.facts.set(at, f);
    }
    return f;
  }

  decide(s: Subject): Outcome {
    const set = this.sets.get(s.cluster);
    const ns = this.factsOf(s.cluster, s.namespace);
    const where = `${set.id}\u0000${ns.key}`;
    let memo = this.memo.get(where);
    if (memo === undefined) {
      memo = new Map();
      this.memo.set(where, memo);
    }
    // Exceptions may name workloads, so with exceptions the workload is part of the key.
    const images = imagesKeyOf(s);
    const key = set.hasExceptions ? `${s.kind}/${s.name}\u0000${images}` : images;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const decision = set.evaluator.evaluate(ns.facts, s.containers, {
      kind: s.kind,
      name: s.name,
    });
    if (decision.violations.length === 0) {
      memo.set(key, ALLOWED);
      return ALLOWED;
    }
    const deny: string[] = [];
    const warn: string[] = [];
    const codes: string[] = [];
    for (const v of decision.violations) {
      if (v.action === "deny") deny.push(v.policy);
      else if (v.action === "warn") warn.push(v.policy);
      codes.push(v.code);
    }
    const outcome = { verdict: decision.verdict, deny: sorted(deny), warn: sorted(warn), codes };
    memo.set(key, outcome);
    return outcome;
  }
}

class BucketBuilder {
  private count = 0;
  private readonly clusters = new Set<string>();
  private readonly groups: ImpactGroup[] = [];
  constructor(private readonly max: number) {}

  /** `group` is built only while the list has room: most workloads are only counted. */
  add(cluster: string, group: () => ImpactGroup): void {
    this.count++;
    this.clusters.add(cluster);
    if (this.groups.length < this.max) this.groups.push(group());
  }

  build(): ImpactBucket {
    return {
      workloads: this.count,
      clusters: this.clusters.size,
      groups: this.groups,
      truncated: this.count > this.groups.length,
    };
  }
}

// Code-unit order, as the bundle sorts names: stable across locales, and cheap.
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function compareSubjects(a: Subject, b: Subject): number {
  return (
    cmp(a.cluster, b.cluster) ||
    cmp(a.namespace, b.namespace) ||
    cmp(a.kind, b.kind) ||
    cmp(a.name, b.name)
  );
}

function side(
  subjects: readonly Subject[],
  before: Decider,
  after: Decider,
  max: number,
  policyName: (name: string) => string,
): ImpactSide {
  const buckets = {
    wouldDeny: new BucketBuilder(max),
    wouldWarn: new BucketBuilder(max),
    alreadyDenied: new BucketBuilder(max),
    wouldAllow: new BucketBuilder(max),
  };
  for (const s of [...subjects].sort(compareSubjects)) {
    const was = before.decide(s);
    const will = after.decide(s);
    const group = (o: Outcome, policies: readonly string[]) => (): ImpactGroup => ({
      cluster: s.cluster,
      namespace: s.namespace,
      owner: { kind: s.kind, name: s.name },
      images: sorted(s.containers.map((c) => c.image ?? "")),
      policies: sorted(policies.map(policyName)),
      codes: sorted(o.codes),
      ...(s.records === undefined ? {} : { records: s.records }),
    });
    if (will.verdict === "deny" && was.verdict === "deny") {
      buckets.alreadyDenied.add(s.cluster, group(will, will.deny));
    } else if (will.verdict === "deny") buckets.wouldDeny.add(s.cluster, group(will, will.deny));
    else if (was.verdict === "deny") buckets.wouldAllow.add(s.cluster, group(was, was.deny));
    else if (will.verdict === "warn" && was.verdict === "allow") {
      buckets.wouldWarn.add(s.cluster, group(will, will.warn));
    }
  }
  return {
    evaluated: subjects.length,
    wouldDeny: buckets.wouldDeny.build(),
    wouldWarn: buckets.wouldWarn.build(),
    alreadyDenied: buckets.alreadyDenied.build(),
    wouldAllow: buckets.wouldAllow.build(),
  };
}

/** The admission records of one workload become one subject, each container once. */
function admissionSubjects(
  records: readonly ViolationRecord[],
  canSee: (cluster: string, namespace: string) => boolean,
): Subject[] {
  const byWorkload = new Map<string, { s: Subject; seen: Set<string>; list: ContainerInput[] }>();
  for (const r of records) {
    if (!canSee(r.cluster, r.namespace)) continue;
    // Grouped by the top owner the event names (a retried Pod of a ReplicaSet is its
    // Deployment), as running workloads are; records without one stand for themselves.
    const kind = r.ownerKind ?? r.kind;
    const name = r.ownerName ?? r.name;
    const key = `${r.cluster}\u0000${r.namespace}\u0000${kind}\u0000${name}`;
    let entry = byWorkload.get(key);
    if (entry === undefined) {
      const list: ContainerInput[] = [];
      entry = {
        s: {
          cluster: r.cluster,
          namespace: r.namespace,
          kind,
          name,
          containers: list,
        },
        seen: new Set(),
        list,
      };
      byWorkload.set(key, entry);
    }
    // A deduplicated event stands for `count` admissions (one retried workload is one row).
    const times = r.count ?? 1;
    (entry.s as { records?: number }).records = (entry.s.records ?? 0) + times;
    const c = `${r.container}\u0000${r.image}`;
    if (entry.seen.has(c)) continue;
    entry.seen.add(c);
    // The event stream does not keep the container's type; these are decided as containers.
    entry.list.push({ container: r.container, containerType: "containers", image: r.image });
  }
  return [...byWorkload.values()].map((e) => e.s);
}

/** Supply-chain rules need facts (signatures, scans) that only the clusters have. */
function supplyNotes(docs: DocumentSet, changes: readonly ImpactChange[]): string[] {
  const notes: string[] = [];
  for (const c of changes) {
    if (c.kind !== "ImagePolicy" || c.op === "delete") continue;
    const v = docs.validated.get(keyOf("ImagePolicy", c.name));
    if (v?.kind === "ImagePolicy" && v.policy.supply !== undefined) {
      notes.push(
        `the supply-chain rules of ImagePolicy ${c.name} were not evaluated: the control plane has no signatures or scan results`,
      );
    }
  }
  return notes;
}

export function computeImpact(input: ImpactInput): ImpactResult {
  const max = input.maxGroups ?? DEFAULT_MAX_GROUPS;
  const canSee = input.canSee ?? (() => true);
  const canSeePolicy = input.canSeePolicy ?? (() => true);
  const policyName = (name: string) => (canSeePolicy(name) ? name : HIDDEN_POLICY);
  const notes: string[] = [];
  const current = new DocumentSet(input.regex, input.now, notes);
  for (const row of input.rows) current.add(row);
  const candidate = new DocumentSet(input.regex, input.now, []);
  applyChanges(current, input.changes, candidate);

  const attachments = new Map<string, AttachmentRow[]>();
  for (const a of input.attachments) push(attachments, a.cluster, a);
  const namespaces = new Map<string, NamespaceRow[]>();
  const labels = new Map<string, Readonly<Record<string, string>>>();
  for (const ns of input.namespaces) {
    push(namespaces, ns.cluster, ns);
    labels.set(`${ns.cluster}/${ns.name}`, ns.labels);
  }
  const index = { attachments, namespaces };
  const before = new Decider(new ClusterSets(current, index, input.regex, input.now), labels);
  const after = new Decider(new ClusterSets(candidate, index, input.regex, input.now), labels);

  const running: Subject[] = [];
  for (const { cluster, workload: w } of input.inventory) {
    if (!canSee(cluster, w.namespace)) continue;
    running.push({
      cluster,
      namespace: w.namespace,
      kind: w.kind,
      name: w.name,
      containers: w.containers.map((c) => ({
        container: c.name,
        containerType: TYPES[c.type] ?? "containers",
        image: c.image,
      })),
    });
  }
  return {
    inventory: side(running, before, after, max, policyName),
    admissions: side(admissionSubjects(input.admissions, canSee), before, after, max, policyName),
    notEvaluated: [...notes, ...supplyNotes(candidate, input.changes)],
  };
}
