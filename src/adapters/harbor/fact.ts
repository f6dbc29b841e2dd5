/**
 * Harbor's answer as an image fact (src/core/supply/facts.ts): "no report" is a fact (the
 * policy decides what it means), a Harbor that cannot be asked is an error with a reason,
 * never "no vulnerabilities".
 */
import { isCustomsError } from "../../core/errors.js";
import type { Fact, FactErrorCode, VulnerabilityReport } from "../../core/supply/facts.js";

const TO_FACT_ERROR: Readonly<Record<string, FactErrorCode>> = {
  HARBOR_UNREACHABLE: "REGISTRY_UNREACHABLE",
  HARBOR_TLS_FAILED: "REGISTRY_UNREACHABLE",
  HARBOR_ERROR: "REGISTRY_UNREACHABLE",
  HARBOR_TIMEOUT: "SOURCE_TIMEOUT",
  HARBOR_AUTH_FAILED: "REGISTRY_AUTH_FAILED",
  HARBOR_ACCESS_DENIED: "REGISTRY_AUTH_FAILED",
  HARBOR_RATE_LIMITED: "RATE_LIMITED",
};

export async function toVulnerabilityFact(
  fetching: Promise<VulnerabilityReport>,
): Promise<Fact<VulnerabilityReport | undefined>> {
  try {
    return { ok: true, value: await fetching };
  } catch (e) {
    if (!isCustomsError(e)) throw e;
    if (e.code === "HARBOR_NO_REPORT") return { ok: true, value: undefined };
    const code = TO_FACT_ERROR[e.code];
    if (code === undefined) throw e;
    return { ok: false, code, message: e.message };
  }
}
