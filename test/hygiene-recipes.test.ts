import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canCompileToVap } from "../src/adapters/vap/index.js";
import {
  type ContainerInput,
  createEvaluator,
  explainImage,
  toImageFacts,
  toNamespaceFacts,
  type WorkloadContext,
} from "../src/core/evaluate/index.js";
import { keyCovers, toRegistryKey } from "../src/core/evaluate/pull-secret.js";
import { compareVersions, parseVersion, type Version } from "../src/core/policy/index.js";
import { toBytes } from "../src/core/policy/quantity.js";
import { decideWith, facts, metadata, ok } from "./supply/support.js";
import { compileDocs, policyDoc } from "./support/policies.js";

const D = `sha256:${"a".repeat(64)}`;
const ns = toNamespaceFacts("default");

function codes(
  spec: Record<string, unknown>,
  container: Partial<ContainerInput> & { image: string },
  workload?: WorkloadContext,
): string[] {
  const evaluator = createEvaluator(compileDocs(policyDoc("p", spec)));
  const c: ContainerInput = { container: "c", containerType: "containers", ...container };
  return evaluator.evaluate(ns, [c], workload).violations.map((v) => v.code);
}

describe("require-pull-policy", () => {
  const spec = { recipe: "require-pull-policy", input: { immutableTags: ["v*.*.*"] } };
  const cases: Array<[string, string, string | undefined, boolean]> = [
    ["absent policy, no tag: defaulted to Always", "nginx", undefined, true],
    ["absent policy, latest: defaulted to Always", "nginx:latest", undefined, true],
    ["absent policy, 1.27: defaulted to IfNotPresent", "nginx:1.27", undefined, false],
    ["empty policy counts as absent", "nginx:1.27", "", false],
    ["empty policy, latest", "nginx:latest", "", true],
    ["Always", "nginx:1.27", "Always", true],
    ["IfNotPresent with latest", "nginx:latest", "IfNotPresent", false],
    ["Never", "nginx:1.27", "Never", false],
    ["wrong case is not Always", "nginx:1.27", "always", false],
    ["digest", `nginx:1.27@${D}`, "IfNotPresent", true],
    ["digest only, absent policy", `nginx@${D}`, undefined, true],
    ["immutable tag", "nginx:v1.2.3", "IfNotPresent", true],
    ["tag not immutable", "nginx:v1.2", "IfNotPresent", false],
  ];
  it.each(cases)("%s", (_n, image, imagePullPolicy, passes) => {
    const c = imagePullPolicy === undefined ? { image } : { image, imagePullPolicy };
    expect(codes(spec, c)).toEqual(passes ? [] : ["PULL_POLICY_NOT_ALWAYS"]);
  });

  it("says what to set", () => {
    const evaluator = createEvaluator(compileDocs(policyDoc("p", spec)));
    const [v] = evaluator.evaluate(ns, [
      { container: "c", containerType: "containers", image: "nginx:1.27" },
    ]).violations;
    expect(v?.message).toContain("defaults it to IfNotPresent");
    expect(v?.message).toContain("imagePullPolicy: Always");
  });

  it("two containers with one image are decided each on its own policy", () => {
    const evaluator = createEvaluator(compileDocs(policyDoc("p", spec)));
    const d = evaluator.evaluate(ns, [
      { container: "a", containerType: "containers", image: "nginx:1", imagePullPolicy: "Always" },
      { container: "b", containerType: "initContainers", image: "nginx:1" },
    ]);
    expect(d.violations.map((v) => v.container)).toEqual(["b"]);
  });

  it("exemptImages applies", () => {
    const exempt = { ...spec, input: { exemptImages: ["docker.io/library/nginx:*"] } };
    expect(codes(exempt, { image: "nginx:1" })).toEqual([]);
  });

  it("explain cannot decide it from an image alone", () => {
    const [e] = explainImage(compileDocs(policyDoc("p", spec)), ns, "nginx:1").policies;
    expect(e?.result).toBe("skip");
    expect(e?.detail).toContain("imagePullPolicy");
  });
});

