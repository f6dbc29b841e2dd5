import {
  type CompiledPolicySet,
  compilePolicySet,
  type ImagePolicy,
  type ImagePolicyException,
  validateDocument,
  type Workspace,
} from "../../src/core/policy/index.js";

/** An ImagePolicy document from its spec, as a user writes it. */
export function policyDoc(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: "customs.dev/v1alpha1", kind: "ImagePolicy", metadata: { name }, spec };
}

/** An ImagePolicyException document from its spec. */
export function exceptionDoc(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: "customs.dev/v1alpha1",
    kind: "ImagePolicyException",
    metadata: { name },
    spec,
  };
}

export function workspaceDoc(name: string, namespaces: string[]): Record<string, unknown> {
  return {
    apiVersion: "customs.dev/v1alpha1",
    kind: "Workspace",
    metadata: { name },
    spec: { namespaces },
  };
}

/** Validates documents and compiles them; throws with the issues when one is invalid. */
export function compileDocs(...docs: Record<string, unknown>[]): CompiledPolicySet {
  const policies: ImagePolicy[] = [];
  const workspaces: Workspace[] = [];
  const exceptions: ImagePolicyException[] = [];
  for (const doc of docs) {
    const r = validateDocument(doc);
    if (r.kind === "invalid") throw new Error(JSON.stringify(r.issues));
    if (r.kind === "ImagePolicy") policies.push(r.policy);
    else if (r.kind === "Workspace") workspaces.push(r.workspace);
    else exceptions.push(r.exception);
  }
  return compilePolicySet(policies, workspaces, undefined, exceptions);
}
