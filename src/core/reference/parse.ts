import { CustomsError, type ReferenceErrorCode } from "../errors.js";
import {
  anchoredIdentifierRegexp,
  DEFAULT_DOMAIN,
  DIGEST_HEX_LENGTHS,
  DIGEST_HEX_REGEXP,
  GO_DIGEST_ANCHORED_REGEXP,
  LEGACY_DEFAULT_DOMAIN,
  LOCALHOST,
  MAX_REFERENCE_LENGTH,
  NAME_TOTAL_LENGTH_MAX,
  OFFICIAL_REPO_PREFIX,
  referenceRegexp,
  referenceSplitRegexp,
} from "./grammar.js";

/**
 * A parsed image reference, in the terms of distribution/reference: `domain` is the registry
 * host with its port ("docker.io", "localhost:5000", "[::1]:5000"), `path` the repository.
 */
export interface ImageReference {
  readonly domain: string;
  readonly path: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

export type ParseResult =
  | { readonly ok: true; readonly ref: ImageReference }
  | { readonly ok: false; readonly code: ReferenceErrorCode; readonly message: string };

function fail(code: ReferenceErrorCode, message: string): ParseResult {
  return { ok: false, code, message };
}

/**
 * go-digest's Digest.Validate: a known algorithm needs lowercase hex of its exact length;
 * an unknown one that fits the grammar is "unsupported".
 */
function checkDigest(digest: string): ParseResult | undefined {
  const colon = digest.indexOf(":");
  if (colon <= 0 || colon + 1 === digest.length) {
    return fail("IMAGE_REFERENCE_DIGEST_INVALID", "invalid checksum digest format");
  }
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  // Own keys only: a plain index would find Object.prototype members, so that
  // "constructor:…" or "toString:…" looked like known algorithms with a function for a size.
  const size = Object.hasOwn(DIGEST_HEX_LENGTHS, algorithm)
    ? DIGEST_HEX_LENGTHS[algorithm]
    : undefined;
  if (size === undefined) {
    // go-digest's own pattern (lowercase algorithm), not the reference grammar's: the grammar
    // already matched, so with it every unknown algorithm would be "unsupported", where
    // go-digest calls `SHA256:…` an invalid format.
    if (!GO_DIGEST_ANCHORED_REGEXP.test(digest)) {
      return fail("IMAGE_REFERENCE_DIGEST_INVALID", "invalid checksum digest format");
    }
    return fail(
      "IMAGE_REFERENCE_DIGEST_UNSUPPORTED",
      `unsupported digest algorithm "${algorithm}" (supported: sha256, sha384, sha512)`,
    );
  }
  if (encoded.length !== size) {
    return fail(
      "IMAGE_REFERENCE_DIGEST_LENGTH",
      `invalid checksum digest length: ${algorithm} needs ${size} hex characters, got ${encoded.length}`,
    );
  }
  if (!DIGEST_HEX_REGEXP.test(encoded)) {
    return fail(
      "IMAGE_REFERENCE_DIGEST_INVALID",
      "invalid checksum digest format: the hex must be lowercase",
    );
  }
  return undefined;
}

/**
 * distribution/reference `Parse`: the strict grammar, no defaults. Returns a value rather
 * than throwing because invalid images are an ordinary outcome on the admission hot path.
 */
export function parseStrict(s: string): ParseResult {
  if (s.length > MAX_REFERENCE_LENGTH) return tooLong();
  return parseWithinCap(s);
}

function tooLong(): ParseResult {
  return fail(
    "IMAGE_REFERENCE_TOO_LONG",
    `invalid reference format: longer than ${MAX_REFERENCE_LENGTH} characters`,
  );
}

/** parseStrict without the length cap, for callers that have checked it already. */
function parseWithinCap(s: string): ParseResult {
  const matches = referenceSplitRegexp.exec(s);
  if (matches === null) {
    if (s === "") {
      return fail("IMAGE_REFERENCE_EMPTY", "repository name must have at least one component");
    }
    if (referenceRegexp.test(s.toLowerCase())) {
      return fail(
        "IMAGE_REFERENCE_UPPERCASE",
        "invalid reference format: repository name must be lowercase",
      );
    }
    return fail("IMAGE_REFERENCE_INVALID", "invalid reference format");
  }
  const domain = matches[1] ?? "";
  const path = matches[2] ?? "";
  if (path.length > NAME_TOTAL_LENGTH_MAX) {
    return fail(
      "IMAGE_REFERENCE_NAME_TOO_LONG",
      `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`,
    );
  }
  const digest = matches[4] || undefined;
  if (digest !== undefined) {
    const problem = checkDigest(digest);
    if (problem !== undefined) return problem;
  }
  return { ok: true, ref: { domain, path, tag: matches[3] || undefined, digest } };
}

/**
 * distribution/reference `splitDockerDomain`: decides whether the first path element is a
 * registry host. It is one when it is `localhost`, contains "." or ":", or has uppercase
 * letters (which a repository path cannot have); otherwise the image lives on Docker Hub.
 */
export function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf("/");
  let domain: string;
  let remainder: string;
  if (slash === -1) {
    return { domain: DEFAULT_DOMAIN, remainder: OFFICIAL_REPO_PREFIX + name };
  }
  const maybeDomain = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  if (maybeDomain === LOCALHOST) {
    domain = maybeDomain;
    remainder = rest;
  } else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) {
    domain = DEFAULT_DOMAIN;
    remainder = rest;
  } else if (
    maybeDomain.includes(".") ||
    maybeDomain.includes(":") ||
    maybeDomain.toLowerCase() !== maybeDomain
  ) {
    domain = maybeDomain;
    remainder = rest;
  } else {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes("/")) {
    remainder = OFFICIAL_REPO_PREFIX + remainder;
  }
  return { domain, remainder };
}

/**
 * distribution/reference `ParseNormalizedNamed`: what `docker pull`, containerd and the
 * kubelet do with an image string. `busybox` becomes docker.io/library/busybox.
 */
export function parseNormalized(s: string): ParseResult {
  if (s.length > MAX_REFERENCE_LENGTH) return tooLong();
  if (anchoredIdentifierRegexp.test(s)) {
    return fail(
      "IMAGE_REFERENCE_HEX_ONLY",
      `invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`,
    );
  }
  const { domain, remainder } = splitDockerDomain(s);
  const colon = remainder.indexOf(":");
  const remoteName = colon > -1 ? remainder.slice(0, colon) : remainder;
  if (remoteName.toLowerCase() !== remoteName) {
    return fail(
      "IMAGE_REFERENCE_UPPERCASE",
      `invalid reference format: repository name (${remoteName}) must be lowercase`,
    );
  }
  // The cap applies to the input, checked above. What splitDockerDomain adds (at most
  // "docker.io/library/", 18 characters) must not turn an input within the cap into
  // IMAGE_REFERENCE_TOO_LONG, whose message says the input is longer than the cap: such an
  // input gets distribution/reference's answer (e.g. a path over 255 characters).
  const result = parseWithinCap(`${domain}/${remainder}`);
  if (result.ok && result.ref.path === "") {
    return fail("IMAGE_REFERENCE_INVALID", `reference ${s} has no name`);
  }
  return result;
}

/** Throwing form of parseNormalized, for callers outside the hot path. */
export function parseImageReference(s: string): ImageReference {
  const result = parseNormalized(s);
  if (!result.ok) throw new CustomsError(result.code, result.message);
  return result.ref;
}
