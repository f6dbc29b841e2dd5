import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ContainerType,
  extractResources,
  MAX_LIST_DEPTH,
  MAX_PROBLEMS,
  MAX_RESOURCES,
  parseJsonPointer,
  podSpecPointerOf,
  toJsonPointer,
  WORKLOAD_KINDS,
} from "../src/core/workload/index.js";

const POD_SPEC_PATHS: Record<string, string[]> = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  ReplicationController: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
  PodTemplate: ["template", "spec"],
};
const CONTAINER_TYPES: ContainerType[] = ["containers", "initContainers", "ephemeralContainers"];

/** `{a: {b: leaf}}` for path [a, b]. */
function nest(path: readonly string[], leaf: unknown): Record<string, unknown> {
  return path.reduceRight<Record<string, unknown>>(
    (inner, key) => ({ [key]: inner }),
    leaf as never,
  );
}

function workload(kind: string, podSpec: unknown, metadata: unknown = { name: "w" }) {
  const path = Object.hasOwn(POD_SPEC_PATHS, kind) ? (POD_SPEC_PATHS[kind] as string[]) : ["spec"];
  return { apiVersion: "v1", kind, metadata, ...nest(path, podSpec) };
}

/** Follows a pointer through own properties, as a consumer of the pointer would. */
function resolve(doc: unknown, pointer: string): { found: boolean; value: unknown } {
  const segments = parseJsonPointer(pointer);
  if (segments === undefined) return { found: false, value: undefined };
  let current = doc;
  for (const segment of segments) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, segment)) {
      return { found: false, value: undefined };
    }
    current = (current as Record<string, unknown>)[segment];
  }
  return { found: true, value: current };
}

describe("pod spec locations", () => {
  it.each(Object.entries(POD_SPEC_PATHS))("%s keeps its pod spec at its path", (kind, path) => {
    expect(podSpecPointerOf(kind)).toBe(`/${path.join("/")}`);
  });

  it("lists every workload kind of the spec, and no other", () => {
    expect([...WORKLOAD_KINDS].sort()).toEqual(Object.keys(POD_SPEC_PATHS).sort());
  });

  it.each([
    "ConfigMap",
    "Namespace",
    "List",
    "pod",
    "constructor",
    "__proto__",
    "toString",
    "",
  ])("%j runs no pods", (kind) => {
    expect(podSpecPointerOf(kind)).toBeUndefined();
  });
});

describe("toJsonPointer", () => {
  it.each([
    [[], ""],
    [["spec", "containers", 0, "image"], "/spec/containers/0/image"],
    [["a/b", "c~d"], "/a~1b/c~0d"],
    [["~1"], "/~01"],
    [[""], "/"],
  ] as const)("%j -> %j", (segments, pointer) => {
    expect(toJsonPointer(segments)).toBe(pointer);
  });

  it("round-trips through parseJsonPointer", () => {
    fc.assert(
      fc.property(fc.array(fc.string()), (segments) => {
        expect(parseJsonPointer(toJsonPointer(segments))).toEqual(segments);
      }),
    );
  });

  it.each(["a", "/~2", "/~"])("refuses %j", (pointer) => {
    expect(parseJsonPointer(pointer)).toBeUndefined();
  });
});

