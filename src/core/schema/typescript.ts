/**
 * TypeScript declarations from an OpenAPI 3.1 document: an interface or type per component
 * schema, and one entry per operation with its request body and its answer on success. The
 * console's API types are these (console/src/lib/api-types.ts, `npm run openapi-types`), so it
 * copies no answer's shape by hand. Covers the JSON Schema the model generates (json-schema.ts);
 * value validations (`allOf`, patterns, bounds) say nothing about types and are left out.
 */
import type { JsonSchema } from "./model.js";

export interface RenderTypesOptions {
  /** The first lines of the file (a comment saying it is generated, and how). */
  readonly header: string;
}

type Doc = {
  readonly components?: { readonly schemas?: Readonly<Record<string, JsonSchema>> };
  readonly paths?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
};

const LINE = 100;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const REF = "#/components/schemas/";

const quote = (s: string) => JSON.stringify(s);
const key = (s: string) => (IDENTIFIER.test(s) ? s : quote(s));
const isRecord = (v: unknown): v is JsonSchema =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function comment(text: unknown, indent: string): string[] {
  if (typeof text !== "string" || text === "") return [];
  const safe = text.replaceAll("*/", "*\\/");
  if (indent.length + safe.length + 7 <= LINE) return [`${indent}/** ${safe} */`];
  return [
    `${indent}/**`,
    ...wrap(safe, LINE - indent.length - 3).map((l) => `${indent} * ${l}`),
    `${indent} */`,
  ];
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** The type of a schema, on one line or (objects) on several, indented by `indent`. */
function typeOf(s: unknown, indent: string): string {
  if (!isRecord(s)) return "unknown";
  if (typeof s.$ref === "string") return s.$ref.slice(REF.length);
  const union = (s.oneOf ?? s.anyOf) as unknown[] | undefined;
  if (Array.isArray(union)) return union.map((m) => typeOf(m, indent)).join(" | ");
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (Array.isArray(s.type)) return s.type.map((t) => typeOf({ type: t }, indent)).join(" | ");
  switch (s.type) {
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "array": {
      const item = typeOf(s.items, indent);
      return /[ |]/.test(item) && !item.startsWith("{")
        ? `readonly (${item})[]`
        : `readonly ${item}[]`;
    }
    case "object":
      return objectType(s, indent);
    default:
      return "unknown";
  }
}

function objectType(s: JsonSchema, indent: string): string {
  const props = isRecord(s.properties) ? Object.entries(s.properties) : [];
  if (props.length === 0) {
    const values = isRecord(s.additionalProperties)
      ? typeOf(s.additionalProperties, indent)
      : "unknown";
    return `Readonly<Record<string, ${values}>>`;
  }
  return `{\n${members(s, `${indent}  `).join("\n")}\n${indent}}`;
}

function members(s: JsonSchema, indent: string): string[] {
  const required = Array.isArray(s.required) ? (s.required as string[]) : [];
  const props = isRecord(s.properties) ? Object.entries(s.properties) : [];
  return props.flatMap(([name, p]) => [
    ...comment(isRecord(p) ? p.description : undefined, indent),
    `${indent}readonly ${key(name)}${required.includes(name) ? "" : "?"}: ${typeOf(p, indent)};`,
  ]);
}

/** `export type X = …;`, its union spread over lines when it is too long for one. */
function alias(name: string, type: string): string {
  const line = `export type ${name} = ${type};`;
  if (line.length <= LINE || type.includes("\n")) return line;
  return `export type ${name} =\n${type
    .split(" | ")
    .map((m) => `  | ${m}`)
    .join("\n")};`;
}

function declaration(name: string, s: JsonSchema): string {
  const doc = comment(s.description, "");
  const isInterface =
    s.type === "object" && isRecord(s.properties) && Object.keys(s.properties).length > 0;
  const body = isInterface
    ? `export interface ${name} {\n${members(s, "  ").join("\n")}\n}`
    : alias(name, typeOf(s, ""));
  return [...doc, body].join("\n");
}

/** The schema of a JSON body (request or answer), if any. */
function bodyOf(x: unknown): unknown {
  if (!isRecord(x) || !isRecord(x.content)) return undefined;
  const json = x.content["application/json"];
  return isRecord(json) ? json.schema : undefined;
}

function operations(doc: Doc): string {
  const entries: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(methods)) {
      if (!isRecord(op)) continue;
      const responses = isRecord(op.responses) ? op.responses : {};
      const success = Object.keys(responses).find((status) => /^2\d\d$/.test(status));
      const answer = success === undefined ? undefined : bodyOf(responses[success]);
      const body = bodyOf(op.requestBody);
      entries.push(
        ...comment(op.summary, "  "),
        `  readonly ${quote(`${method.toUpperCase()} ${path}`)}: {`,
        `    readonly body: ${body === undefined ? "undefined" : typeOf(body, "    ")};`,
        `    readonly response: ${answer === undefined ? "undefined" : typeOf(answer, "    ")};`,
        "  };",
      );
    }
  }
  return [
    "/** Every operation (`METHOD /path`): its request body and its answer on success. */",
    `export interface ApiOperations {\n${entries.join("\n")}\n}`,
    "",
    'export type RequestBodyOf<K extends keyof ApiOperations> = ApiOperations[K]["body"];',
    'export type ResponseOf<K extends keyof ApiOperations> = ApiOperations[K]["response"];',
  ].join("\n");
}

/** The TypeScript source of the document's schemas and operations. */
export function renderTypes(doc: Doc, options: RenderTypesOptions): string {
  const schemas = Object.entries(doc.components?.schemas ?? {});
  const parts = [
    options.header.trimEnd(),
    ...schemas.map(([name, s]) => declaration(name, s)),
    operations(doc),
  ];
  return `${parts.join("\n\n")}\n`;
}
