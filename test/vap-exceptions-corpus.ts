/** Test support: ImagePolicyExceptions for the native policy tests (offline and Kubernetes'). */
import { createEvaluator, toNamespaceFacts } from "../src/core/evaluate/index.js";
import {
  compilePolicySet,
  type ImagePolicy,
  type ImagePolicyException,
  validateDocument,
} from "../src/core/policy/index.js";
import { exceptionDoc } from "./support/policies.js";
import { type AdmissionInput, request, workload } from "./vap-corpus.js";

export const NOW = Date.UTC(2027, 0, 10);
const D = `sha256:${"b".repeat(64)}`;

export function exceptionOf(name: string, spec: Record<string, unknown>): ImagePolicyException {
  const r = validateDocument(
    exceptionDoc(name, {
      policies: ["p"],
      reason: "r",
      owner: "o",
      expires: "2027-01-31",
      ...spec,
    }),
  );
  if (r.kind !== "ImagePolicyException") throw new Error(JSON.stringify(r.issues));
  return r.exception;
}

export interface ExceptionCase {
  readonly image: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly kind: string;
  readonly name: string;
}

export function exceptionAdmission(c: ExceptionCase): AdmissionInput {
  const object = workload(c.kind, { containers: [{ name: "c", image: c.image }] });
  const metadata = { name: c.name, namespace: c.namespace };
  return {
    object: { ...object, metadata },
    oldObject: null,
    request: request(c.kind, "CREATE", c.namespace),
    namespaceObject: {
      metadata: {
        name: c.namespace,
        labels: { ...c.labels, "kubernetes.io/metadata.name": c.namespace },
      },
    },
  };
}

export function engineAllows(
  policy: ImagePolicy,
  exceptions: readonly ImagePolicyException[],
  c: ExceptionCase,
): boolean {
  const set = compilePolicySet([policy], [], undefined, exceptions);
  const evaluator = createEvaluator(set, undefined, { now: () => NOW });
  const d = evaluator.evaluate(
    toNamespaceFacts(c.namespace, c.labels),
    [{ container: "c", containerType: "containers", image: c.image }],
    { kind: c.kind, name: c.name },
  );
  return d.violations.length === 0;
}
