import {
  type CompiledLabel,
  type CompiledPolicy,
  describeAge,
  type MaxAgeInput,
  printable,
  ruleMatches,
} from "../policy/index.js";
import { parseNormalized, toImageParts, toNormalizedString } from "../reference/index.js";
import type { Fact, ImageMetadata } from "../supply/facts.js";
import { describeAllowed } from "./describe.js";
import type { SupplyFailure } from "./supply-types.js";

/** The annotation the OCI image spec defines for the base image's reference. */
export const BASE_NAME_ANNOTATION = "org.opencontainers.image.base.name";

function checkLabels(
  kind: "label" | "annotation",
  required: readonly CompiledLabel[],
  present: Readonly<Record<string, string>>,
): SupplyFailure[] {
  const out: SupplyFailure[] = [];
  for (const r of required) {
    const value = Object.hasOwn(present, r.key) ? present[r.key] : undefined;
    if (value === undefined) {
      out.push({
        code: "LABEL_MISSING",
        verb: `lacks a ${kind} required by`,
        reason: `${kind} ${r.key} is not set${r.value ? `; it must match ${r.value.source}` : ""}`,
      });
    } else if (r.value !== undefined && !r.value.test(value)) {
      out.push({
        code: "LABEL_VALUE_MISMATCH",
        verb: `has a ${kind} value refused by`,
        reason: `${kind} ${r.key} is "${printable(value, 120)}"; it must match ${r.value.source}`,
      });
    }
  }
  return out;
}

export function evaluateLabels(compiled: CompiledPolicy, m: ImageMetadata): SupplyFailure[] {
  const supply = compiled.supply;
  if (supply === undefined) return [];
  return [
    ...checkLabels("label", supply.labels, m.labels),
    ...checkLabels("annotation", supply.annotations, m.annotations),
  ];
}

/** Root is UID 0 whatever the group; an empty User means the runtime's default, root. */
export function isRootUser(user: string): boolean {
  const name = user.split(":")[0]?.trim() ?? "";
  return name === "" || name === "root" || /^0+$/.test(name);
}

export function evaluateNonRoot(m: ImageMetadata): SupplyFailure | undefined {
  if (!isRootUser(m.user)) return undefined;
  const shown = m.user === "" ? "not set (so root)" : `"${printable(m.user, 60)}"`;
  return {
    code: "IMAGE_USER_ROOT",
    verb: "runs as root, which is refused by",
    reason: `the image config's User is ${shown}; build with USER set to a non-zero UID (e.g. USER 65532)`,
  };
}

export function evaluateAge(
  input: MaxAgeInput,
  m: ImageMetadata,
  now: number,
): SupplyFailure | undefined {
  const verb = "is older than allowed by";
  const created = m.created === undefined ? Number.NaN : Date.parse(m.created);
  if (Number.isNaN(created)) {
    return {
      code: "IMAGE_CREATED_UNKNOWN",
      verb,
      reason:
        m.created === undefined
          ? "the image config has no created time, so its age is unknown"
          : `the image config's created time "${printable(m.created, 60)}" is not a date`,
    };
  }
  const age = now - created;
  if (age <= input.maxAgeMs) return undefined;
  return {
    code: "IMAGE_TOO_OLD",
    verb,
    reason: `created ${m.created}, ${describeAge(age)} ago; at most ${input.maxAge} allowed: rebuild it`,
  };
}

/** Approved when it matches a rule; otherwise why not. */
function judgeBase(
  compiled: CompiledPolicy,
  base: string,
  from: string,
  verb: string,
): SupplyFailure | undefined {
  const rules =
    compiled.policy.supply?.recipe === "approved-base-images" ? compiled.policy.supply.rules : [];
  const parsed = parseNormalized(base);
  if (!parsed.ok) {
    return {
      code: "BASE_IMAGE_UNKNOWN",
      verb,
      reason: `the base image "${printable(base, 120)}" (${from}) is not a valid reference: ${parsed.message}`,
    };
  }
  const parts = toImageParts(parsed.ref);
  if (compiled.rules.some((r) => ruleMatches(r, parts))) return undefined;
  return {
    code: "BASE_IMAGE_NOT_APPROVED",
    verb,
    reason: `built on ${toNormalizedString(parsed.ref)} (${from}); approved: ${describeAllowed(rules)}`,
  };
}

/**
 * The base image is read from the `org.opencontainers.image.base.name` annotation; without
 * it, from verified SLSA provenance: every container image the build pulled must then be
 * approved (a multi-stage build's builder images too), since provenance does not say which
 * one the final stage starts from.
 */
export function evaluateBaseImage(
  compiled: CompiledPolicy,
  m: ImageMetadata,
  provenanceImages: Fact<readonly string[]> | undefined,
): SupplyFailure | undefined {
  const verb = "is not built on a base image approved by";
  const rules =
    compiled.policy.supply?.recipe === "approved-base-images" ? compiled.policy.supply.rules : [];
  const base = Object.hasOwn(m.annotations, BASE_NAME_ANNOTATION)
    ? m.annotations[BASE_NAME_ANNOTATION]
    : undefined;
  if (base !== undefined && base !== "") {
    return judgeBase(compiled, base, `${BASE_NAME_ANNOTATION} annotation`, verb);
  }
  if (provenanceImages !== undefined && !provenanceImages.ok) {
    return {
      code: provenanceImages.code,
      verb: "could not be checked against",
      reason: `the image has no ${BASE_NAME_ANNOTATION} annotation and its provenance could not be read: ${printable(provenanceImages.message, 300)}; the policy fails closed`,
    };
  }
  const images = provenanceImages?.ok ? provenanceImages.value : [];
  if (images.length === 0) {
    return {
      code: "BASE_IMAGE_UNKNOWN",
      verb,
      reason: `the image has no ${BASE_NAME_ANNOTATION} annotation and no verified provenance names the images it was built from, so its base image is unknown; approved: ${describeAllowed(rules)}`,
    };
  }
  for (const image of images) {
    const failure = judgeBase(compiled, image, "from its provenance", verb);
    if (failure !== undefined) return failure;
  }
  return undefined;
}
