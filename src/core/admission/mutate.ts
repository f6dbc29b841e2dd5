import { type TagRule, tagHandlingOf } from "../evaluate/index.js";
import { type CompiledPolicy, exemptIndex } from "../policy/index.js";
import { parseNormalized, toImageParts } from "../reference/index.js";
import { extractResources } from "../workload/index.js";
import { withKind } from "./review.js";
import type { AdmissionRequest } from "./types.js";

/** One image field to pin: its JSON pointer in the object, and the image as written. */
export interface PinTarget {
  readonly pointer: string;
  readonly image: string;
}

export interface JsonPatchOperation {
  readonly op: "replace";
  readonly path: string;
  readonly value: string;
}

/**
 * Which images the `/mutate` webhook should pin: those without a digest, in a workload that
 * a policy with `pinDigests: true` applies to. Pure: the digests are fetched afterwards by the
 * caller (facts first, then the decision), and images that do not parse are left to /validate.
 */
export function planPins(
  request: AdmissionRequest,
  applicable: readonly CompiledPolicy[],
): PinTarget[] {
  const pinning = applicable.filter((p) => p.policy.pinDigests);
  if (pinning.length === 0) return [];
  return unpinnedImages(request, pinning);
}

/**
 * Which images `/mutate` pins for supply-chain verification: every image without a digest in
 * a workload that a signature, provenance or vulnerability policy in `pin` mode applies to.
 * Those policies decide on one digest; pinning the workload to it is what makes the verdict
 * hold when the kubelet pulls, whatever happens to the tag afterwards.
 */
export function planVerifiedPins(
  request: AdmissionRequest,
  applicable: readonly CompiledPolicy[],
  rule: TagRule,
): PinTarget[] {
  const pinning = applicable.filter((p) => tagHandlingOf(p, rule) === "pin");
  if (pinning.length === 0) return [];
  return unpinnedImages(request, pinning);
}

/** An image that every pinning policy exempts (exemptImages) is none of their business. */
function unpinnedImages(
  request: AdmissionRequest,
  pinning: readonly CompiledPolicy[],
): PinTarget[] {
  if (request.operation !== "CREATE" && request.operation !== "UPDATE") return [];
  if (request.subResource !== undefined && request.subResource !== "ephemeralcontainers") return [];
  const workload = extractResources(withKind(request.object, request)).workloads[0];
  if (workload === undefined) return [];
  const targets: PinTarget[] = [];
  for (const c of workload.containers) {
    if (c.image === undefined) continue;
    const parsed = parseNormalized(c.image);
    if (!parsed.ok || parsed.ref.digest !== undefined) continue;
    const parts = toImageParts(parsed.ref);
    if (pinning.every((p) => exemptIndex(p.exempt, parts) >= 0)) continue;
    targets.push({ pointer: c.pointer, image: c.image });
  }
  return targets;
}

/** JSONPatch that replaces each target whose digest is known with the pinned form. */
export function buildPinPatch(
  targets: readonly PinTarget[],
  pinned: ReadonlyMap<string, string>,
): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  for (const t of targets) {
    const value = pinned.get(t.image);
    if (value !== undefined) ops.push({ op: "replace", path: t.pointer, value });
  }
  return ops;
}
