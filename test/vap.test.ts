import { describe, expect, it } from "vitest";
import { referencePieces, referenceRegexes } from "../src/adapters/vap/grammar.js";
import {
  buildVap,
  canCompileToVap,
  celString,
  objectName,
  patternRegex,
  VapCompileError,
} from "../src/adapters/vap/index.js";
import { toNamespaceFacts } from "../src/core/evaluate/index.js";
import type { ImagePolicy } from "../src/core/policy/index.js";
import { IMAGES, POLICIES } from "./fixtures/vap/scenarios.js";
import {
  admission,
  type Container,
  celStrings,
  containersOf,
  enginePasses,
  KINDS,
  type PodSpec,
  policyOf,
  program,
  runVap,
  specOf,
} from "./vap-corpus.js";

const ns = toNamespaceFacts("default");
const policies: ImagePolicy[] = POLICIES.map(([name, spec]) => policyOf(name, spec));
const specs = new Map(policies.map((p) => [p.name, specOf(buildVap(p, []).policy)]));

function vapAllows(policy: ImagePolicy, kind: string, spec: PodSpec, oldSpec?: PodSpec) {
  const result = runVap(
    specs.get(policy.name) ?? specOf(buildVap(policy, []).policy),
    admission(kind, spec, oldSpec),
  );
  if (result.error !== undefined) throw new Error(result.error);
  return result;
}

const pod = (image: string | undefined): PodSpec => ({
  containers: [image === undefined ? { name: "c" } : { name: "c", image }],
});

describe("the corpus: every policy x every image, VAP verdict == engine verdict", () => {
  let cases = 0;
  for (const policy of policies) {
    it(`${policy.name} (${policy.recipe})`, () => {
      const disagreements: string[] = [];
      for (const image of IMAGES) {
        const expected = enginePasses(policy, containersOf(pod(image)), ns);
        const actual = vapAllows(policy, "Pod", pod(image)).allowed;
        cases++;
        if (actual !== expected)
          disagreements.push(
            `${JSON.stringify(image.slice(0, 80))}: engine ${expected}, vap ${actual}`,
          );
      }
      expect(disagreements).toEqual([]);
    });
  }
  it("covers every pair", () => {
    expect(cases).toBe(policies.length * IMAGES.length);
  });
});

describe("what the canonicalization computes", () => {
  const entry = (image: string) => {
    const r = vapAllows(policies[0] as ImagePolicy, "Pod", pod(image));
    return celStrings(r.variables.entries)[0];
  };
  it.each([
    ["busybox", "docker.io||library/busybox|busybox|tlatest||busybox"],
    [
      "Registry-1.Docker.IO/busybox",
      "docker.io||library/busybox|busybox|tlatest||Registry-1.Docker.IO/busybox",
    ],
    [
      "INDEX.DOCKER.IO/busybox:1",
      "docker.io||library/busybox|busybox|t1||INDEX.DOCKER.IO/busybox:1",
    ],
    ["[::1]:5000/app", "[::1]|5000|app||tlatest||[::1]:5000/app"],
    ["REGISTRY.X:5000/a/b:v1", "registry.x|5000|a/b||tv1||REGISTRY.X:5000/a/b:v1"],
    [
      `q.io/a@sha256:${"a".repeat(64)}`,
      `q.io||a|||sha256:${"a".repeat(64)}|q.io/a@sha256:${"a".repeat(64)}`,
    ],
    ["a_b.c/x:v1", "||a_b.c/x||tv1||a_b.c/x:v1"],
    ["Busybox", "!|Busybox"],
    ["a\nb", "!|a b"],
  ])("%j -> %j", (image, expected) => {
    expect(entry(image)).toBe(expected);
  });
  it("shortens long images for messages", () => {
    expect(entry("a".repeat(10_000))).toBe(`!|${"a".repeat(100)}...`);
  });
});

describe("every workload kind and container type", () => {
  const policy = policyOf("hub-only", {
    recipe: "custom",
    input: { rules: [{ hostname: "docker.io" }] },
  });
  const good = "busybox:1";
  const bad = "quay.io/evil/app:1";
  for (const kind of KINDS) {
    for (const type of ["containers", "initContainers", "ephemeralContainers"] as const) {
      it(`${kind} ${type}`, () => {
        const spec: PodSpec = { containers: [{ name: "main", image: good }] };
        spec[type] = [...(spec[type] ?? []), { name: "x", image: bad }];
        expect(enginePasses(policy, containersOf(spec), ns)).toBe(false);
        const r = vapAllows(policy, kind, spec);
        expect(r.allowed).toBe(false);
        expect(r.message).toContain(`"${bad}"`);
        const clean: PodSpec = {
          containers: [{ name: "main", image: good }],
          [type]: [{ name: "y", image: good }],
        };
        expect(vapAllows(policy, kind, clean).allowed).toBe(true);
      });
    }
  }

  it("a container without an image fails, as IMAGE_MISSING does", () => {
    const spec: PodSpec = { containers: [{ name: "main" }] };
    expect(enginePasses(policy, containersOf(spec), ns)).toBe(false);
    expect(vapAllows(policy, "Deployment", spec).allowed).toBe(false);
  });

  it("a kind outside the list has no images", () => {
    const r = runVap(specOf(buildVap(policy, []).policy), {
      object: { kind: "Service", spec: { containers: [{ name: "x", image: bad }] } },
      oldObject: null,
      request: { kind: { group: "", version: "v1", kind: "Service" }, operation: "CREATE" },
    });
    expect(r.allowed).toBe(true);
  });
});