describe("every kind and container type", () => {
  const cases = Object.keys(POD_SPEC_PATHS).flatMap((kind) =>
    CONTAINER_TYPES.map((type) => [kind, type] as const),
  );

  it.each(cases)("%s %s", (kind, containerType) => {
    const doc = workload(
      kind,
      { [containerType]: [{ name: "c", image: "nginx:1" }] },
      {
        name: "w",
        namespace: "ns",
      },
    );
    const specPointer = podSpecPointerOf(kind);
    expect(extractResources(doc)).toEqual({
      workloads: [
        {
          apiVersion: "v1",
          kind,
          name: "w",
          namespace: "ns",
          pointer: "",
          podSpecPointer: specPointer,
          containers: [
            {
              container: "c",
              containerType,
              image: "nginx:1",
              pointer: `${specPointer}/${containerType}/0/image`,
            },
          ],
          imagePullSecrets: [],
        },
      ],
      namespaces: [],
      problems: [],
      skipped: 0,
    });
  });

  it("orders containers, then initContainers, then ephemeralContainers", () => {
    const doc = workload("Pod", {
      ephemeralContainers: [{ name: "e", image: "e" }],
      initContainers: [{ name: "i1", image: "i1" }, { name: "i2" }],
      containers: [{ name: "c", image: "c" }],
    });
    const [w] = extractResources(doc).workloads;
    expect(w?.containers.map((c) => [c.containerType, c.container, c.image, c.pointer])).toEqual([
      ["containers", "c", "c", "/spec/containers/0/image"],
      ["initContainers", "i1", "i1", "/spec/initContainers/0/image"],
      ["initContainers", "i2", undefined, "/spec/initContainers/1/image"],
      ["ephemeralContainers", "e", "e", "/spec/ephemeralContainers/0/image"],
    ]);
  });

  it("reads any apiVersion of a known kind, and a missing one as empty", () => {
    const old = { ...workload("Deployment", { containers: [] }), apiVersion: "extensions/v1beta1" };
    expect(extractResources(old).workloads[0]?.apiVersion).toBe("extensions/v1beta1");
    const { apiVersion: _, ...none } = workload("Pod", { containers: [] });
    expect(extractResources(none)).toMatchObject({ problems: [], workloads: [{ apiVersion: "" }] });
  });

  it("leaves the namespace undefined when none is written, and reads null fields as absent", () => {
    const doc = workload(
      "Pod",
      { containers: [{ name: null, image: null }], initContainers: null },
      {
        name: "p",
        namespace: null,
      },
    );
    expect(extractResources(doc)).toMatchObject({
      problems: [],
      workloads: [{ namespace: undefined, containers: [{ container: "", image: undefined }] }],
    });
  });

  it("names a workload by generateName when it has no name", () => {
    const doc = workload("Job", { containers: [] }, { generateName: "seed-" });
    expect(extractResources(doc)).toMatchObject({ problems: [], workloads: [{ name: "seed-" }] });
  });
});

describe("lists", () => {
  const pod = (name: string, image: string) =>
    workload("Pod", { containers: [{ name, image }] }, { name });

  it("reads List items with pointers from the document root", () => {
    const doc = {
      apiVersion: "v1",
      kind: "List",
      items: [pod("a", "a"), { kind: "Service" }, pod("b", "b")],
    };
    const result = extractResources(doc);
    expect(result.skipped).toBe(1);
    expect(
      result.workloads.map((w) => [w.pointer, w.podSpecPointer, w.containers[0]?.pointer]),
    ).toEqual([
      ["/items/0", "/items/0/spec", "/items/0/spec/containers/0/image"],
      ["/items/2", "/items/2/spec", "/items/2/spec/containers/0/image"],
    ]);
  });

  it("reads nested Lists", () => {
    const doc = {
      kind: "List",
      items: [{ kind: "List", items: [{ kind: "PodList", items: [pod("a", "a")] }] }],
    };
    expect(extractResources(doc).workloads[0]?.containers[0]?.pointer).toBe(
      "/items/0/items/0/items/0/spec/containers/0/image",
    );
  });

  it("gives items of a typed list the list's kind and apiVersion, as the API omits them", () => {
    const item = {
      metadata: { name: "d" },
      spec: { template: { spec: { containers: [{ image: "x" }] } } },
    };
    const doc = {
      apiVersion: "apps/v1",
      kind: "DeploymentList",
      items: [item, { ...item, kind: "Pod" }],
    };
    expect(extractResources(doc).workloads.map((w) => [w.apiVersion, w.kind])).toEqual([
      ["apps/v1", "Deployment"],
      ["apps/v1", "Pod"],
    ]);
  });

  it("requires kind on the items of a plain List", () => {
    expect(extractResources({ kind: "List", items: [{ metadata: {} }] }).problems).toEqual([
      { pointer: "/items/0/kind", message: "missing, expected a non-empty string" },
    ]);
  });

  it("reads a List without items as empty, and refuses items that are not an array", () => {
    expect(extractResources({ kind: "List" })).toEqual({
      workloads: [],
      namespaces: [],
      problems: [],
      skipped: 0,
    });
    expect(extractResources({ kind: "List", items: { a: 1 } }).problems).toEqual([
      { pointer: "/items", message: "expected an array, got object" },
    ]);
    expect(extractResources({ kind: "AllowList", items: "x" }).skipped).toBe(1);
  });

  it(`refuses Lists nested deeper than ${MAX_LIST_DEPTH}`, () => {
    let doc: unknown = pod("deep", "x");
    for (let i = 0; i < 1000; i++) doc = { kind: "List", items: [doc] };
    const result = extractResources(doc);
    expect(result.workloads).toEqual([]);
    expect(result.problems).toEqual([
      {
        pointer: "/items/0".repeat(MAX_LIST_DEPTH),
        message: `lists nested more than ${MAX_LIST_DEPTH} levels deep`,
      },
    ]);
    let ok: unknown = pod("ok", "x");
    for (let i = 0; i < MAX_LIST_DEPTH; i++) ok = { kind: "List", items: [ok] };
    expect(extractResources(ok).workloads).toHaveLength(1);
  });
});

