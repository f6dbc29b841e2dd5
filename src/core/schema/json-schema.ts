/**
 * JSON Schema (2020-12, the dialect of OpenAPI 3.1) of the model, for the control plane's
 * OpenAPI document. Unlike a CRD's structural schema, JSON Schema can say everything the
 * model does: objects refuse unknown fields (`additionalProperties: false`), a string-or-object
 * is a `oneOf`. CEL rules stay as `x-kubernetes-validations`: the same rules, which the
 * control plane enforces through the validator.
 */
import { type JsonSchema, type Schema, scalarKeywords } from "./model.js";

/** Components by name, filled as named schemas are met. */
export type Components = Map<string, { readonly schema: Schema; json: JsonSchema }>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/**
 * The JSON Schema of `s`; a named schema inside it becomes a `$ref` to its component (added
 * to `components`). The root itself is never a reference.
 */
export function toJsonSchema(s: Schema, components: Components): JsonSchema {
  // Strings, booleans and integers are written alike in both dialects.
  const out: JsonSchema = scalarKeywords(s) ?? {};
  switch (s.kind) {
    case "int-or-string":
      out.type = ["integer", "string"];
      if (s.maxLength !== undefined) out.maxLength = s.maxLength;
      break;
    case "list":
      out.type = "array";
      out.items = member(s.items, components);
      if (s.minItems !== undefined) out.minItems = s.minItems;
      if (s.maxItems !== undefined) out.maxItems = s.maxItems;
      if (s.keys !== undefined) out["x-kubernetes-list-map-keys"] = [...s.keys];
      break;
    case "object":
      out.type = "object";
      out.properties = Object.fromEntries(
        Object.entries(s.properties).map(([k, v]) => [k, member(v, components)]),
      );
      if (s.required !== undefined && s.required.length > 0) out.required = [...s.required];
      if (s.open !== true) out.additionalProperties = false;
      if (s.exclusive !== undefined && s.exclusive.length > 0) {
        out.allOf = s.exclusive.map((fields) => ({ not: { required: [...fields] } }));
      }
      break;
    case "map":
      out.type = "object";
      out.additionalProperties = member(s.values, components);
      if (s.maxProperties !== undefined) out.maxProperties = s.maxProperties;
      break;
    case "either":
      out.oneOf = [
        member(s.string, components),
        ...(s.list === undefined ? [] : [member(s.list, components)]),
        member(s.object, components),
      ];
      break;
    case "any":
      break;
  }
  if (s.description !== undefined) out.description = s.description;
  if (s.rules !== undefined && s.rules.length > 0) {
    out["x-kubernetes-validations"] = s.rules.map((r) => ({ ...r }));
  }
  if (s.checks !== undefined && s.checks.length > 0) out.allOf = [...s.checks];
  return out;
}

/** A schema inside another: named ones by reference. */
function member(s: Schema, components: Components): JsonSchema {
  if (s.component === undefined) return toJsonSchema(s, components);
  addComponent(s, components);
  return ref(s.component);
}

/** Adds a named schema (and those it names) to the components; one name, one schema. */
export function addComponent(s: Schema, components: Components): void {
  const name = s.component;
  if (name === undefined) throw new Error("only a named schema is a component");
  const known = components.get(name);
  if (known !== undefined) {
    if (known.schema !== s && JSON.stringify(known.schema) !== JSON.stringify(s)) {
      throw new Error(`two different schemas are named ${name}`);
    }
    return;
  }
  // Registered before its members, so a schema that names itself would end (none does).
  const entry = { schema: s, json: {} as JsonSchema };
  components.set(name, entry);
  entry.json = toJsonSchema(s, components);
}

/** The components of these named schemas and of every schema they name, sorted by name. */
export function toComponents(schemas: readonly Schema[]): Record<string, JsonSchema> {
  const components: Components = new Map();
  for (const s of schemas) addComponent(s, components);
  return Object.fromEntries(
    [...components.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, v.json]),
  );
}
