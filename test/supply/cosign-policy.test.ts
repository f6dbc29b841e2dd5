import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "../../src/adapters/registry/index.js";
import { loadPolicySet } from "../../src/app/documents/policies.js";
import { webhookSupplyContext } from "../../src/app/supply/context.js";
import { NamespaceCache } from "../../src/app/webhook/namespaces.js";
import { handleAdmissionWithSupply } from "../../src/app/webhook/supply-admission.js";
import { createEvaluator } from "../../src/core/evaluate/index.js";
import {
  createTestPki,
  type RunningRegistry,
  registryMissing,
  startRegistry,
  type TestPki,
} from "../registry/harness.js";
import { buildImage, Pusher } from "../registry/images.js";
import { cosignMissing, cosignPath, runCosign } from "../signatures/cosign.js";
import { deployment as deploymentObject, review } from "../support/admission.js";
import { customsInProcess, tempFiles } from "../support/cli.js";
import { BUILDER, deployment, policies, provenance, vulnPredicate } from "./cosign-fixture.js";

/**
 * "Signed by our CI key, built by our trusted builder from our repository, no fixable
 * critical vulnerabilities", decided by `customs check` on what real cosign pushed to a real
 * registry: each refusal names the requirement that failed, and why.
 */
const skip = registryMissing() ?? cosignMissing();
if (skip !== undefined) console.warn(`[cosign policy] skipped: ${skip}`);

interface Violation {
  readonly policy: string;
  readonly code: string;
  readonly message: string;
}

