import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDocuments, type SourceDocument } from "../src/app/documents/parse.js";
import { MAX_ALIAS_COUNT, MAX_NESTING } from "../src/app/documents/yaml.js";
import { CustomsError } from "../src/core/errors.js";
import { extractResources, toJsonPointer } from "../src/core/workload/index.js";

const FIXTURES = join(import.meta.dirname, "fixtures/manifests");
const fixture = (name: string) => readFileSync(join(FIXTURES, name), "utf8");

/** The CustomsError a text is refused with. */
function refusal(text: string, source = "bad.yaml"): CustomsError {
  try {
    parseDocuments(text, source);
  } catch (error) {
    expect(error).toBeInstanceOf(CustomsError);
    expect((error as CustomsError).code).toBe("YAML_INVALID");
    return error as CustomsError;
  }
  throw new Error("expected the text to be refused");
}

/** The first document of a text. */
function first(text: string, source = "f.yaml"): SourceDocument {
  const [doc] = parseDocuments(text, source);
  if (doc === undefined) throw new Error("expected a document");
  return doc;
}

/** Every image of a document with its line and column. */
function imagePositions(
  doc: SourceDocument,
): [string | undefined, number | undefined, number | undefined][] {
  return extractResources(doc.value).workloads.flatMap((w) =>
    w.containers.map((c) => [c.image, doc.lineOf(c.pointer), doc.columnOf(c.pointer)] as const),
  ) as [string | undefined, number | undefined, number | undefined][];
}

describe("fixtures", () => {
  it.each([
    ["deployment.yaml", [0], 0, 0],
    ["cronjob.yaml", [0], 0, 0],
    ["pod-init-ephemeral.yaml", [0], 0, 0],
    ["list.yaml", [0], 0, 1],
    ["namespace.yaml", [0], 1, 0],
    ["service.yaml", [0], 0, 1],
    ["bundle.yaml", [0, 1, 2], 1, 1],
    ["deployment.json", [0], 0, 0],
  ])("%s", (name, indices, namespaces, skipped) => {
    const docs = parseDocuments(fixture(name), name);
    expect(docs.map((d) => [d.source, d.index])).toEqual(indices.map((i) => [name, i]));
    const extracted = docs.map((d) => extractResources(d.value));
    expect(extracted.flatMap((e) => e.problems)).toEqual([]);
    expect(extracted.reduce((n, e) => n + e.namespaces.length, 0)).toBe(namespaces);
    expect(extracted.reduce((n, e) => n + e.skipped, 0)).toBe(skipped);
  });

  it("gives each image's line and column in YAML", () => {
    const [doc] = parseDocuments(fixture("deployment.yaml"), "deployment.yaml");
    expect(imagePositions(doc as SourceDocument)).toEqual([
      ["registry.mycorp.local:5000/team/shop:v2.3.1", 24, 18],
      [expect.stringMatching(/^envoyproxy/), 28, 18],
      ["registry.mycorp.local:5000/team/migrate:v1", 21, 18],
    ]);
  });

  it("gives each image's line and column in JSON", () => {
    const [doc] = parseDocuments(fixture("deployment.json"), "deployment.json");
    expect(imagePositions(doc as SourceDocument)).toEqual([
      ["registry.mycorp.local:5000/team/api:v1", 9, 37],
      ["busybox", 12, 22],
    ]);
  });

  it("finds images inside Lists and later documents", () => {
    const [list] = parseDocuments(fixture("list.yaml"), "list.yaml");
    expect(imagePositions(list as SourceDocument)).toEqual([
      ["postgres:16", 18, 22],
      ["quay.io/acme/agent:2.0", 32, 26],
    ]);
    const bundle = parseDocuments(fixture("bundle.yaml"), "bundle.yaml");
    expect(imagePositions(bundle[2] as SourceDocument)).toEqual([
      ["ghcr.io/acme/seed:1.0", 32, 18],
    ]);
  });
});

