import { describe, expect, it } from "vitest";
import { toImageOfDependency } from "../../src/core/evaluate/provenance.js";
import type { ImageFacts, RejectedSignature } from "../../src/core/supply/facts.js";
import {
  attestation,
  DIGEST,
  decideWith,
  facts,
  keyless,
  keySigner,
  metadata,
  NOW,
  OTHER_DIGEST,
  ok,
  PEM,
  SLSA_V1_PREDICATE,
  SLSA_V02_PREDICATE,
  signature,
  vuln,
} from "./support.js";

const SIGN = {
  recipe: "require-signature",
  input: { authorities: [{ name: "ci", key: { pem: PEM } }] },
};
const KEYLESS = {
  recipe: "require-signature",
  input: {
    authorities: [
      {
        name: "release",
        keyless: {
          issuer: "https://token.actions.githubusercontent.com",
          subjectRegExp:
            "https://github\\.com/acme/.+/\\.github/workflows/release\\.yml@refs/tags/v.*",
        },
      },
    ],
  },
};
const TWO_OF_TWO = {
  recipe: "require-signature",
  input: {
    authorities: [
      { name: "ci", key: { pem: PEM } },
      { name: "security", key: { pem: PEM } },
    ],
    count: 2,
    requireTransparencyLog: true,
  },
};

const sigs = (
  verified: ReturnType<typeof signature>[],
  rejected: RejectedSignature[] = [],
): ImageFacts => facts({ signatures: ok({ verified, rejected }) });

type Case = [string, Record<string, unknown>, ImageFacts | undefined, string | undefined, RegExp?];

const RELEASE = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.0";

const signatureCases: Case[] = [
  ["signed by the key", SIGN, sigs([signature(keySigner("ci"))]), undefined],
  [
    "nothing signed",
    SIGN,
    sigs([]),
    "SIGNATURE_MISSING",
    /no cosign signature found for sha256:a{64}; policy wants one of "ci"/,
  ],
  [
    "signed by another key",
    SIGN,
    sigs([signature(keySigner("old-ci"))]),
    "SIGNATURE_UNTRUSTED",
    /signed by key "old-ci"; policy wants one of "ci"/,
  ],
  [
    "signature of another digest",
    SIGN,
    sigs([signature(keySigner("ci"), OTHER_DIGEST)]),
    "SIGNATURE_DIGEST_MISMATCH",
    /sign sha256:b{64}, not the image's digest sha256:a{64}/,
  ],
  [
    "a signature that fails",
    SIGN,
    sigs([], [{ code: "SIGNATURE_INVALID", message: "ECDSA verification failed" }]),
    "SIGNATURE_INVALID",
    /ECDSA verification failed/,
  ],
  [
    "keyless identity matches the RE2 subject",
    KEYLESS,
    sigs([signature(keyless(RELEASE))]),
    undefined,
  ],
  [
    "keyless subject from another repository",
    KEYLESS,
    sigs([
      signature(keyless("https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1")),
    ]),
    "SIGNATURE_UNTRUSTED",
    /identity https:\/\/github.com\/evil/,
  ],
  // The expression must match the whole subject: a prefix inside a longer URL is no match.
  [
    "keyless subject only containing the pattern",
    KEYLESS,
    sigs([signature(keyless(`https://evil.example/?${RELEASE}`))]),
    "SIGNATURE_UNTRUSTED",
  ],
  [
    "keyless issuer differs",
    KEYLESS,
    sigs([signature(keyless(RELEASE, "https://accounts.google.com"))]),
    "SIGNATURE_UNTRUSTED",
  ],
  [
    "2 of 2 signed and logged",
    TWO_OF_TWO,
    sigs([signature(keySigner("ci")), signature(keySigner("security"))]),
    undefined,
  ],
  [
    "1 of 2 signed",
    TWO_OF_TWO,
    sigs([signature(keySigner("ci"))]),
    "SIGNATURE_UNTRUSTED",
    /only "ci" matched\); policy wants 2 of "ci", "security"/,
  ],
  [
    "2 of 2 signed but not logged",
    TWO_OF_TWO,
    sigs([
      signature(keySigner("ci"), DIGEST, false),
      signature(keySigner("security"), DIGEST, false),
    ]),
    "TRANSPARENCY_LOG_MISSING",
  ],
  [
    "registry down",
    SIGN,
    facts({
      signatures: { ok: false, code: "REGISTRY_UNREACHABLE", message: "connect ECONNREFUSED" },
    }),
    "REGISTRY_UNREACHABLE",
    /could not check signatures: connect ECONNREFUSED; the policy fails closed/,
  ],
  [
    "rate limited",
    SIGN,
    facts({ signatures: { ok: false, code: "RATE_LIMITED", message: "429" } }),
    "RATE_LIMITED",
  ],
  [
    "digest unresolved",
    SIGN,
    { digest: { ok: false, code: "DIGEST_UNRESOLVED", message: "manifest unknown" } },
    "DIGEST_UNRESOLVED",
  ],
  ["no signature source", SIGN, facts(), "SOURCE_NOT_CONFIGURED"],
  ["no facts at all", SIGN, undefined, "SOURCE_NOT_CONFIGURED"],
  [
    "timeout",
    SIGN,
    facts({ signatures: { ok: false, code: "SOURCE_TIMEOUT", message: "late" } }),
    "SOURCE_TIMEOUT",
  ],
];

