import type { InputText } from "../../adapters/files/index.js";
import type { ApplicablePolicy } from "../../core/audit/index.js";
import { CustomsError } from "../../core/errors.js";
import {
  createEvaluator,
  type Evaluator,
  type Exemption,
  imagesNeedingFacts,
  isSupplyPolicy,
  type NamespaceFacts,
  REFUSE_TAGS,
  toNamespaceFacts,
  type Verdict,
  type Violation,
  withSupplyFacts,
} from "../../core/evaluate/index.js";
import type { CompiledPolicy, CompiledPolicySet } from "../../core/policy/index.js";
import { type ContainerImage, extractResources, type Workload } from "../../core/workload/index.js";
import {
  type DocumentPlace,
  placeOf,
  readDocuments,
  type SourceDocument,
} from "../documents/index.js";
// Types only: fetching supply-chain facts (registries, Sigstore) loads when a policy needs it.
import type { SupplyContext } from "../supply/index.js";

/** Namespace of a workload that names none, as kubectl applies it. */
export const DEFAULT_NAMESPACE = "default";

export interface CheckedResource {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly source: string;
  readonly verdict: Verdict;
  readonly violations: readonly Violation[];
  /** Violations that ImagePolicyExceptions exempted (present only when there are some). */
  readonly exempted?: readonly Exemption[];
  /** Where it came from, for line numbers (SARIF) — not part of the JSON output. */
  readonly document: DocumentPlace;
  readonly containers: readonly ContainerImage[];
  /**
   * The policies that apply to its namespace, in the set's order (one list shared by the
   * namespaces that have the same): `-o policyreport` gives each a result, pass included.
   */
  readonly applicable?: readonly ApplicablePolicy[];
}

export interface CheckReport {
  readonly summary: { resources: number; denied: number; warned: number; allowed: number };
  readonly results: CheckedResource[];
  /** Files found in folders and skipped as not Kubernetes manifests, each with the reason. */
  readonly notes?: readonly string[];
  /** Images decided on last-known-good facts (supply-chain recipes only). */
  readonly degraded?: readonly string[];
}

export interface CheckOptions {
  /** Cluster the manifests are for, to resolve `CLUSTER/NAMESPACE` entries of Workspaces. */
  readonly cluster?: string;
  /** The time (ms since the epoch) at which exceptions are judged; the clock by default. */
  readonly now?: number;
}

function evaluatorOf(set: CompiledPolicySet, options: CheckOptions): Evaluator {
  const now = options.now ?? Date.now();
  return createEvaluator(set, undefined, { now: () => now });
}

import { PullSecretIndex } from "./pull-secrets.js";

interface Located {
  readonly document: DocumentPlace;
  readonly workload: Workload;
}

/**
 * A document that is not a whole Kubernetes object, which kubectl would refuse to apply:
 * Helm values, a Chart.yaml (apiVersion only), a tool's config, a kustomize patch.
 */
function isNotAnObject(value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return true;
  // `$patch` marks a kustomize strategic-merge patch: a change to an object, not one.
  return !("apiVersion" in value) || !("kind" in value) || "$patch" in value;
}

/** Go template actions: a Helm chart's templates are not YAML until rendered. */
const TEMPLATE_ACTION = /\{\{[\s\S]*?\}\}/;

/** What one file's documents give, before it is known whether the file counts. */
class FileFindings {
  readonly located: Located[] = [];
  readonly problems: string[] = [];
  readonly namespaces: { name: string; labels: Record<string, string> }[] = [];
  readonly pullSecrets: [
    NonNullable<ReturnType<typeof extractResources>["pullSecrets"]>,
    NonNullable<ReturnType<typeof extractResources>["serviceAccounts"]>,
  ][] = [];

  add(document: SourceDocument): void {
    const extracted = extractResources(document.value);
    for (const p of extracted.problems) {
      this.problems.push(
        `${document.source}: document ${document.index}: ${p.pointer || "(document)"}: ${p.message}`,
      );
    }
    for (const ns of extracted.namespaces) this.namespaces.push(ns);
    if (extracted.workloads.length > 0) {
      const place = placeOf(document);
      for (const workload of extracted.workloads) this.located.push({ document: place, workload });
    }
    if (extracted.pullSecrets !== undefined || extracted.serviceAccounts !== undefined) {
      this.pullSecrets.push([extracted.pullSecrets ?? [], extracted.serviceAccounts ?? []]);
    }
  }
}

/**
 * Parses every input and collects workloads and Namespace labels; any problem is exit 2.
 * A file found in a folder (not named) that is a template or holds no Kubernetes object is
 * skipped with a note instead: a repository keeps Helm charts and tool configs beside its
 * manifests, and one of those must not fail the whole run. A file named on the command line
 * is always an error, as is any problem in a document that is a Kubernetes object.
 */
