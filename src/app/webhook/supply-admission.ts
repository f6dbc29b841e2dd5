import { type AdmissionResponse, clipWords } from "../../core/admission/index.js";
import { withKind } from "../../core/admission/review.js";
import {
  type Evaluator,
  imagesNeedingFacts,
  REFUSE_TAGS,
  withSupplyFacts,
} from "../../core/evaluate/index.js";
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
  const read = readReview(text);
  if ("bad" in read) return read.bad;
  const { request } = read;
  const checked = request.operation === "CREATE" || request.operation === "UPDATE";
  const workload = checked
    ? extractResources(withKind(request.object, request)).workloads[0]
    : undefined;
  // The body is parsed once: the review read here is the one decided on.
  if (workload === undefined) return decideAdmission(request, evaluator, namespaces);
  const ns = namespaces.facts(request.namespace || workload.namespace || "default");
  const policies = evaluator.applicable(ns);
  const factRequest = factRequestFor(policies);
  const images = imagesNeedingFacts(evaluator, policies, workload.containers);
  if (factRequest === undefined || images.length === 0) {
    return decideAdmission(request, evaluator, namespaces);
  }
  // Without a way to fetch facts, supply-chain policies fail closed (SOURCE_NOT_CONFIGURED).
  const fetched =
    supply === undefined
      ? { evaluator: withSupplyFacts(evaluator, () => undefined, 0, REFUSE_TAGS), degraded: [] }
      : await withFetchedFacts(evaluator, factRequest, images, supply);
  return decideAdmission(request, fetched.evaluator, namespaces, (response) =>
    fetched.degraded.length === 0 ? response : markDegraded(response, fetched.degraded),
  );
}
