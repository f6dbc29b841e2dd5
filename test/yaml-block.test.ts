/**
 * The block reader (src/app/documents/yaml-block.ts) against the careful path: whenever it
 * answers, it answers what the careful path answers, value for value; where the careful path
 * refuses a text, the block reader never answers. The generators write manifests in every style
 * the reader takes and every construct it must leave alone: flow collections, the three
 * quoting styles and their escapes, block scalars of each kind, comments, anchors and aliases,
 * merge keys, tags, directives, YAML 1.1 scalars (booleans, octals, sexagesimals, `~`), odd
 * keys, tabs, carriage returns, spaces-only lines and document markers.
 */

import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDocuments, readDocuments, type SourceDocument } from "../src/app/documents/parse.js";
import { readBlockYaml } from "../src/app/documents/yaml-block.js";
import { YAML11_SCALARS } from "./support/yaml-scalars.js";

/**
 * Same values, prototypes included: node's deep equality, because expect's strict equality
 * compares `constructor` properties as types, and `constructor:` is a key a manifest may hold.
 */
function expectSameValues(actual: unknown, expected: unknown): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual).toStrictEqual(expected);
  expect(isDeepStrictEqual(actual, expected)).toBe(true);
}

function careful(text: string): unknown[] | undefined {
  try {
    return parseDocuments(text, "t", { fast: false }).map((d) => d.value);
  } catch {
    return undefined;
  }
}

/** Plain scalars, with every YAML 1.1 / 1.2 / go-yaml disagreement we know of. */
const plain = fc.oneof(
  fc.constantFrom(
    ...YAML11_SCALARS,
    "False",
    "0777",
    "0x1F",
    "0o17",
    "0b101",
    "-0b101",
    "1_000",
    "1:20",
    ".5",
    "+.inf",
    "-.Inf",
    ".NaN",
    "1e400",
    "1e3",
    "-1.5",
    "08",
    "0",
    "-0",
    "+12",
    "9007199254740993",
    "18446744073709551615",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "100m",
    "128Mi",
    "._5",
    "e0",
    "nginx:1.25",
    "registry.local:5000/a/b@sha256:abc",
    "a b",
    "x#y",
    "a,b",
    "a]b",
    "a{b}",
    "-Xmx1g",
    ":x",
    "?x",
    "it's",
    'say "hi"',
    "é中",
    "a: b",
    "a:",
    "a #c",
    "-",
    "=",
  ),
  fc.stringMatching(/^[a-z][a-z0-9.:/@_ -]{0,12}$/),
  fc.integer({ min: -100000, max: 100000 }).map(String),
);

/** Double-quoted contents with escapes, some the reader decodes and some it leaves alone. */
const doubleQuoted = fc
  .array(
    fc.oneof(
      fc.stringMatching(/^[a-z0-9 &*!%#:,'[\]{}|>-]{0,6}$/),
      fc.constantFrom(
        "\\n",
        "\\t",
        "\\\\",
        '\\"',
        "\\/",
        "\\0",
        "\\e",
        "\\x41",
        "\\x07",
        "\\u00e9",
        "\\ud800",
        "\\U0001F600",
        "\\N",
        "\\_",
        "\\ ",
        "\\b",
        "\\r",
        "\\q",
      ),
    ),
    { maxLength: 4 },
  )
  .map((parts) => `"${parts.join("")}"`);

const singleQuoted = fc
  .stringMatching(/^[a-z0-9 &*!%#:,"'[\]{}|>-]{0,10}$/)
  .map((s) => `'${s.replace(/'/g, "''")}'`);

/** What the reader takes: plain, quoted with the escapes it decodes, single-quoted. */
const tameScalar = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9.:/@_ -]{0,12}$/),
  fc.constantFrom(
    "yes",
    "No",
    "~",
    "0777",
    "0x1F",
    "1:20",
    "08",
    "-1.5",
    "100m",
    "x#y",
    "a,b",
    "é中",
    "-Xmx1g",
  ),
  fc.integer({ min: -100000, max: 100000 }).map(String),
  fc
    .array(
      fc.oneof(
        fc.stringMatching(/^[a-z0-9 &*!%#:,'[\]{}|>-]{0,6}$/),
        fc.constantFrom("\\n", "\\t", "\\\\", '\\"', "\\u00e9", "\\x41"),
      ),
      { maxLength: 3 },
    )
    .map((parts) => `"${parts.join("")}"`),
  singleQuoted,
);

const tameKey = fc.oneof(
  fc.stringMatching(/^[a-z][a-zA-Z0-9./_-]{0,8}$/),
  fc.constantFrom(
    '"quoted key"',
    "'on'",
    "constructor",
    "toString",
    "a b",
    "app.kubernetes.io/name",
  ),
);

const wildScalar = fc.oneof(
  { weight: 4, arbitrary: plain },
  { weight: 2, arbitrary: doubleQuoted },
  { weight: 2, arbitrary: singleQuoted },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "&a x",
      "*a",
      "!!str 12",
      "!!int 12",
      "!custom x",
      "|",
      ">",
      "[a, b, ]",
      "[a,, b]",
      "{a}",
      "{a:1}",
      '"multi\n  line"',
      "plain\n  continued",
      "x\t",
      "x\r",
      "'open",
    ),
  },
);

const wildKey = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z][a-zA-Z0-9./_-]{0,8}$/) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "image",
      "name",
      "on",
      "yes",
      "y",
      "1",
      "~",
      "<<",
      "__proto__",
      "constructor",
      "toString",
      '"quoted key"',
      "'single'",
      '"yes"',
      "a b",
      "key ",
      "-x",
      "? x",
      "app.kubernetes.io/name",
      "x#y",
      "&anchor k",
    ),
  },
);

