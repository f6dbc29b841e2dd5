/**
 * core/schema's generators: one description, three outputs that must mean the same thing.
 * The CRD's value validations of a string-or-object say what JSON Schema's `oneOf` says (for
 * every JSON value, generated), components are named once, and the TypeScript rendered from
 * a document has the types its schemas describe.
 */
import { Ajv } from "ajv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  boolean,
  either,
  intOrString,
  list,
  map,
  named,
  object,
  renderTypes,
  string,
  toComponents,
  toJsonSchema,
  toOpenApiV3,
} from "../src/core/schema/index.js";
import { crdChecker } from "./support/crd-schema.js";

const tag = either(
  string({ maxLength: 8, pattern: "^[a-z*]*$" }),
  object({ value: string({ maxLength: 8, pattern: "^[a-z*]*$" }), negate: boolean() }),
);
const match = either(
  string({ minLength: 1 }),
  object({ regExp: string({ minLength: 1 }) }, { required: ["regExp"] }),
);

/** A CRD holding the schema at `spec.x`, checked as the API server would (test/support). */
function crdOf(x: ReturnType<typeof either>) {
  return crdChecker({
    spec: {
      versions: [
        {
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                metadata: { type: "object", properties: { name: { type: "string" } } },
                spec: { type: "object", properties: { x: toOpenApiV3(x) } },
              },
            },
          },
        },
      ],
    },
  });
}

describe("a string-or-object in a CRD", () => {
  it.each([
    ["tag", tag],
    ["regExp match", match],
  ] as const)("%s: the value validations accept exactly what oneOf accepts", (_, schema) => {
    const crd = crdOf(schema);
    const json = new Ajv({ strict: false }).compile(toJsonSchema(schema, new Map()));
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom("v*", "", "a/b", "abcdefghi"),
      fc.record(
        {
          value: fc.constantFrom<unknown>("v*", 1, "A", null),
          negate: fc.constantFrom<unknown>(true, "no"),
          regExp: fc.constantFrom<unknown>("a.*", "", 5),
          other: fc.constant("x"),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(value, (v) => {
        // The API server drops a null where a field is declared (as the validator reads it:
        // absent); JSON Schema refuses it. Compare what each means by the value.
        fc.pre(v !== null);
        const declared = Object.keys(schema.object.properties);
        const meant =
          typeof v === "object" && v !== null && !Array.isArray(v)
            ? Object.fromEntries(
                Object.entries(v).filter(([k, x]) => !(x === null && declared.includes(k))),
              )
            : v;
        const viaCrd = crd({ metadata: { name: "a" }, spec: { x: v } }).ok;
        const viaJson = json(meant);
        return viaCrd === viaJson;
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it("is kept as written, typed nowhere, and its object form's fields are declared", () => {
    const out = toOpenApiV3(tag);
    expect(out.type).toBeUndefined();
    expect(out["x-kubernetes-preserve-unknown-fields"]).toBe(true);
    expect(Object.keys(out.properties as object)).toEqual(["value", "negate"]);
    expect(out.anyOf).toHaveLength(4);
    expect(toOpenApiV3(match)).toMatchObject({ required: ["regExp"], maxProperties: 1 });
  });
});

describe("components", () => {
  it("a named schema becomes one component, referenced wherever it is used", () => {
    const meta = named("Meta", object({ name: string() }, { required: ["name"] }));
    const a = named("A", object({ metadata: meta, list: list(meta) }));
    const components = toComponents([a]);
    expect(Object.keys(components)).toEqual(["A", "Meta"]);
    expect(components.A).toMatchObject({
      properties: {
        metadata: { $ref: "#/components/schemas/Meta" },
        list: { items: { $ref: "#/components/schemas/Meta" } },
      },
      additionalProperties: false,
    });
  });

  it("one name, one schema", () => {
    const one = named("X", object({ a: string() }));
    const other = named("X", object({ b: string() }));
    expect(() => toComponents([one, other])).toThrow(/two different schemas are named X/);
  });

  it("open objects keep other fields; int-or-string is either type", () => {
    expect(toJsonSchema(object({}, { open: true }), new Map()).additionalProperties).toBe(
      undefined,
    );
    expect(toJsonSchema(intOrString(), new Map()).type).toEqual(["integer", "string"]);
  });
});

describe("TypeScript from an OpenAPI document", () => {
  const doc = {
    components: {
      schemas: toComponents([
        named(
          "Thing",
          object(
            {
              name: string({ description: "Its name." }),
              kind: string({ enum: ["a", "b"] }),
              "odd-key": boolean(),
              labels: map(string()),
              tag,
              tags: list(match),
              port: intOrString(),
            },
            { description: "A thing.", required: ["name", "kind"] },
          ),
        ),
      ]),
    },
    paths: {
      "/things/{name}": {
        get: {
          summary: "Read a thing",
          responses: {
            "200": {
              content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } },
            },
          },
        },
        delete: { responses: { "204": { description: "Done" } } },
      },
    },
  };
  const ts = renderTypes(doc, { header: "// generated" });

  it.each([
    ["the header first", /^\/\/ generated\n/],
    ["an interface per object, documented", /\/\*\* A thing\. \*\/\nexport interface Thing \{/],
    ["required and optional fields", /readonly name: string;[\s\S]*readonly labels\?:/],
    ["enums as unions of literals", /readonly kind: "a" \| "b";/],
    ["odd keys quoted", /readonly "odd-key"\?: boolean;/],
    ["maps as records", /readonly labels\?: Readonly<Record<string, string>>;/],
    ["string-or-object as a union", /readonly tag\?: string \| \{/],
    ["lists of unions in parentheses", /readonly tags\?: readonly \(string \| \{/],
    ["int-or-string", /readonly port\?: number \| string;/],
    [
      "operations with their answers",
      /"GET \/things\/\{name\}": \{\n\s+readonly body: undefined;\n\s+readonly response: Thing;/,
    ],
    [
      "no answer: undefined",
      /"DELETE \/things\/\{name\}": \{\n\s+readonly body: undefined;\n\s+readonly response: undefined;/,
    ],
  ])("%s", (_, pattern) => {
    expect(ts).toMatch(pattern);
  });
});
