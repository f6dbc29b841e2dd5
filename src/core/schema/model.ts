/**
 * A small model of resource schemas: what Customs knows about the shape of its resources,
 * written once, from which the CRD's `openAPIV3Schema` (and any other schema document) is
 * generated. It covers what Kubernetes' structural schemas can say: types, patterns, enums,
 * required fields, size bounds, unknown fields refused or kept, and CEL rules
 * (`x-kubernetes-validations`) for checks across fields. Pure data and pure functions.
 */

/** A CEL rule Kubernetes evaluates with `self` bound to the value it sits on. */
export interface CelRule {
  readonly rule: string;
  readonly message: string;
  /** Where the error points, relative to the value (`.input.count`): the field to fix. */
  readonly fieldPath?: string;
}

interface Common {
  readonly description?: string;
  readonly rules?: readonly CelRule[];
}

export type Schema =
  | (Common & {
      readonly kind: "string";
      readonly pattern?: string;
      readonly enum?: readonly string[];
      readonly maxLength?: number;
    })
  | (Common & { readonly kind: "boolean" })
  | (Common & { readonly kind: "integer"; readonly minimum?: number; readonly maximum?: number })
  /** An integer or a string (a port: `5000` or `"5000"`). */
  | (Common & { readonly kind: "int-or-string"; readonly maxLength?: number })
  | (Common & {
      readonly kind: "list";
      readonly items: Schema;
      readonly maxItems: number;
      /** Items are objects identified by these fields: duplicates are refused. */
      readonly keys?: readonly string[];
    })
  | (Common & {
      readonly kind: "object";
      readonly properties: Readonly<Record<string, Schema>>;
      readonly required?: readonly string[];
    })
  /** An object of any keys whose values all have one schema (matchLabels). */
  | (Common & { readonly kind: "map"; readonly values: Schema; readonly maxProperties: number })
  /** Any JSON value, kept as written; only its rules (if any) check it. */
  | (Common & { readonly kind: "any" });

type Of<K extends Schema["kind"]> = Extract<Schema, { kind: K }>;
type Options<K extends Schema["kind"]> = Omit<Of<K>, "kind">;

export const string = (o: Options<"string"> = {}): Schema => ({ kind: "string", ...o });
export const boolean = (o: Options<"boolean"> = {}): Schema => ({ kind: "boolean", ...o });
export const integer = (o: Options<"integer"> = {}): Schema => ({ kind: "integer", ...o });
export const intOrString = (o: Options<"int-or-string"> = {}): Schema => ({
  kind: "int-or-string",
  ...o,
});
export const list = (items: Schema, o: Omit<Options<"list">, "items">): Schema => ({
  kind: "list",
  items,
  ...o,
});
export const object = (
  properties: Record<string, Schema>,
  o: Omit<Options<"object">, "properties"> = {},
): Schema => ({ kind: "object", properties, ...o });
export const map = (values: Schema, o: Omit<Options<"map">, "values">): Schema => ({
  kind: "map",
  values,
  ...o,
});
export const any = (o: Options<"any"> = {}): Schema => ({ kind: "any", ...o });

/** A JSON value of the generated schema documents. */
export type JsonSchema = { [key: string]: unknown };

/**
 * The OpenAPI v3 structural schema Kubernetes wants in a CRD. Objects do not say
 * `additionalProperties: false` (a structural schema may not): Kubernetes prunes unknown
 * fields, and refuses them when the client asks for strict field validation, which kubectl
 * does by default; a schema-level `false` would be rejected by the API server.
 */
export function toOpenApiV3(s: Schema): JsonSchema {
  const out: JsonSchema = {};
  switch (s.kind) {
    case "string":
      out.type = "string";
      if (s.pattern !== undefined) out.pattern = s.pattern;
      if (s.enum !== undefined) out.enum = [...s.enum];
      if (s.maxLength !== undefined) out.maxLength = s.maxLength;
      break;
    case "boolean":
      out.type = "boolean";
      break;
    case "integer":
      out.type = "integer";
      if (s.minimum !== undefined) out.minimum = s.minimum;
      if (s.maximum !== undefined) out.maximum = s.maximum;
      break;
    case "int-or-string":
      out["x-kubernetes-int-or-string"] = true;
      if (s.maxLength !== undefined) out.maxLength = s.maxLength;
      break;
    case "list":
      out.type = "array";
      out.maxItems = s.maxItems;
      out.items = toOpenApiV3(s.items);
      if (s.keys !== undefined) {
        out["x-kubernetes-list-type"] = "map";
        out["x-kubernetes-list-map-keys"] = [...s.keys];
      }
      break;
    case "object":
      out.type = "object";
      if (s.required !== undefined && s.required.length > 0) out.required = [...s.required];
      out.properties = Object.fromEntries(
        Object.entries(s.properties).map(([k, v]) => [k, toOpenApiV3(v)]),
      );
      break;
    case "map":
      out.type = "object";
      out.maxProperties = s.maxProperties;
      out.additionalProperties = toOpenApiV3(s.values);
      break;
    case "any":
      out["x-kubernetes-preserve-unknown-fields"] = true;
      break;
  }
  if (s.description !== undefined) out.description = s.description;
  if (s.rules !== undefined && s.rules.length > 0) {
    out["x-kubernetes-validations"] = s.rules.map((r) => ({ ...r }));
  }
  return out;
}

/** A CEL string literal of a regular expression: backslashes doubled, single quotes escaped. */
export function celRegex(pattern: string): string {
  return `'${pattern.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** A CEL list literal of plain strings (no quotes or backslashes in them). */
export function celList(values: readonly string[]): string {
  return `[${values.map((v) => `'${v}'`).join(", ")}]`;
}
