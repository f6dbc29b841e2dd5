import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildVap, type KubeLabelSelector } from "../src/adapters/vap/index.js";
import { applicability, toNamespaceFacts, workspacesOf } from "../src/core/evaluate/index.js";
import {
  compilePolicy,
  compilePolicySet,
  type ImagePolicy,
  validateDocument,
  type Workspace,
} from "../src/core/policy/index.js";
import { mutatedReferenceArb, validReferenceArb } from "./helpers/reference-arbitraries.js";
import { policyDoc, workspaceDoc } from "./support/policies.js";
import {
  admission,
  containersOf,
  enginePasses,
  type PodSpec,
  runVap,
  specOf,
  tryPolicy,
} from "./vap-corpus.js";

const NUM_RUNS = Number(process.env.VAP_PROPERTY_RUNS ?? 1500);

// ---- images ----------------------------------------------------------------------------------

const tokens = (words: string[], max: number) =>
  fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: max }).map((w) => w.join(""));

/** Images made of the same words as the patterns below, so that rules often match. */
const wordyImageArb = fc
  .record({
    host: fc.constantFrom(
      "",
      "registry.mycorp.local/",
      "Registry.MyCorp.Local:5000/",
      "registry.mycorp.local.evil.com/",
      "docker.io/",
      "index.docker.io/",
      "Registry-1.Docker.io/",
      "quay.io/",
      "localhost/",
      "localhost:5000/",
      "[::1]:5000/",
      "a.b/",
      "a_b.c/",
    ),
    path: fc.array(tokens(["a", "b", "app", "team", "busybox", "library", ".", "_", "-"], 4), {
      minLength: 1,
      maxLength: 3,
    }),
    tag: fc.option(tokens(["v", "1", "latest", "Latest", ".", "-", "_", "2"], 4), {
      nil: undefined,
    }),
    digest: fc.option(
      fc.constantFrom(`sha256:${"a".repeat(64)}`, `sha512:${"0".repeat(128)}`, "sha256:abc"),
      {
        nil: undefined,
        freq: 3,
      },
    ),
  })
  .map(({ host, path, tag, digest }) => {
    let s = host + path.join("/");
    if (tag !== undefined) s += `:${tag}`;
    if (digest !== undefined) s += `@${digest}`;
    return s;
  });

const imageArb = fc.oneof(
  { weight: 4, arbitrary: wordyImageArb },
  { weight: 2, arbitrary: validReferenceArb.map((r) => r.input) },
  { weight: 2, arbitrary: mutatedReferenceArb },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
);

// ---- policies --------------------------------------------------------------------------------

const hostnameArb = fc.oneof(
  fc.constantFrom(
    "registry.mycorp.local",
    "Registry.MyCorp.Local",
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "quay.io",
    "localhost",
    "[::1]",
    "*",
    "*.local",
    "registry.*",
    "[*]",
    "a.b",
  ),
  tokens(["registry", "mycorp", "local", ".", "*", "-", "docker", "io", "a", "b"], 5),
);
const portArb = fc.constantFrom("5000", "5*", "*", "80", "");
const imageNameArb = fc.oneof(
  fc.constantFrom("busybox", "library/busybox", "library/*", "team/*", "*", "*/*", "a*b", "*box"),
  tokens(["a", "b", "app", "team", "busybox", "library", "/", "*", ".", "_", "-"], 5),
);
const tagArb = fc.oneof(
  fc.constantFrom("latest", "v*", "*", "1", "Latest"),
  tokens(["v", "1", "latest", "*", ".", "-", "_"], 4),
);

const ruleArb = fc.record(
  {
    hostname: hostnameArb,
    port: portArb,
    imageName: imageNameArb,
    tag: fc.oneof(tagArb, fc.record({ value: tagArb, negate: fc.boolean() })),
    requireDigest: fc.boolean(),
  },
  { requiredKeys: [] },
);

const FIELDS: Record<string, readonly string[]> = {
  "allowed-name-tag": ["imageName", "tag"],
  custom: ["hostname", "port", "imageName", "tag", "requireDigest"],
  "blocked-images": ["hostname", "port", "imageName", "tag"],
};

const policyArb: fc.Arbitrary<ImagePolicy | undefined> = fc
  .record({
    recipe: fc.constantFrom(
      "require-digest",
      "block-latest-tag",
      "allowed-name-tag",
      "custom",
      "blocked-images",
    ),
    rules: fc.array(ruleArb, { minLength: 1, maxLength: 3 }),
  })
  .map(({ recipe, rules }) => {
    const fields = FIELDS[recipe];
    if (fields === undefined) return tryPolicy("p", { recipe });
    const kept = rules.map((r) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) if (fields.includes(k)) out[k] = v;
      if (out.port !== undefined && out.hostname === undefined) delete out.port;
      return out;
    });
    return tryPolicy("p", { recipe, input: { rules: kept } });
  });

const ns = toNamespaceFacts("default");

