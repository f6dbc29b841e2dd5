import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { failingFindings, toProvenance } from "../../src/core/evaluate/index.js";
import type { VulnerabilityInput } from "../../src/core/policy/index.js";
import type {
  Fact,
  FactErrorCode,
  ImageFacts,
  Signer,
  Vulnerability,
} from "../../src/core/supply/facts.js";
import { DIGEST, decideWith, NOW, PEM } from "./support.js";

const SPECS: Record<string, unknown>[] = [
  {
    recipe: "require-signature",
    input: {
      authorities: [
        { name: "ci", key: { pem: PEM } },
        {
          name: "gh",
          keyless: { issuer: "https://i", subjectRegExp: "https://github\\.com/acme/.*" },
        },
      ],
      count: 2,
      requireTransparencyLog: true,
    },
  },
  {
    recipe: "require-provenance",
    input: {
      authorities: [{ name: "ci", key: { pem: PEM } }],
      builders: ["https://b/*"],
      sourceRepositories: [{ regExp: "https://github\\.com/acme/.*" }],
      requireCommit: true,
      requireSbom: true,
    },
  },
  {
    recipe: "require-labels",
    input: { labels: [{ key: "a", valueRegExp: "x.*" }], annotations: [{ key: "b", value: "y*" }] },
  },
  { recipe: "non-root-user" },
  { recipe: "max-image-age", input: { maxAge: "30d" } },
  { recipe: "approved-base-images", input: { rules: [{ hostname: "cgr.dev" }] } },
  {
    recipe: "vulnerability-threshold",
    input: {
      severity: "high",
      fixableOnly: true,
      allowlist: [{ id: "CVE-1", expires: "2026-01-01" }],
      maxReportAge: "7d",
    },
  },
];

const CODES: FactErrorCode[] = [
  "REGISTRY_UNREACHABLE",
  "RATE_LIMITED",
  "REGISTRY_AUTH_FAILED",
  "SOURCE_TIMEOUT",
  "DIGEST_UNRESOLVED",
  "SOURCE_NOT_CONFIGURED",
  "FACTS_UNREADABLE",
];
const text = fc.oneof(
  fc.string(),
  fc.constantFrom("ci", "gh", "https://github.com/acme/x", "0", "root", "", DIGEST),
);
const signer: fc.Arbitrary<Signer> = fc.oneof(
  fc.record({ kind: fc.constant("key" as const), keyId: text }),
  fc.record({ kind: fc.constant("keyless" as const), issuer: text, subject: text }),
);
const error = fc.record({
  ok: fc.constant(false as const),
  code: fc.constantFrom(...CODES),
  message: fc.string(),
});
const fact = <T>(value: fc.Arbitrary<T>): fc.Arbitrary<Fact<T>> =>
  fc.oneof(fc.record({ ok: fc.constant(true as const), value }), error);
const severity = fc.constantFrom(
  "unknown",
  "negligible",
  "low",
  "medium",
  "high",
  "critical",
) as fc.Arbitrary<Vulnerability["severity"]>;
const vulnerability: fc.Arbitrary<Vulnerability> = fc.record({
  id: fc.constantFrom("CVE-1", "CVE-2", "GHSA-1"),
  aliases: fc.array(fc.constantFrom("CVE-1", "CVE-3"), { maxLength: 2 }),
  severity,
  package: fc.string(),
  installedVersion: fc.string(),
  fixedVersions: fc.array(fc.string(), { maxLength: 2 }),
});
const rejected = fc.array(
  fc.record({
    code: fc.constantFrom(
      "SIGNATURE_INVALID" as const,
      "SIGNATURE_UNTRUSTED" as const,
      "SIGNATURE_DIGEST_MISMATCH" as const,
    ),
    message: fc.string(),
  }),
  { maxLength: 2 },
);