const PROVENANCE = {
  recipe: "require-provenance",
  input: {
    authorities: [{ name: "ci", key: { pem: PEM } }],
    builders: [
      "https://github.com/actions/runner/github-hosted",
      "https://github.com/slsa-framework/slsa-github-generator/*",
    ],
    sourceRepositories: [{ regExp: "https://github\\.com/acme/[a-z-]+" }],
    requireCommit: true,
    requireSbom: true,
  },
};
const SBOM = attestation(keySigner("ci"), "https://spdx.dev/Document", { spdxVersion: "SPDX-2.3" });
const atts = (...verified: ReturnType<typeof attestation>[]) =>
  facts({ attestations: ok({ verified, rejected: [] }) });
const v1 = (p: unknown, signer = keySigner("ci")) =>
  attestation(signer, "https://slsa.dev/provenance/v1", p);
const withBuilder = (id: string) => ({ ...SLSA_V1_PREDICATE, runDetails: { builder: { id } } });

const provenanceCases: Case[] = [
  ["SLSA v1 provenance and SBOM", PROVENANCE, atts(v1(SLSA_V1_PREDICATE), SBOM), undefined],
  [
    "SLSA v0.2 provenance and CycloneDX SBOM",
    PROVENANCE,
    atts(
      attestation(keySigner("ci"), "https://slsa.dev/provenance/v0.2", SLSA_V02_PREDICATE),
      attestation(keySigner("ci"), "https://cyclonedx.org/bom", {}),
    ),
    undefined,
  ],
  [
    "untrusted builder",
    PROVENANCE,
    atts(v1(withBuilder("https://evil.example/builder")), SBOM),
    "PROVENANCE_BUILDER_UNTRUSTED",
    /built by https:\/\/evil.example\/builder; trusted: https:\/\/github.com\/actions\/runner\/github-hosted, /,
  ],
  [
    "untrusted source",
    PROVENANCE,
    atts(
      v1({
        ...SLSA_V1_PREDICATE,
        buildDefinition: {
          ...SLSA_V1_PREDICATE.buildDefinition,
          externalParameters: { workflow: { repository: "https://github.com/evil/app" } },
        },
      }),
      SBOM,
    ),
    "PROVENANCE_SOURCE_UNTRUSTED",
    /built from https:\/\/github.com\/evil\/app; allowed: /,
  ],
  [
    "no commit",
    PROVENANCE,
    atts(
      v1({
        ...SLSA_V1_PREDICATE,
        buildDefinition: { ...SLSA_V1_PREDICATE.buildDefinition, resolvedDependencies: [] },
      }),
      SBOM,
    ),
    "PROVENANCE_COMMIT_MISSING",
  ],
  ["no SBOM", PROVENANCE, atts(v1(SLSA_V1_PREDICATE)), "SBOM_MISSING"],
  [
    "provenance signed by someone else",
    PROVENANCE,
    atts(v1(SLSA_V1_PREDICATE, keySigner("other")), SBOM),
    "ATTESTATION_MISSING",
    /not trusted/,
  ],
  [
    "no attestations",
    PROVENANCE,
    atts(),
    "ATTESTATION_MISSING",
    /no SLSA provenance attestation for sha256:a{64} signed by "ci"/,
  ],
  [
    "rejected attestation",
    PROVENANCE,
    facts({
      attestations: ok({
        verified: [],
        rejected: [{ code: "SIGNATURE_INVALID", message: "DSSE signature invalid" }],
      }),
    }),
    "ATTESTATION_INVALID",
    /DSSE signature invalid/,
  ],
  [
    "unreadable predicate",
    PROVENANCE,
    atts(v1({ runDetails: {} }), SBOM),
    "PROVENANCE_UNREADABLE",
    /runDetails.builder.id/,
  ],
  [
    "attestation source down",
    PROVENANCE,
    facts({ attestations: { ok: false, code: "REGISTRY_UNREACHABLE", message: "down" } }),
    "REGISTRY_UNREACHABLE",
    /could not check attestations/,
  ],
];

