/**
 * A small model of resource schemas: what Customs knows about the shape of its resources and
 * of the control plane's request and response bodies, written once. Generators turn it into
 * the CRDs' `openAPIV3Schema` (kube.ts), the OpenAPI document's JSON Schemas (json-schema.ts)
 * and, from that document, the console's types. It covers what Kubernetes' structural schemas
 * can say: types, patterns, enums, required fields, size bounds, unknown fields refused or
 * kept, value validations (`anyOf`, `not`) and CEL rules (`x-kubernetes-validations`) for
 * checks across fields. Pure data and pure functions.
 */

/** A CEL rule Kubernetes evaluates with `self` bound to the value it sits on. */
export interface CelRule {
  readonly rule: string;
  readonly message: string;
  /** Where the error points, relative to the value (`.input.count`): the field to fix. */
  readonly fieldPath?: string;
}

/** A JSON value of the generated schema documents. */
export type JsonSchema = { [key: string]: unknown };

export interface Common {
  readonly description?: string;
  readonly rules?: readonly CelRule[];
  /**
   * Value validations in the subset Kubernetes and JSON Schema read alike (`anyOf`, `not`,
   * `required`, `enum` over declared fields), for what CEL cannot see: fields whose values
   * have no single type. They may name only fields the schema declares, as a structural
   * schema requires.
   */
  readonly checks?: readonly JsonSchema[];
  /**
   * Names the schema in an OpenAPI document: it becomes a component there, referenced by
   * `$ref` (and a named type in the console). The CRD generator inlines it.
   */
  readonly component?: string;
}

export type StringSchema = Common & {
  readonly kind: "string";
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly minLength?: number;
  readonly maxLength?: number;
};

export type ObjectSchema = Common & {
  readonly kind: "object";
  readonly properties: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  /**
   * Fields besides `properties` are kept as written (ObjectMeta's, or a body the server reads
   * only in part). Without it, unknown fields are refused.
   */
  readonly open?: boolean;
  /** Groups of fields of which at most one may be set (`value` or `values` of a tag). */
  readonly exclusive?: readonly (readonly string[])[];
};

export type Schema =
  | StringSchema
  | (Common & { readonly kind: "boolean" })
  | (Common & { readonly kind: "integer"; readonly minimum?: number; readonly maximum?: number })
  /** An integer or a string (a port: `5000` or `"5000"`). */
  | (Common & { readonly kind: "int-or-string"; readonly maxLength?: number })
  | (Common & {
      readonly kind: "list";
      readonly items: Schema;
      readonly minItems?: number;
      readonly maxItems?: number;
      /** Items are objects identified by these fields: duplicates are refused. */
      readonly keys?: readonly string[];
    })
  | ObjectSchema
  /** An object of any keys whose values all have one schema (matchLabels). */
  | (Common & { readonly kind: "map"; readonly values: Schema; readonly maxProperties?: number })
  /**
   * A string, or an object for the long form (`tag: "v*"` or `tag: {value, negate}`), and
   * optionally a list of strings (`tag: ["v1.*", "stable"]`). No structural schema has two
   * types; the CRD generator keeps the value as written and closes every form with value
   * validations (kube.ts).
   */
  | (Common & {
      readonly kind: "either";
      readonly string: StringSchema;
      readonly object: ObjectSchema;
      readonly list?: Extract<Schema, { kind: "list" }>;
    })
  /** Any JSON value, kept as written; only its rules (if any) check it. */
  | (Common & { readonly kind: "any" });

export type SchemaKind = Schema["kind"];

/**
 * The keywords of a string, boolean or integer schema, which a CRD's structural schema and
 * JSON Schema write alike (undefined for the other kinds, whose forms differ).
 */
export function scalarKeywords(s: Schema): JsonSchema | undefined {
  const out: JsonSchema = {};
  if (s.kind === "string") {
    out.type = "string";
    if (s.pattern !== undefined) out.pattern = s.pattern;
    if (s.minLength !== undefined) out.minLength = s.minLength;
    if (s.maxLength !== undefined) out.maxLength = s.maxLength;
    if (s.enum !== undefined) out.enum = [...s.enum];
  } else if (s.kind === "boolean") out.type = "boolean";
  else if (s.kind === "integer") {
    out.type = "integer";
    if (s.minimum !== undefined) out.minimum = s.minimum;
    if (s.maximum !== undefined) out.maximum = s.maximum;
  } else return undefined;
  return out;
}
type Of<K extends SchemaKind> = Extract<Schema, { kind: K }>;
type Options<K extends SchemaKind> = Omit<Of<K>, "kind">;

export const string = (o: Options<"string"> = {}): StringSchema => ({ kind: "string", ...o });
export const boolean = (o: Options<"boolean"> = {}): Of<"boolean"> => ({ kind: "boolean", ...o });
export const integer = (o: Options<"integer"> = {}): Of<"integer"> => ({ kind: "integer", ...o });
export const intOrString = (o: Options<"int-or-string"> = {}): Of<"int-or-string"> => ({
  kind: "int-or-string",
  ...o,
});
export const list = (items: Schema, o: Omit<Options<"list">, "items"> = {}): Of<"list"> => ({
  kind: "list",
  items,
  ...o,
});
export const object = (
  properties: Record<string, Schema>,
  o: Omit<Options<"object">, "properties"> = {},
): ObjectSchema => ({ kind: "object", properties, ...o });
export const map = (values: Schema, o: Omit<Options<"map">, "values"> = {}): Of<"map"> => ({
  kind: "map",
  values,
  ...o,
});
export const either = (
  str: StringSchema,
  obj: ObjectSchema,
  o: Omit<Options<"either">, "string" | "object"> = {},
): Of<"either"> => ({ kind: "either", string: str, object: obj, ...o });
export const any = (o: Options<"any"> = {}): Of<"any"> => ({ kind: "any", ...o });

/** A string as answered (no bounds to check), with what it holds. */
export const str = (description?: string): StringSchema =>
  string(description === undefined ? {} : { description });

/** A string that says something: not empty, bounded. */
export const text = (description: string, maxLength = 4096): StringSchema =>
  string({ description, minLength: 1, maxLength });

/** The same schema under a component name (a named type in the OpenAPI document). */
export function named<S extends Schema>(component: string, s: S): S {
  return { ...s, component };
}

/** An object with more fields: `base`'s properties and required fields, and these. */
export function extend(
  base: ObjectSchema,
  properties: Record<string, Schema>,
  o: Omit<Options<"object">, "properties"> = {},
): ObjectSchema {
  const { component: _named, ...rest } = base;
  return {
    ...rest,
    ...o,
    properties: { ...base.properties, ...properties },
    required: [...new Set([...(base.required ?? []), ...(o.required ?? [])])],
  };
}

/** A CEL string literal of a regular expression: backslashes doubled, single quotes escaped. */
export function celRegex(pattern: string): string {
  return `'${pattern.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** A CEL list literal of plain strings (no quotes or backslashes in them). */
export function celList(values: readonly string[]): string {
  return `[${values.map((v) => `'${v}'`).join(", ")}]`;
}