describe("require-pull-secret", () => {
  const spec = {
    recipe: "require-pull-secret",
    input: { rules: [{ hostname: "registry.corp.example" }, { hostname: "*.corp", port: "5000" }] },
  };
  const image = "registry.corp.example/team/app:v1";
  const wl = (extra: Partial<WorkloadContext>): WorkloadContext => ({
    kind: "Deployment",
    name: "app",
    ...extra,
  });
  const keys = (entries: Record<string, string[]>) => ({
    secretKeys: new Map(Object.entries(entries)),
  });

  it.each<[string, string, WorkloadContext | undefined, string[]]>([
    ["not a listed registry", "quay.io/a:v1", undefined, []],
    ["listed, no secret", image, wl({}), ["PULL_SECRET_MISSING"]],
    ["listed, no workload known", image, undefined, ["PULL_SECRET_MISSING"]],
    ["listed, a secret named (unknown)", image, wl({ imagePullSecrets: ["regcred"] }), []],
    [
      "known secret for another registry",
      image,
      wl({ imagePullSecrets: ["regcred"], pullSecrets: keys({ regcred: ["quay.io"] }) }),
      ["PULL_SECRET_NOT_FOR_REGISTRY"],
    ],
    [
      "known secret for the registry",
      image,
      wl({
        imagePullSecrets: ["regcred"],
        pullSecrets: keys({ regcred: ["https://registry.corp.example/v1/"] }),
      }),
      [],
    ],
    [
      "one of two secrets covers it",
      image,
      wl({
        imagePullSecrets: ["a", "b"],
        pullSecrets: keys({ a: ["quay.io"], b: ["registry.corp.example"] }),
      }),
      [],
    ],
    [
      "the ServiceAccount's secret counts",
      image,
      wl({
        pullSecrets: {
          serviceAccountSecrets: ["sa-cred"],
          secretKeys: new Map([["sa-cred", ["registry.corp.example"]]]),
        },
      }),
      [],
    ],
    ["port rule: other port", "a.corp:6000/x:1", wl({}), []],
    ["port rule: that port", "a.corp:5000/x:1", wl({}), ["PULL_SECRET_MISSING"]],
  ])("%s", (_n, img, workload, expected) => {
    expect(codes(spec, { image: img }, workload)).toEqual(expected);
  });
});

describe("pull secret keys match images as the kubelet's keyring does", () => {
  const cover = (key: string, image: string) => {
    const f = toImageFacts(image);
    return f.valid && keyCovers(key, f.parts);
  };
  it.each<[string, string, boolean]>([
    ["registry.corp.example", "registry.corp.example/a:1", true],
    ["https://registry.corp.example", "registry.corp.example/a:1", true],
    ["https://registry.corp.example/v2/", "registry.corp.example/a:1", true],
    ["registry.corp.example:5000", "registry.corp.example/a:1", false],
    ["registry.corp.example:5000", "registry.corp.example:5000/a:1", true],
    ["registry.corp.example", "registry.corp.example:5000/a:1", false],
    ["*.corp.example", "registry.corp.example/a:1", true],
    ["*.example", "registry.corp.example/a:1", false],
    ["registry.corp.example/team", "registry.corp.example/team/a:1", true],
    ["registry.corp.example/other", "registry.corp.example/team/a:1", false],
    ["https://index.docker.io/v1/", "busybox", true],
    ["docker.io", "library/busybox", true],
    ["quay.io", "busybox", false],
    ["", "busybox", false],
  ])("%s covers %s: %s", (key, image, expected) => {
    expect(cover(key, image)).toBe(expected);
  });

  it("keys are read like BasicDockerKeyring.Add", () => {
    expect(toRegistryKey("http://r.example:5000/v1/")).toEqual({
      host: "r.example",
      port: "5000",
      path: "",
    });
  });
});