const meta = (m: Parameters<typeof metadata>[0]) => facts({ metadata: ok(metadata(m)) });
const LABELS = {
  recipe: "require-labels",
  input: {
    labels: [
      { key: "org.opencontainers.image.source", valueRegExp: "https://github\\.com/acme/.+" },
      { key: "team" },
    ],
    annotations: [{ key: "org.opencontainers.image.revision" }],
  },
};
const SOURCE = {
  "org.opencontainers.image.source": "https://github.com/acme/app",
  team: "payments",
};
const BASE = {
  recipe: "approved-base-images",
  input: { rules: [{ hostname: "cgr.dev", imageName: "chainguard/*" }] },
};
/** No base-name annotation; verified SLSA v1 provenance naming these dependencies. */
const builtFrom = (uris: string[]) =>
  facts({
    metadata: ok(metadata({})),
    attestations: ok({
      verified: [
        v1({
          ...SLSA_V1_PREDICATE,
          buildDefinition: {
            ...(SLSA_V1_PREDICATE as { buildDefinition: object }).buildDefinition,
            resolvedDependencies: uris.map((uri) => ({ uri, digest: { sha256: "a".repeat(64) } })),
          },
        }),
      ],
      rejected: [],
    }),
  });
const base = (name: string) =>
  meta({ annotations: { "org.opencontainers.image.base.name": name } });

const metadataCases: Case[] = [
  [
    "labels present",
    LABELS,
    meta({ labels: SOURCE, annotations: { "org.opencontainers.image.revision": "abc" } }),
    undefined,
  ],
  [
    "label missing",
    LABELS,
    meta({ labels: { team: "x" }, annotations: { "org.opencontainers.image.revision": "abc" } }),
    "LABEL_MISSING",
    /label org.opencontainers.image.source is not set; it must match/,
  ],
  [
    "label with a wrong value",
    LABELS,
    meta({
      labels: { ...SOURCE, "org.opencontainers.image.source": "https://gitlab.com/x" },
      annotations: { "org.opencontainers.image.revision": "a" },
    }),
    "LABEL_VALUE_MISMATCH",
    /is "https:\/\/gitlab.com\/x"/,
  ],
  [
    "annotation missing",
    LABELS,
    meta({ labels: SOURCE }),
    "LABEL_MISSING",
    /annotation org.opencontainers.image.revision/,
  ],
  ["non-root user", { recipe: "non-root-user" }, meta({ user: "65532:65532" }), undefined],
  ["named non-root user", { recipe: "non-root-user" }, meta({ user: "app" }), undefined],
  [
    "empty user",
    { recipe: "non-root-user" },
    meta({ user: "" }),
    "IMAGE_USER_ROOT",
    /User is not set \(so root\)/,
  ],
  ["user 0", { recipe: "non-root-user" }, meta({ user: "0" }), "IMAGE_USER_ROOT"],
  ["user 0 with a group", { recipe: "non-root-user" }, meta({ user: "0:1000" }), "IMAGE_USER_ROOT"],
  ["user root", { recipe: "non-root-user" }, meta({ user: "root" }), "IMAGE_USER_ROOT"],
  [
    "young image",
    { recipe: "max-image-age", input: { maxAge: "90d" } },
    meta({ created: "2026-05-01T00:00:00Z" }),
    undefined,
  ],
  [
    "old image",
    { recipe: "max-image-age", input: { maxAge: "90d" } },
    meta({ created: "2025-01-01T00:00:00Z" }),
    "IMAGE_TOO_OLD",
    /created 2025-01-01T00:00:00Z, 516 days ago; at most 90d allowed/,
  ],
  [
    "no created time",
    { recipe: "max-image-age", input: { maxAge: "720h" } },
    meta({ created: undefined }),
    "IMAGE_CREATED_UNKNOWN",
  ],
  [
    "bad created time",
    { recipe: "max-image-age", input: { maxAge: "720h" } },
    meta({ created: "yesterday" }),
    "IMAGE_CREATED_UNKNOWN",
  ],
  ["approved base", BASE, base("cgr.dev/chainguard/static:latest"), undefined],
  [
    "unapproved base",
    BASE,
    base("docker.io/library/ubuntu:22.04"),
    "BASE_IMAGE_NOT_APPROVED",
    /built on docker.io\/library\/ubuntu:22.04 \(org.opencontainers.image.base.name annotation\); approved: hostname cgr.dev, image name chainguard\/\*/,
  ],
  ["unknown base", BASE, meta({}), "BASE_IMAGE_UNKNOWN"],
  [
    "base from verified provenance, approved",
    BASE,
    builtFrom(["pkg:docker/chainguard/static@latest?repository_url=cgr.dev"]),
    undefined,
  ],
  [
    "base from verified provenance: every image the build pulled must be approved",
    BASE,
    builtFrom([
      "pkg:docker/chainguard/static@latest?repository_url=cgr.dev",
      "pkg:docker/library/golang@1.23",
      "git+https://github.com/acme/app@refs/heads/main",
    ]),
    "BASE_IMAGE_NOT_APPROVED",
    /built on docker.io\/library\/golang:1.23@sha256:a{64} \(from its provenance\)/,
  ],
  [
    "the annotation wins over provenance",
    BASE,
    facts({
      metadata: ok(
        metadata({
          annotations: { "org.opencontainers.image.base.name": "cgr.dev/chainguard/static" },
        }),
      ),
      attestations: builtFrom(["pkg:docker/library/golang@1.23"]).attestations,
    }),
    undefined,
  ],
  [
    "no annotation and provenance unreadable: its own code, fail closed",
    BASE,
    facts({
      metadata: ok(metadata({})),
      attestations: { ok: false, code: "RATE_LIMITED", message: "429" },
    }),
    "RATE_LIMITED",
    /its provenance could not be read: 429/,
  ],
  [
    "registry down for metadata",
    { recipe: "non-root-user" },
    facts({ metadata: { ok: false, code: "REGISTRY_UNREACHABLE", message: "x" } }),
    "REGISTRY_UNREACHABLE",
    /could not check the image config/,
  ],
];

