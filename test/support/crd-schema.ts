/**
 * The API server's schema check of a custom resource, in-process: a CRD's openAPIV3Schema
 * translated to JSON Schema for ajv, with Kubernetes' structural semantics spelled out:
 * unknown fields of a typed object are refused (kubectl asks for strict field validation),
 * `x-kubernetes-int-or-string` is integer or string, `x-kubernetes-list-type: map` refuses
 * duplicate keys, nulls of non-nullable fields are dropped before validation, and each
 * `x-kubernetes-validations` rule runs with @bufbuild/cel (cel-go's strings extension) with
 * `self` bound to its value.
 */
import { celEnv, isCelError, parse, plan } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { Ajv, type ErrorObject } from "ajv";

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

function translate(node: Node, path: string): Node {
  const out: Node = {};
  for (const key of ["type", "pattern", "enum", "maxLength", "minimum", "maximum", "required"]) {
    if (node[key] !== undefined) out[key] = node[key];
  }
  if (node.maxItems !== undefined) out.maxItems = node.maxItems;
  if (node.maxProperties !== undefined) out.maxProperties = node.maxProperties;
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
    // ObjectMeta's other fields are the API server's own; everything else is strict.
    if (node["x-kubernetes-preserve-unknown-fields"] !== true && path !== ".metadata") {
      out.additionalProperties = false;
    }
  }
  if (node.additionalProperties !== undefined && typeof node.additionalProperties === "object") {
    out.additionalProperties = translate(node.additionalProperties as Node, `${path}.*`);
  }
  if (node.items !== undefined) out.items = translate(node.items as Node, `${path}[]`);
  if (node["x-kubernetes-list-type"] === "map")
    out.listMapKeys = node["x-kubernetes-list-map-keys"];
  if (node["x-kubernetes-validations"] !== undefined) out.cel = node["x-kubernetes-validations"];
  return out;
}

function pruneNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pruneNulls);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, pruneNulls(v)]),
  );
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
  const ajv = new Ajv({ allErrors: true, strict: true });
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
    const ok = validate(pruneNulls(doc)) === true;
    const errors = (validate.errors ?? []).map(
      (e: ErrorObject) => `${e.instancePath} ${e.message ?? e.keyword}`,
    );
    return { ok, errors: [...errors, ...celErrors] };
  };
}
