/** max-image-size and no-volumes, decided on the image config and manifest facts. */
import type { MaxSizeInput, NoVolumesInput } from "../policy/index.js";
import { describeBytes } from "../policy/quantity.js";
import type { ImageMetadata } from "../supply/facts.js";
import type { SupplyFailure } from "./supply-types.js";

export function evaluateSize(input: MaxSizeInput, m: ImageMetadata): SupplyFailure | undefined {
  if (m.size === undefined || !Number.isFinite(m.size) || m.size < 0) {
    // Fail closed: no size, nothing to compare.
    return {
      code: "IMAGE_SIZE_UNKNOWN",
      verb: "has no known size, which is required by",
      reason: "its manifest gives no usable layer sizes; the policy fails closed",
    };
  }
  if (m.size <= input.maxBytes) return undefined;
  return {
    code: "IMAGE_TOO_LARGE",
    verb: "is larger than allowed by",
    reason: `it pulls ${describeBytes(m.size)} (compressed layers and config), more than maxSize ${input.maxSize} (${input.maxBytes} bytes); use a smaller image`,
  };
}

export function evaluateVolumes(
  input: NoVolumesInput,
  m: ImageMetadata,
): SupplyFailure | undefined {
  const declared = (m.volumes ?? []).filter((v) => !input.allowed.includes(v));
  if (declared.length === 0) return undefined;
  const allowed =
    input.allowed.length === 0 ? "none is allowed" : `allowed: ${input.allowed.join(", ")}`;
  return {
    code: "IMAGE_VOLUMES_DECLARED",
    verb: "declares volumes, which is refused by",
    reason: `its config declares VOLUME ${declared.slice(0, 10).join(", ")}${declared.length > 10 ? ", …" : ""} (${allowed}); remove the VOLUME instruction or allow the path`,
  };
}