const facts: fc.Arbitrary<ImageFacts> = fc.record(
  {
    digest: fact(fc.constantFrom(DIGEST, "sha256:x")),
    signatures: fact(
      fc.record({
        verified: fc.array(
          fc.record({
            signer,
            digest: fc.constantFrom(DIGEST, "sha256:y"),
            transparencyLog: fc.boolean(),
            format: fc.constant("cosign-v2" as const),
          }),
          { maxLength: 3 },
        ),
        rejected,
      }),
    ),
    attestations: fact(
      fc.record({
        verified: fc.array(
          fc.record({
            signer,
            predicateType: fc.constantFrom(
              "https://slsa.dev/provenance/v1",
              "https://slsa.dev/provenance/v0.2",
              "https://spdx.dev/Document",
              "x",
            ),
            predicate: fc.anything(),
          }),
          { maxLength: 3 },
        ),
        rejected,
      }),
    ),
    metadata: fact(
      fc.record({
        labels: fc.dictionary(
          fc.constantFrom("a", "b", "org.opencontainers.image.base.name"),
          fc.string(),
        ),
        annotations: fc.dictionary(
          fc.constantFrom("a", "b", "org.opencontainers.image.base.name"),
          fc.oneof(fc.string(), fc.constant("cgr.dev/x:1")),
        ),
        user: text,
        created: fc.option(
          fc.oneof(
            fc.string(),
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          ),
          { nil: undefined },
        ),
      }),
    ),
    vulnerabilities: fact(
      fc.option(
        fc.record({
          scanner: fc.string(),
          createdAt: fc.option(fc.string(), { nil: undefined }),
          vulnerabilities: fc.array(vulnerability, { maxLength: 4 }),
        }),
        { nil: undefined },
      ),
    ),
    degraded: fc.boolean(),
  },
  { requiredKeys: ["digest"] },
);

const GROUP: Record<string, keyof ImageFacts> = {
  "require-signature": "signatures",
  "require-provenance": "attestations",
  "vulnerability-threshold": "vulnerabilities",
};

describe("supply-chain engine properties", () => {
  it("never throws, whatever the facts", () => {
    fc.assert(
      fc.property(fc.constantFrom(...SPECS), facts, (spec, f) => {
        const d = decideWith(spec, f);
        expect(["allow", "warn", "deny"]).toContain(d.verdict);
      }),
      { numRuns: 400 },
    );
  });

  it("never allows an image when a fact the policy needs is an error and the action is deny", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SPECS),
        facts,
        error,
        fc.boolean(),
        (spec, f, e, digestFails) => {
          const group = GROUP[spec.recipe as string] ?? "metadata";
          const broken = digestFails ? { ...f, digest: e } : { ...f, [group]: e };
          const d = decideWith(spec, broken);
          expect(d.verdict).toBe("deny");
          // The first fact that failed is the one named: the digest before any group.
          const expected = broken.digest.ok ? e.code : broken.digest.code;
          expect(d.violations.map((v) => v.code)).toContain(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("an expired allowlist entry never hides a finding", () => {
    const input = (expiresAt: number): VulnerabilityInput => ({
      recipe: "vulnerability-threshold",
      severity: "low",
      fixableOnly: false,
      allowlist: [{ id: "CVE-1", expires: "x", expiresAt, reason: undefined }],
      maxReportAge: undefined,
      maxReportAgeMs: undefined,
      missingReport: "deny",
      tagHandling: undefined,
    });
    fc.assert(
      fc.property(
        fc.array(vulnerability, { maxLength: 6 }),
        fc.integer({ min: 0, max: 10 ** 12 }),
        (vulns, age) => {
          const report = { scanner: "t", vulnerabilities: vulns };
          const expired = failingFindings(input(NOW - age), report, NOW);
          const none = failingFindings({ ...input(0), allowlist: [] }, report, NOW);
          expect(expired).toEqual(none);
        },
      ),
    );
  });

  it("reading any predicate never throws", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("https://slsa.dev/provenance/v1", "https://slsa.dev/provenance/v0.2", "x"),
        fc.anything(),
        (t, p) => {
          const r = toProvenance(t, p);
          expect(typeof r === "string" || typeof r.builderId === "string").toBe(true);
        },
      ),
    );
  });
});
