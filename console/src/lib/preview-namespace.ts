/**
 * The namespace the wizard's live preview decides for when the user picked none: one the
 * policy's scope covers, so that the preview shows what the policy does rather than "does not
 * apply". Named namespace: that namespace; workspace: a namespace attached to it; organization:
 * any reported namespace; in each case the first (by cluster/name) whose labels match the
 * policy's namespaceSelector, else the first in scope (the answer then says why it does not
 * apply). Undefined: no reported namespace is in scope; the control plane then picks one.
 */

import { toPolicyScope } from "./policy-tree.js";
import { readSelector, toMismatchReason, toNamespaceLabels } from "./selector-match.js";

export interface ReportedCandidate {
  readonly cluster: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The workspace the namespace is attached to, if any. */
  readonly workspace?: string | undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const key = (n: ReportedCandidate) => `${n.cluster}/${n.name}`;

export function toDefaultPreviewNamespace(
  document: unknown,
  candidates: readonly ReportedCandidate[],
): ReportedCandidate | undefined {
  const spec = isRecord(document) && isRecord(document.spec) ? document.spec : {};
  const scope = toPolicyScope({
    ...(typeof spec.workspace === "string" ? { workspace: spec.workspace } : {}),
    ...(typeof spec.namespace === "string" ? { namespace: spec.namespace } : {}),
  });
  const inScope = [...candidates]
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
    .filter((n) => {
      if (scope.kind === "workspace") return n.workspace === scope.workspace;
      if (scope.kind === "namespace") {
        return (
          n.name === scope.namespace && (scope.cluster === undefined || n.cluster === scope.cluster)
        );
      }
      return true;
    });
  const selector = readSelector(spec.namespaceSelector);
  if (selector === undefined) return scope.kind === "organization" ? undefined : inScope[0];
  return (
    inScope.find(
      (n) => toMismatchReason(selector, toNamespaceLabels(n.name, n.labels)) === undefined,
    ) ?? inScope[0]
  );
}
