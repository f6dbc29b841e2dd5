/**
 * The generated policies run by Kubernetes itself: test/fixtures/vap/k8s-oracle is a small Go
 * program on k8s.io/apiserver's ValidatingAdmissionPolicy compiler and validator (the API
 * server's CEL environment, strict cost limits, message rules). Its verdicts must equal the
 * engine's, and its messages @bufbuild/cel's. Skips where Go is missing (DESIGN.md, "Reference
 * implementations as oracles"); the first build compiles k8s.io/apiserver and takes minutes.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { buildVap, type KubeLabelSelector } from "../src/adapters/vap/index.js";
import { toNamespaceFacts } from "../src/core/evaluate/index.js";
import type { ImagePolicy } from "../src/core/policy/index.js";
import {
  caseArb,
  engineApplies,
  namespaceSelectorOf,
  pullPolicyCaseArb,
  scopeCaseArb,
  versionCaseArb,
} from "./fixtures/vap/arbitraries.js";
import { IMAGES, POLICIES } from "./fixtures/vap/scenarios.js";
import { findGo, oraclePath } from "./helpers/oracles.js";
import {
  admission,
  containersOf,
  enginePasses,
  KINDS,
  type PodSpec,
  policyOf,
  runVap,
  specOf,
} from "./vap-corpus.js";
import {
  type ExceptionCase,
  engineAllows,
  exceptionAdmission,
  exceptionOf,
  NOW,
} from "./vap-exceptions-corpus.js";

const SOURCE = resolve(import.meta.dirname, "fixtures/vap/k8s-oracle");
const BINARY = oraclePath("vap-k8s");
const go = findGo();
const skip = go === undefined && !existsSync(BINARY);

function isStale(): boolean {
  if (!existsSync(BINARY)) return true;
  const built = statSync(BINARY).mtimeMs;
  return ["main.go", "go.mod", "go.sum"].some((f) => statSync(join(SOURCE, f)).mtimeMs > built);
}

function ensureOracle(): void {
  if (!isStale() || go === undefined) return;
  mkdirSync(dirname(BINARY), { recursive: true });
  const tmp = `${BINARY}.tmp.${process.pid}`;
  const r = spawnSync(go, ["build", "-o", tmp, "."], {
    cwd: SOURCE,
    env: { ...process.env, GOWORK: "off", GOFLAGS: "-mod=mod" },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`building the vap-k8s oracle failed:\n${r.stderr}`);
  renameSync(tmp, BINARY);
}

interface OracleCase {
  policy: string;
  kind: string;
  operation: "CREATE" | "UPDATE";
  object: unknown;
  oldObject: unknown;
  namespace: { name: string; labels: Record<string, string> };
}
interface OracleOutput {
  compileErrors: Record<string, string[]>;
  results: { evaluation: "admit" | "deny" | "error"; message: string }[];
  selected: boolean[];
}

function runOracle(
  policies: Record<string, unknown>,
  cases: OracleCase[],
  selectors: { selector: KubeLabelSelector; labels: Record<string, string> }[] = [],
): OracleOutput {
  const out = execFileSync(BINARY, {
    input: JSON.stringify({ policies, cases, selectors }),
    maxBuffer: 1 << 30,
  });
  return JSON.parse(out.toString()) as OracleOutput;
}

const ns = toNamespaceFacts("default");
const policies: ImagePolicy[] = POLICIES.map(([name, spec]) => policyOf(name, spec));
const vaps = Object.fromEntries(policies.map((p) => [p.name, buildVap(p, []).policy]));

function podCase(policy: string, kind: string, spec: PodSpec, oldSpec?: PodSpec): OracleCase {
  const a = admission(kind, spec, oldSpec);
  return {
    policy,
    kind,
    operation: oldSpec === undefined ? "CREATE" : "UPDATE",
    object: a.object,
    oldObject: a.oldObject,
    namespace: { name: "default", labels: { "kubernetes.io/metadata.name": "default" } },
  };
}

const printable = (s: string) => /^[\x20-\x7e]*$/.test(s);

describe.skipIf(skip)("Kubernetes' own VAP validator agrees with the engine", () => {
  beforeAll(ensureOracle, 30 * 60_000);

  it("compiles every generated policy in the API server's CEL environment", () => {
    const out = runOracle(vaps, []);
    expect(out.compileErrors).toEqual({});
  });

  it("the corpus: every policy x every image", () => {
    const cases: OracleCase[] = [];
    const expected: { policy: ImagePolicy; image: string; pass: boolean }[] = [];
    for (const policy of policies) {
      for (const image of IMAGES) {
        const spec: PodSpec = { containers: [{ name: "c", image }] };
        cases.push(podCase(policy.name, "Pod", spec));
        expected.push({ policy, image, pass: enginePasses(policy, containersOf(spec), ns) });
      }
    }
    const out = runOracle(vaps, cases);
    const disagreements: string[] = [];
    out.results.forEach((r, i) => {
      const e = expected[i];
      if (e === undefined) return;
      const label = `${e.policy.name} ${JSON.stringify(e.image.slice(0, 60))}`;
      if (r.evaluation === "error") disagreements.push(`${label}: error ${r.message}`);
      else if ((r.evaluation === "admit") !== e.pass)
        disagreements.push(`${label}: engine ${e.pass}, k8s ${r.evaluation}`);
      else if (r.evaluation === "deny" && printable(e.image)) {
        // The two CEL implementations give the same message.
        const es = runVap(
          specOf(vaps[e.policy.name] as Record<string, unknown>),
          admission("Pod", { containers: [{ name: "c", image: e.image }] }),
        );
        if (es.message !== r.message)
          disagreements.push(`${label}: messages differ: ${r.message} / ${es.message}`);
      }
    });
    expect(out.results.length).toBe(cases.length);
    expect(disagreements).toEqual([]);
  });

  it("every workload kind, container type and UPDATE", () => {
    const policy = policyOf("hub", {
      recipe: "custom",
      input: { rules: [{ hostname: "docker.io" }] },
    });
    const vap = { hub: buildVap(policy, []).policy };
    const cases: OracleCase[] = [];
    const expected: boolean[] = [];
    const add = (kind: string, spec: PodSpec, old?: PodSpec) => {
      cases.push(podCase("hub", kind, spec, old));
      const prior = new Set(old === undefined ? [] : containersOf(old).map((c) => c.image ?? ""));
      const brought = containersOf(spec).filter((c) => !prior.has(c.image ?? ""));
      expected.push(enginePasses(policy, brought, ns));
    };
    for (const kind of KINDS) {
      for (const type of ["containers", "initContainers", "ephemeralContainers"] as const) {
        for (const image of ["busybox", "quay.io/x/y", "Bad"]) {
          const spec: PodSpec = {
            containers: [{ name: "m", image: "nginx" }],
            [type]: [{ name: "x", image }],
          };
          add(kind, spec);
          add(kind, spec, spec);
          add(kind, spec, { containers: [{ name: "m", image: "nginx" }] });
        }
      }
    }
    const out = runOracle(vap, cases);
    expect(out.results.map((r) => r.evaluation)).toEqual(
      expected.map((p) => (p ? "admit" : "deny")),
    );
  });

  it("random policies and images (a fixed sample of the property test's arbitraries)", () => {
    const sample = fc.sample(caseArb, { numRuns: 200, seed: 20260101 });
    const policiesById: Record<string, unknown> = {};
    const cases: OracleCase[] = [];
    const expected: boolean[] = [];
    sample.forEach(([policy, images], i) => {
      if (policy === undefined) return;
      policiesById[`p${i}`] = buildVap(policy, []).policy;
      for (const image of images) {
        const spec: PodSpec = { containers: [{ name: "c", image }] };
        cases.push(podCase(`p${i}`, "Pod", spec));
        expected.push(enginePasses(policy, containersOf(spec), ns));
      }
    });
    const out = runOracle(policiesById, cases);
    expect(out.compileErrors).toEqual({});
    expect(cases.length).toBeGreaterThan(300);
    expect(out.results.map((r) => r.evaluation)).toEqual(
      expected.map((p) => (p ? "admit" : "deny")),
    );
  }, 300_000);

  it("require-pull-policy: the API server decides every container as the engine does", () => {
    const sample = fc.sample(pullPolicyCaseArb, { numRuns: 150, seed: 20261207 });
    const policiesById: Record<string, unknown> = {};
    const cases: OracleCase[] = [];
    const expected: boolean[] = [];
    sample.forEach(([policy, containers], i) => {
      if (policy === undefined) return;
      policiesById[`p${i}`] = buildVap(policy, []).policy;
      const spec: PodSpec = { containers };
      for (const kind of ["Pod", "Deployment"]) {
        cases.push(podCase(`p${i}`, kind, spec));
        expected.push(enginePasses(policy, containersOf(spec), ns));
      }
    });
    const out = runOracle(policiesById, cases);
    expect(out.compileErrors).toEqual({});
    expect(expected.filter((e) => !e).length).toBeGreaterThan(20);
    expect(out.results.map((r) => r.evaluation)).toEqual(
      expected.map((p) => (p ? "admit" : "deny")),
    );
  }, 300_000);

  it("minimum-version: the API server orders versions as the engine does", () => {
    const sample = fc.sample(versionCaseArb, { numRuns: 400, seed: 20261208 });
    const policiesById: Record<string, unknown> = {};
    const cases: OracleCase[] = [];
    const expected: boolean[] = [];
    sample.forEach(([policy, image], i) => {
      if (policy === undefined) return;
      policiesById[`p${i}`] = buildVap(policy, []).policy;
      const spec: PodSpec = { containers: [{ name: "c", image }] };
      cases.push(podCase(`p${i}`, "Pod", spec));
      expected.push(enginePasses(policy, containersOf(spec), ns));
    });
    const out = runOracle(policiesById, cases);
    expect(out.compileErrors).toEqual({});
    expect(expected.filter((e) => e).length).toBeGreaterThan(30);
    expect(expected.filter((e) => !e).length).toBeGreaterThan(30);
    expect(out.results.map((r) => r.evaluation)).toEqual(
      expected.map((p) => (p ? "admit" : "deny")),
    );
  }, 300_000);

  it("apimachinery's LabelSelector selects the namespaces the engine applies a policy to", () => {
    const selectors: { selector: KubeLabelSelector; labels: Record<string, string> }[] = [];
    /** Per namespace: the engine's answer and how many selector answers are its bindings'. */
    const namespaces: { expected: boolean; bindings: number }[] = [];
    for (const c of fc.sample(scopeCaseArb, { numRuns: 600, seed: 7 })) {
      if (c.policy === undefined) continue;
      const options = c.cluster === undefined ? {} : { cluster: c.cluster };
      const { bindings } = buildVap(c.policy, c.workspaces, options);
      for (const n of c.namespaces) {
        const labels = { ...n.labels, "kubernetes.io/metadata.name": n.name };
        for (const b of bindings) selectors.push({ selector: namespaceSelectorOf(b), labels });
        namespaces.push({ expected: engineApplies(c, n), bindings: bindings.length });
      }
    }
    const { selected } = runOracle({}, [], selectors);
    let at = 0;
    const actual = namespaces.map(({ bindings }) => {
      const any = selected.slice(at, at + bindings).some(Boolean);
      at += bindings;
      return any;
    });
    expect(at).toBe(selected.length);
    expect(actual).toEqual(namespaces.map((n) => n.expected));
  });

  it("stays within the CEL cost budget for large workloads, and fails closed beyond it", () => {
    const rules = Array.from({ length: 20 }, (_, i) => ({
      hostname: `registry${i}.mycorp.local`,
      port: "5000",
      imageName: `team${i}/*`,
      tag: { value: "v*", negate: i % 2 === 0 },
    }));
    const policies = {
      one: buildVap(
        policyOf("one", {
          recipe: "custom",
          input: { rules: [{ hostname: "registry.mycorp.local", imageName: "team/*" }] },
        }),
        [],
      ).policy,
      twenty: buildVap(policyOf("twenty", { recipe: "custom", input: { rules } }), []).policy,
    };
    const typical = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        name: `c${i}`,
        image: `registry.mycorp.local:5000/team/app-${i}:v1.2.3@sha256:${"a".repeat(64)}`,
      }));
    const hostile = Array.from({ length: 60 }, (_, i) => ({
      name: `c${i}`,
      image: `${"a".repeat(4000)}${i}.com/x:v1`,
    }));
    const out = runOracle(policies, [
      podCase("one", "Deployment", { containers: typical(400) }),
      podCase("twenty", "Deployment", { containers: typical(200) }),
      podCase("one", "Deployment", { containers: hostile }),
    ]);
    expect(out.results.map((r) => r.evaluation)).toEqual(["admit", "deny", "error"]);
    expect(out.results[2]?.message).toContain("cost limit exceeded");
  });
});

