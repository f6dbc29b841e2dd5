import {
  type AdmissionRequest,
  type AdmissionResponse,
  clipWords,
} from "../../core/admission/index.js";
import { withKind } from "../../core/admission/review.js";
import {
  type Evaluator,
  imagesNeedingFacts,
  REFUSE_TAGS,
  withSupplyFacts,
} from "../../core/evaluate/index.js";
import type { CompiledPolicy } from "../../core/policy/index.js";
import { extractResources } from "../../core/workload/index.js";
import { factRequestFor, type SupplyContext, withFetchedFacts } from "../supply/index.js";
import {
  type AdmissionOutcome,
  decideAdmission,
  type NamespaceDirectory,
  readReview,
} from "./admission.js";

/** The audit annotation that marks a decision made on last-known-good facts. */
export const DEGRADED_ANNOTATION = "supply-chain-degraded";

function markDegraded(response: AdmissionResponse, images: readonly string[]): AdmissionResponse {
  const note = `decided on last-known-good supply-chain facts (a source was unreachable) for ${images.join(", ")}`;
  return {
    ...response,
    warnings: [...(response.warnings ?? []), clipWords(`customs: ${note}`, 250)],
    auditAnnotations: {
      ...(response.auditAnnotations ?? {}),
      [DEGRADED_ANNOTATION]: clipWords(note, 2000),
    },
  };
}

/**
 * The facts the policies of one namespace need, memoized by the evaluator's (memoized) list of
 * applicable policies: most namespaces have no supply-chain policy, and their reviews then
 * skip the search for images needing facts entirely.
 */
type FactRequest = NonNullable<ReturnType<typeof factRequestFor>>;

const factRequests = new WeakMap<readonly CompiledPolicy[], FactRequest | null>();

function factRequestMemo(policies: readonly CompiledPolicy[]): FactRequest | undefined {
  let known = factRequests.get(policies);
  if (known === undefined) {
    known = factRequestFor(policies) ?? null;
    factRequests.set(policies, known);
  }
  return known ?? undefined;
}

/**
 * `POST /validate` when policies may use supply-chain recipes: the images those policies check
 * get their facts fetched first (within the budget, so the API server's timeout is never
 * reached), then the same pure review decides. Requests that need no facts take the
 * synchronous path unchanged.
 */
export async function handleAdmissionWithSupply(
  text: string,
  evaluator: Evaluator,
  namespaces: NamespaceDirectory,
  supply: SupplyContext | undefined,
): Promise<AdmissionOutcome> {
  return admitWithSupply(text, evaluator, namespaces, supply);
}

/**
 * The same, answered synchronously (no promise, no microtask) when no fact has to be fetched:
 * the webhook's hot path, where every review is one parse, one extraction and one evaluation.
 */
export function admitWithSupply(
  text: string,
  evaluator: Evaluator,
  namespaces: NamespaceDirectory,
  supply: SupplyContext | undefined,
): AdmissionOutcome | Promise<AdmissionOutcome> {
  const read = readReview(text);
  return "bad" in read
    ? read.bad
    : admitRequestWithSupply(read.request, evaluator, namespaces, supply);
}

/** The same, on a review already read (the webhook reads each body once). */
export function admitRequestWithSupply(
  request: AdmissionRequest,
  evaluator: Evaluator,
  namespaces: NamespaceDirectory,
  supply: SupplyContext | undefined,
): AdmissionOutcome | Promise<AdmissionOutcome> {
  const checked = request.operation === "CREATE" || request.operation === "UPDATE";
  // A namespaced review whose namespace has no supply-chain policy is decided at once: the
  // workload is extracted only once, by the review itself.
  if (
    !checked ||
    (request.namespace !== "" &&
      factRequestMemo(evaluator.applicable(namespaces.facts(request.namespace))) === undefined)
  ) {
    return decideAdmission(request, evaluator, namespaces);
  }
  const workload = extractResources(withKind(request.object, request)).workloads[0];
  // The body is parsed once: the review read here is the one decided on.
  if (workload === undefined) return decideAdmission(request, evaluator, namespaces);
  const ns = namespaces.facts(request.namespace || workload.namespace || "default");
  const policies = evaluator.applicable(ns);
  const factRequest = factRequestMemo(policies);
  const images = imagesNeedingFacts(evaluator, policies, workload.containers);
  if (factRequest === undefined || images.length === 0) {
    return decideAdmission(request, evaluator, namespaces);
  }
  return withFacts(request, evaluator, namespaces, supply, factRequest, images);
}

async function withFacts(
  request: AdmissionRequest,
  evaluator: Evaluator,
  namespaces: NamespaceDirectory,
  supply: SupplyContext | undefined,
  factRequest: FactRequest,
  images: readonly string[],
): Promise<AdmissionOutcome> {
  // Without a way to fetch facts, supply-chain policies fail closed (SOURCE_NOT_CONFIGURED).
  const fetched =
    supply === undefined
      ? { evaluator: withSupplyFacts(evaluator, () => undefined, 0, REFUSE_TAGS), degraded: [] }
      : await withFetchedFacts(evaluator, factRequest, images, supply);
  return decideAdmission(request, fetched.evaluator, namespaces, (response) =>
    fetched.degraded.length === 0 ? response : markDegraded(response, fetched.degraded),
  );
}
