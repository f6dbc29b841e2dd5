import type { KubeClient, KubeObject } from "../../adapters/kube/index.js";
import { buildVap, canCompileToVap, exceptionsFor } from "../../adapters/vap/index.js";
import {
  checkExtensions,
  extensionsByParent,
  type ImagePolicy,
  type ImagePolicyException,
  type Workspace,
} from "../../core/policy/index.js";

export const MANAGED_BY = "app.kubernetes.io/managed-by";
export const AGENT_MANAGER = "customs-agent";
const GROUP = "/apis/admissionregistration.k8s.io/v1";
export const VAP_PATH = `${GROUP}/validatingadmissionpolicies`;
export const VAP_BINDING_PATH = `${GROUP}/validatingadmissionpolicybindings`;

type Manifest = Record<string, unknown> & {
  metadata: { name: string; labels?: Record<string, string> };
};

export interface DesiredVap {
  readonly policies: Manifest[];
  readonly bindings: Manifest[];
  /** Policies left to the webhook alone, with the reasons canCompileToVap gave. */
  readonly skipped: { policy: string; reasons: string[] }[];
  /**
   * When these objects stop deciding as the engine does: the earliest expiry (ms since the
   * epoch) of the unexpired exceptions that name a policy compiled (or tried), for this
   * cluster. CEL has no clock, so they must be compiled again then (VapSync does).
   */
  readonly recompileAt?: number;
}

function ours(object: Record<string, unknown>): Manifest {
  const m = object as Manifest;
  return {
    ...m,
    metadata: { ...m.metadata, labels: { ...m.metadata.labels, [MANAGED_BY]: AGENT_MANAGER } },
  };
}

/** The objects the delivered policies compile to (pure). */
export function desiredVap(
  policies: readonly ImagePolicy[],
  workspaces: readonly Workspace[],
  cluster: string,
  exemptNamespaces: readonly string[] = [],
  exceptions: readonly ImagePolicyException[] = [],
  now?: number,
): DesiredVap {
  // Exceptions are compiled in as they stand at `now` (CEL has no clock); the agent's webhook
  // still decides on the clock, so a native policy compiled before an expiry never admits
  // alone what the webhook then denies.
  const withExceptions = now === undefined ? {} : { exceptions, now };
  const out: DesiredVap = { policies: [], bindings: [], skipped: [] };
  // Extensions widen their parent's native policy; one that fails the set's checks is left
  // out (which only narrows what is allowed) and reported as skipped.
  const { policies: checked, issues } = checkExtensions(policies);
  for (const i of issues)
    out.skipped.push({ policy: i.policy, reasons: [`${i.path}: ${i.message}`] });
  const byParent = extensionsByParent(checked);
  let recompileAt: number | undefined;
  for (const policy of checked) {
    if (policy.extension !== undefined) continue;
    // Tried too: a policy refused because of an exception may compile once it has expired.
    for (const e of exceptionsFor(policy, { ...withExceptions, cluster })) {
      recompileAt = Math.min(recompileAt ?? e.expiresAt, e.expiresAt);
    }
    const extensions = byParent.get(policy.name) ?? [];
    const check = canCompileToVap(policy, extensions, { ...withExceptions, cluster });
    if (!check.ok) {
      out.skipped.push({ policy: policy.name, reasons: check.reasons });
      continue;
    }
    const built = buildVap(policy, workspaces, {
      cluster,
      exemptNamespaces,
      extensions,
      ...withExceptions,
    });
    out.policies.push(ours(built.policy));
    for (const b of built.bindings) out.bindings.push(ours(b));
  }
  return recompileAt === undefined ? out : { ...out, recompileAt };
}

/** What applying needs of the Kubernetes client. */
export type VapClient = Pick<KubeClient, "get" | "list" | "send">;

async function upsert(client: VapClient, collection: string, object: Manifest): Promise<void> {
  const path = `${collection}/${encodeURIComponent(object.metadata.name)}`;
  const existing = await client.get(path);
  if (existing === undefined) {
    await client.send("POST", collection, object);
    return;
  }
  // Replace with the version read, so a concurrent writer makes this fail instead of vanish.
  const metadata = { ...object.metadata, resourceVersion: existing.metadata.resourceVersion };
  await client.send("PUT", path, { ...object, metadata });
}

async function prune(client: VapClient, collection: string, keep: Set<string>): Promise<string[]> {
  const selector = encodeURIComponent(`${MANAGED_BY}=${AGENT_MANAGER}`);
  const { items } = await client.list(`${collection}?labelSelector=${selector}`);
  const removed: string[] = [];
  for (const o of items as KubeObject[]) {
    if (keep.has(o.metadata.name)) continue;
    await client.send("DELETE", `${collection}/${encodeURIComponent(o.metadata.name)}`);
    removed.push(o.metadata.name);
  }
  return removed;
}

/**
 * Makes the cluster's agent-managed ValidatingAdmissionPolicies match `desired`: policies
 * before their bindings when creating, bindings before their policies when deleting, so a
 * binding never points at a missing policy longer than it must. Only objects labelled
 * `app.kubernetes.io/managed-by: customs-agent` are ever deleted.
 */
export async function applyVap(
  client: VapClient,
  desired: DesiredVap,
): Promise<{ applied: number; removed: string[] }> {
  for (const p of desired.policies) await upsert(client, VAP_PATH, p);
  for (const b of desired.bindings) await upsert(client, VAP_BINDING_PATH, b);
  const removed = [
    ...(await prune(
      client,
      VAP_BINDING_PATH,
      new Set(desired.bindings.map((b) => b.metadata.name)),
    )),
    ...(await prune(client, VAP_PATH, new Set(desired.policies.map((p) => p.metadata.name)))),
  ];
  return { applied: desired.policies.length + desired.bindings.length, removed };
}