describe("UPDATE: only images the update brings in must pass", () => {
  const policy = policyOf("no-latest", { recipe: "block-latest-tag" });
  const old: PodSpec = {
    containers: [{ name: "a", image: "busybox" }],
    initContainers: [{ name: "i" }],
  };

  it("an update that changes no image passes (scaling an old Deployment)", () => {
    expect(vapAllows(policy, "Deployment", old).allowed).toBe(false);
    expect(vapAllows(policy, "Deployment", old, old).allowed).toBe(true);
  });

  it("a new failing image fails, naming only it", () => {
    const next: PodSpec = {
      containers: [
        { name: "a", image: "busybox" },
        { name: "b", image: "nginx" },
      ],
    };
    const r = vapAllows(policy, "Deployment", next, old);
    expect(r.allowed).toBe(false);
    expect(r.message).toContain('"nginx"');
    expect(r.message).not.toContain('"busybox"');
  });

  it("a new passing image passes; an image moved between container types passes", () => {
    const next: PodSpec = {
      containers: [{ name: "a", image: "busybox:1" }],
      ephemeralContainers: [{ name: "d", image: "busybox" }],
    };
    expect(vapAllows(policy, "Deployment", next, old).allowed).toBe(true);
  });

  it("matches the engine on the images not in the old object, for every kind", () => {
    const images = ["busybox", "busybox:1", "nginx", "Bad", ""];
    for (const kind of KINDS) {
      for (const a of images) {
        for (const b of images) {
          const oldSpec: PodSpec = { containers: [{ name: "a", image: a }] };
          const spec: PodSpec = {
            containers: [
              { name: "a", image: a },
              { name: "b", image: b },
            ],
          };
          const brought = containersOf(spec).filter((c) => c.image !== a);
          expect(vapAllows(policy, kind, spec, oldSpec).allowed).toBe(
            enginePasses(policy, brought, ns),
          );
        }
      }
    }
  });

  it("CREATE ignores oldObject", () => {
    const r = runVap(specOf(buildVap(policy, []).policy), {
      ...admission("Pod", old),
      oldObject: { kind: "Pod", spec: old },
    });
    expect(r.allowed).toBe(false);
  });
});

describe("messages", () => {
  it("name the policy, the images, and what would be allowed", () => {
    const policy = policyOf("corp", {
      recipe: "custom",
      input: { rules: [{ hostname: "registry.mycorp.local", imageName: "team/*" }] },
    });
    const spec: PodSpec = {
      containers: [
        { name: "a", image: "busybox" },
        { name: "b", image: "Bad Image" },
      ],
    };
    const r = vapAllows(policy, "Pod", spec);
    expect(r.message).toBe(
      'customs policy "corp" (organization, action deny): image "busybox" is not allowed; ' +
        'image "Bad Image" is not a valid image reference; ' +
        "allowed: hostname registry.mycorp.local, image name team/*",
    );
  });

  it.each(
    policies.map((p) => [p.name, p] as const),
  )("%s: a one-line string naming an offending image", (_name, policy) => {
    for (const image of ["busybox", "x y", "quay.io/org/app:latest", `a\n${"b".repeat(5000)}`]) {
      const r = vapAllows(policy, "Pod", pod(image));
      if (r.allowed) continue;
      expect(typeof r.message).toBe("string");
      expect(r.message).toContain(`policy "${policy.name}"`);
      expect(r.message).toContain(`"${image.slice(0, 20).replace("\n", " ")}`);
      expect(r.message).not.toContain("\n");
      expect(new TextEncoder().encode(r.message).length).toBeLessThan(5 * 1024);
    }
  });

  it("stay within 5 KiB when many images fail", () => {
    const policy = policyOf("digest", { recipe: "require-digest" });
    const containers: Container[] = Array.from({ length: 60 }, (_, i) => ({
      name: `c${i}`,
      image: `${"é".repeat(90)}${i}`,
    }));
    const r = vapAllows(policy, "Pod", { containers });
    expect(r.allowed).toBe(false);
    expect(new TextEncoder().encode(r.message).length).toBeLessThan(5 * 1024);
  });
});

