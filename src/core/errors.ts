/**
 * The one catalogue of error and outcome codes. Each code is documented in docs/errors.md;
 * a test fails when a code is added here without its entry there (or the other way round).
 *
 * Codes are part of the contract: CLI JSON, admission messages and SARIF rule IDs carry them,
 * so they never change meaning once published.
 */

/** Why an image string is not a valid reference (distribution/reference semantics). */
export type ReferenceErrorCode =
  | "IMAGE_REFERENCE_INVALID"
  | "IMAGE_REFERENCE_EMPTY"
  | "IMAGE_REFERENCE_UPPERCASE"
  | "IMAGE_REFERENCE_NAME_TOO_LONG"
  | "IMAGE_REFERENCE_TOO_LONG"
  | "IMAGE_REFERENCE_HEX_ONLY"
  | "IMAGE_REFERENCE_DIGEST_INVALID"
  | "IMAGE_REFERENCE_DIGEST_UNSUPPORTED"
  | "IMAGE_REFERENCE_DIGEST_LENGTH";

/** Why a document cannot be used as a policy, workspace or manifest. */
export type InputErrorCode =
  | "POLICY_INVALID"
  | "MANIFEST_INVALID"
  | "DOCUMENT_INVALID"
  | "YAML_INVALID"
  | "FILE_UNREADABLE"
  | "CI_CONFIG_INVALID"
  // A PolicyTest file (`customs test`) or its facts file is not valid, or names what cannot be read.
  | "POLICY_TEST_INVALID"
  | "USAGE"
  // A policy buildVap was given although canCompileToVap refuses it; the reasons are listed.
  | "VAP_COMPILE_FAILED";

/** A policy violation: the stable code of a failed check. */
export type ViolationCode =
  | "IMAGE_REFERENCE_INVALID"
  | "IMAGE_MISSING"
  | "DIGEST_REQUIRED"
  | "LATEST_TAG_BLOCKED"
  | "IMAGE_NOT_ALLOWED"
  | "IMAGE_BLOCKED"
  | HygieneViolationCode
  | SupplyViolationCode;

/** Violations of the image hygiene recipes (require-pull-policy, require-pull-secret, minimum-version). */
export type HygieneViolationCode =
  | "PULL_POLICY_NOT_ALWAYS"
  | "PULL_SECRET_MISSING"
  | "PULL_SECRET_NOT_FOR_REGISTRY"
  | "IMAGE_VERSION_TOO_OLD"
  | "IMAGE_VERSION_UNKNOWN";

/** A lint finding: the policy is valid but surely not what its author meant. */
export type LintCode =
  | "LINT_DOCKER_HUB_SHORT_NAME"
  | "LINT_DOCKER_HUB_ALIAS"
  | "LINT_NEGATE_WITHOUT_VALUE"
  | "LINT_RULE_MATCHES_EVERYTHING"
  | "LINT_SELECTOR_EMPTY"
  | "LINT_EXEMPT_NOT_NORMALIZED"
  | SupplyLintCode
  | ExceptionLintCode;

/** Lint findings of ImagePolicyExceptions (docs/policy-language.md#exceptions). */
export type ExceptionLintCode =
  /** The exception has expired and exempts nothing. */
  | "LINT_EXCEPTION_EXPIRED"
  /** The exception expires within 14 days. */
  | "LINT_EXCEPTION_EXPIRING"
  /** It names a policy that is not loaded with it. */
  | "LINT_EXCEPTION_POLICY_UNKNOWN";

/** Why a registry operation failed (src/adapters/registry; docs/registry-client.md). */
export type RegistryErrorCode =
  | "REGISTRY_UNREACHABLE"
  | "REGISTRY_TIMEOUT"
  | "REGISTRY_TLS_FAILED"
  | "REGISTRY_INSECURE_TRANSPORT"
  | "REGISTRY_ERROR"
  | "RATE_LIMITED"
  | "AUTH_FAILED"
  | "ACCESS_DENIED"
  | "NOT_FOUND"
  | "DIGEST_MISMATCH"
  | "DIGEST_INVALID"
  | "MANIFEST_INVALID"
  | "MANIFEST_UNSUPPORTED"
  | "PLATFORM_NOT_FOUND"
  | "RESPONSE_TOO_LARGE"
  | "CREDENTIALS_INVALID";