describe("namespaces and other kinds", () => {
  it("reads Namespace labels", () => {
    const doc = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "team-a", labels: { env: "prod" } },
    };
    expect(extractResources(doc)).toEqual({
      workloads: [],
      namespaces: [{ name: "team-a", labels: { env: "prod" }, pointer: "" }],
      problems: [],
      skipped: 0,
    });
  });

  it("keeps labels in a record without a prototype", () => {
    const labels = JSON.parse('{"__proto__": "p", "constructor": "c"}');
    const [ns] = extractResources({
      kind: "Namespace",
      metadata: { name: "n", labels },
    }).namespaces;
    expect(Object.getPrototypeOf(ns?.labels)).toBeNull();
    expect(Object.entries(ns?.labels ?? {})).toEqual([
      ["__proto__", "p"],
      ["constructor", "c"],
    ]);
    const [plain] = extractResources({ kind: "Namespace", metadata: { name: "n" } }).namespaces;
    expect(plain?.labels.constructor).toBeUndefined();
  });

  it("reads an empty label value (null) as the empty string, and refuses other types", () => {
    const doc = {
      kind: "Namespace",
      metadata: { name: "n", labels: { a: null, "b/c": 1, d: "x" } },
    };
    expect(extractResources(doc)).toMatchObject({
      namespaces: [{ labels: { a: "", d: "x" } }],
      problems: [{ pointer: "/metadata/labels/b~1c", message: "expected a string, got number" }],
    });
  });

  it.each([
    "Service",
    "ConfigMap",
    "Secret",
    "CustomThing",
    "constructor",
    "__proto__",
    "pod",
  ])("skips %s", (kind) => {
    expect(extractResources({ apiVersion: "v1", kind, metadata: { name: "x" } })).toEqual({
      workloads: [],
      namespaces: [],
      problems: [],
      skipped: 1,
    });
  });
});

describe("problems name the field", () => {
  const deployment = (podSpec: unknown) => workload("Deployment", podSpec);
  const cases: [string, unknown, { pointer: string; message: string }[]][] = [
    ["null document", null, [{ pointer: "", message: "expected an object, got null" }]],
    ["array document", [], [{ pointer: "", message: "expected an object, got array" }]],
    ["scalar document", "kind: Pod", [{ pointer: "", message: "expected an object, got string" }]],
    [
      "missing kind",
      { metadata: {} },
      [{ pointer: "/kind", message: "missing, expected a non-empty string" }],
    ],
    [
      "empty kind",
      { kind: "" },
      [{ pointer: "/kind", message: "expected a non-empty string, got an empty string" }],
    ],
    [
      "numeric kind",
      { kind: 5 },
      [{ pointer: "/kind", message: "expected a non-empty string, got number" }],
    ],
    [
      "missing spec",
      { kind: "Deployment", metadata: { name: "d" } },
      [{ pointer: "/spec", message: "missing, expected an object" }],
    ],
    [
      "template not an object",
      { kind: "Deployment", metadata: { name: "d" }, spec: { template: [] } },
      [{ pointer: "/spec/template", message: "expected an object, got array" }],
    ],
    [
      "containers not an array",
      deployment({ containers: { name: "x" } }),
      [{ pointer: "/spec/template/spec/containers", message: "expected an array, got object" }],
    ],
    [
      "container not an object",
      deployment({ initContainers: [{ image: "a" }, "nginx"] }),
      [
        {
          pointer: "/spec/template/spec/initContainers/1",
          message: "expected an object, got string",
        },
      ],
    ],
    [
      "image not a string",
      deployment({ containers: [{ image: "a" }, { name: "b", image: 5 }] }),
      [
        {
          pointer: "/spec/template/spec/containers/1/image",
          message: "expected a string, got number",
        },
      ],
    ],
    [
      "name not a string",
      deployment({ ephemeralContainers: [{ name: ["x"], image: "a" }] }),
      [
        {
          pointer: "/spec/template/spec/ephemeralContainers/0/name",
          message: "expected a string, got array",
        },
      ],
    ],
    [
      "metadata not an object",
      workload("Pod", { containers: [] }, "pod"),
      [{ pointer: "/metadata", message: "expected an object, got string" }],
    ],
    [
      "metadata missing",
      { kind: "Pod", spec: { containers: [] } },
      [{ pointer: "/metadata", message: "missing, expected an object" }],
    ],
    [
      "name not a string",
      workload("Pod", { containers: [] }, { name: 7 }),
      [{ pointer: "/metadata/name", message: "expected a string, got number" }],
    ],
    [
      "namespace not a string",
      workload("Pod", { containers: [] }, { name: "p", namespace: true }),
      [{ pointer: "/metadata/namespace", message: "expected a string, got boolean" }],
    ],
    [
      "apiVersion not a string",
      { ...workload("Pod", { containers: [] }), apiVersion: 1 },
      [{ pointer: "/apiVersion", message: "expected a string, got number" }],
    ],
    [
      "inside a List",
      {
        kind: "List",
        items: [{}, { kind: "Service" }, workload("Pod", { containers: [{ image: 1 }] })],
      },
      [
        { pointer: "/items/0/kind", message: "missing, expected a non-empty string" },
        { pointer: "/items/2/spec/containers/0/image", message: "expected a string, got number" },
      ],
    ],
    [
      "namespace without a name",
      { kind: "Namespace", metadata: { labels: {} } },
      [{ pointer: "/metadata/name", message: "missing, expected a string" }],
    ],
    [
      "namespace labels not an object",
      { kind: "Namespace", metadata: { name: "n", labels: ["a"] } },
      [{ pointer: "/metadata/labels", message: "expected an object, got array" }],
    ],
  ];

  it.each(cases)("%s", (_, doc, problems) => {
    expect(extractResources(doc).problems).toEqual(problems);
  });

  it("still returns the workload with the containers it could read", () => {
    const result = extractResources(
      workload("Deployment", { containers: [{ name: "a", image: "a" }, { image: 5 }] }),
    );
    expect(result.workloads).toHaveLength(1);
    expect(result.workloads[0]?.containers.map((c) => c.container)).toEqual(["a"]);
    expect(
      extractResources({ kind: "Deployment", metadata: { name: "d" } }).workloads,
    ).toMatchObject([{ name: "d", podSpecPointer: "/spec/template/spec", containers: [] }]);
  });

  it(`reports at most ${MAX_PROBLEMS} problems, then how many more`, () => {
    const result = extractResources({ kind: "List", items: Array.from({ length: 500 }, () => 1) });
    expect(result.problems).toHaveLength(MAX_PROBLEMS + 1);
    expect(result.problems.at(-1)).toEqual({
      pointer: "",
      message: `${500 - MAX_PROBLEMS} more problems not shown`,
    });
  });
});