describe.skipIf(skip)("Kubernetes' own VAP validator: ImagePolicyExceptions", () => {
  beforeAll(ensureOracle, 30 * 60_000);

  it("exceptions compiled into a policy decide as the engine", () => {
    const policy = policyOf("p", {
      recipe: "custom",
      input: { rules: [{ hostname: "registry.corp" }] },
    });
    const exceptions = [
      exceptionOf("images", { namespace: "team-a", images: ["docker.io/library/busybox:*"] }),
      exceptionOf("workloads", {
        workspace: "ws",
        workloads: [{ kind: "Deployment", name: "legacy-*" }],
        namespaceSelector: {
          matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }],
        },
      }),
      exceptionOf("digests", {
        images: ["*@sha256:*"],
        namespaceSelector: { matchLabels: { env: "dev" } },
      }),
      exceptionOf("expired", { images: ["*"], expires: "2027-01-01" }),
    ];
    const vap = { p: buildVap(policy, [], { exceptions, now: NOW }).policy };
    const cases: ExceptionCase[] = [];
    for (const image of [
      "busybox:1",
      "busybox",
      "nginx:1",
      `nginx@sha256:${"c".repeat(64)}`,
      "Not Valid",
      "registry.corp/x",
    ]) {
      for (const [namespace, labels] of [
        ["team-a", {}],
        ["team-b", { "customs.dev/workspace": "ws" }],
        ["team-c", { "customs.dev/workspace": "ws", env: "prod" }],
        ["team-d", { env: "dev" }],
      ] as const) {
        for (const [kind, name] of [
          ["Deployment", "legacy-app"],
          ["Pod", "legacy-app"],
          ["Deployment", "web"],
        ]) {
          cases.push({
            image,
            namespace,
            labels: { ...labels },
            kind: kind as string,
            name: name as string,
          });
        }
      }
    }
    const out = runOracle(
      vap,
      cases.map((c) => {
        const a = exceptionAdmission(c);
        return {
          policy: "p",
          kind: c.kind,
          operation: "CREATE" as const,
          object: a.object,
          oldObject: null,
          namespace: {
            name: c.namespace,
            labels: { ...c.labels, "kubernetes.io/metadata.name": c.namespace },
          },
        };
      }),
    );
    expect(out.compileErrors).toEqual({});
    const disagreements: string[] = [];
    out.results.forEach((r, i) => {
      const c = cases[i] as ExceptionCase;
      const engine = engineAllows(policy, exceptions, c);
      if (r.evaluation === "error") disagreements.push(`${JSON.stringify(c)}: error ${r.message}`);
      else if ((r.evaluation === "admit") !== engine)
        disagreements.push(`${JSON.stringify(c)}: engine ${engine}, k8s ${r.evaluation}`);
    });
    expect(out.results.length).toBe(cases.length);
    expect(disagreements).toEqual([]);
  });
});
