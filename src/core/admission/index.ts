export { clipWords, fitLines } from "./clip.js";
export {
  buildPinPatch,
  type JsonPatchOperation,
  type PinTarget,
  planPins,
  planVerifiedPins,
} from "./mutate.js";
export { type ParsedReview, parseAdmissionReview } from "./parse-review.js";
export { ReviewReplay, replayKey } from "./replay.js";
export {
  auditKey,
  type Remembered,
  type Review,
  type ReviewContext,
  reviewAdmission,
} from "./review.js";
export {
  ADMISSION_API_VERSION,
  type AdmissionRequest,
  type AdmissionResponse,
  type AdmissionReviewResponse,
  type Operation,
} from "./types.js";