/**
 * Why an HTTP exchange failed before its answer could be used (src/adapters/http). The
 * adapters that use the client name the failure in their own codes (REGISTRY_TIMEOUT,
 * HARBOR_TLS_FAILED, ...) and keep this one as the cause.
 */
export type HttpErrorCode =
  | "HTTP_UNREACHABLE"
  | "HTTP_TIMEOUT"
  | "HTTP_TLS_FAILED"
  | "HTTP_INSECURE_TRANSPORT"
  | "HTTP_ABORTED"
  | "HTTP_TOO_MANY_REDIRECTS"
  | "RESPONSE_TOO_LARGE";

/** Why a request to a Kubernetes API server failed (src/adapters/kube). */
export type KubeErrorCode =
  // The API server answered with an error status; the error carries it.
  | "KUBE_API_ERROR"
  // No answer: unreachable, timed out, or TLS failed (status 0).
  | "KUBE_UNREACHABLE"
  | "KUBE_TIMEOUT"
  | "KUBE_TLS_FAILED";

/** Why a vulnerability report cannot be read (src/core/vuln; docs/vulnerabilities.md). */
export type VulnerabilityErrorCode =
  | "VULN_REPORT_INVALID"
  | "VULN_REPORT_UNKNOWN_FORMAT"
  | "VULN_REPORT_TOO_LARGE";

/** Why Harbor gave no vulnerability report (src/adapters/harbor; docs/vulnerabilities.md). */
export type HarborErrorCode =
  | "HARBOR_UNREACHABLE"
  | "HARBOR_TIMEOUT"
  | "HARBOR_TLS_FAILED"
  | "HARBOR_AUTH_FAILED"
  | "HARBOR_ACCESS_DENIED"
  | "HARBOR_NO_REPORT"
  | "HARBOR_RATE_LIMITED"
  | "HARBOR_ERROR";

/** Why a Dockerfile or its lint configuration cannot be used (docs/dockerfile.md). */
export type DockerfileErrorCode =
  // A Dockerfile BuildKit would refuse; the message names file:line.
  | "DOCKERFILE_INVALID"
  // The lint configuration; the message names the field path.
  | "DOCKERFILE_CONFIG_INVALID";

/**
 * Why Customs' own images could not be built without a Docker daemon (scripts/image;
 * docs/images.md). Build tooling, not the product: the messages name the Dockerfile line,
 * the file or the tool that failed.
 */
export type ImageBuildErrorCode =
  | "IMAGE_BUILD_DOCKERFILE_INVALID"
  | "IMAGE_BUILD_DOCKERFILE_UNSUPPORTED"
  | "IMAGE_BUILD_STAGE_MISSING"
  | "IMAGE_BUILD_SOURCE_MISSING"
  | "IMAGE_BUILD_SOURCE_INVALID"
  | "IMAGE_BUILD_TOOL_FAILED"
  | "IMAGE_BUILD_PUSH_FAILED";

/** Why the registry token service cannot start (src/core/registry-token; docs/registry-access.md). */
export type RegistryAccessErrorCode =
  | "TOKEN_CONFIG_INVALID"
  | "TOKEN_KEY_INVALID"
  | "ACCOUNTS_INVALID";

/**
 * Signature and attestation verification (src/adapters/sigstore; docs/signatures.md): outcomes
 * of one image's signatures, and the inputs (keys, trusted roots, identity patterns) that
 * cannot be used.
 */
export type SignatureErrorCode =
  | "SIGNATURE_MISSING"
  | "SIGNATURE_INVALID"
  | "SIGNATURE_DIGEST_MISMATCH"
  | "SIGNATURE_UNTRUSTED"
  | "ATTESTATION_MISSING"
  | "PUBLIC_KEY_INVALID"
  | "TRUSTED_ROOT_INVALID"
  | "IDENTITY_PATTERN_INVALID";

