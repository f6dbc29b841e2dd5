/**
 * Customs' own admission check of its resources: `POST /validate` for ImagePolicy, Workspace
 * and ImagePolicyException CREATE and UPDATE (the `policies.customs.dev` webhook). The CRD schema refuses
 * most invalid policies already; this refuses, with the validator's field paths, what no
 * schema can say (core/schema SCHEMA_GAPS), so `kubectl apply` refuses everything the engine
 * would refuse and no policy in a cluster is silently left out.
 */
import { re2Engine } from "../../adapters/re2/index.js";
import type { AdmissionRequest, AdmissionResponse } from "../../core/admission/index.js";
import { API_VERSION, validateDocument } from "../../core/policy/index.js";
import { type AdmissionOutcome, answered, readReview } from "./admission.js";

const KINDS = ["ImagePolicy", "Workspace", "ImagePolicyException"];

export function isPolicyRequest(request: AdmissionRequest): boolean {
  return request.kind.group === "customs.dev" && KINDS.includes(request.kind.kind);
}

/** The validator's verdict on the object under review: errors refuse, warnings are shown. */
export function reviewPolicyObject(request: AdmissionRequest, now: number): AdmissionResponse {
  const { uid } = request;
  if (request.operation !== "CREATE" && request.operation !== "UPDATE") {
    return { uid, allowed: true };
  }
  const object = request.object as Record<string, unknown> | null;
  // The API server sends the object as stored: apiVersion and kind are always there, but a
  // review built by hand may lack them; the request's kind is authoritative.
  const doc = { ...object, apiVersion: API_VERSION, kind: request.kind.kind };
  const origin = { source: `${request.kind.kind}/${request.name}`, index: 0 };
  const result = validateDocument(doc, origin, { regex: re2Engine, now });
  const errors = result.issues.filter((i) => i.severity === "error");
  const warnings = result.issues
    .filter((i) => i.severity === "warning")
    .map((i) => `${request.kind.kind} ${request.name}: ${i.path}: ${i.message} (${i.code})`);
  if (result.kind === "invalid") {
    const message = `POLICY_INVALID: Customs refuses ${request.kind.kind} "${request.name}": ${errors
      .map((i) => `${i.path || "(document)"}: ${i.message}`)
      .join("; ")}`;
    return {
      uid,
      allowed: false,
      status: { code: 422, reason: "Invalid", message },
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }
  return { uid, allowed: true, ...(warnings.length > 0 ? { warnings } : {}) };
}

/**
 * The review of a Customs resource, or undefined when the body is about anything else. The
 * JSON is parsed only when the text names the group, so workload reviews (the hot path, up
 * to megabytes) are not parsed twice; a false positive only costs one more parse.
 */
export function handlePolicyAdmission(text: string, now: number): AdmissionOutcome | undefined {
  if (!text.includes('"customs.dev"')) return undefined;
  const read = readReview(text);
  if ("bad" in read || !isPolicyRequest(read.request)) return undefined;
  const { request } = read;
  const response = reviewPolicyObject(request, now);
  return answered(request, response);
}

/** The review of a Customs resource already read, or undefined when it is about anything else. */
export function policyAdmission(
  request: AdmissionRequest,
  now: number,
): AdmissionOutcome | undefined {
  return isPolicyRequest(request) ? answered(request, reviewPolicyObject(request, now)) : undefined;
}
