import type { Counter } from "prom-client";
import type { WebhookMetrics } from "./metrics.js";

/**
 * The webhook's per-request counters, kept as plain numbers and added to prom-client's when
 * metrics are read (`flush`, before every `/metrics`). prom-client hashes and validates the
 * labels of every `inc()`, even through a labelled child, which costs more than the count
 * itself: a review has a request, a decision and one count per violation. Each label set is
 * joined into its key once and then only added to. The latency histogram is observed at once
 * (one observation a request, nothing to add up).
 */
export interface WebhookCounters {
  request(path: string, status: number): void;
  latency(path: string, seconds: number): void;
  decision(verdict: string): void;
  violation(policy: string, action: string, code: string): void;
  exemption(policy: string, exception: string): void;
  /** Adds what was counted since the last flush to the prom-client metrics. */
  flush(): void;
}

interface Pending<L extends string> {
  readonly labels: Partial<Record<L, string>>;
  n: number;
}

class Tally<L extends string> {
  private readonly pending = new Map<string, Pending<L>>();

  constructor(
    private readonly counter: Counter<L>,
    private readonly names: readonly L[],
  ) {}

  add(values: readonly string[]): void {
    // NUL appears in none of the labels (paths, codes, verdicts, Kubernetes names).
    const key = values.join("\0");
    const known = this.pending.get(key);
    if (known !== undefined) {
      known.n++;
      return;
    }
    const labels: Partial<Record<L, string>> = {};
    this.names.forEach((name, i) => {
      labels[name] = values[i] ?? "";
    });
    this.pending.set(key, { labels, n: 1 });
  }

  flush(): void {
    for (const p of this.pending.values()) {
      if (p.n === 0) continue;
      this.counter.inc(p.labels, p.n);
      p.n = 0;
    }
  }
}

export function countersOf(metrics: WebhookMetrics): WebhookCounters {
  const requests = new Tally(metrics.requests, ["path", "code"]);
  const decisions = new Tally(metrics.decisions, ["verdict"]);
  const violations = new Tally(metrics.violations, ["policy", "action", "code"]);
  const exemptions = new Tally(metrics.exemptions, ["policy", "exception"]);
  const paths = new Map<string, { path: string }>();
  return {
    request: (path, status) => requests.add([path, String(status)]),
    latency: (path, seconds) => {
      let labels = paths.get(path);
      if (labels === undefined) {
        labels = { path };
        paths.set(path, labels);
      }
      metrics.latency.observe(labels, seconds);
    },
    decision: (verdict) => decisions.add([verdict]),
    violation: (policy, action, code) => violations.add([policy, action, code]),
    exemption: (policy, exception) => exemptions.add([policy, exception]),
    flush() {
      requests.flush();
      decisions.flush();
      violations.flush();
      exemptions.flush();
    },
  };
}
