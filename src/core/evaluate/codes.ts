import type { ViolationCode } from "../errors.js";

/** One line per violation code: SARIF rule descriptions and `docs/errors.md` say the same. */
export const VIOLATION_DESCRIPTIONS: Readonly<Record<ViolationCode, string>> = {
  IMAGE_REFERENCE_INVALID:
    "The image string is not a valid image reference, so no policy can allow it.",
  IMAGE_MISSING: "The container has no image, so it cannot be checked.",
  DIGEST_REQUIRED: "The policy requires images pinned to a digest.",
  LATEST_TAG_BLOCKED: "The policy blocks the latest tag (and images with neither tag nor digest).",
  IMAGE_NOT_ALLOWED: "The image matches none of the policy's allow rules.",
  IMAGE_BLOCKED: "The image matches one of the policy's block rules.",
};