/** A flow collection on one line, nested up to twice. */
const flowOf = (scalar: fc.Arbitrary<string>, key: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.letrec((tie) => ({
    node: fc.oneof(
      { weight: 3, arbitrary: scalar.filter((s) => !s.includes("\n")) },
      { depthSize: "small", weight: 1, arbitrary: tie("collection") as fc.Arbitrary<string> },
    ),
    collection: fc.oneof(
      fc
        .array(tie("node") as fc.Arbitrary<string>, { maxLength: 3 })
        .map((items) => `[${items.join(", ")}]`),
      fc
        .array(fc.tuple(key, tie("node") as fc.Arbitrary<string>), { maxLength: 3 })
        .map((pairs) => `{${pairs.map(([k, v]) => `${k}: ${v}`).join(", ")}}`),
    ),
  })).collection as fc.Arbitrary<string>;

const comment = fc.oneof(
  { weight: 4, arbitrary: fc.constant("") },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z &*!:'"-]{0,8}$/).map((s) => ` # ${s}`) },
  { weight: 1, arbitrary: fc.constant("#tight") },
);

/** Literal and folded block scalars, with the indicators and blank lines that make them hard. */
const blockScalarOf = (indicators: string[], gaps: string[]) =>
  fc
    .tuple(
      fc.constantFrom(...indicators),
      fc.array(
        fc.tuple(
          fc.nat(2),
          fc.stringMatching(/^[a-z0-9 &*!#:'"-]{0,10}$/),
          fc.constantFrom(...gaps),
        ),
        { minLength: 1, maxLength: 4 },
      ),
    )
    .map(([indicator, lines]) => ({
      indicator,
      lines: lines.flatMap(([extra, text, gap]) => [
        ...(gap === "blank" ? [""] : gap === "spaces" ? ["   "] : []),
        { extra, text },
      ]),
    }));

type Line = string;

/** A block node's lines, indented by `at`, the node being a value of its parent. */
interface Style {
  readonly scalar: fc.Arbitrary<string>;
  readonly key: fc.Arbitrary<string>;
  readonly flow: fc.Arbitrary<string>;
  readonly block: ReturnType<typeof blockScalarOf>;
}

function blockNode(depth: number, style: Style): fc.Arbitrary<(at: number) => Line[]> {
  const { scalar, key, flow, block } = style;
  const step = fc.constantFrom(1, 2, 2, 2, 3, 4);
  const entryValue: fc.Arbitrary<(at: number, head: string) => Line[]> = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.tuple(scalar, comment).map(([s, c]) => (_at: number, head: string) => [
        `${head} ${s}${c}`,
      ]),
    },
    { weight: 2, arbitrary: flow.map((f) => (_at: number, head: string) => [`${head} ${f}`]) },
    {
      weight: 1,
      arbitrary: block.map((b) => (at: number, head: string) => [
        `${head} ${b.indicator}`,
        ...b.lines.map((l) =>
          typeof l === "string" ? l : `${" ".repeat(at + 2 + l.extra)}${l.text}`,
        ),
      ]),
    },
    { weight: 1, arbitrary: fc.constant((_at: number, head: string) => [head]) },
    ...(depth > 0
      ? [
          {
            weight: 3,
            arbitrary: fc
              .tuple(blockNode(depth - 1, style), step, fc.boolean())
              .map(([child, s, sameIndentSequence]) => (at: number, head: string) => {
                const lines = child(at + s);
                // A sequence may sit at its key's indentation, as kubectl writes them.
                if (sameIndentSequence && lines[0]?.trimStart().startsWith("- ")) {
                  return [head, ...child(at)];
                }
                return [head, ...lines];
              }),
          },
        ]
      : []),
  );
  const mapping = fc
    .array(fc.tuple(key, entryValue), { minLength: 1, maxLength: 4 })
    .map(
      (entries) => (at: number) =>
        entries.flatMap(([k, value]) => value(at, `${" ".repeat(at)}${k}:`)),
    );
  const sequence = fc
    .array(
      fc.oneof(
        entryValue.map((value) => (at: number) => {
          // `- value` is an entry's value written after the dash.
          const lines = value(at + 2, `${" ".repeat(at)}-`);
          return lines;
        }),
        fc
          .tuple(fc.array(fc.tuple(key, entryValue), { minLength: 1, maxLength: 3 }), step)
          .map(([entries, s]) => (at: number) => {
            // `- key: value` and the entry's other keys below, aligned with the first.
            const inner = at + 1 + s;
            return entries.flatMap(([k, value], i) =>
              value(
                inner,
                i === 0 ? `${" ".repeat(at)}-${" ".repeat(s)}${k}:` : `${" ".repeat(inner)}${k}:`,
              ),
            );
          }),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((items) => (at: number) => items.flatMap((item) => item(at)));
  return depth === 0
    ? mapping
    : fc.oneof({ weight: 3, arbitrary: mapping }, { weight: 1, arbitrary: sequence });
}

const hazard = fc.constantFrom(
  "",
  "",
  "",
  "",
  "# a comment line",
  "   # an indented comment",
  "",
  "   ",
  "\t",
  "%YAML 1.1",
  "...",
  "&a",
  "x: &a [1]\ny: *a",
  "base: &b {image: a}\nderived:\n  <<: *b",
  "--- x",
  "-- not a marker: 1",
);

/** A stream of documents in one style; hazards (and CRLF line ends) only in the wild one. */
function streamOf(style: Style, hazards: boolean): fc.Arbitrary<string> {
  const document = fc
    .tuple(
      blockNode(3, style),
      fc.array(fc.tuple(fc.nat(12), hazards ? hazard : fc.constant("# a comment")), {
        maxLength: 2,
      }),
    )
    .map(([node, inserted]) => {
      const lines = node(0);
      for (const [at, h] of inserted) if (h !== "") lines.splice(at % (lines.length + 1), 0, h);
      return lines.join("\n");
    });
  const tails = ["\n", "", "\n---\n", "\n---", "\n--- # end\n"];
  const separators = ["\n---\n", "\n--- # next\n"];
  return fc
    .tuple(
      fc.array(document, { minLength: 1, maxLength: 3 }),
      fc.constantFrom("", "---\n", "# head\n---\n"),
      fc.constantFrom(...tails, ...(hazards ? ["\n---\n---\n"] : [])),
      fc.constantFrom(...separators, ...(hazards ? ["\n---\n\n---\n", "\n...\n---\n"] : [])),
      // CRLF line ends, which the reader takes (a lone CR is among the wild scalars).
      fc
        .nat(4)
        .map((n) => n === 0),
    )
    .map(([docs, head, tail, separator, crlf]) => {
      const text = head + docs.join(separator) + tail;
      return crlf ? text.replace(/\n/g, "\r\n") : text;
    });
}

const wild: Style = {
  scalar: wildScalar,
  key: wildKey,
  flow: flowOf(wildScalar, wildKey),
  block: blockScalarOf(
    ["|", "|-", "|+", ">", ">-", "|2", "| # c"],
    ["", "", "", "blank", "spaces"],
  ),
};
const tame: Style = {
  scalar: tameScalar,
  key: tameKey,
  flow: flowOf(tameScalar, tameKey),
  block: blockScalarOf(["|", "|-", "| # c"], ["", "", "blank"]),
};
const stream = fc.oneof(streamOf(wild, true), streamOf(tame, false));

describe("the block reader reads exactly what the careful path reads", () => {
  it("on generated manifests in every style, with every construct it must leave alone", () => {
    let answered = 0;
    let runs = 0;
    fc.assert(
      fc.property(stream, (text) => {
        runs++;
        const fast = readBlockYaml(text);
        if (fast === undefined) return;
        answered++;
        const slow = careful(text);
        // Whenever the block reader answers, the careful path agrees, value for value.
        expect(slow).toBeDefined();
        expectSameValues(fast, slow);
      }),
      { numRuns: Number(process.env.YAML_BLOCK_RUNS ?? 3000) },
    );
    // Half the streams are built to hit what the reader gives up on, and many of the rest are
    // not valid YAML; about 15% are read (5,896 of 40,000 in one run). The bound only proves
    // that the comparison ran often, with a margin chance cannot cross.
    expect(answered).toBeGreaterThan(runs / 20);
  });

  it("never gives up on plain manifests: speed does not depend on one character", () => {
    const image = fc.stringMatching(/^[a-z0-9.:/@-]{1,30}$/);
    const manifest = fc
      .tuple(
        fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
        fc.array(fc.tuple(image, fc.integer({ min: 1, max: 65535 })), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.constantFrom('"*/15 * * * *"', "'0 * * * *'", '"@hourly"'),
        fc.stringMatching(/^[a-zA-Z0-9 &*!%:,'"{}[\]|>-]{0,20}$/),
      )
      .map(
        ([name, containers, schedule, note]) => `# ${note}
apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
  labels: {app.kubernetes.io/name: ${name}, tier: "true"}
  annotations:
    note: ${JSON.stringify(note)}
spec:
  schedule: ${schedule}
  jobTemplate:
    spec:
      template:
        spec:
          containers:
${containers
  .map(
    ([img, port], i) => `          - name: c${i}  # the ${i}th
            image: "${img}"
            ports: [{containerPort: ${port}, protocol: TCP}]
            args: ["--level", 'debug', -v]
            command:
            - sh
            - -c
            - |
              echo "${name}" && exit 0
            resources: {requests: {cpu: 100m, memory: 128Mi}}`,
  )
  .join("\n")}
---
`,
      );
    fc.assert(
      fc.property(manifest, (text) => {
        const fast = readBlockYaml(text);
        expect(fast).toBeDefined();
        expectSameValues(fast, careful(text));
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ["a flow mapping", "a: {b: 1, c: [x, 'y', \"z\"]}\n", [{ a: { b: 1, c: ["x", "y", "z"] } }]],
    ["a sequence at its key's indentation", "a:\n- 1\n- b\nc: d\n", [{ a: [1, "b"], c: "d" }]],
    ["a sequence of mappings", "a:\n  - b: 1\n    c: 2\n  - d\n", [{ a: [{ b: 1, c: 2 }, "d"] }]],
    [
      "YAML 1.1 scalars as go-yaml reads them",
      "a: yes\nb: 0o17\nc: 08\nd: ~\n",
      [{ a: true, b: 15, c: 8, d: null }],
    ],
    ["quotes that keep strings", "a: \"yes\"\nb: '0777'\n", [{ a: "yes", b: "0777" }]],
    ["escapes", 'a: "x\\ty\\u00e9\\""\n', [{ a: 'x\tyé"' }]],
    [
      "a literal block scalar",
      "a: |\n  one\n\n  two\nb: |-\n  three\n",
      [{ a: "one\n\ntwo\n", b: "three" }],
    ],
    ["comments everywhere", "# c\na: 1 # c\n  # c\nb: 'x' # c\n", [{ a: 1, b: "x" }]],
    ["documents and markers", "---\na: 1\n--- # second\nb: 2\n---\n", [{ a: 1 }, { b: 2 }]],
    ["CRLF line ends", "a: 1\r\nb: |\r\n  x\r\n  y\r\n", [{ a: 1, b: "x\ny\n" }]],
    ["an empty value", "a:\nb: 1\n", [{ a: null, b: 1 }]],
  ])("reads %s", (_name, text, expected) => {
    expect(readBlockYaml(text)).toStrictEqual(expected);
    expect(careful(text)).toStrictEqual(expected);
  });

  it.each([
    ["anchors and aliases", "a: &x 1\nb: *x\n"],
    ["a merge key", "b:\n  <<: {y: 2}\n"],
    ["a tag", "a: !!str 1\n"],
    ["a directive", "%YAML 1.1\n---\na: 1\n"],
    ["a YAML 1.1 boolean key", "on: push\n"],
    ["a duplicate key", "a: 1\na: 2\n"],
    ["__proto__", "__proto__: {a: 1}\n"],
    ["a tab", "a:\n\tb: 1\n"],
    ["a carriage return that does not end a line", "a: 1\rb: 2\n"],
    ["a plain scalar over two lines", "a: one\n  two\n"],
    ["a folded block scalar", "a: >\n  x\n"],
    ["a compact nested sequence", "a:\n  - - x\n"],
    ["an empty document in the middle", "a: 1\n---\n---\nb: 2\n"],
    ["a document end marker", "a: 1\n...\n"],
    ["infinity", "a: .inf\n"],
    ["a control character", "a: \u0007\n"],
    ["a byte order mark", "\ufeffa: 1\n"],
    [
      "deep nesting",
      `${Array.from({ length: 70 }, (_, i) => `${" ".repeat(i)}a:`).join("\n")} 1\n`,
    ],
  ])("leaves %s to the careful path", (_name, text) => {
    expect(readBlockYaml(text)).toBeUndefined();
  });
});

describe("readDocuments gives what parseDocuments gives, one document at a time", () => {
  const outcome = (read: () => Iterable<SourceDocument>) => {
    try {
      return { docs: [...read()].map((d) => ({ index: d.index, value: d.value })) };
    } catch (e) {
      return { error: (e as Error).message };
    }
  };

  it("on generated streams, including those the block reader gives up on part way", () => {
    // Readable documents first, then one the block reader leaves to the careful path.
    const partWay = fc
      .tuple(stream, fc.constantFrom("a: &x 1\nb: *x\n", "a: >\n  folded\n", "a: 1\na: 2\n"))
      .map(([text, hard]) => `${text.replace(/\r/g, "")}\n---\n${hard}`);
    fc.assert(
      fc.property(fc.oneof(stream, partWay), (text) => {
        const streamed = outcome(() => readDocuments(text, "t"));
        const whole = outcome(() => parseDocuments(text, "t"));
        expectSameValues(streamed, whole);
      }),
      { numRuns: 1000 },
    );
  });

  it("keeps lines for documents read before the block reader gave up", () => {
    const text = "kind: A\nimage: one\n---\nkind: B\nimage: &x two\n";
    const docs = [...readDocuments(text, "t")];
    expect(docs.map((d) => d.value)).toEqual([
      { kind: "A", image: "one" },
      { kind: "B", image: "two" },
    ]);
    expect(docs.map((d) => d.lineOf("/image"))).toEqual([2, 5]);
  });
});

/** Every JSON pointer into a value, the root ("") included. */
function pointersOf(value: unknown, at = "", out: string[] = []): string[] {
  out.push(at);
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      pointersOf(v, `${at}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`, out);
    }
  }
  return out;
}

describe("positions in documents the block reader read", () => {
  it("are the careful path's, for every node, without the careful path reading the file", () => {
    let compared = 0;
    fc.assert(
      fc.property(stream, (text) => {
        if (readBlockYaml(text) === undefined) return;
        const fast = parseDocuments(text, "t");
        const slow = parseDocuments(text, "t", { fast: false });
        fast.forEach((doc, i) => {
          const other = slow[i] as SourceDocument;
          for (const pointer of [...pointersOf(doc.value), "/absent", "/0/absent"]) {
            compared++;
            expect([pointer, doc.lineOf(pointer), doc.columnOf(pointer)]).toEqual([
              pointer,
              other.lineOf(pointer),
              other.columnOf(pointer),
            ]);
          }
        });
      }),
      { numRuns: 1500 },
    );
    expect(compared).toBeGreaterThan(1000);
  });
});

describe("hostile input", () => {
  it.each([
    [
      "a line of a hundred thousand escaped quotes",
      `a: '${"''".repeat(100_000)}'\n`,
      "'".repeat(100_000),
    ],
    ["a long plain scalar", `a: ${"x".repeat(1_000_000)}\n`, "x".repeat(1_000_000)],
    [
      "a long double-quoted scalar with escapes",
      `a: "${"\\t".repeat(50_000)}"\n`,
      "\t".repeat(50_000),
    ],
  ])("reads %s in one pass", (_name, text, expected) => {
    expect(readBlockYaml(text)).toEqual([{ a: expected }]);
  });

  it.each([
    ["a NUL byte", "a: x\u0000y\n"],
    ["a truncated quoted scalar", "a: 'open"],
    ["a truncated flow mapping", "a: {b: 1"],
    ["a document cut after its key", "a:\n  - b: 'x"],
  ])("leaves %s to the careful path, which names the place", (_name, text) => {
    expect(readBlockYaml(text)).toBeUndefined();
    expect(() => parseDocuments(text, "t")).toThrow(/line \d+, column \d+/);
  });

  it("reads many documents as many values, one at a time", () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `kind: Pod\nname: p${i}\n`).join("---\n");
    let n = 0;
    for (const doc of readDocuments(text, "t")) {
      expect(doc.index).toBe(n);
      n++;
    }
    expect(n).toBe(20_000);
  });
});