describe("the objects", () => {
  const policy = policyOf("corp", {
    recipe: "require-digest",
    action: "warn",
    namespace: "team-a",
  });
  const { policy: vap, binding, bindings } = buildVap(policy, []);

  it("are a v1 ValidatingAdmissionPolicy and its binding", () => {
    expect(vap).toMatchObject({
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name: "customs-corp" },
      spec: { failurePolicy: "Fail" },
    });
    expect(binding).toMatchObject({
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name: "customs-corp" },
      spec: { policyName: "customs-corp", validationActions: ["Warn"] },
    });
    expect(bindings).toEqual([binding]);
  });

  it("match CREATE and UPDATE of every workload resource", () => {
    const rules = (
      vap.spec as {
        matchConstraints: {
          resourceRules: { apiGroups: string[]; resources: string[]; operations: string[] }[];
        };
      }
    ).matchConstraints.resourceRules;
    const resources = rules
      .flatMap((r) => r.resources.map((res) => `${r.apiGroups[0]}/${res}`))
      .sort();
    expect(resources).toEqual(
      [
        "/pods",
        "/pods/ephemeralcontainers",
        "/replicationcontrollers",
        "/podtemplates",
        "apps/deployments",
        "apps/replicasets",
        "apps/statefulsets",
        "apps/daemonsets",
        "batch/jobs",
        "batch/cronjobs",
      ].sort(),
    );
    for (const r of rules) expect(r.operations).toEqual(["CREATE", "UPDATE"]);
  });

  it("map each action to its validation action", () => {
    for (const [action, expected] of [
      ["deny", "Deny"],
      ["warn", "Warn"],
      ["audit", "Audit"],
    ] as const) {
      const b = buildVap(policyOf("p", { recipe: "require-digest", action }), []).binding;
      expect((b.spec as { validationActions: string[] }).validationActions).toEqual([expected]);
    }
    const audit = buildVap(
      policyOf("p", { recipe: "require-digest", input: { audit: true } }),
      [],
    ).binding;
    expect((audit.spec as { validationActions: string[] }).validationActions).toEqual(["Audit"]);
  });

  it("serialize to JSON and back unchanged (plain objects)", () => {
    expect(JSON.parse(JSON.stringify({ vap, bindings }))).toEqual({ vap, bindings });
  });

  it("have names within 253 characters, distinct for distinct long policies", () => {
    const long = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}-x`;
    const other = `${long.slice(0, -1)}y`;
    const a = objectName(long);
    expect(a.length).toBeLessThanOrEqual(253);
    expect(a).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);
    expect(objectName(other)).not.toBe(a);
    expect(objectName(long, "-listed").length).toBeLessThanOrEqual(253);
    expect(objectName("short")).toBe("customs-short");
  });
});

describe("canCompileToVap", () => {
  it("accepts every recipe of the spec", () => {
    for (const policy of policies) expect(canCompileToVap(policy)).toEqual({ ok: true });
  });

  it("gives reasons for an unknown recipe, and buildVap throws them", () => {
    const policy = {
      ...(policies[0] as ImagePolicy),
      recipe: "verify-signature",
    } as unknown as ImagePolicy;
    const r = canCompileToVap(policy);
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.reasons).toEqual([
      "recipe verify-signature has no ValidatingAdmissionPolicy translation",
    ]);
    expect(() => buildVap(policy, [])).toThrow(VapCompileError);
  });

  it("refuses rules too large for the CEL cost budget", () => {
    const rules = Array.from({ length: 40 }, (_, i) => ({ imageName: `${"x".repeat(250)}*${i}` }));
    const r = canCompileToVap(policyOf("big", { recipe: "custom", input: { rules } }));
    expect(r.ok).toBe(false);
  });
});

describe("building blocks", () => {
  it.each([
    "plain",
    "it's",
    "back\\slash",
    'double "quotes"',
    "line\nbreak\r\ttab",
    "nul\u0000 del\u007f",
    "unicode é 😀",
    "",
  ])("celString(%j) reads back unchanged", (value) => {
    expect(program(celString(value))({})).toBe(value);
  });

  it.each([
    ["registry.mycorp.local", "^registry\\.mycorp\\.local$"],
    ["*.mycorp.local", "^.*\\.mycorp\\.local$"],
    ["[::1]", "^\\[::1\\]$"],
    ["team/*", "^team/.*$"],
    ["a*b*", "^a.*b.*$"],
  ])("patternRegex(%j) = %j", (pattern, regex) => {
    expect(patternRegex(pattern)).toBe(regex);
  });

  it("takes the grammar from the engine's own regexes", () => {
    const pieces = referencePieces();
    expect(pieces.identifier).toBe("[a-f0-9]{64}");
    expect(referenceRegexes().reference).toContain(pieces.remoteName);
    expect(referenceRegexes().reference).toContain("sha512:[a-f0-9]{128}");
  });
});