/** Why `customs secrets scan` cannot run (docs/secrets.md). */
export type SecretsErrorCode =
  // .customs/secrets.yaml or --config
  | "SECRETS_CONFIG_INVALID"
  // --baseline / --write-baseline
  | "SECRETS_BASELINE_INVALID"
  // --git
  | "GIT_FAILED"
  // --since / --range
  | "GIT_REF_INVALID"
  // --image-layout, and layers however they were fetched
  | "IMAGE_LAYOUT_INVALID";

/**
 * Supply-chain recipes (docs/supply-chain.md): a failed requirement, or why the facts it needs
 * could not be had. A source that is down never reads as "unsigned".
 */
export type SupplyViolationCode =
  | "SIGNATURE_MISSING"
  | "SIGNATURE_INVALID"
  | "SIGNATURE_UNTRUSTED"
  | "SIGNATURE_DIGEST_MISMATCH"
  | "TRANSPARENCY_LOG_MISSING"
  | "ATTESTATION_MISSING"
  | "ATTESTATION_INVALID"
  | "PROVENANCE_UNREADABLE"
  | "PROVENANCE_BUILDER_UNTRUSTED"
  | "PROVENANCE_SOURCE_UNTRUSTED"
  | "PROVENANCE_COMMIT_MISSING"
  | "SBOM_MISSING"
  | "LABEL_MISSING"
  | "LABEL_VALUE_MISMATCH"
  | "IMAGE_USER_ROOT"
  | "IMAGE_TOO_OLD"
  | "IMAGE_CREATED_UNKNOWN"
  | "BASE_IMAGE_UNKNOWN"
  | "BASE_IMAGE_NOT_APPROVED"
  | "VULNERABILITY_FOUND"
  | "VULNERABILITY_REPORT_MISSING"
  | "VULNERABILITY_REPORT_STALE"
  | "REGISTRY_UNREACHABLE"
  | "RATE_LIMITED"
  | "REGISTRY_AUTH_FAILED"
  | "SOURCE_TIMEOUT"
  | "SOURCE_NOT_CONFIGURED"
  | "FACTS_UNREADABLE"
  | "DIGEST_UNRESOLVED"
  | "TAG_NOT_PINNED"
  | "IMAGE_TOO_LARGE"
  | "IMAGE_SIZE_UNKNOWN"
  | "IMAGE_VOLUMES_DECLARED";

/** Lint findings of supply-chain policies. */
export type SupplyLintCode =
  /** An allowlist entry that has expired and so hides nothing. */
  | "LINT_ALLOWLIST_EXPIRED"
  /** An allowlist entry that expires within 14 days. */
  | "LINT_ALLOWLIST_EXPIRING";

/** Control plane storage and API (docs/control-plane.md). */
export type FleetErrorCode =
  | "STORE_NOT_FOUND"
  | "STORE_ALREADY_EXISTS"
  | "STORE_CONFLICT"
  | "STORE_ATTACHED"
  | "STORE_UNAVAILABLE"
  | "STORE_SCHEMA_NEWER"
  | "STORE_URL_INVALID"
  | "STORE_LAST_ADMIN"
  | "API_BAD_REQUEST"
  | "API_UNAUTHENTICATED"
  | "API_FORBIDDEN"
  | "API_NOT_FOUND"
  | "API_CONFLICT"
  | "API_PRECONDITION_REQUIRED"
  | "API_POLICY_INVALID"
  | "API_RATE_LIMITED"
  | "API_NAME_MISMATCH"
  | "API_WORKSPACE_NOT_FOUND"
  | "API_INVALID"
  | "API_UNAVAILABLE"
  | "API_LIMIT_EXCEEDED"
  | "AGENT_CONTROL_PLANE_UNREACHABLE"
  | "AGENT_CONTROL_PLANE_REFUSED"
  | "AGENT_BUNDLE_INVALID"
  | "AGENT_STATE_UNREADABLE"
  | "AGENT_STATE_UNVERIFIED"
  | "AGENT_BUNDLE_UNVERIFIED"
  | "AGENT_KEYS_UNTRUSTED"
  /** `customs policy impact`: the control plane answered with an error status (docs/impact.md). */
  | "IMPACT_REFUSED";

