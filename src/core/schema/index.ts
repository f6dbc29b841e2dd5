export {
  any,
  boolean,
  type CelRule,
  integer,
  intOrString,
  type JsonSchema,
  list,
  map,
  object,
  type Schema,
  string,
  toOpenApiV3,
} from "./model.js";
export {
  IMAGE_POLICY_SCHEMA,
  SCHEMA_BOUNDS,
  SCHEMA_GAPS,
  WORKSPACE_SCHEMA,
} from "./resources.js";