export function collect(texts: readonly InputText[]): {
  located: Located[];
  labels: Map<string, Record<string, string>>;
  notes: string[];
  pullSecrets: PullSecretIndex;
} {
  const located: Located[] = [];
  const pullSecrets = new PullSecretIndex(DEFAULT_NAMESPACE);
  const labels = new Map<string, Record<string, string>>();
  const problems: string[] = [];
  const notes: string[] = [];
  for (const { source, text, inFolder } of texts) {
    // Documents are read one at a time and only what is extracted from each is kept, so a
    // large stream never holds all its values. What a file gives is kept aside until its end:
    // a file in a folder that turns out to hold no Kubernetes object gives nothing.
    const file = new FileFindings();
    let documents = 0;
    let objects = 0;
    try {
      for (const document of readDocuments(text, source)) {
        documents++;
        if (!isNotAnObject(document.value)) objects++;
        file.add(document);
      }
    } catch (error) {
      if (inFolder === true && TEMPLATE_ACTION.test(text)) {
        notes.push(`${source}: skipped: a template ({{ … }}), not YAML until rendered`);
        continue;
      }
      throw error;
    }
    if (inFolder === true && objects === 0) {
      if (documents > 0) {
        notes.push(
          `${source}: skipped: no document is a whole Kubernetes object (apiVersion and kind, no $patch)`,
        );
      }
      continue;
    }
    // Loops, not push(...): a file may hold more workloads than a call takes arguments.
    for (const problem of file.problems) problems.push(problem);
    for (const ns of file.namespaces) labels.set(ns.name, ns.labels);
    for (const l of file.located) located.push(l);
    for (const [secrets, accounts] of file.pullSecrets) pullSecrets.add(secrets, accounts);
  }
  if (problems.length > 0) throw new CustomsError("MANIFEST_INVALID", problems.join("\n"));
  return { located, labels, notes, pullSecrets };
}

/** `customs check`: every workload of the inputs against the policy set. */
export function checkManifests(
  set: CompiledPolicySet,
  texts: readonly InputText[],
  options: CheckOptions = {},
): CheckReport {
  const base = evaluatorOf(set, options);
  // Without fetched facts, supply-chain policies fail closed (SOURCE_NOT_CONFIGURED).
  const evaluator = !set.policies.some(isSupplyPolicy)
    ? base
    : withSupplyFacts(base, () => undefined, 0, REFUSE_TAGS);
  return decide(collect(texts), evaluator, options);
}

/**
 * `customs check` when policies use supply-chain recipes: fetches the facts of every image
 * those policies check (once per image, in parallel, within the budget), then decides.
 */
export async function checkManifestsWithSupply(
  set: CompiledPolicySet,
  texts: readonly InputText[],
  options: CheckOptions,
  supply: SupplyContext,
): Promise<CheckReport> {
  const collected = collect(texts);
  const base = evaluatorOf(set, options);
  const { factRequestOf, withFetchedFacts } = await import("../supply/index.js");
  const request = factRequestOf(set);
  if (request === undefined) return decide(collected, base, options);
  const factsFor = namespaceFacts(collected.labels, options);
  const images = new Set<string>();
  for (const { workload } of collected.located) {
    const policies = base.applicable(factsFor(workload.namespace ?? DEFAULT_NAMESPACE));
    for (const i of imagesNeedingFacts(base, policies, workload.containers)) images.add(i);
  }
  const fetched = await withFetchedFacts(base, request, [...images], supply);
  const report = decide(collected, fetched.evaluator, options);
  return fetched.degraded.length === 0 ? report : { ...report, degraded: fetched.degraded };
}

function namespaceFacts(
  labels: Map<string, Record<string, string>>,
  options: CheckOptions,
): (name: string) => NamespaceFacts {
  const namespaces = new Map<string, NamespaceFacts>();
  return (name) => {
    let facts = namespaces.get(name);
    if (facts === undefined) {
      facts = toNamespaceFacts(name, labels.get(name), options.cluster);
      namespaces.set(name, facts);
    }
    return facts;
  };
}

function decide(
  { located, labels, notes, pullSecrets }: ReturnType<typeof collect>,
  evaluator: Evaluator,
  options: CheckOptions,
): CheckReport {
  const factsFor = namespaceFacts(labels, options);
  const summary = { resources: 0, denied: 0, warned: 0, allowed: 0 };
  const names = new WeakMap<readonly CompiledPolicy[], readonly ApplicablePolicy[]>();
  const applicableIn = (ns: NamespaceFacts): readonly ApplicablePolicy[] => {
    const compiled = evaluator.applicable(ns);
    let list = names.get(compiled);
    if (list === undefined) {
      list = compiled.map((p) => ({ name: p.policy.name, action: p.policy.action }));
      names.set(compiled, list);
    }
    return list;
  };
  const results: CheckedResource[] = [];
  for (const { document, workload } of located) {
    const namespace = workload.namespace ?? DEFAULT_NAMESPACE;
    const context = { ...workload, pullSecrets: pullSecrets.factsFor(workload) };
    const decision = evaluator.evaluate(factsFor(namespace), workload.containers, context);
    summary.resources++;
    if (decision.verdict === "deny") summary.denied++;
    else if (decision.verdict === "warn") summary.warned++;
    else summary.allowed++;
    results.push({
      apiVersion: workload.apiVersion,
      kind: workload.kind,
      namespace,
      name: workload.name,
      source: document.source,
      verdict: decision.verdict,
      violations: decision.violations,
      ...(decision.exempted === undefined ? {} : { exempted: decision.exempted }),
      document,
      containers: workload.containers,
      applicable: applicableIn(factsFor(namespace)),
    });
  }
  return notes.length === 0 ? { summary, results } : { summary, results, notes };
}
