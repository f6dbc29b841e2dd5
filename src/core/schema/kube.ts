/**
 * The OpenAPI v3 structural schema Kubernetes wants in a CRD
 * (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema).
 */
import {
  type JsonSchema,
  type ObjectSchema,
  type Schema,
  type StringSchema,
  scalarKeywords,
} from "./model.js";

/**
 * Objects do not say `additionalProperties: false` (a structural schema may not): Kubernetes
 * prunes unknown fields, and refuses them when the client asks for strict field validation,
 * which kubectl does by default; a schema-level `false` would be rejected by the API server.
 */
export function toOpenApiV3(s: Schema): JsonSchema {
  // Strings, booleans and integers are written alike in both dialects.
  const out: JsonSchema = scalarKeywords(s) ?? {};
  switch (s.kind) {
    case "int-or-string":
      out["x-kubernetes-int-or-string"] = true;
      if (s.maxLength !== undefined) out.maxLength = s.maxLength;
      break;
    case "list":
      out.type = "array";
      if (s.minItems !== undefined) out.minItems = s.minItems;
      if (s.maxItems !== undefined) out.maxItems = s.maxItems;
      out.items = toOpenApiV3(s.items);
      if (s.keys !== undefined) {
        out["x-kubernetes-list-type"] = "map";
        out["x-kubernetes-list-map-keys"] = [...s.keys];
      }
      break;
    case "object":
      out.type = "object";
      if (s.open === true) out["x-kubernetes-preserve-unknown-fields"] = true;
      if (s.required !== undefined && s.required.length > 0) out.required = [...s.required];
      out.properties = properties(s);
      break;
    case "map":
      out.type = "object";
      if (s.maxProperties !== undefined) out.maxProperties = s.maxProperties;
      out.additionalProperties = toOpenApiV3(s.values);
      break;
    case "either":
      Object.assign(out, eitherSchema(s.string, s.object, s.list));
      break;
    case "any":
      out["x-kubernetes-preserve-unknown-fields"] = true;
      break;
  }
  if (s.description !== undefined) out.description = s.description;
  if (s.rules !== undefined && s.rules.length > 0) {
    out["x-kubernetes-validations"] = s.rules.map((r) => ({ ...r }));
  }
  if (s.checks !== undefined && s.checks.length > 0) {
    out.allOf = [...((out.allOf as JsonSchema[] | undefined) ?? []), ...s.checks];
  }
  return out;
}

function properties(s: ObjectSchema): JsonSchema {
  return Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, toOpenApiV3(v)]));
}

function stringBounds(s: StringSchema): JsonSchema {
  const out: JsonSchema = {};
  if (s.pattern !== undefined) out.pattern = s.pattern;
  if (s.minLength !== undefined) out.minLength = s.minLength;
  if (s.maxLength !== undefined) out.maxLength = s.maxLength;
  return out;
}

/** Most fields an object form may have: its value validation lists every subset of them. */
const MAX_EITHER_FIELDS = 4;

/**
 * A string or an object in a structural schema. It cannot have a type, so the value is kept
 * as written (`x-kubernetes-preserve-unknown-fields`) and checked by value validations
 * alone. Each keyword below applies to values of one JSON type only (as in JSON Schema and
 * in the API server's validator), so both forms are checked side by side:
 *
 * - strings: `pattern`, `minLength`, `maxLength` of the string form;
 * - objects: the object form's `properties` (declared structurally, so they are typed), and
 *   `anyOf` one set of its fields each: no field besides those (a preserved object would
 *   keep a misspelt one, which the engine refuses);
 * - numbers, booleans and lists: bounds no value of that type meets, so every one is refused;
 *   when there is a list form, lists are checked by its `items`, `minItems` and `maxItems`
 *   instead (`items` on a node without a type is structural: only arrays are checked by it).
 *
 * CEL cannot see such a value (it has no type), so no rule may read it.
 */
function eitherSchema(
  str: StringSchema,
  obj: ObjectSchema,
  list?: Extract<Schema, { kind: "list" }>,
): JsonSchema {
  const fields = Object.keys(obj.properties);
  const required = obj.required ?? [];
  const optional = fields.filter((f) => !required.includes(f));
  if (fields.length > MAX_EITHER_FIELDS) {
    throw new Error(`an object form has at most ${MAX_EITHER_FIELDS} fields`);
  }
  // `enum` applies to values of every type: it cannot say "these strings, or an object".
  if (str.enum !== undefined) throw new Error("the string form of `either` takes no enum");
  const sets: string[][] = [];
  for (let mask = 0; mask < 1 << optional.length; mask++) {
    const set = [...required, ...optional.filter((_, i) => (mask & (1 << i)) !== 0)];
    // At most one field of each exclusive group (a tag's `value` or `values`).
    const clash = (obj.exclusive ?? []).some((g) => g.filter((f) => set.includes(f)).length > 1);
    if (!clash) sets.push(set);
  }
  const onlyThese = sets.map((set) => ({
    ...(set.length > 0 ? { required: set } : {}),
    maxProperties: set.length,
  }));
  return {
    "x-kubernetes-preserve-unknown-fields": true,
    properties: properties(obj),
    ...stringBounds(str),
    minimum: 1,
    maximum: 0,
    ...(list === undefined
      ? { minItems: 1, maxItems: 0 }
      : {
          items: toOpenApiV3(list.items),
          ...(list.minItems === undefined ? {} : { minItems: list.minItems }),
          ...(list.maxItems === undefined ? {} : { maxItems: list.maxItems }),
        }),
    not: { enum: [true, false] },
    ...(onlyThese.length === 1 ? onlyThese[0] : { anyOf: onlyThese }),
  };
}