describe("minimum-version", () => {
  const spec = {
    recipe: "minimum-version",
    input: {
      rules: [
        {
          hostname: "registry.k8s.io",
          imageName: "ingress-nginx/controller",
          minVersion: "v1.11.2",
        },
      ],
    },
  };
  const image = (tag: string) => `registry.k8s.io/ingress-nginx/controller${tag}`;
  it.each<[string, string[]]>([
    [":v1.11.2", []],
    [":v1.11.3", []],
    [":v1.12", []],
    [":1.11.2", []],
    [":v2", []],
    [":v1.11.1", ["IMAGE_VERSION_TOO_OLD"]],
    [":v1.11.2-rc.1", ["IMAGE_VERSION_TOO_OLD"]],
    [":v1.11", ["IMAGE_VERSION_TOO_OLD"]],
    [":latest", ["IMAGE_VERSION_UNKNOWN"]],
    ["", ["IMAGE_VERSION_UNKNOWN"]],
    [`@${D}`, ["IMAGE_VERSION_UNKNOWN"]],
    [`:v1.12.0@${D}`, []],
  ])("tag %s", (tag, expected) => {
    expect(codes(spec, { image: image(tag) })).toEqual(expected);
  });

  it("images that match no rule pass", () => {
    expect(codes(spec, { image: "nginx:0.1" })).toEqual([]);
  });

  it("names the minimum in its message", () => {
    const evaluator = createEvaluator(compileDocs(policyDoc("p", spec)));
    const [v] = evaluator.evaluate(ns, [
      { container: "c", containerType: "containers", image: image(":v1.9.0") },
    ]).violations;
    expect(v?.message).toContain("lower than v1.11.2");
  });

  it.each(["1", "1.2", "v1.2.3", "1.0.0-alpha.1", "0.0.0-0"])("%s is a version", (v) => {
    expect(parseVersion(v)).toBeDefined();
  });
  it.each([
    "latest",
    "",
    "v",
    "1.2.3.4",
    "01",
    "1.02",
    "1.0.0-01",
    "1.0.0-",
    "1.0.0+b",
    "V1",
  ])("%j is no version", (v) => {
    expect(parseVersion(v)).toBeUndefined();
  });

  it("follows SemVer §11's example order", () => {
    const order = [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "2.0.0",
      "2.1.0",
      "2.1.1",
    ].map((s) => parseVersion(s) as Version);
    for (let i = 1; i < order.length; i++) {
      expect(compareVersions(order[i - 1] as Version, order[i] as Version)).toBe(-1);
    }
  });
});

describe("property: version ordering", () => {
  const id = fc.oneof(
    fc.nat(20).map(String),
    fc.constantFrom("alpha", "beta", "rc", "a-b", "x1", "1x", "-"),
  );
  const versionText = fc
    .record({
      v: fc.boolean(),
      core: fc.array(fc.nat(12), { minLength: 1, maxLength: 3 }),
      pre: fc.array(id, { maxLength: 3 }),
    })
    .map(
      ({ v, core, pre }) =>
        `${v ? "v" : ""}${core.join(".")}${pre.length > 0 ? `-${pre.join(".")}` : ""}`,
    );
  const version = versionText.map((s) => parseVersion(s) as Version);

  /** A straightforward reference: compare the textual SemVer rules one by one. */
  function reference(a: string, b: string): number {
    const norm = (s: string) => {
      const t = s.replace(/^v/, "");
      const [core = "", ...rest] = t.split("-");
      const nums = [...core.split(".").map(Number), 0, 0].slice(0, 3);
      return { nums, pre: rest.length === 0 ? [] : rest.join("-").split(".") };
    };
    const x = norm(a);
    const y = norm(b);
    for (let i = 0; i < 3; i++) {
      if ((x.nums[i] ?? 0) !== (y.nums[i] ?? 0))
        return (x.nums[i] ?? 0) < (y.nums[i] ?? 0) ? -1 : 1;
    }
    if (x.pre.length === 0 && y.pre.length === 0) return 0;
    if (x.pre.length === 0) return 1;
    if (y.pre.length === 0) return -1;
    for (let i = 0; i < Math.min(x.pre.length, y.pre.length); i++) {
      const p = x.pre[i] ?? "";
      const q = y.pre[i] ?? "";
      const pn = /^[0-9]+$/.test(p);
      const qn = /^[0-9]+$/.test(q);
      if (pn && qn && Number(p) !== Number(q)) return Number(p) < Number(q) ? -1 : 1;
      if (pn !== qn) return pn ? -1 : 1;
      if (!pn && p !== q) return p < q ? -1 : 1;
    }
    return Math.sign(x.pre.length - y.pre.length);
  }

  it("every generated text is a version", () => {
    fc.assert(
      fc.property(versionText, (s) => {
        expect(parseVersion(s)).toBeDefined();
      }),
    );
  });
  it("antisymmetric", () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        // `+ 0`: equal versions compare as 0 both ways, and -Math.sign(0) is -0.
        expect(Math.sign(compareVersions(a, b)) + 0).toBe(-Math.sign(compareVersions(b, a)) + 0);
      }),
    );
  });
  it("transitive", () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0) {
          expect(compareVersions(a, c)).toBeLessThanOrEqual(0);
        }
      }),
    );
  });
  it("agrees with a straightforward reference comparator", () => {
    fc.assert(
      fc.property(versionText, versionText, (a, b) => {
        const x = parseVersion(a) as Version;
        const y = parseVersion(b) as Version;
        expect(compareVersions(x, y)).toBe(reference(a, b));
      }),
      { numRuns: 500 },
    );
  });
});

