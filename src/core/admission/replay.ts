/**
 * Decisions remembered, for reviews that differ only in their uid.
 *
 * A webhook sees the same workload again and again: every Pod a ReplicaSet makes from one
 * template, a Deployment applied again by GitOps, the API server's retries. Deciding one
 * costs more than reading it (extraction, every policy, messages, the answer's JSON), so a
 * review whose decision inputs were seen before gets that decision again, with its own uid.
 *
 * Sound only where the decision is a function of the key alone:
 * - the key holds everything reviewAdmission and the evaluator read of the workload: its
 *   kind, name and namespace, and each container's type, name, image and pull policy in
 *   order (which also fixes each container's pointer), its pull secrets and service account;
 * - the namespace's facts are the map the key is looked up in (by identity: the namespace
 *   cache hands out a new facts object when a Namespace's labels change);
 * - a replay belongs to one evaluator (a policy reload starts a new one);
 * - CREATE only (an UPDATE is also decided on the old object's images);
 * - never with ImagePolicyExceptions loaded (they match on more, and they expire), and never
 *   for the supply-chain path (its facts change over time): callers do not pass a replay.
 *
 * Bounded: past MAX_ENTRIES remembered decisions, all are forgotten at once.
 */
import type { NamespaceFacts } from "../evaluate/index.js";
import type { Workload } from "../workload/index.js";
import type { AdmissionResponse } from "./types.js";

const MAX_ENTRIES = 4096;

export class ReviewReplay<R extends { readonly response: AdmissionResponse }> {
  #byNamespace = new WeakMap<NamespaceFacts, Map<string, R>>();
  #size = 0;

  get(ns: NamespaceFacts, key: string): R | undefined {
    return this.#byNamespace.get(ns)?.get(key);
  }

  set(ns: NamespaceFacts, key: string, review: R): void {
    if (this.#size >= MAX_ENTRIES) {
      this.#byNamespace = new WeakMap();
      this.#size = 0;
    }
    let decisions = this.#byNamespace.get(ns);
    if (decisions === undefined) {
      decisions = new Map();
      this.#byNamespace.set(ns, decisions);
    }
    if (!decisions.has(key)) this.#size++;
    decisions.set(key, review);
  }
}

/**
 * The key of a workload's decision. Each string is written with its length first, so no two
 * different workloads share a key whatever their strings hold (an image may hold anything).
 */
export function replayKey(workload: Workload, namespace: string): string {
  // Parts joined once: a string built by `+=` is a rope that the lookup would flatten first.
  const parts = [part(workload.kind), part(workload.name), part(namespace)];
  parts.push(workload.serviceAccountName === undefined ? "-" : part(workload.serviceAccountName));
  parts.push(`${workload.imagePullSecrets.length};`);
  for (const s of workload.imagePullSecrets) parts.push(part(s));
  parts.push(`${workload.containers.length};`);
  for (const c of workload.containers) {
    parts.push(part(c.containerType), part(c.container));
    parts.push(c.image === undefined ? "-" : part(c.image));
    parts.push(c.imagePullPolicy === undefined ? "-" : part(c.imagePullPolicy));
  }
  return parts.join("");
}

const part = (s: string) => `${s.length}:${s}`;