describe("hostile input", () => {
  it("reports a throwing getter or Proxy as a problem", () => {
    const doc = workload("Pod", {
      get containers(): unknown {
        throw new Error("boom");
      },
    });
    expect(extractResources(doc).problems).toEqual([
      { pointer: "", message: "could not be read: boom" },
    ]);
    const proxy = new Proxy(
      {},
      {
        get() {
          throw "not an Error";
        },
      },
    );
    expect(extractResources(proxy).problems).toEqual([
      { pointer: "", message: "could not be read: unknown error" },
    ]);
  });

  it("reads own properties only: a `__proto__` key is data, the prototype is never consulted", () => {
    const doc = JSON.parse(
      '{"__proto__": {"kind": "Pod"}, "kind": "Pod", "metadata": {"name": "p"}, "spec": {"__proto__": {"containers": [{"image": "evil"}]}, "containers": [{"image": "ok"}]}}',
    );
    expect(extractResources(doc).workloads[0]?.containers.map((c) => c.image)).toEqual(["ok"]);
    const inherits = Object.create({ kind: "Pod" });
    expect(extractResources(inherits).problems).toEqual([
      { pointer: "/kind", message: "missing, expected a non-empty string" },
    ]);
  });

  it("bounds the work on a huge sparse array", () => {
    const containers: unknown[] = [];
    containers.length = 4_000_000_000;
    const started = performance.now();
    expect(extractResources(workload("Pod", { containers })).problems).toEqual([
      { pointer: "/spec/containers", message: "more than 1000000 entries" },
    ]);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it(`stops after ${MAX_RESOURCES} resources, as a List sharing its items could be endless`, () => {
    let list: unknown = { kind: "Service" };
    for (let i = 0; i < MAX_LIST_DEPTH; i++) list = { kind: "List", items: Array(10).fill(list) };
    const started = performance.now();
    const result = extractResources(list);
    expect(result.problems).toEqual([
      {
        pointer: expect.stringMatching(/^(\/items\/\d)+$/),
        message: `more than ${MAX_RESOURCES} resources in one document`,
      },
    ]);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  // Speed is measured in bench/, not asserted here; this checks nothing is lost at scale.
  it("reads 100,000 pods of a List, every pointer intact", () => {
    const items = Array.from({ length: 100_000 }, (_, i) =>
      workload(
        "Pod",
        {
          containers: [{ name: "app", image: `registry.local/app:${i}` }],
          initContainers: [{ name: "init", image: "busybox" }],
        },
        { name: `p${i}`, namespace: "ns" },
      ),
    );
    const result = extractResources({ kind: "List", items });
    expect(result.workloads).toHaveLength(100_000);
    expect(result.workloads[99_999]?.containers[1]?.pointer).toBe(
      "/items/99999/spec/initContainers/0/image",
    );
  });
});

/** Manifest-shaped values, so that properties reach the deep branches, not only the type checks. */
const containerArb = fc.oneof(
  fc.record(
    {
      name: fc.oneof(fc.string(), fc.anything()),
      image: fc.oneof(fc.string(), fc.constant(null), fc.anything()),
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);
const podSpecArb = fc.oneof(
  fc.record(
    {
      containers: fc.oneof(fc.array(containerArb), fc.anything()),
      initContainers: fc.array(containerArb),
      ephemeralContainers: fc.oneof(fc.array(containerArb), fc.anything()),
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);
const kindArb = fc.constantFrom(
  ...Object.keys(POD_SPEC_PATHS),
  "Namespace",
  "Service",
  "List",
  "PodList",
  "__proto__",
);
const { resource } = fc.letrec<{ resource: unknown }>((tie) => ({
  resource: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.anything(),
    fc
      .tuple(
        kindArb,
        podSpecArb,
        fc.anything(),
        fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.anything())),
      )
      .map(([kind, podSpec, name, labels]) => ({
        ...workload(kind, podSpec, { name, labels }),
      })),
    fc.record({
      kind: fc.constantFrom("List", "PodList", "DeploymentList"),
      items: fc.array(tie("resource"), { maxLength: 4 }),
    }),
  ),
}));

describe("properties", () => {
  const arbitraries = {
    anything: fc.anything({
      withNullPrototype: true,
      withSparseArray: true,
      withObjectString: true,
    }),
    json: fc.jsonValue(),
    manifests: resource,
  };

  it.each(
    Object.entries(arbitraries),
  )("never throws, and every pointer holds what it claims (%s)", (_, arb) => {
    fc.assert(
      fc.property(arb, (doc) => {
        const result = extractResources(doc);
        for (const w of result.workloads) {
          expect(resolve(doc, w.pointer).found).toBe(true);
          expect(w.podSpecPointer.startsWith(w.pointer)).toBe(true);
          for (const c of w.containers) {
            const { value } = resolve(doc, c.pointer);
            if (c.image === undefined) expect(value ?? undefined).toBeUndefined();
            else expect(value).toBe(c.image);
          }
        }
        for (const ns of result.namespaces) expect(resolve(doc, ns.pointer).found).toBe(true);
        for (const p of result.problems) expect(parseJsonPointer(p.pointer)).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });
});

describe("pull settings", () => {
  const pod = (spec: Record<string, unknown>) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p" },
    spec,
  });

  it.each([
    [{ containers: [{ name: "a", image: "x" }] }, [], [undefined]],
    [
      {
        imagePullSecrets: [{ name: "regcred" }, {}, { name: "other" }],
        containers: [
          { name: "a", image: "x", imagePullPolicy: "Always" },
          { name: "b", image: "y" },
        ],
      },
      ["regcred", "other"],
      ["Always", undefined],
    ],
    [
      { imagePullSecrets: null, containers: [{ image: "x", imagePullPolicy: null }] },
      [],
      [undefined],
    ],
  ])("reads imagePullSecrets and imagePullPolicy as written (%#)", (spec, secrets, policies) => {
    const { workloads, problems } = extractResources(pod(spec));
    expect(problems).toEqual([]);
    expect(workloads[0]?.imagePullSecrets).toEqual(secrets);
    expect(workloads[0]?.containers.map((c) => c.imagePullPolicy)).toEqual(policies);
  });

  it.each([
    [{ imagePullSecrets: "regcred", containers: [] }, "/spec/imagePullSecrets"],
    [{ imagePullSecrets: ["regcred"], containers: [] }, "/spec/imagePullSecrets/0"],
    [{ imagePullSecrets: [{ name: 5 }], containers: [] }, "/spec/imagePullSecrets/0/name"],
    [{ containers: [{ image: "x", imagePullPolicy: 1 }] }, "/spec/containers/0/imagePullPolicy"],
  ])("names a malformed pull setting (%#)", (spec, pointer) => {
    expect(extractResources(pod(spec)).problems.map((p) => p.pointer)).toEqual([pointer]);
  });
});
