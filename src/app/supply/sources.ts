import type { Digest } from "../../adapters/registry/index.js";
import type { TrustPolicy } from "../../adapters/sigstore/index.js";
import type { Authority } from "../../core/policy/index.js";
import type { ImageReference } from "../../core/reference/index.js";
import type {
  AttestationFacts,
  Fact,
  RejectedSignature,
  SignatureFacts,
  VulnerabilityReport,
} from "../../core/supply/facts.js";
import { COSIGN_VULN_PREDICATE, parseVulnerabilityJson } from "../../core/vuln/index.js";
import type { AttestationSource, SignatureSource, VulnerabilitySource } from "./facts.js";
import type { HarborReports } from "./harbor.js";
import {
  fetchAttestationFacts,
  fetchSignatureFacts,
  type SignatureRegistry,
} from "./signatures.js";
import { type ReadText, type Trust, TrustPolicies } from "./trust.js";

type Verified<T> = Fact<{ verified: readonly T[]; rejected: readonly RejectedSignature[] }>;

/**
 * Runs one fetch per trust policy (one per trusted root) and merges: what any of them
 * verified, and the rejections without repeats. A registry failure of any fetch is the answer.
 */
async function acrossPolicies<T>(
  trust: Trust,
  fetch: (p: TrustPolicy) => Promise<Verified<T>>,
): Promise<Verified<T>> {
  const all = await Promise.all(trust.policies.map(fetch));
  const failed = all.find((f) => !f.ok);
  if (failed !== undefined) return failed;
  const verified = new Map<string, T>();
  const rejected = new Map<string, RejectedSignature>();
  for (const f of all) {
    if (!f.ok) continue;
    for (const v of f.value.verified) verified.set(JSON.stringify(v), v);
    for (const r of f.value.rejected) rejected.set(r.message, r);
  }
  // What was rejected may have been meant for an authority that could not take part: say so.
  const notes: RejectedSignature[] =
    verified.size === 0 && rejected.size > 0
      ? trust.skipped.map((message) => ({ code: "SIGNATURE_UNTRUSTED", message }))
      : [];
  return {
    ok: true,
    value: { verified: [...verified.values()], rejected: [...rejected.values(), ...notes] },
  };
}

const NONE: Fact<VulnerabilityReport | undefined> = { ok: true, value: undefined };

/** Nothing can vouch for a report of this image. */
function noVulnSource(harbor: boolean): Fact<never> {
  const where = harbor ? "the image is not in the configured Harbor" : "no Harbor is configured";
  return {
    ok: false,
    code: "SOURCE_NOT_CONFIGURED",
    message: `cosign vulnerability attestations count only when signed by an authority of a require-signature or require-provenance policy, none applies, and ${where}`,
  };
}

/** The newest report among the verified cosign vulnerability attestations. */
function toNewestReport(
  facts: AttestationFacts,
  digest: string,
): Fact<VulnerabilityReport | undefined> {
  const reports: VulnerabilityReport[] = [];
  const unreadable: string[] = [];
  for (const a of facts.verified) {
    if (a.predicateType !== COSIGN_VULN_PREDICATE) continue;
    try {
      const statement = { predicateType: a.predicateType, predicate: a.predicate };
      reports.push(parseVulnerabilityJson(statement, `vulnerability attestation of ${digest}`));
    } catch (e) {
      unreadable.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (reports.length === 0 && unreadable.length > 0) {
    return { ok: false, code: "FACTS_UNREADABLE", message: unreadable.join("; ") };
  }
  return { ok: true, value: newest(reports) };
}

export interface CosignSources {
  readonly signatures: SignatureSource;
  readonly attestations: AttestationSource;
  readonly vulnerabilities: VulnerabilitySource;
}

/** Newest first by scan time; a report without one counts as oldest. */
function newest(reports: readonly VulnerabilityReport[]): VulnerabilityReport | undefined {
  const time = (r: VulnerabilityReport) => {
    const t = r.createdAt === undefined ? Number.NaN : Date.parse(r.createdAt);
    return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
  };
  return [...reports].sort((a, b) => time(b) - time(a))[0];
}

/**
 * The supply-chain sources over a registry client: cosign signatures and in-toto
 * attestations (cosign v2 tags and Sigstore bundle referrers), verified with the policy's
 * authorities; and vulnerability reports from cosign vulnerability attestations signed by
 * one of those authorities, and from Harbor for the images it hosts when one is configured
 * (docs/supply-chain.md, "Sources").
 */
export function cosignSources(
  registry: SignatureRegistry,
  options: { readonly read?: ReadText; readonly harbor?: HarborReports } = {},
): CosignSources {
  const { read, harbor } = options;
  const trust = new TrustPolicies(read);
  const attestationsOf = (
    ref: ImageReference,
    digest: string,
    authorities: readonly Authority[],
    types: readonly string[] = [],
  ): Promise<Fact<AttestationFacts>> => {
    const policies = trust.for(authorities);
    if (!policies.ok) return Promise.resolve(policies);
    return acrossPolicies(policies.value, (p) =>
      fetchAttestationFacts(registry, ref, digest as Digest, p, types),
    );
  };
  return {
    signatures: {
      signaturesFor(ref, digest, authorities): Promise<Fact<SignatureFacts>> {
        const policies = trust.for(authorities);
        if (!policies.ok) return Promise.resolve(policies);
        return acrossPolicies(policies.value, (p) =>
          fetchSignatureFacts(registry, ref, digest as Digest, p),
        );
      },
    },
    attestations: {
      // No authority in the set (e.g. only approved-base-images): no attestation can be
      // trusted, so none is fetched.
      attestationsFor: (ref, digest, authorities) =>
        authorities.length === 0
          ? Promise.resolve({ ok: true, value: { verified: [], rejected: [] } })
          : attestationsOf(ref, digest, authorities),
    },
    vulnerabilities: {
      async reportFor(ref, digest, authorities = []) {
        const held = harbor?.covers(ref) === true ? harbor : undefined;
        if (authorities.length === 0 && held === undefined) return noVulnSource(!!harbor);
        const [signed, scanned] = await Promise.all([
          authorities.length === 0
            ? NONE
            : attestationsOf(ref, digest, authorities, [COSIGN_VULN_PREDICATE]).then((f) =>
                f.ok ? toNewestReport(f.value, digest) : f,
              ),
          held === undefined ? NONE : held.reportFor(ref, digest),
        ]);
        // A source that cannot be asked might hold the newest report: fail closed.
        if (!signed.ok) return signed;
        if (!scanned.ok) return scanned;
        const found = [signed.value, scanned.value].filter((r) => r !== undefined);
        return { ok: true, value: newest(found) };
      },
    },
  };
}
