export { API_SCHEMAS, ERROR_SCHEMA } from "./api.js";
export { VIOLATION_SOURCES, VIOLATION_TEXT_FIELDS } from "./api-reports.js";
export {
  EXCEPTION_SCHEMA_GAPS,
  IMAGE_POLICY_EXCEPTION_SCHEMA,
  IMAGE_POLICY_EXCEPTION_SPEC,
} from "./exception.js";
export { toComponents, toJsonSchema } from "./json-schema.js";
export { toOpenApiV3 } from "./kube.js";
export {
  any,
  boolean,
  type CelRule,
  either,
  extend,
  integer,
  intOrString,
  type JsonSchema,
  list,
  map,
  named,
  type ObjectSchema,
  object,
  type Schema,
  type StringSchema,
  string,
} from "./model.js";
export {
  IMAGE_POLICY_SCHEMA,
  IMAGE_POLICY_SPEC,
  SCHEMA_BOUNDS,
  SCHEMA_GAPS,
  WORKSPACE_SCHEMA,
  WORKSPACE_SPEC,
} from "./resources.js";
export { type RenderTypesOptions, renderTypes } from "./typescript.js";