/** Why the admission webhook refused a review as not coming from an API server (docs/webhook.md). */
export type AdmissionErrorCode =
  /** request.kind names another group, version or kind than the object (or oldObject) is. */
  | "ADMISSION_KIND_MISMATCH"
  /** --client-ca-file is set and the caller presented no certificate that CA signed. */
  | "WEBHOOK_CLIENT_UNAUTHENTICATED"
  /** The body of POST /validate or /mutate is not JSON, or not an AdmissionReview v1. */
  | "ADMISSION_REVIEW_INVALID";

/** Why a listener refused a request body before any handler saw it (src/server/http). */
export type ServerErrorCode =
  /** Over the listener's limit (Content-Length, or counted as it arrives): HTTP 413. */
  | "BODY_TOO_LARGE"
  /** The client went away or broke the body off: HTTP 400. */
  | "BODY_UNREADABLE";

/** Signing in to the control plane with OpenID Connect (docs/sso.md). */
export type SignInErrorCode =
  /** `--oidc-config` is not valid (its field is named), or its client secret file is unreadable. */
  | "OIDC_CONFIG_INVALID"
  /** The provider's discovery, keys or token endpoint failed or answered something unusable. */
  | "OIDC_PROVIDER_FAILED"
  /** The ID token is refused: signature, algorithm, key, issuer, audience, time or nonce. */
  | "OIDC_TOKEN_INVALID"
  /** The provider's answer belongs to no sign-in of this browser (state, cookie, expiry), or is an error. */
  | "OIDC_SIGN_IN_INVALID"
  /** The person's groups map to no role. */
  | "OIDC_NO_ROLE"
  /** Sign-in with OpenID Connect is not configured on this control plane. */
  | "OIDC_NOT_CONFIGURED"
  /** A write with a session cookie lacks the session's CSRF token or comes from another origin. */
  | "API_CSRF_REFUSED";

/** Why the cluster could not be reached through a kubeconfig (docs/cluster-access.md). */
export type ClusterReadErrorCode =
  /** No kubeconfig where kubectl would look, no such context, or a field kubectl would refuse too. */
  | "KUBECONFIG_INVALID"
  /** A kubeconfig kubectl accepts but Customs will not use (insecure TLS, auth-provider, …). */
  | "KUBECONFIG_UNSUPPORTED"
  /** An exec credential plugin was not found, failed, timed out or printed no usable credential. */
  | "KUBE_EXEC_FAILED"
  /** The API server was unreachable, refused us, or answered with something unusable. */
  | "CLUSTER_READ_FAILED";

export type ErrorCode =
  /** A check Customs makes of itself failed, or an error of no known kind: a bug. */
  | "INTERNAL"
  | AdmissionErrorCode
  // A supply-chain fact that could not be had travels as an error carrying its code
  // (src/app/supply) until it becomes a FactError value again.
  | SupplyViolationCode
  | RegistryErrorCode
  | HttpErrorCode
  | KubeErrorCode
  | ClusterReadErrorCode
  | FleetErrorCode
  | SignInErrorCode
  | ReferenceErrorCode
  | ServerErrorCode
  | InputErrorCode
  | VulnerabilityErrorCode
  | HarborErrorCode
  | DockerfileErrorCode
  | ImageBuildErrorCode
  | RegistryAccessErrorCode
  | SignatureErrorCode
  | SecretsErrorCode;

/** What an error wraps, and machine-readable facts about it (printed under `-o json`). */
export interface CustomsErrorOptions {
  /** The error this one explains (pino logs both stacks; `-o json` does not print it). */
  readonly cause?: unknown;
  /** JSON-safe facts a script can act on (never credentials). */
  readonly details?: unknown;
}

/**
 * The only exception type the product throws on purpose; every error class extends it. `path`
 * names where the problem is (a field path such as `spec.input.rules[0].port`, or a JSON
 * pointer), `source` the file.
 */
export class CustomsError extends Error {
  readonly code: ErrorCode;
  readonly path: string | undefined;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, path?: string, options: CustomsErrorOptions = {}) {
    // `cause` goes to Error itself only when given: an own `cause: undefined` would show in logs.
    super(message, "cause" in options ? { cause: options.cause } : undefined);
    this.name = "CustomsError";
    this.code = code;
    this.path = path;
    this.details = options.details;
  }
}

export function isCustomsError(value: unknown): value is CustomsError {
  return value instanceof CustomsError;
}
