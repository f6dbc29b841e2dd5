/**
 * Test support for the generated ValidatingAdmissionPolicy: runs its CEL with @bufbuild/cel
 * (with the strings extension, as the spec's "Native policy" section says), builds admission
 * inputs for every workload kind, and asks the engine for the verdict to compare with.
 */
import { type CelValue, celEnv, isCelError, parse, plan } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import {
  type ContainerInput,
  type ContainerKind,
  createEvaluator,
  type NamespaceFacts,
} from "../src/core/evaluate/index.js";
import {
  compilePolicySet,
  type ImagePolicy,
  validateDocument,
  type Workspace,
} from "../src/core/policy/index.js";
import { policyDoc } from "./support/policies.js";

// ---- running CEL -----------------------------------------------------------------------------

const env = celEnv({ funcs: strings });
type Program = ReturnType<typeof plan>;
const programs = new Map<string, Program>();

/** Parses and plans an expression once; throws (with the expression) when it does not parse. */
export function program(expression: string): Program {
  let p = programs.get(expression);
  if (p === undefined) {
    p = plan(env, parse(expression));
    programs.set(expression, p);
  }
  return p;
}

export interface VapSpec {
  variables: { name: string; expression: string }[];
  validations: { expression: string; messageExpression: string; message: string }[];
}

export function specOf(vap: Record<string, unknown>): VapSpec {
  return vap.spec as VapSpec;
}

export interface AdmissionInput {
  readonly object: unknown;
  readonly oldObject: unknown;
  readonly request: unknown;
  readonly namespaceObject?: unknown;
}

export interface VapResult {
  /** true when every validation holds. */
  readonly allowed: boolean;
  readonly message: string | undefined;
  /** A CEL evaluation error (Kubernetes would apply failurePolicy: Fail). */
  readonly error: string | undefined;
  readonly variables: Readonly<Record<string, CelValue>>;
}

function evalOrError(expression: string, bindings: Record<string, unknown>): CelValue | Error {
  const r = program(expression)(bindings as never);
  return isCelError(r) ? new Error(`${r.message} in: ${expression.slice(0, 200)}`) : r;
}

/** Evaluates the variables in order (eagerly: stricter than Kubernetes' lazy evaluation). */
export function runVap(spec: VapSpec, input: AdmissionInput): VapResult {
  const variables: Record<string, CelValue> = {};
  const bindings = {
    object: input.object,
    oldObject: input.oldObject,
    request: input.request,
    namespaceObject: input.namespaceObject ?? null,
    variables,
  };
  const fail = (e: Error) => ({ allowed: false, message: undefined, error: e.message, variables });
  for (const v of spec.variables) {
    const value = evalOrError(v.expression, bindings);
    if (value instanceof Error) return fail(value);
    variables[v.name] = value;
  }
  for (const validation of spec.validations) {
    const ok = evalOrError(validation.expression, bindings);
    if (ok instanceof Error) return fail(ok);
    if (ok !== true) {
      const m = evalOrError(validation.messageExpression, bindings);
      if (m instanceof Error) return fail(m);
      return { allowed: false, message: String(m), error: undefined, variables };
    }
  }
  return { allowed: true, message: undefined, error: undefined, variables };
}

/** A CEL list (or any iterable value) as a JS array of strings. */
export function celStrings(value: CelValue | undefined): string[] {
  const out: string[] = [];
  for (const v of value as unknown as Iterable<unknown>) out.push(String(v));
  return out;
}

// ---- admission inputs ------------------------------------------------------------------------

export interface Container {
  readonly name: string;
  readonly image?: string;
  readonly imagePullPolicy?: string;
}
export type PodSpec = Partial<Record<ContainerKind, Container[]>>;

const GROUPS: Record<string, string> = {
  Pod: "",
  PodTemplate: "",
  ReplicationController: "",
  Deployment: "apps",
  ReplicaSet: "apps",
  StatefulSet: "apps",
  DaemonSet: "apps",
  Job: "batch",
  CronJob: "batch",
};
export const KINDS: readonly string[] = Object.keys(GROUPS);

/** A workload of `kind` whose pod template is `spec`. */
export function workload(kind: string, spec: PodSpec): Record<string, unknown> {
  const group = GROUPS[kind] ?? "";
  const apiVersion = group === "" ? "v1" : `${group}/v1`;
  const metadata = { name: "w", namespace: "default" };
  const template = { metadata: {}, spec };
  const body: Record<string, unknown> =
    kind === "Pod"
      ? { spec }
      : kind === "PodTemplate"
        ? { template }
        : kind === "CronJob"
          ? { spec: { schedule: "* * * * *", jobTemplate: { spec: { template } } } }
          : { spec: { replicas: 1, template } };
  return { apiVersion, kind, metadata, ...body };
}

export function request(kind: string, operation: "CREATE" | "UPDATE", namespace = "default") {
  return {
    kind: { group: GROUPS[kind] ?? "", version: "v1", kind },
    operation,
    namespace,
    name: "w",
  };
}

export function admission(
  kind: string,
  spec: PodSpec,
  oldSpec?: PodSpec,
  namespace = "default",
): AdmissionInput {
  return {
    object: workload(kind, spec),
    oldObject: oldSpec === undefined ? null : workload(kind, oldSpec),
    request: request(kind, oldSpec === undefined ? "CREATE" : "UPDATE", namespace),
  };
}

/** The pod spec's containers as the engine takes them. */
export function containersOf(spec: PodSpec): ContainerInput[] {
  const out: ContainerInput[] = [];
  for (const containerType of ["containers", "initContainers", "ephemeralContainers"] as const) {
    for (const c of spec[containerType] ?? []) {
      out.push({
        container: c.name,
        containerType,
        image: c.image,
        ...(c.imagePullPolicy === undefined ? {} : { imagePullPolicy: c.imagePullPolicy }),
      });
    }
  }
  return out;
}

// ---- the engine ------------------------------------------------------------------------------

/** Does the engine find no violation of `policy` (which must apply) in these containers? */
export function enginePasses(
  policy: ImagePolicy,
  containers: readonly ContainerInput[],
  ns: NamespaceFacts,
  workspaces: readonly Workspace[] = [],
): boolean {
  const evaluator = createEvaluator(compilePolicySet([policy], workspaces));
  return evaluator.evaluate(ns, containers).violations.length === 0;
}

/** A validated ImagePolicy from its spec; throws with the issues when it is invalid. */
export function policyOf(name: string, spec: Record<string, unknown>): ImagePolicy {
  const r = validateDocument(policyDoc(name, spec));
  if (r.kind !== "ImagePolicy") throw new Error(`invalid policy ${name}: ${JSON.stringify(r)}`);
  return r.policy;
}

/** Like policyOf, but undefined for specs the engine refuses (for generated rules). */
export function tryPolicy(name: string, spec: Record<string, unknown>): ImagePolicy | undefined {
  const r = validateDocument(policyDoc(name, spec));
  return r.kind === "ImagePolicy" ? r.policy : undefined;
}
