import {
  ADMISSION_API_VERSION,
  type AdmissionRequest,
  type AdmissionResponse,
  type AdmissionReviewResponse,
  parseAdmissionReview,
  type Remembered,
  ReviewReplay,
  reviewAdmission,
} from "../../core/admission/index.js";
import type { AdmissionErrorCode } from "../../core/errors.js";
import type { Evaluator, Exemption, NamespaceFacts, Violation } from "../../core/evaluate/index.js";
import { type WorkloadOwner, workloadOwner } from "../../core/workload/index.js";

/** Where namespace facts come from: a watch of Namespaces, or names alone. */
export interface NamespaceDirectory {
  facts(name: string): NamespaceFacts;
}

export interface AdmissionOutcome {
  readonly status: 200 | 400;
  /** A review's response, or the listeners' one error shape (docs/webhook.md). */
  readonly body:
    | AdmissionReviewResponse
    | { readonly error: { readonly code: string; readonly message: string } };
  /** For metrics and logs; absent for a 400. */
  readonly response?: AdmissionResponse;
  readonly violations?: readonly Violation[];
  /** Violations exceptions exempted, for metrics and logs. */
  readonly exempted?: readonly Exemption[];
  /** On a replayed decision, the remembered response (for its remembered JSON). */
  readonly replayOf?: AdmissionResponse;
  readonly request?: {
    kind: string;
    namespace: string;
    name: string;
    operation: string;
    /** The top owner (ownerReferences and labels), for deduplicated events. */
    owner?: WorkloadOwner;
  };
}

/**
 * The request of an AdmissionReview body, or the 400 to answer instead. A body that is not an
 * AdmissionReview is a 400 (the API server then applies the webhook's failurePolicy, Fail);
 * it is never answered with `allowed: true`.
 */
export function readReview(
  text: string,
): { request: AdmissionRequest } | { bad: AdmissionOutcome } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return {
      bad: refusal("ADMISSION_REVIEW_INVALID", `the body is not JSON: ${(e as Error).message}`),
    };
  }
  const parsed = parseAdmissionReview(body);
  if (!parsed.ok)
    return { bad: refusal(parsed.code ?? "ADMISSION_REVIEW_INVALID", parsed.message) };
  return { request: parsed.request };
}

function refusal(code: AdmissionErrorCode, message: string): AdmissionOutcome {
  return { status: 400, body: { error: { code, message } } };
}

/** `POST /validate`, without the transport: text in, status and JSON out. */
export function handleAdmission(
  text: string,
  evaluator: Evaluator,
  namespaces: NamespaceDirectory,
): AdmissionOutcome {
  const read = readReview(text);
  if ("bad" in read) return read.bad;
  return decideAdmission(read.request, evaluator, namespaces);
}

/** The decision on a request already read: what /validate answers once the body is parsed. */
export function decideAdmission(
  request: AdmissionRequest,
  evaluator: Evaluator,
  namespaces: NamespaceDirectory,
  /**
   * A last touch to the response (a note that facts were last-known-good). A decision with
   * one depends on more than the review, so it is never replayed.
   */
  finish?: (response: AdmissionResponse) => AdmissionResponse,
): AdmissionOutcome {
  const review = reviewAdmission(request, {
    evaluator,
    namespace: (n) => namespaces.facts(n),
    ...(finish === undefined ? { replay: replayOf(evaluator) } : {}),
  });
  // Built once, without spreading a first outcome into a second: this runs for every review.
  const response = finish === undefined ? review.response : finish(review.response);
  const outcome: AdmissionOutcome = {
    status: 200,
    body: { apiVersion: ADMISSION_API_VERSION, kind: "AdmissionReview", response },
    response,
    request: new RequestSummary(request),
    violations: review.violations,
    ...(review.replayOf === undefined ? {} : { replayOf: review.replayOf }),
  };
  return review.exempted === undefined ? outcome : { ...outcome, exempted: review.exempted };
}

/** Each evaluator's remembered decisions; a reloaded policy set starts with none. */
const replays = new WeakMap<Evaluator, ReviewReplay<Remembered>>();

function replayOf(evaluator: Evaluator): ReviewReplay<Remembered> {
  let replay = replays.get(evaluator);
  if (replay === undefined) {
    replay = new ReviewReplay();
    replays.set(evaluator, replay);
  }
  return replay;
}

/** The 200 that carries `response` back to the API server, and what logs say of the request. */
export function answered(request: AdmissionRequest, response: AdmissionResponse): AdmissionOutcome {
  return {
    status: 200,
    body: { apiVersion: ADMISSION_API_VERSION, kind: "AdmissionReview", response },
    response,
    request: new RequestSummary(request),
  };
}

/**
 * What logs and the decision hook say of a request. The top owner is worked out when first
 * read, on the prototype (no closure per request): only violation records (the agent's
 * events) need it, and most reviews have none.
 */
class RequestSummary {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly operation: string;
  #owner: WorkloadOwner | undefined | null = null;

  constructor(private readonly source: AdmissionRequest) {
    this.kind = source.kind.kind;
    this.namespace = source.namespace;
    this.name = source.name;
    this.operation = source.operation;
  }

  get owner(): WorkloadOwner | undefined {
    if (this.#owner === null) this.#owner = workloadOwner(this.kind, this.source.object);
    return this.#owner;
  }
}

const ENVELOPE = `{"apiVersion":${JSON.stringify(ADMISSION_API_VERSION)},"kind":"AdmissionReview","response":`;

/**
 * The JSON text of an outcome's body, byte for byte `JSON.stringify(outcome.body)`. A review's
 * answer is written around its response alone: the envelope is a constant, so only the
 * response (small, whatever the size of the request) is serialized.
 */
export function outcomeText(outcome: AdmissionOutcome): string {
  const { body, response } = outcome;
  if (response === undefined || !("response" in body) || body.response !== response)
    return JSON.stringify(body);
  const remembered = outcome.replayOf === undefined ? undefined : replayedText(outcome.replayOf);
  // A replayed decision's JSON is the remembered one with this request's uid, the first field.
  if (remembered !== undefined)
    return `${ENVELOPE}{"uid":${JSON.stringify(response.uid)}${remembered}}`;
  return `${ENVELOPE}${JSON.stringify(response)}}`;
}

/** The JSON of remembered responses after their uid (`,"allowed":…}`), by response. */
const texts = new WeakMap<AdmissionResponse, string | null>();

function replayedText(remembered: AdmissionResponse): string | undefined {
  let text = texts.get(remembered);
  if (text === undefined) {
    const whole = JSON.stringify(remembered);
    const head = `{"uid":${JSON.stringify(remembered.uid)}`;
    // Every response starts with its uid (core/admission/review.ts); if one ever did not,
    // it is serialized whole each time rather than spliced wrong.
    text = whole.startsWith(head) ? whole.slice(head.length) : null;
    texts.set(remembered, text);
  }
  return text ?? undefined;
}