describe("documents", () => {
  it("drops empty documents but keeps the file's numbering", () => {
    const docs = parseDocuments("kind: A\n---\n# only a comment\n---\nkind: B\n---\n", "f.yaml");
    expect(docs.map((d) => [d.index, d.value])).toEqual([
      [0, { kind: "A" }],
      [2, { kind: "B" }],
    ]);
  });

  it.each([
    "",
    "\n\n",
    "# nothing\n# here\n",
    "---\n",
    "---\n---\n",
  ])("reads %j as no documents", (text) => {
    expect(parseDocuments(text, "f.yaml")).toEqual([]);
  });

  it("keeps an explicit null document, for the caller to report", () => {
    expect(parseDocuments("--- ~\n", "f.yaml").map((d) => d.value)).toEqual([null]);
  });

  it("reads JSON, JSON with a byte order mark, and YAML flow mappings", () => {
    expect(parseDocuments('{"kind": "Pod"}', "a.json")[0]?.value).toEqual({ kind: "Pod" });
    expect(parseDocuments('\ufeff  {"kind": "Pod"}', "a.json")[0]?.value).toEqual({ kind: "Pod" });
    expect(parseDocuments("[1, 2]", "a.json")[0]?.value).toEqual([1, 2]);
    expect(parseDocuments("{kind: Pod, spec: {x: yes}}", "a.yaml")[0]?.value).toEqual({
      kind: "Pod",
      spec: { x: true },
    });
  });

  it("keeps a `__proto__` key as data", () => {
    for (const text of ['{"__proto__": {"polluted": 1}}', "__proto__: {polluted: 1}\n"]) {
      const value = parseDocuments(text, "f")[0]?.value as Record<string, unknown>;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.hasOwn(value, "__proto__")).toBe(true);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it("counts lines of CRLF text", () => {
    const [doc] = parseDocuments("a: 1\r\nb:\r\n  c: x\r\n", "f.yaml");
    expect([doc?.lineOf("/b/c"), doc?.columnOf("/b/c")]).toEqual([3, 6]);
  });
});

describe("YAML as Kubernetes reads it (YAML 1.1)", () => {
  it("merges `<<` keys, explicit keys winning, also under a %YAML 1.2 directive", () => {
    const text = [
      "base: &base {name: app, image: evil}",
      "spec:",
      "  containers:",
      "    - <<: *base",
      "    - image: good",
      "      <<: *base",
      "",
    ].join("\n");
    for (const prefix of ["", "%YAML 1.2\n---\n"]) {
      expect((first(prefix + text).value as { spec: unknown }).spec).toEqual({
        containers: [
          { name: "app", image: "evil" },
          { name: "app", image: "good" },
        ],
      });
    }
    const [doc] = parseDocuments(text, "f.yaml");
    // A merged image is shown where its anchor wrote it.
    expect(doc?.lineOf("/spec/containers/0/image")).toBe(1);
    expect(doc?.lineOf("/spec/containers/1/image")).toBe(5);
  });

  it("reads yes/no/on/off as booleans, and timestamps, sexagesimals and !!binary as strings", () => {
    const [doc] = parseDocuments(
      "a: yes\nb: off\nc: 2024-01-01\nd: 1:20\ne: !!binary aGk=\n",
      "f.yaml",
    );
    expect(doc?.value).toEqual({ a: true, b: false, c: "2024-01-01", d: "1:20", e: "aGk=" });
  });

  it("reports a name or label that YAML 1.1 turned into a boolean, as kubectl would refuse it", () => {
    const [doc] = parseDocuments(
      "kind: Namespace\nmetadata:\n  name: team\n  labels:\n    env: yes\n",
      "f.yaml",
    );
    expect(extractResources(doc?.value).problems).toEqual([
      { pointer: "/metadata/labels/env", message: "expected a string, got boolean" },
    ]);
    // The "Norway problem": `n` is false in YAML 1.1.
    const [norway] = parseDocuments("kind: Namespace\nmetadata:\n  name: n\n", "f.yaml");
    expect(extractResources(norway?.value).problems).toEqual([
      { pointer: "/metadata/name", message: "expected a string, got boolean" },
    ]);
  });
});

describe("lineOf", () => {
  const text = [
    "# comment", // 1
    "apiVersion: v1", // 2
    "kind: Pod", // 3
    "metadata: {name: p}", // 4
    "spec:", // 5
    "  containers:", // 6
    "    - name: a", // 7
    "      image: &img nginx:1", // 8
    "    - name: b", // 9
    "      image: *img", // 10
    "    - name: c", // 11
    "      image:", // 12
    '  "a/b~c": 1', // 13
    "",
  ].join("\n");
  const [doc] = parseDocuments(text, "pod.yaml") as [SourceDocument];

  it.each([
    ["", 2, 1],
    ["/kind", 3, 7],
    ["/metadata/name", 4, 18],
    ["/spec", 5, 1],
    ["/spec/containers", 6, 3],
    ["/spec/containers/0", 7, 7],
    ["/spec/containers/0/image", 8, 19],
    ["/spec/containers/1/image", 10, 14],
    ["/spec/containers/2/image", 12, 7],
    [toJsonPointer(["spec", "a/b~c"]), 13, 12],
  ])("%j is at line %i, column %i", (pointer, line, column) => {
    expect([doc.lineOf(pointer), doc.columnOf(pointer)]).toEqual([line, column]);
  });

  it.each([
    "/spec/containers/3/image",
    "/spec/containers/x",
    "/spec/containers/00",
    "/nope",
    "/kind/x",
    "spec",
    "/~2",
  ])("has no line for %j", (pointer) => {
    expect(doc.lineOf(pointer)).toBeUndefined();
  });

  /** Integers, strings and booleans: where JSON.parse and YAML 1.1 agree on every value. */
  const { json } = fc.letrec<{ json: unknown }>((tie) => ({
    json: fc.oneof(
      { depthSize: "small" },
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("json"), { maxLength: 4 }),
      fc.dictionary(fc.string(), tie("json"), { maxKeys: 4 }),
    ),
  }));

  interface Outcome {
    docs?: SourceDocument[];
    error?: string;
  }

  /**
   * A JSON text read by the fast path, and by the YAML path (a leading comment sends it there),
   * with the YAML path's line numbers moved back by that comment's line.
   */
  function bothPaths(jsonText: string): [Outcome, Outcome] {
    const [fast, slow] = [jsonText, `# yaml\n${jsonText}`].map((text): Outcome => {
      try {
        return { docs: parseDocuments(text, "f") };
      } catch (error) {
        return { error: (error as Error).message };
      }
    }) as [Outcome, Outcome];
    const error = slow.error?.replace(/\(line (\d+),/, (_, n) => `(line ${Number(n) - 1},`);
    return [fast, { ...slow, error }];
  }

  it.each([
    ['{"image": "a", "image": "b"}', "duplicate key"],
    ['{"a": {"b": 1}, "c": [{"d": 1, "\\u0064": 2}]}', "duplicate key"],
    [`{"a": 1, "a": 2, "b": ${"[".repeat(200)}${"]".repeat(200)}}`, "nested"],
    [`{"a": ${"[".repeat(200)}${"]".repeat(200)}, "b": ${"{".repeat(200)}`, "column"],
    ['{"a": "\u007f", "a": 1}', "U+007F"],
    ['{"a": 1}\n{"b": 2}', "column"],
  ])("refuses %j with the same words on both paths", (text, words) => {
    const [fast, slow] = bothPaths(text);
    expect(fast.error).toContain(words);
    expect(fast.error).toBe(slow.error);
  });

  function pointersOf(value: unknown, prefix: string[] = []): string[] {
    const here = [toJsonPointer(prefix)];
    if (typeof value !== "object" || value === null) return here;
    return here.concat(
      ...Object.entries(value).map(([key, child]) => pointersOf(child, [...prefix, key])),
    );
  }

  it("finds the same nodes in JSON as the YAML parser does, and reads the same values", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.array(json), fc.dictionary(fc.string(), json)),
        fc.constantFrom(undefined, 2, "\t"),
        (value, indent) => {
          const [fast, slow] = bothPaths(JSON.stringify(value, null, indent));
          expect(fast.error).toBe(slow.error);
          if (fast.docs === undefined || slow.docs === undefined) return;
          const [a, b] = [fast.docs[0] as SourceDocument, slow.docs[0] as SourceDocument];
          expect(a.value).toEqual(b.value);
          for (const pointer of pointersOf(a.value)) {
            expect([a.lineOf(pointer), a.columnOf(pointer)]).toEqual([
              (b.lineOf(pointer) as number) - 1,
              b.columnOf(pointer),
            ]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("errors name the source, the document, the line and column", () => {
  it.each([
    [
      "kind: A\n---\nkind: B\nspec:\n  x: 1\n  x: 2\n",
      'bad.yaml: document 1 (line 6, column 3): duplicate key "x": a key may appear once in a mapping',
    ],
    [
      "a: 1\n---\n---\nspec:\n  b: 1\n c: 2\n",
      "bad.yaml: document 2 (line 6, column 1): all mapping items must start at the same column",
    ],
    [
      "a:\n\tb: 1\n",
      "bad.yaml: document 0 (line 2, column 1): tabs are not allowed as indentation",
    ],
    [
      "image: *nope\n",
      "bad.yaml: document 0 (line 1, column 1): unresolved alias (the anchor must be set before the alias): nope",
    ],
    [
      "]\n",
      'bad.yaml: document 0 (line 1, column 1): unexpected flow-seq-end token in YAML document: "]"',
    ],
    [
      '{"image": "good",\n "image": "evil"}',
      'bad.yaml: document 0 (line 2, column 2): duplicate key "image": a key may appear once in a mapping',
    ],
    [
      '{"a": 1, "\\u0061": 2}',
      'bad.yaml: document 0 (line 1, column 10): duplicate key "a": a key may appear once in a mapping',
    ],
  ])("%j", (text, message) => {
    expect(refusal(text).message).toBe(message);
  });

  it("names an unclosed JSON collection by the YAML parser's position", () => {
    expect(refusal('{"a": [1, 2}').message).toMatch(
      /^bad\.yaml: document 0 \(line 1, column \d+\): /,
    );
  });

  it("escapes control and bidi characters of the source name", () => {
    expect(refusal("a: [", "evil\u202e\u001b[31m.yaml").message).toMatch(
      /^evil\\u202e\\u001b\[31m\.yaml: document 0/,
    );
  });
});

describe("hostile input", () => {
  it.each([
    ["NUL", "a: x\u0000y\n", "U+0000", 1, 5],
    ["BEL in a quoted string", 'a: "\u0007"\n', "U+0007", 1, 5],
    ["ESC", "a: b\nc: \u001b[31mred\n", "U+001B", 2, 4],
    ["DEL", "a: \u007f\n", "U+007F", 1, 4],
    ["C1 control", "a: \u009b\n", "U+009B", 1, 4],
    ["byte order mark inside", "a: 1\n\ufeffb: 2\n", "U+FEFF", 2, 1],
    ["lone surrogate", "a: \ud800\n", "U+D800", 1, 4],
    ["U+FFFF", "a: \uffff\n", "U+FFFF", 1, 4],
    ["DEL in JSON", '{"a": "\u007f"}', "U+007F", 1, 8],
  ])("refuses %s", (_, text, codePoint, line, column) => {
    expect(refusal(text).message).toBe(
      `bad.yaml: document 0 (line ${line}, column ${column}): character ${codePoint} is not allowed in YAML or JSON text`,
    );
  });

  it("names the document holding a control character", () => {
    expect(refusal("a: 1\n---\nb: 2\n---\nc: \u0007\n").message).toMatch(
      /^bad\.yaml: document 2 \(line 5, column 4\)/,
    );
  });

  it("keeps printable unicode, bidi overrides and escaped controls as written, for the reference parser to judge", () => {
    const text = 'a: "ｎｇｉｎｘ"\nb: "x\u202eevil"\nc: "\\u0007"\nd: 🐳\n';
    expect(parseDocuments(text, "f.yaml")[0]?.value).toEqual({
      a: "ｎｇｉｎｘ",
      b: "x\u202eevil",
      c: "\u0007",
      d: "🐳",
    });
  });

  it("refuses a billion laughs quickly", () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const [name, prev] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)];
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    const started = performance.now();
    expect(refusal(lines.join("\n")).message).toBe(
      `bad.yaml: document 0 (line 1, column 1): aliases used more than ${MAX_ALIAS_COUNT} times, counting those inside aliased nodes (refused as a possible "billion laughs" attack)`,
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("refuses a quadratic alias blow-up, and allows a few aliases", () => {
    const big = `a: &a [${Array(1000).fill("x").join(",")}]\nb: [${Array(1000).fill("*a").join(",")}]\n`;
    expect(refusal(big).message).toMatch(/billion laughs/);
    const few = `env: &env [{name: A, value: "1"}]\nx: [${Array(20).fill("*env").join(",")}]\n`;
    expect((first(few).value as { x: unknown[] }).x).toHaveLength(20);
  });

  const deep: [string, (n: number) => string][] = [
    ["flow sequences", (n) => `${"[".repeat(n)}${"]".repeat(n)}`],
    ["flow mappings", (n) => `${"{a: ".repeat(n)}1${"}".repeat(n)}`],
    ["block sequences", (n) => `${"- ".repeat(n)}x\n`],
    [
      "block mappings",
      (n) => `${Array.from({ length: n }, (_, i) => `${" ".repeat(i)}a:`).join("\n")} 1\n`,
    ],
    ["JSON", (n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`],
  ];

  it.each(
    deep,
  )(`reads ${MAX_NESTING} levels of %s, and refuses more without crashing`, (_, make) => {
    expect(parseDocuments(make(MAX_NESTING), "ok.yaml")).toHaveLength(1);
    // Repeated: Node 20 dies outright (not a catchable error) once yaml's regexes are hot.
    for (let i = 0; i < 5; i++) {
      for (const n of [MAX_NESTING + 1, 2000]) {
        expect(refusal(make(n)).message).toMatch(
          new RegExp(
            `^bad\\.yaml: document 0 \\(line \\d+, column \\d+\\): collections nested more than ${MAX_NESTING} levels deep$`,
          ),
        );
      }
    }
  });

  it("refuses 100,000 open brackets in well under a few seconds", () => {
    const started = performance.now();
    refusal("[".repeat(100_000));
    expect(performance.now() - started).toBeLessThan(5000);
  });

  /** Text made of YAML's own punctuation, so that the parser's corners get visited. */
  const yamlish = fc
    .array(
      fc.constantFrom(
        ...["-", ": ", " ", "\n", "  ", "[", "]", "{", "}", ",", "&a ", "*a", "<<: ", "'", '"'],
        ...["#", "|", ">", "!!str ", "? ", "a", "1", "---\n", "...\n", "\t", "%YAML 1.2\n", "~"],
        ...["image", "kind: Pod\n", "kind: List\nitems:\n", "containers:\n", "\u0007", "\ufeff"],
      ),
      { maxLength: 60 },
    )
    .map((parts) => parts.join(""));

  it.each([
    ["any text", fc.string({ unit: "binary", maxLength: 200 })],
    ["YAML-like text", yamlish],
  ])("never throws anything but YAML_INVALID, and finds lines without throwing (%s)", (_, arb) => {
    fc.assert(
      fc.property(arb, (text) => {
        let docs: SourceDocument[];
        try {
          docs = parseDocuments(text, "f");
        } catch (error) {
          expect(error).toBeInstanceOf(CustomsError);
          return;
        }
        for (const doc of docs) {
          const { workloads, problems } = extractResources(doc.value);
          const pointers = ["", "/a/0", ...problems.map((p) => p.pointer)];
          for (const w of workloads)
            pointers.push(w.pointer, ...w.containers.map((c) => c.pointer));
          for (const pointer of pointers) {
            const line = doc.lineOf(pointer);
            if (line !== undefined) expect(line).toBeGreaterThanOrEqual(1);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("large inputs", () => {
  function deployment(i: number): string {
    return [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      `  name: app-${i}`,
      `  namespace: team-${i % 50}`,
      "  labels: {app: shop, tier: web}",
      "spec:",
      "  replicas: 3",
      "  template:",
      "    spec:",
      "      initContainers:",
      "        - name: migrate",
      `          image: registry.local:5000/team/migrate:v1.${i}`,
      "      containers:",
      "        - name: app",
      `          image: registry.local:5000/team/app-${i}:v2.${i}`,
      "          env:",
      "            - {name: LOG_LEVEL, value: info}",
      "          resources: {limits: {cpu: '1', memory: 512Mi}}",
      "",
    ].join("\n");
  }

  it("parses 10,000 workloads of JSON fast, and finds the last image's line", () => {
    const items = parseDocuments(
      Array.from({ length: 10_000 }, (_, i) => deployment(i))
        .slice(0, 1)
        .join(""),
      "one.yaml",
    );
    const one = items[0]?.value as object;
    const list = {
      apiVersion: "v1",
      kind: "List",
      items: Array.from({ length: 10_000 }, () => one),
    };
    const text = JSON.stringify(list, null, 2);
    const started = performance.now();
    const [doc] = parseDocuments(text, "big.json");
    const parsed = performance.now() - started;
    console.log(
      `parseDocuments: ${(text.length / 1e6).toFixed(1)} MB of JSON in ${parsed.toFixed(0)} ms`,
    );
    expect(parsed).toBeLessThan(3000);
    const last = extractResources(doc?.value).workloads[9_999]?.containers[0]?.pointer as string;
    expect(doc?.lineOf(last)).toBe(
      text
        .split("\n")
        .findLastIndex((l) => l.includes('"image": "registry.local:5000/team/app-0')) + 1,
    );
  });

  it("parses 1,000 workloads of YAML", () => {
    const text = Array.from({ length: 1_000 }, (_, i) => deployment(i)).join("---\n");
    const started = performance.now();
    const docs = parseDocuments(text, "big.yaml");
    const parsed = performance.now() - started;
    console.log(
      `parseDocuments: ${(text.length / 1e6).toFixed(2)} MB of YAML in ${parsed.toFixed(0)} ms`,
    );
    expect(docs).toHaveLength(1_000);
    expect(docs[999]?.lineOf("/spec/template/spec/containers/0/image")).toBe(999 * 20 + 16);
  });
});
