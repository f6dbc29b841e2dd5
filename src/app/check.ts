import type { InputText } from "../adapters/files/index.js";
import { CustomsError } from "../core/errors.js";
import {
  createEvaluator,
  type NamespaceFacts,
  toNamespaceFacts,
  type Verdict,
  type Violation,
} from "../core/evaluate/index.js";
import type { CompiledPolicySet } from "../core/policy/index.js";
import { type ContainerImage, extractResources, type Workload } from "../core/workload/index.js";
import { parseDocuments, type SourceDocument } from "./documents.js";

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
  /** Where it came from, for line numbers (SARIF) — not part of the JSON output. */
  readonly document: SourceDocument;
  readonly containers: readonly ContainerImage[];
}

export interface CheckReport {
  readonly summary: { resources: number; denied: number; warned: number; allowed: number };
  readonly results: CheckedResource[];
}

export interface CheckOptions {
  /** Cluster the manifests are for, to resolve `CLUSTER/NAMESPACE` entries of Workspaces. */
  readonly cluster?: string;
}

interface Located {
  readonly document: SourceDocument;
  readonly workload: Workload;
}

/** Parses every input and collects workloads and Namespace labels; any problem is exit 2. */
function collect(texts: readonly InputText[]): {
  located: Located[];
  labels: Map<string, Record<string, string>>;
} {
  const located: Located[] = [];
  const labels = new Map<string, Record<string, string>>();
  const problems: string[] = [];
  for (const { source, text } of texts) {
    for (const document of parseDocuments(text, source)) {
      const extracted = extractResources(document.value);
      for (const p of extracted.problems) {
        problems.push(
          `${source}: document ${document.index}: ${p.pointer || "(document)"}: ${p.message}`,
        );
      }
      for (const ns of extracted.namespaces) labels.set(ns.name, ns.labels);
      for (const workload of extracted.workloads) located.push({ document, workload });
    }
  }
  if (problems.length > 0) throw new CustomsError("MANIFEST_INVALID", problems.join("\n"));
  return { located, labels };
}

/** `customs check`: every workload of the inputs against the policy set. */
export function checkManifests(
  set: CompiledPolicySet,
  texts: readonly InputText[],
  options: CheckOptions = {},
): CheckReport {
  const { located, labels } = collect(texts);
  const evaluator = createEvaluator(set);
  const namespaces = new Map<string, NamespaceFacts>();
  const factsFor = (name: string): NamespaceFacts => {
    let facts = namespaces.get(name);
    if (facts === undefined) {
      facts = toNamespaceFacts(name, labels.get(name), options.cluster);
      namespaces.set(name, facts);
    }
    return facts;
  };
  const summary = { resources: 0, denied: 0, warned: 0, allowed: 0 };
  const results: CheckedResource[] = [];
  for (const { document, workload } of located) {
    const namespace = workload.namespace ?? DEFAULT_NAMESPACE;
    const decision = evaluator.evaluate(factsFor(namespace), workload.containers);
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
      document,
      containers: workload.containers,
    });
  }
  return { summary, results };
}
