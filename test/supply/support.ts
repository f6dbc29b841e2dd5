import { re2Engine } from "../../src/adapters/re2/index.js";
import {
  type ContainerInput,
  createEvaluator,
  type Decision,
  type TagRule,
  toNamespaceFacts,
  withSupplyFacts,
} from "../../src/core/evaluate/index.js";
import {
  type CompiledPolicySet,
  compilePolicySet,
  type ImagePolicy,
  type PolicyIssue,
  validateDocument,
} from "../../src/core/policy/index.js";
import type {
  Fact,
  ImageFacts,
  ImageMetadata,
  Signer,
  VerifiedAttestation,
  VerifiedSignature,
  Vulnerability,
} from "../../src/core/supply/facts.js";
import { policyDoc } from "../support/policies.js";

/** Tags decided on the digest they name now (customs check with --tag-handling pin). */
export const DECIDE_TAGS: TagRule = { defaultHandling: "pin", admission: false };

export const DIGEST = `sha256:${"a".repeat(64)}`;
export const OTHER_DIGEST = `sha256:${"b".repeat(64)}`;
export const IMAGE = `registry.example.com/team/app:v1`;
export const NOW = Date.parse("2026-06-01T00:00:00Z");
export const PEM =
  "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n";

export function ok<T>(value: T): Fact<T> {
  return { ok: true, value };
}

export function validate(spec: Record<string, unknown>, now = NOW) {
  return validateDocument(policyDoc("p", spec), undefined, { regex: re2Engine, now });
}

/** The error issues of a spec, as `path: message`. */
export function errorsOf(spec: Record<string, unknown>): string[] {
  return validate(spec)
    .issues.filter((i: PolicyIssue) => i.severity === "error")
    .map((i) => `${i.path}: ${i.message}`);
}

export function compileSpec(spec: Record<string, unknown>): CompiledPolicySet {
  const r = validate(spec);
  if (r.kind !== "ImagePolicy") throw new Error(JSON.stringify(r.issues));
  return compilePolicySet([r.policy as ImagePolicy], [], re2Engine);
}

export function decideWith(
  spec: Record<string, unknown>,
  facts: ImageFacts | undefined,
  image = IMAGE,
  now = NOW,
): Decision {
  const base = createEvaluator(compileSpec(spec));
  const evaluator = withSupplyFacts(base, () => facts, now, DECIDE_TAGS);
  const c: ContainerInput = { container: "app", containerType: "containers", image };
  return evaluator.evaluate(toNamespaceFacts("default"), [c]);
}

export const keySigner = (keyId: string): Signer => ({ kind: "key", keyId });
export const keyless = (
  subject: string,
  issuer = "https://token.actions.githubusercontent.com",
): Signer => ({
  kind: "keyless",
  issuer,
  subject,
});

export function signature(
  signer: Signer,
  digest = DIGEST,
  transparencyLog = true,
): VerifiedSignature {
  return { signer, digest, transparencyLog, format: "cosign-v2" };
}

export function attestation(
  signer: Signer,
  predicateType: string,
  predicate: unknown,
): VerifiedAttestation {
  return { signer, predicateType, predicate };
}

export const metadata = (m: Partial<ImageMetadata> = {}): ImageMetadata => ({
  labels: {},
  annotations: {},
  user: "65532",
  created: "2026-05-01T00:00:00Z",
  ...m,
});

export function vuln(
  id: string,
  severity: Vulnerability["severity"],
  fixed = true,
  aliases: string[] = [],
): Vulnerability {
  return {
    id,
    aliases,
    severity,
    package: "openssl",
    installedVersion: "3.0.0",
    fixedVersions: fixed ? ["3.0.9"] : [],
  };
}

export function facts(extra: Partial<ImageFacts> = {}): ImageFacts {
  return { digest: ok(DIGEST), ...extra };
}

export const SLSA_V1_PREDICATE = {
  buildDefinition: {
    buildType: "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
    externalParameters: {
      workflow: {
        ref: "refs/heads/main",
        repository: "https://github.com/acme/app",
        path: ".github/workflows/build.yml",
      },
    },
    resolvedDependencies: [
      {
        uri: "git+https://github.com/acme/app@refs/heads/main",
        digest: { gitCommit: "c".repeat(40) },
      },
    ],
  },
  runDetails: { builder: { id: "https://github.com/actions/runner/github-hosted" } },
};

export const SLSA_V02_PREDICATE = {
  builder: {
    id: "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v1.9.0",
  },
  buildType: "https://github.com/slsa-framework/slsa-github-generator/container@v1",
  invocation: {
    configSource: {
      uri: "git+https://github.com/acme/app@refs/heads/main",
      digest: { sha1: "d".repeat(40) },
      entryPoint: ".github/workflows/release.yml",
    },
  },
  materials: [
    { uri: "git+https://github.com/acme/app@refs/heads/main", digest: { sha1: "d".repeat(40) } },
  ],
};
