/**
 * The API server's schema check of a custom resource, in-process: a CRD's openAPIV3Schema
 * translated to JSON Schema for ajv, with Kubernetes' structural semantics spelled out:
 * unknown fields of a typed object are refused (kubectl asks for strict field validation),
 * `x-kubernetes-int-or-string` is integer or string, `x-kubernetes-list-type: map` refuses
 * duplicate keys, nulls of declared non-nullable fields are dropped before validation, value
 * validations (`anyOf`, `not`, …) apply as in JSON Schema, and each
 * `x-kubernetes-validations` rule runs with @bufbuild/cel (cel-go's strings extension) with
 * `self` bound to its value.
 */
import { celEnv, isCelError, parse, plan } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { Ajv, type ErrorObject } from "ajv";
import { METADATA_FIELDS } from "../../src/core/policy/index.js";

type Node = Record<string, unknown>;

const env = celEnv({ funcs: strings });
const programs = new Map<string, ReturnType<typeof plan>>();

function celHolds(rule: string, self: unknown): boolean | string {
  let p = programs.get(rule);
  if (p === undefined) {
    p = plan(env, parse(rule));
    programs.set(rule, p);
  }
  const r = p({ self } as never);
  if (isCelError(r)) return `error: ${r.message}`;
  return r === true;
}

/** Fields every object has, which the API server checks itself (ObjectMeta, TypeMeta). */
const TOP_EXTRA = { apiVersion: { type: "string" }, kind: { type: "string" } };

/** Value validations: each applies to values of one JSON type only, in ajv as in Kubernetes. */
const VALUE_KEYS = [
  "type",
  "pattern",
  "enum",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "required",
  "minItems",
  "maxItems",
  "maxProperties",
];
const JUNCTORS = ["allOf", "anyOf", "oneOf"] as const;

/** A value validation inside `allOf`/`anyOf`/`oneOf`/`not`: no structure of its own. */
function translateNested(node: Node): Node {
  const out: Node = {};
  for (const key of VALUE_KEYS) if (node[key] !== undefined) out[key] = node[key];
  if (node.properties !== undefined) {
    out.properties = Object.fromEntries(
      Object.entries(node.properties as Record<string, Node>).map(([k, v]) => [
        k,
        translateNested(v),
      ]),
    );
  }
  if (node.items !== undefined) out.items = translateNested(node.items as Node);
  for (const j of JUNCTORS) {
    if (node[j] !== undefined) out[j] = (node[j] as Node[]).map(translateNested);
  }
  if (node.not !== undefined) out.not = translateNested(node.not as Node);
  return out;
}

function translate(node: Node, path: string): Node {
  const out: Node = {};
  for (const key of VALUE_KEYS) if (node[key] !== undefined) out[key] = node[key];
  if (node["x-kubernetes-int-or-string"] === true) {
    const { maxLength } = out;
    delete out.maxLength;
    out.anyOf = [
      { type: "integer" },
      { type: "string", ...(maxLength === undefined ? {} : { maxLength }) },
    ];
  }
  if (node.properties !== undefined) {
    const props = Object.entries(node.properties as Record<string, Node>).map(([k, v]) => [
      k,
      translate(v, `${path}.${k}`),
    ]);
    out.properties = Object.fromEntries(props);
    if (path === "") Object.assign(out.properties as Node, TOP_EXTRA);
    // ObjectMeta's other fields are the API server's own (it checks them); no other field.
    // It needs a name, and so an object has metadata.
    if (path === ".metadata") {
      for (const f of METADATA_FIELDS) (out.properties as Node)[f] ??= {};
      out.required = ["name"];
    }
    if (path === "") out.required = [...((out.required as string[]) ?? []), "metadata"];
    if (node["x-kubernetes-preserve-unknown-fields"] !== true) out.additionalProperties = false;
  }
  if (node.additionalProperties !== undefined && typeof node.additionalProperties === "object") {
    out.additionalProperties = translate(node.additionalProperties as Node, `${path}.*`);
  }
  if (node.items !== undefined) out.items = translate(node.items as Node, `${path}[]`);
  if (node["x-kubernetes-list-type"] === "map")
    out.listMapKeys = node["x-kubernetes-list-map-keys"];
  if (node["x-kubernetes-validations"] !== undefined) out.cel = node["x-kubernetes-validations"];
  const nested: Node = {};
  for (const j of JUNCTORS) {
    if (node[j] !== undefined) nested[j] = (node[j] as Node[]).map(translateNested);
  }
  if (node.not !== undefined) nested.not = translateNested(node.not as Node);
  // The int-or-string `anyOf` above is the node's own; value validations join it.
  if (out.anyOf !== undefined && nested.anyOf !== undefined) {
    nested.allOf = [...((nested.allOf as Node[]) ?? []), { anyOf: nested.anyOf }];
    delete nested.anyOf;
  }
  return { ...out, ...nested };
}

/**
 * The API server drops a null where the schema declares the field (and it is not nullable)
 * before validating; nulls elsewhere (list items, fields kept as written) stay and are checked.
 */
function pruneNulls(value: unknown, node: Node | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => pruneNulls(v, node?.items as Node));
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const props = node?.properties as Record<string, Node> | undefined;
    const additional = node?.additionalProperties;
    const field = props?.[k] ?? (typeof additional === "object" ? (additional as Node) : undefined);
    if (v === null && field !== undefined) continue;
    out[k] = pruneNulls(v, field);
  }
  return out;
}

export interface SchemaCheck {
  readonly ok: boolean;
  readonly errors: readonly string[];
}

/** A checker for objects of the CRD's first version. */
export function crdChecker(crd: Record<string, unknown>): (doc: unknown) => SchemaCheck {
  const spec = crd.spec as { versions: { schema: { openAPIV3Schema: Node } }[] };
  const root = spec.versions[0]?.schema.openAPIV3Schema;
  if (root === undefined) throw new Error("the CRD has no schema");
  // strictTypes and strictRequired off: a value validation need not repeat the type and the
  // properties it applies to (a string-or-object field; `not: {required: [x]}`), as in
  // Kubernetes, where each keyword applies to the values of its type only.
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
  let celErrors: string[] = [];
  ajv.addKeyword({
    keyword: "cel",
    schemaType: "array",
    validate: (rules: { rule: string; message: string; fieldPath?: string }[], data: unknown) => {
      let ok = true;
      for (const r of rules) {
        const holds = celHolds(r.rule, data);
        if (holds !== true) {
          ok = false;
          celErrors.push(
            `${r.fieldPath ?? ""}: ${r.message}${typeof holds === "string" ? ` (${holds})` : ""}`,
          );
        }
      }
      return ok;
    },
  });
  ajv.addKeyword({
    keyword: "listMapKeys",
    schemaType: "array",
    validate: (keys: string[], data: unknown) => {
      if (!Array.isArray(data)) return true;
      const seen = new Set(data.map((item) => JSON.stringify(keys.map((k) => item?.[k]))));
      return seen.size === data.length;
    },
  });
  const validate = ajv.compile(translate(root, ""));
  return (doc) => {
    celErrors = [];
    const ok = validate(pruneNulls(doc, root)) === true;
    const errors = (validate.errors ?? []).map(
      (e: ErrorObject) => `${e.instancePath} ${e.message ?? e.keyword}`,
    );
    return { ok, errors: [...errors, ...celErrors] };
  };
}