const VULNS = {
  recipe: "vulnerability-threshold",
  input: {
    severity: "critical",
    fixableOnly: true,
    allowlist: [
      { id: "CVE-2026-0001", expires: "2026-12-31", reason: "not reachable" },
      { id: "CVE-2026-0002", expires: "2026-01-31" },
    ],
    maxReportAge: "7d",
  },
};
const report = (vulnerabilities: ReturnType<typeof vuln>[], createdAt = "2026-05-31T00:00:00Z") =>
  facts({ vulnerabilities: ok({ scanner: "trivy", createdAt, vulnerabilities }) });

const vulnerabilityCases: Case[] = [
  ["no findings", VULNS, report([]), undefined],
  ["only high", VULNS, report([vuln("CVE-1", "high")]), undefined],
  ["critical without a fix", VULNS, report([vuln("CVE-1", "critical", false)]), undefined],
  [
    "two fixable critical",
    VULNS,
    report([vuln("CVE-2026-1111", "critical"), vuln("CVE-2026-2222", "critical")]),
    "VULNERABILITY_FOUND",
    /2 fixable critical \(CVE-2026-1111, CVE-2026-2222\)/,
  ],
  ["allowlisted critical", VULNS, report([vuln("CVE-2026-0001", "critical")]), undefined],
  [
    "allowlisted by alias",
    VULNS,
    report([vuln("GHSA-xxxx", "critical", true, ["CVE-2026-0001"])]),
    undefined,
  ],
  [
    "expired allowlist entry",
    VULNS,
    report([vuln("CVE-2026-0002", "critical")]),
    "VULNERABILITY_FOUND",
    /allowlist entries expired: CVE-2026-0002 \(2026-01-31\)/,
  ],
  [
    "stale report",
    VULNS,
    report([], "2026-05-01T00:00:00Z"),
    "VULNERABILITY_REPORT_STALE",
    /31 days ago; at most 7d/,
  ],
  [
    "report without scan time",
    VULNS,
    facts({ vulnerabilities: ok({ scanner: "grype", vulnerabilities: [] }) }),
    "VULNERABILITY_REPORT_STALE",
  ],
  ["no report", VULNS, facts({ vulnerabilities: ok(undefined) }), "VULNERABILITY_REPORT_MISSING"],
  [
    "scanner down",
    VULNS,
    facts({ vulnerabilities: { ok: false, code: "SOURCE_TIMEOUT", message: "slow" } }),
    "SOURCE_TIMEOUT",
  ],
];