describe.skipIf(skip !== undefined)("customs check: cosign signatures, provenance, vulns", () => {
  let pki: TestPki;
  let registry: RunningRegistry;
  let pusher: Pusher;
  let dir: string;
  let env: { caFile: string; home: string };
  let n = 0;
  const v2 = cosignPath(2) as string;

  const cosign = async (args: string[]) => {
    const r = await runCosign(v2, [...args, "--tlog-upload=false"], env);
    if (r.code !== 0) throw new Error(`cosign ${args.join(" ")} failed:\n${r.stderr}`);
  };
  const key = (name: string) => join(dir, `${name}.key`);
  const sign = (ref: string, by = "ci") => cosign(["sign", "--key", key(by), ref]);
  const attest = (ref: string, type: string, predicate: unknown, by = "ci") => {
    const file = join(dir, `predicate-${n++}.json`);
    writeFileSync(file, JSON.stringify(predicate));
    return cosign(["attest", "--key", key(by), "--type", type, "--predicate", file, ref]);
  };
  const NOW = new Date().toISOString();
  const HOUR_AGO = new Date(Date.now() - 3_600_000).toISOString();
  const DAY_AGO = new Date(Date.now() - 86_400_000).toISOString();
  /** No fixable critical: a critical without a fix, a fixable high. */
  const clean = (at: string) =>
    vulnPredicate(
      [
        { id: "CVE-2026-0001", severity: "CRITICAL" },
        { id: "CVE-2026-0002", severity: "HIGH", fixed: "3.0.12" },
      ],
      at,
    );
  const critical = (at: string) =>
    vulnPredicate([{ id: "CVE-2026-0003", severity: "CRITICAL", fixed: "3.0.13" }], at);

  /** A new image, `HOST/shop/app@digest`. */
  const pushImage = async () => {
    const image = buildImage({ os: "linux", architecture: "amd64" });
    await pusher.pushImage("shop/app", image, [`v${n++}`]);
    return `${registry.host}/shop/app@${image.manifest.digest}`;
  };

  /** An image with everything the policies ask for, but what `skipStep` leaves out. */
  const goodImage = async (skipStep?: "sign" | "provenance" | "vuln") => {
    const ref = await pushImage();
    if (skipStep !== "sign") await sign(ref);
    if (skipStep !== "provenance") await attest(ref, "slsaprovenance", provenance());
    if (skipStep !== "vuln") await attest(ref, "vuln", clean(HOUR_AGO));
    return ref;
  };

  const check = async (image: string, extra: string[] = []) => {
    const t = tempFiles({ "deploy.yaml": deployment(image) });
    try {
      const r = await customsInProcess([
        "check",
        "-o",
        "json",
        "-p",
        join(dir, "policies.yaml"),
        "--ca-file",
        env.caFile,
        ...extra,
        `${t.dir}/deploy.yaml`,
      ]);
      const report = r.stdout ? JSON.parse(r.stdout) : undefined;
      const violations: Violation[] = report?.results?.[0]?.violations ?? [];
      return { status: r.status, stderr: r.stderr, violations };
    } finally {
      t.cleanup();
    }
  };
  const codes = (vs: readonly Violation[]) => vs.map((v) => [v.policy, v.code]);

  beforeAll(async () => {
    pki = await createTestPki();
    registry = await startRegistry({ kind: "none" }, pki.server);
    pusher = new Pusher(registry.url, pki.ca.certPem);
    dir = mkdtempSync(join(tmpdir(), "customs-cosign-policy-"));
    env = { caFile: join(dir, "ca.pem"), home: join(dir, "home") };
    writeFileSync(env.caFile, pki.ca.certPem);
    for (const who of ["ci", "other"]) {
      const r = await runCosign(
        v2,
        ["generate-key-pair", "--output-key-prefix", join(dir, who)],
        env,
      );
      if (r.code !== 0) throw new Error(r.stderr);
    }
    writeFileSync(join(dir, "policies.yaml"), policies(readFileSync(join(dir, "ci.pub"), "utf8")));
  }, 120_000);
  afterAll(async () => {
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("allows the image that is signed, built and scanned as required", async () => {
    const r = await check(await goodImage());
    expect(r.stderr).toBe("");
    expect(r.violations).toEqual([]);
    expect(r.status).toBe(0);
  }, 120_000);

  it("refuses an unsigned image: the signature policy, SIGNATURE_MISSING", async () => {
    const r = await check(await goodImage("sign"));
    expect(r.status).toBe(1);
    expect(codes(r.violations)).toEqual([["signed-by-ci", "SIGNATURE_MISSING"]]);
    expect(r.violations[0]?.message).toMatch(
      /no cosign signature found for sha256:[0-9a-f]{64}; policy wants one of "ci"/,
    );
  }, 120_000);

  it("refuses an image signed by another key: SIGNATURE_INVALID naming the key", async () => {
    const ref = await goodImage("sign");
    await sign(ref, "other");
    const r = await check(ref);
    expect(codes(r.violations)).toEqual([["signed-by-ci", "SIGNATURE_INVALID"]]);
    expect(r.violations[0]?.message).toMatch(
      /no signature of sha256:[0-9a-f]{64} verifies: cosign-v2: the signature does not verify with the key ci$/,
    );
  }, 120_000);

  it("refuses provenance from another builder, and provenance signed by another key", async () => {
    const ref = await goodImage("provenance");
    await attest(ref, "slsaprovenance", provenance("https://evil.test/builder"));
    const r = await check(ref);
    expect(codes(r.violations)).toEqual([["built-by-our-builder", "PROVENANCE_BUILDER_UNTRUSTED"]]);
    expect(r.violations[0]?.message).toContain(
      `built by https://evil.test/builder; trusted: ${BUILDER}`,
    );

    const forged = await goodImage("provenance");
    await attest(forged, "slsaprovenance", provenance(), "other");
    const f = await check(forged);
    expect(codes(f.violations)).toEqual([["built-by-our-builder", "ATTESTATION_MISSING"]]);
    expect(f.violations[0]?.message).toMatch(
      /no SLSA provenance attestation for sha256:[0-9a-f]{64} signed by "ci"/,
    );
  }, 120_000);

  it("refuses a fixable critical; the newest trusted report counts", async () => {
    // A clean report an hour old, a newer one with the finding: the newer decides.
    const ref = await goodImage("vuln");
    await attest(ref, "vuln", clean(HOUR_AGO));
    await attest(ref, "vuln", critical(NOW));
    const r = await check(ref);
    expect(codes(r.violations)).toEqual([["no-fixable-criticals", "VULNERABILITY_FOUND"]]);
    expect(r.violations[0]?.message).toContain(
      "1 fixable critical (CVE-2026-0003); the policy refuses fixable findings at or above critical",
    );

    // An older report with the finding, a newer clean one: the newer decides.
    const fixed = await goodImage("vuln");
    await attest(fixed, "vuln", critical(DAY_AGO));
    await attest(fixed, "vuln", clean(HOUR_AGO));
    expect((await check(fixed)).violations).toEqual([]);
  }, 180_000);

  it("a vulnerability report signed by another key is no report", async () => {
    const ref = await goodImage("vuln");
    await attest(ref, "vuln", vulnPredicate([], NOW), "other");
    const r = await check(ref);
    expect(codes(r.violations)).toEqual([["no-fixable-criticals", "VULNERABILITY_REPORT_MISSING"]]);
  }, 120_000);

  it("a registry that is down fails every policy closed with REGISTRY_UNREACHABLE", async () => {
    const ref = await goodImage();
    const down = ref.replace(registry.host, "127.0.0.1:1");
    const r = await check(down, ["--facts-timeout", "20000"]);
    expect(r.status).toBe(1);
    expect(codes(r.violations)).toEqual([
      ["signed-by-ci", "REGISTRY_UNREACHABLE"],
      ["built-by-our-builder", "REGISTRY_UNREACHABLE"],
      ["no-fixable-criticals", "REGISTRY_UNREACHABLE"],
    ]);
    expect(r.violations[0]?.message).toMatch(
      /could not check signatures: .*; the policy fails closed/,
    );
  }, 120_000);

  it("the webhook (customs serve) decides on the same sources", async () => {
    const text = readFileSync(join(dir, "policies.yaml"), "utf8");
    const evaluator = createEvaluator(loadPolicySet([{ source: "policies.yaml", text }]).set);
    const client = new RegistryClient({ tls: { ca: [pki.ca.certPem], insecureHosts: new Set() } });
    const supply = webhookSupplyContext(() => Promise.resolve(client), {
      timeoutSeconds: 30,
      ttlMs: 60_000,
      negativeTtlMs: 1_000,
      graceMs: 0,
      tagHandling: "refuse",
    });
    const admit = async (image: string) => {
      const body = JSON.stringify(review(deploymentObject("app", [image])));
      return handleAdmissionWithSupply(body, evaluator, new NamespaceCache(), supply);
    };
    const good = await admit(await goodImage());
    expect(good.response).toMatchObject({ allowed: true });
    const unsigned = await admit(await goodImage("sign"));
    expect(unsigned.response?.allowed).toBe(false);
    expect(unsigned.violations?.map((v) => [v.policy, v.code])).toEqual([
      ["signed-by-ci", "SIGNATURE_MISSING"],
    ]);
    expect(unsigned.response?.status?.message).toContain("no cosign signature found for sha256:");
  }, 120_000);

  it("customs ci runs the same check: the unsigned image is a high finding", async () => {
    const good = await goodImage();
    const unsigned = await goodImage("sign");
    const repo = tempFiles({
      "customs.yaml": `apiVersion: customs.dev/v1alpha1
kind: CIConfig
checks:
  manifests: {policies: [policies.yaml], paths: [deploy/]}
`,
      "policies.yaml": readFileSync(join(dir, "policies.yaml"), "utf8"),
      "deploy/good.yaml": deployment(good),
      "deploy/unsigned.yaml": deployment(unsigned).replace("name: app,", "name: unsigned,"),
    });
    try {
      const r = await customsInProcess([
        "ci",
        "-c",
        join(repo.dir, "customs.yaml"),
        "--ca-file",
        env.caFile,
        "-o",
        "json",
      ]);
      expect(r.stderr).toBe("");
      const report = JSON.parse(r.stdout).reports[0];
      expect(
        report.findings.map((f: { ruleId: string; severity: string }) => [f.ruleId, f.severity]),
      ).toEqual([["SIGNATURE_MISSING", "high"]]);
      expect(r.status).toBe(1);
    } finally {
      repo.cleanup();
    }
  }, 120_000);

  it("a key in a Secret takes no part: the inline key still counts, and refusals say so", async () => {
    const ci = readFileSync(join(dir, "ci.pub"), "utf8").trim().split("\n");
    const file = join(dir, "secret-and-pem.yaml");
    writeFileSync(
      file,
      `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: signed}
spec:
  recipe: require-signature
  input:
    authorities:
      - name: vault
        key: {secretRef: {name: cosign-vault, namespace: customs-system}}
      - name: ci
        key:
          pem: |
${ci.map((l) => `            ${l}`).join("\n")}
`,
    );
    const run = async (image: string) => {
      const t = tempFiles({ "deploy.yaml": deployment(image) });
      try {
        const r = await customsInProcess([
          "check",
          "-o",
          "json",
          "-p",
          file,
          "--ca-file",
          env.caFile,
          `${t.dir}/deploy.yaml`,
        ]);
        return JSON.parse(r.stdout).results[0].violations as Violation[];
      } finally {
        t.cleanup();
      }
    };
    const signed = await pushImage();
    await sign(signed);
    expect(await run(signed)).toEqual([]);
    const other = await pushImage();
    await sign(other, "other");
    const refused = await run(other);
    expect(codes(refused)).toEqual([["signed", "SIGNATURE_INVALID"]]);
    expect(refused[0]?.message).toContain(
      'authority "vault": its key is in the Secret customs-system/cosign-vault, which is not read; give it inline (pem)',
    );
  }, 120_000);
});