describe("property: the VAP decides every image as the engine does", () => {
  it(`random policies x random images (${NUM_RUNS} policies, up to 6 images each)`, () => {
    let checked = 0;
    fc.assert(
      fc.property(
        policyArb,
        fc.array(imageArb, { minLength: 1, maxLength: 6 }),
        (policy, images) => {
          fc.pre(policy !== undefined);
          if (policy === undefined) return;
          const spec = specOf(buildVap(policy, []).policy);
          let all = true;
          for (const image of images) {
            const pod: PodSpec = { containers: [{ name: "c", image }] };
            const expected = enginePasses(policy, containersOf(pod), ns);
            const r = runVap(spec, admission("Pod", pod));
            expect(r.error).toBeUndefined();
            expect({ image, allowed: r.allowed }).toEqual({ image, allowed: expected });
            all &&= expected;
            checked++;
          }
          // The same images in one workload, spread over the container types.
          const types = ["containers", "initContainers", "ephemeralContainers"] as const;
          const pod: PodSpec = {};
          images.forEach((image, i) => {
            const type = types[i % 3] ?? "containers";
            pod[type] = [...(pod[type] ?? []), { name: `c${i}`, image }];
          });
          expect(runVap(spec, admission("Deployment", pod)).allowed).toBe(all);
        },
      ),
      { numRuns: NUM_RUNS },
    );
    expect(checked).toBeGreaterThan(NUM_RUNS);
  });
});

// ---- scope -----------------------------------------------------------------------------------

/** Kubernetes LabelSelector semantics, written independently of the engine's. */
function selects(selector: KubeLabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {}))
    if (labels[k] !== v) return false;
  for (const r of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, r.key);
    const value = labels[r.key] ?? "";
    const ok =
      r.operator === "In"
        ? has && (r.values ?? []).includes(value)
        : r.operator === "NotIn"
          ? !has || !(r.values ?? []).includes(value)
          : r.operator === "Exists"
            ? has
            : !has;
    if (!ok) return false;
  }
  return true;
}

const NAMES = ["team-a", "team-b", "default", "prod"];
const CLUSTERS = ["c1", "c2"];
const nsRefArb = fc
  .tuple(fc.option(fc.constantFrom(...CLUSTERS), { nil: undefined }), fc.constantFrom(...NAMES))
  .map(([c, n]) => (c === undefined ? n : `${c}/${n}`));
const requirementArb = fc.oneof(
  fc.record({
    key: fc.constantFrom("env", "tier", "customs.dev/workspace", "kubernetes.io/metadata.name"),
    operator: fc.constantFrom("In", "NotIn"),
    values: fc.array(fc.constantFrom("prod", "dev", "ws1", "team-a", ""), {
      minLength: 1,
      maxLength: 2,
    }),
  }),
  fc.record({
    key: fc.constantFrom("env", "tier", "customs.dev/workspace"),
    operator: fc.constantFrom("Exists", "DoesNotExist"),
  }),
);
const scopeSpecArb = fc.record({
  scope: fc.oneof(
    fc.constant({}),
    nsRefArb.map((namespace) => ({ namespace })),
    fc.constantFrom("ws1", "ws2").map((workspace) => ({ workspace })),
  ),
  selector: fc.option(
    fc.record(
      {
        matchLabels: fc.dictionary(fc.constantFrom("env", "tier"), fc.constantFrom("prod", "dev"), {
          maxKeys: 1,
        }),
        matchExpressions: fc.array(requirementArb, { maxLength: 2 }),
      },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  ),
});
const namespaceArb = fc.record({
  name: fc.constantFrom(...NAMES),
  labels: fc.dictionary(
    fc.constantFrom("env", "tier", "customs.dev/workspace"),
    fc.constantFrom("prod", "dev", "ws1", "ws2", ""),
    { maxKeys: 3 },
  ),
});

describe("property: the bindings select the namespaces the engine applies the policy to", () => {
  it("scopes, workspaces (labels and lists, CLUSTER/NAME), selectors and the cluster option", () => {
    fc.assert(
      fc.property(
        scopeSpecArb,
        fc.array(nsRefArb, { maxLength: 4 }),
        fc.array(nsRefArb, { maxLength: 2 }),
        fc.option(fc.constantFrom(...CLUSTERS), { nil: undefined }),
        fc.array(namespaceArb, { minLength: 1, maxLength: 5 }),
        ({ scope, selector }, ws1, ws2, cluster, namespaces) => {
          const doc = validateDocument(
            policyDoc("p", {
              recipe: "require-digest",
              ...scope,
              ...(selector ? { namespaceSelector: selector } : {}),
            }),
          );
          fc.pre(doc.kind === "ImagePolicy");
          if (doc.kind !== "ImagePolicy") return;
          const workspaces: Workspace[] = [];
          for (const [name, refs] of [
            ["ws1", ws1],
            ["ws2", ws2],
          ] as const) {
            const w = validateDocument(workspaceDoc(name, [...new Set(refs)]));
            if (w.kind === "Workspace") workspaces.push(w.workspace);
          }
          const { bindings } = buildVap(
            doc.policy,
            workspaces,
            cluster === undefined ? {} : { cluster },
          );
          const set = compilePolicySet([doc.policy], workspaces);
          const compiled = compilePolicy(doc.policy);
          for (const n of namespaces) {
            const facts = toNamespaceFacts(n.name, n.labels, cluster);
            const expected = applicability(compiled, facts, workspacesOf(set, facts)).applies;
            const labels = { ...n.labels, "kubernetes.io/metadata.name": n.name };
            const selected = bindings.filter((b) =>
              selects(
                (b.spec as { matchResources: { namespaceSelector: KubeLabelSelector } })
                  .matchResources.namespaceSelector,
                labels,
              ),
            );
            expect(selected.length > 0).toBe(expected);
            // Never two bindings for one namespace: a failure is reported once.
            expect(selected.length).toBeLessThanOrEqual(1);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
