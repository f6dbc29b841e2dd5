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
  PULL_POLICY_NOT_ALWAYS:
    "The image has a mutable tag and the container's imagePullPolicy is not Always.",
  PULL_SECRET_MISSING: "The image's registry needs a pull secret and the pod names none.",
  PULL_SECRET_NOT_FOR_REGISTRY:
    "None of the pod's pull secrets holds credentials for the registry.",
  IMAGE_VERSION_TOO_OLD: "The image's version is lower than the policy's minimum.",
  IMAGE_VERSION_UNKNOWN:
    "The image's tag is no version, so it cannot be compared with the minimum.",
  IMAGE_TOO_LARGE: "The image is larger than the policy allows.",
  IMAGE_SIZE_UNKNOWN: "The image's size could not be read from its manifest.",
  IMAGE_VOLUMES_DECLARED: "The image config declares volumes the policy does not allow.",
  SIGNATURE_MISSING: "No signature was found for the image's digest.",
  SIGNATURE_INVALID: "A signature was found but failed cryptographic verification.",
  SIGNATURE_UNTRUSTED: "The image is signed, but not by enough of the policy's authorities.",
  SIGNATURE_DIGEST_MISMATCH: "A signature names another manifest digest than the image's.",
  TRANSPARENCY_LOG_MISSING:
    "The policy requires transparency-log inclusion, and the trusted signatures lack it.",
  ATTESTATION_MISSING: "No provenance attestation by a trusted authority was found.",
  ATTESTATION_INVALID: "An attestation was found but failed verification.",
  PROVENANCE_UNREADABLE: "A provenance predicate is not SLSA provenance v0.2 or v1.",
  PROVENANCE_BUILDER_UNTRUSTED: "The image was built by a builder the policy does not trust.",
  PROVENANCE_SOURCE_UNTRUSTED: "The image was built from a repository the policy does not allow.",
  PROVENANCE_COMMIT_MISSING: "The provenance names no git commit of the source.",
  SBOM_MISSING: "No SBOM attestation (SPDX or CycloneDX) by a trusted authority was found.",
  LABEL_MISSING: "A required label or annotation is missing.",
  LABEL_VALUE_MISMATCH: "A label or annotation does not have an allowed value.",
  IMAGE_USER_ROOT: "The image runs as root (config User empty, 0 or root).",
  IMAGE_TOO_OLD: "The image was created longer ago than the policy allows.",
  IMAGE_CREATED_UNKNOWN: "The image config has no usable creation time.",
  BASE_IMAGE_UNKNOWN: "The image does not say which base image it was built from.",
  BASE_IMAGE_NOT_APPROVED: "The image's base image matches none of the approved rules.",
  VULNERABILITY_FOUND: "The vulnerability report has findings at or above the policy's severity.",
  VULNERABILITY_REPORT_MISSING: "No vulnerability report was found for the image.",
  VULNERABILITY_REPORT_STALE: "The vulnerability report is older than the policy allows.",
  REGISTRY_UNREACHABLE:
    "The registry or fact source could not be reached; nothing was decided on it.",
  RATE_LIMITED: "The registry or fact source refused with a rate limit.",
  REGISTRY_AUTH_FAILED: "The registry or fact source refused the credentials.",
  SOURCE_TIMEOUT: "Fetching the facts did not finish within the time budget.",
  SOURCE_NOT_CONFIGURED: "No source of the facts this policy needs is configured.",
  FACTS_UNREADABLE: "The fact source answered with something that cannot be read.",
  DIGEST_UNRESOLVED: "The image's tag could not be resolved to a digest.",
  TAG_NOT_PINNED:
    "The image is named by tag, which may be moved after the check; it must name the verified digest.",
};