describe("max-image-size and no-volumes (on image facts)", () => {
  it.each<[string, number | undefined]>([
    ["500Mi", 500 * 2 ** 20],
    ["1Gi", 2 ** 30],
    ["800M", 800e6],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["1000", 1000],
    ["1e9", undefined],
    ["500mi", undefined],
    ["-1", undefined],
    ["", undefined],
  ])("size %j is %s bytes", (text, bytes) => {
    expect(toBytes(text)).toBe(bytes);
  });

  const size = { recipe: "max-image-size", input: { maxSize: "1Mi" } };
  it.each<[number | undefined, string[]]>([
    [2 ** 20, []],
    [2 ** 20 + 1, ["IMAGE_TOO_LARGE"]],
    [undefined, ["IMAGE_SIZE_UNKNOWN"]],
  ])("size %s", (bytes, expected) => {
    const m = metadata(bytes === undefined ? {} : { size: bytes });
    const d = decideWith(size, facts({ metadata: ok(m) }));
    expect(d.violations.map((v) => v.code)).toEqual(expected);
  });

  it.each<[string[], string[], string[]]>([
    [[], [], []],
    [["/data"], [], ["IMAGE_VOLUMES_DECLARED"]],
    [["/data"], ["/data"], []],
    [["/data", "/var/lib/x"], ["/data"], ["IMAGE_VOLUMES_DECLARED"]],
  ])("volumes %j allowed %j", (volumes, allowed, expected) => {
    const spec = { recipe: "no-volumes", input: { allowed } };
    const d = decideWith(spec, facts({ metadata: ok(metadata({ volumes })) }));
    expect(d.violations.map((v) => v.code)).toEqual(expected);
  });

  it("a message says which volumes", () => {
    const d = decideWith(
      { recipe: "no-volumes" },
      facts({ metadata: ok(metadata({ volumes: ["/var/lib/mysql"] })) }),
    );
    expect(d.violations[0]?.message).toContain("VOLUME /var/lib/mysql");
  });
});

describe("native policies (canCompileToVap)", () => {
  const policyOf = (spec: Record<string, unknown>) => {
    const set = compileDocs(policyDoc("p", spec));
    return (set.policies[0] as { policy: Parameters<typeof canCompileToVap>[0] }).policy;
  };
  it.each<[Record<string, unknown>, string | undefined]>([
    [{ recipe: "require-pull-policy", input: { immutableTags: ["v*"] } }, undefined],
    [{ recipe: "require-pull-policy", input: { exemptImages: ["a/*"] } }, "with exemptImages"],
    [
      { recipe: "require-pull-secret", input: { rules: [{ hostname: "r.example" }] } },
      "cannot read Secrets",
    ],
    [
      { recipe: "minimum-version", input: { rules: [{ imageName: "a", minVersion: "1" }] } },
      undefined,
    ],
    [{ recipe: "max-image-size", input: { maxSize: "1Gi" } }, "facts fetched from registries"],
    [{ recipe: "no-volumes" }, "facts fetched from registries"],
    [{ recipe: "require-digest", input: { exemptImages: ["a/*"] } }, undefined],
  ])("%j", (spec, reason) => {
    const r = canCompileToVap(policyOf(spec));
    if (reason === undefined) expect(r).toEqual({ ok: true });
    else expect(r.ok ? "" : r.reasons.join("; ")).toContain(reason);
  });
});