describe.each([
  ["require-signature", signatureCases],
  ["require-provenance", provenanceCases],
  ["image metadata", metadataCases],
  ["vulnerability-threshold", vulnerabilityCases],
])("%s", (_, cases) => {
  it.each(cases)("%s", (_name, spec, f, code, message) => {
    const d = decideWith(spec, f);
    if (code === undefined) {
      expect(d.violations).toEqual([]);
      expect(d.verdict).toBe("allow");
      return;
    }
    expect(d.verdict).toBe("deny");
    expect(d.violations.map((v) => v.code)).toContain(code);
    const v = d.violations.find((x) => x.code === code);
    expect(v?.message).toMatch(
      /^container "app" \(containers\): image "registry.example.com\/team\/app:v1" \(registry.example.com\/team\/app:v1\) .+ policy "p" \(organization, action deny\): /,
    );
    if (message) expect(v?.message).toMatch(message);
  });
});

describe("actions and reports", () => {
  it("a missing report is only warned about when the policy says warn", () => {
    const spec = { ...VULNS, input: { ...VULNS.input, missingReport: "warn" } };
    const d = decideWith(spec, facts({ vulnerabilities: ok(undefined) }));
    expect(d.verdict).toBe("warn");
    expect(d.violations[0]?.action).toBe("warn");
  });

  it("a missing report is allowed when the policy says allow", () => {
    const spec = { ...VULNS, input: { ...VULNS.input, missingReport: "allow" } };
    expect(decideWith(spec, facts({ vulnerabilities: ok(undefined) })).verdict).toBe("allow");
  });

  it("a warn policy warns about an unreachable source, an audit policy only records", () => {
    const down = facts({ signatures: { ok: false, code: "REGISTRY_UNREACHABLE", message: "x" } });
    expect(decideWith({ ...SIGN, action: "warn" }, down).verdict).toBe("warn");
    const audit = decideWith({ ...SIGN, action: "audit" }, down);
    expect(audit.verdict).toBe("allow");
    expect(audit.violations[0]?.action).toBe("audit");
  });

  it("provenance reports every requirement that failed, each with its code", () => {
    const p = {
      ...SLSA_V1_PREDICATE,
      runDetails: { builder: { id: "https://evil.example" } },
      buildDefinition: { externalParameters: {}, resolvedDependencies: [] },
    };
    const codes = decideWith(PROVENANCE, atts(v1(p))).violations.map((v) => v.code);
    expect(codes).toEqual([
      "PROVENANCE_BUILDER_UNTRUSTED",
      "PROVENANCE_SOURCE_UNTRUSTED",
      "PROVENANCE_COMMIT_MISSING",
      "SBOM_MISSING",
    ]);
  });

  it("an invalid image reference is reported once, by the reference check, not by supply recipes", () => {
    const d = decideWith(SIGN, facts(), "not a valid image!");
    expect(d.violations.map((v) => v.code)).toEqual(["IMAGE_REFERENCE_INVALID"]);
  });

  it("uses the clock it is given for ages", () => {
    const spec = { recipe: "max-image-age", input: { maxAge: "30d" } };
    const f = meta({ created: "2026-05-01T00:00:00Z" });
    expect(decideWith(spec, f, undefined, NOW).verdict).toBe("deny");
    expect(decideWith(spec, f, undefined, Date.parse("2026-05-20T00:00:00Z")).verdict).toBe(
      "allow",
    );
  });
});

describe("images of provenance dependencies (package URLs of type docker)", () => {
  it.each([
    ["pkg:docker/library/alpine@3.20", undefined, "library/alpine:3.20"],
    ["pkg:docker/alpine@3.20?platform=linux%2Famd64", undefined, "alpine:3.20"],
    [
      "pkg:docker/team/app@1.0?repository_url=registry.example:5000",
      undefined,
      "registry.example:5000/team/app:1.0",
    ],
    [
      "pkg:docker/library/alpine@3.20",
      { sha256: "b".repeat(64) },
      `library/alpine:3.20@sha256:${"b".repeat(64)}`,
    ],
    [
      `pkg:docker/library/alpine@sha256%3A${"c".repeat(64)}`,
      undefined,
      `library/alpine@sha256:${"c".repeat(64)}`,
    ],
    ["pkg:docker/library/alpine", { sha256: "not-hex" }, "library/alpine"],
    ["git+https://github.com/acme/app@refs/heads/main", undefined, undefined],
    ["pkg:docker/%E0%A4%A@1", undefined, undefined],
    ["pkg:docker/", undefined, undefined],
  ])("%s -> %s", (uri, digest, expected) => {
    expect(toImageOfDependency(uri, digest)).toBe(expected);
  });
});
