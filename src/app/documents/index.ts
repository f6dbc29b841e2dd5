export { jsonStart, QUOTE, stringEnd } from "./json.js";
export { JsonLocator } from "./json-locate.js";
export {
  type DocumentPlace,
  parseDocuments,
  placeOf,
  readDocuments,
  type SourceDocument,
} from "./parse.js";
export { formatIssue, loadPolicies, loadPolicySet } from "./policies.js";
export { LineIndex } from "./position.js";
export { documentValue, readYamlStream, YAML_OPTIONS } from "./yaml.js";
export { locateInYaml } from "./yaml-locate.js";
