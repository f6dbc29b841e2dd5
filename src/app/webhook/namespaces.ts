import { type NamespaceFacts, toNamespaceFacts } from "../../core/evaluate/index.js";
import type { NamespaceDirectory } from "./admission.js";

/**
 * Namespace facts by name, memoized (the evaluator memoizes per facts object), updated by a
 * watch when there is one. Without labels a namespace still has `kubernetes.io/metadata.name`.
 */
export class NamespaceCache implements NamespaceDirectory {
  private readonly known = new Map<string, NamespaceFacts>();

  constructor(private readonly cluster?: string) {}

  facts(name: string): NamespaceFacts {
    let facts = this.known.get(name);
    if (facts === undefined) {
      facts = toNamespaceFacts(name, {}, this.cluster);
      // Only remember names the watch told us about or a bounded number of others.
      if (this.known.size < 100_000) this.known.set(name, facts);
    }
    return facts;
  }

  /** A Namespace was added or changed: a new facts object, so memos keyed on the old one lapse. */
  set(name: string, labels: Readonly<Record<string, string>>): void {
    const next = toNamespaceFacts(name, labels, this.cluster);
    const current = this.known.get(name);
    // Unchanged labels keep the same facts object, and so the evaluator's memos.
    if (current !== undefined && sameLabels(current.labels, next.labels)) return;
    this.known.set(name, next);
  }

  delete(name: string): void {
    this.known.delete(name);
  }
}

function sameLabels(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => a[k] === b[k]);
}
