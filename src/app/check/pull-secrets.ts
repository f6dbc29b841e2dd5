/**
 * require-pull-secret in `customs check`: the pull Secrets and ServiceAccounts among the inputs,
 * per namespace, as the evaluator's PullSecretFacts for each workload. A ServiceAccount not
 * among the inputs is unknown (its secrets are not held for or against the workload).
 */
import type { PullSecretFacts } from "../../core/evaluate/index.js";
import type { PullSecretDoc, ServiceAccountDoc, Workload } from "../../core/workload/index.js";

export class PullSecretIndex {
  private readonly secrets = new Map<string, Map<string, readonly string[]>>();
  private readonly accounts = new Map<string, Map<string, readonly string[]>>();
  private static readonly NONE: ReadonlyMap<string, readonly string[]> = new Map();

  constructor(private readonly defaultNamespace: string) {}

  add(secrets: readonly PullSecretDoc[], accounts: readonly ServiceAccountDoc[]): void {
    for (const s of secrets) this.put(this.secrets, s.namespace, s.name, s.registries);
    for (const a of accounts) this.put(this.accounts, a.namespace, a.name, a.imagePullSecrets);
  }

  private put(
    map: Map<string, Map<string, readonly string[]>>,
    namespace: string | undefined,
    name: string,
    value: readonly string[],
  ): void {
    const ns = namespace ?? this.defaultNamespace;
    let inner = map.get(ns);
    if (inner === undefined) {
      inner = new Map();
      map.set(ns, inner);
    }
    inner.set(name, value);
  }

  /** What is known of a workload's pull secrets besides its own names. */
  factsFor(workload: Workload): PullSecretFacts {
    const ns = workload.namespace ?? this.defaultNamespace;
    const account = this.accounts.get(ns)?.get(workload.serviceAccountName ?? "default");
    const secretKeys = this.secrets.get(ns) ?? PullSecretIndex.NONE;
    return account === undefined ? { secretKeys } : { serviceAccountSecrets: account, secretKeys };
  }
}
