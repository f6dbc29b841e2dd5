import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPolicySet } from "../../src/app/documents/policies.js";
import {
  createEvaluator,
  toNamespaceFacts,
  withSupplyFacts,
} from "../../src/core/evaluate/index.js";
import type { ImageFacts } from "../../src/core/supply/facts.js";
import { customsInProcess, ROOT } from "../support/cli.js";
import {
  attestation,
  DECIDE_TAGS,
  DIGEST,
  facts,
  keyless,
  ok,
  signature,
  vuln,
} from "./support.js";

const FILE = join(ROOT, "examples/supply-chain/signed-built-scanned.yaml");
const { set } = loadPolicySet([{ source: FILE, text: readFileSync(FILE, "utf8") }]);
const RELEASE = keyless(
  "https://github.com/acme/payments/.github/workflows/release.yml@refs/tags/v2.1.0",
);
const BUILDER =
  "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.0.0";
const provenance = (builder = BUILDER, repo = "https://github.com/acme/payments") =>
  attestation(RELEASE, "https://slsa.dev/provenance/v0.2", {
    builder: { id: builder },
    invocation: {
      configSource: { uri: `git+${repo}@refs/tags/v2.1.0`, digest: { sha1: "f".repeat(40) } },
    },
  });
const sbom = attestation(RELEASE, "https://spdx.dev/Document", {});
const NOW = Date.parse("2026-06-01T00:00:00Z");

function good(): ImageFacts {
  return facts({
    signatures: ok({ verified: [signature(RELEASE, DIGEST, true)], rejected: [] }),
    attestations: ok({ verified: [provenance(), sbom], rejected: [] }),
    vulnerabilities: ok({
      scanner: "trivy",
      createdAt: "2026-05-31T12:00:00Z",
      vulnerabilities: [vuln("CVE-2024-45337", "critical"), vuln("CVE-2026-9", "critical", false)],
    }),
  });
}

function decide(f: ImageFacts) {
  const evaluator = withSupplyFacts(createEvaluator(set), () => f, NOW, DECIDE_TAGS);
  return evaluator.evaluate(toNamespaceFacts("payments"), [
    { container: "api", containerType: "containers", image: "ghcr.io/acme/payments:v2.1.0" },
  ]);
}

describe("the supply-chain example: signed by CI, built by the trusted builder from our repository, no fixable criticals", () => {
  it("validates strictly", async () => {
    const r = await customsInProcess(["policy", "validate", "--strict", FILE]);
    expect(r.stdout).toContain("3 policies, 0 workspaces: 0 errors, 0 warnings");
    expect(r.status).toBe(0);
  });

  it("admits an image that meets all three", () => {
    expect(decide(good()).violations).toEqual([]);
  });

  it("each refusal names the requirement that failed, and why", () => {
    const g = good();
    const f: ImageFacts = {
      ...g,
      signatures: ok({
        verified: [
          signature(
            keyless("https://github.com/acme/payments/.github/workflows/dev.yml@refs/heads/main"),
          ),
        ],
        rejected: [],
      }),
      attestations: ok({
        verified: [
          provenance("https://ci.example/evil-builder", "https://github.com/mallory/payments"),
          sbom,
        ],
        rejected: [],
      }),
      vulnerabilities: ok({
        scanner: "trivy",
        createdAt: "2026-05-31T12:00:00Z",
        vulnerabilities: [vuln("CVE-2026-1234", "critical")],
      }),
    };
    const v = decide(f).violations.map(
      (x) =>
        `${x.policy} ${x.code}: ${x.message.replace(/^.* \(namespace payments, action deny\): /, "")}`,
    );
    expect(v).toEqual([
      expect.stringMatching(
        /^signed-by-ci SIGNATURE_UNTRUSTED: signed by identity https:\/\/github.com\/acme\/payments\/.github\/workflows\/dev.yml@refs\/heads\/main .*; policy wants one of "ci", "release-workflow"/,
      ),
      "built-by-trusted-builder PROVENANCE_BUILDER_UNTRUSTED: built by https://ci.example/evil-builder; trusted: https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v*",
      "built-by-trusted-builder PROVENANCE_SOURCE_UNTRUSTED: built from https://github.com/mallory/payments; allowed: https://github.com/acme/payments",
      "no-fixable-criticals VULNERABILITY_FOUND: 1 fixable critical (CVE-2026-1234); the policy refuses fixable findings at or above critical",
    ]);
  });

  it("does not apply outside its namespace", () => {
    const evaluator = withSupplyFacts(createEvaluator(set), () => undefined, NOW, DECIDE_TAGS);
    const d = evaluator.evaluate(toNamespaceFacts("team-a"), [
      { container: "c", containerType: "containers", image: "busybox" },
    ]);
    expect(d.violations).toEqual([]);
  });
});

describe("customs policy explain", () => {
  it("never reports a pass for a supply-chain policy it cannot decide from the reference", async () => {
    const r = await customsInProcess([
      "policy",
      "explain",
      "-p",
      FILE,
      "--namespace",
      "payments",
      "-o",
      "json",
      "ghcr.io/acme/payments:v1",
    ]);
    const out = JSON.parse(r.stdout) as {
      policies: Array<{ applies: boolean; result: string; detail: string }>;
    };
    expect(out.policies.map((p) => [p.applies, p.result])).toEqual([
      [true, "skip"],
      [true, "skip"],
      [true, "skip"],
    ]);
    expect(out.policies[0]?.detail).toMatch(/supply-chain recipe/);
  });
});
