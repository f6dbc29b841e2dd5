/**
 * Decisions remembered, for reviews that differ only in their uid.
 *
 * A webhook sees the same workload again and again: every Pod a ReplicaSet makes from one
 * template, a Deployment applied again by GitOps, the API server's retries. Deciding one
 * costs more than reading it (extraction, every policy, messages, the answer's JSON), so a
 * review whose decision inputs were seen before gets that decision again, with its own uid.
 *
 * Sound only where the decision is a function of the key alone:
 * - the key holds everything reviewAdmission and the evaluator read of the workload but its
 *   name: its kind and namespace, and each container's type, name, image and pull policy in
 *   order (which also fixes each container's pointer), its pull secrets and service account.
 *   The name is left out because each Pod of a ReplicaSet has its own: only a denial's
 *   message says it, and a replay says that message again with the name of its request
 *   (review.ts);
 * - the namespace's facts are the map the key is looked up in (by identity: the namespace
 *   cache hands out a new facts object when a Namespace's labels change);
 * - a replay belongs to one evaluator (a policy reload starts a new one);
 * - CREATE only (an UPDATE is also decided on the old object's images);
 * - never with ImagePolicyExceptions loaded (they match on more, and they expire), and never
 *   for the supply-chain path (its facts change over time): callers do not pass a replay.
 *
 * A decision is remembered the second time its inputs come, not the first: most workloads
 * that come once never come again. Bounded: past MAX_ENTRIES remembered decisions, all are
 * forgotten at once.
 */
import type { NamespaceFacts } from "../evaluate/index.js";
import type { Workload } from "../workload/index.js";

const MAX_ENTRIES = 4096;
/** Slots of the sketch of keys seen once (a power of two). */
const SEEN_SLOTS = 16_384;

export class ReviewReplay<R> {
  #byNamespace = new WeakMap<NamespaceFacts, Map<string, R>>();
  #size = 0;
  /**
   * A hash of each key seen once, by slot. A decision is remembered the second time its key
   * comes: a webhook whose workloads never repeat then keeps nothing, where remembering every
   * decision made each one outlive the young generation (measured once, on a loaded machine:
   * 172 µs of CPU per review against 131 µs). A collision only remembers a decision one review early.
   */
  readonly #seen = new Int32Array(SEEN_SLOTS);

  get(ns: NamespaceFacts, key: string): R | undefined {
    return this.#byNamespace.get(ns)?.get(key);
  }

  /** Remembers `review` as the decision for `key` in `ns` if the key came once before. */
  remember(ns: NamespaceFacts, key: string, review: R): void {
    const hash = hashOf(key);
    const slot = hash & (SEEN_SLOTS - 1);
    if (this.#seen[slot] !== hash) {
      this.#seen[slot] = hash;
      return;
    }
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

/** FNV-1a over the UTF-16 code units; never 0, the sketch's empty slot. */
function hashOf(key: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h === 0 ? 1 : h;
}

/**
 * The key of a workload's decision. Each string is written with its length first, so no two
 * different workloads share a key whatever their strings hold (an image may hold anything).
 */
export function replayKey(workload: Workload, namespace: string): string {
  // Parts joined once: a string built by `+=` is a rope that the lookup would flatten first.
  const parts = [part(workload.kind), part(namespace)];
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
