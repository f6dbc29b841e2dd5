import type { Counter } from "prom-client";
import type { WebhookMetrics } from "./metrics.js";

/**
 * The webhook's per-request counters, kept as plain numbers and added to prom-client's when
 * metrics are read (`flush`, before every `/metrics`). prom-client hashes and validates the
 * labels of every `inc()`, even through a labelled child, which costs more than the count
 * itself: a review has a request, a decision and one count per violation. Each label set is
 * found in a tree of maps and then only added to. The latency histogram is observed at once
 * (one observation a request, nothing to add up), into a histogram of plain arrays
 * (latency-histogram.ts).
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

/**
 * Counts by label set, in a tree of maps keyed by each label's value in turn: counting a known
 * label set looks up one map per label and allocates nothing (no array of values, no joined key).
 */
class Tally<L extends string> {
  private readonly root = new Map<string, unknown>();
  private readonly all: Pending<L>[] = [];

  constructor(
    private readonly counter: Counter<L>,
    private readonly names: readonly L[],
  ) {}

  add1(a: string): void {
    this.leaf(this.root, a, a).n++;
  }

  add2(a: string, b: string): void {
    this.leaf(this.branch(this.root, a), b, a, b).n++;
  }

  add3(a: string, b: string, c: string): void {
    this.leaf(this.branch(this.branch(this.root, a), b), c, a, b, c).n++;
  }

  private branch(at: Map<string, unknown>, key: string): Map<string, unknown> {
    let next = at.get(key) as Map<string, unknown> | undefined;
    if (next === undefined) {
      next = new Map();
      at.set(key, next);
    }
    return next;
  }

  private leaf(
    at: Map<string, unknown>,
    key: string,
    a: string,
    b?: string,
    c?: string,
  ): Pending<L> {
    const known = at.get(key) as Pending<L> | undefined;
    if (known !== undefined) return known;
    const values = [a, b, c];
    const labels: Partial<Record<L, string>> = {};
    this.names.forEach((name, i) => {
      labels[name] = values[i] ?? "";
    });
    const pending: Pending<L> = { labels, n: 0 };
    at.set(key, pending);
    this.all.push(pending);
    return pending;
  }

  flush(): void {
    for (const p of this.all) {
      if (p.n === 0) continue;
      this.counter.inc(p.labels, p.n);
      p.n = 0;
    }
  }
}

const STATUS_TEXT = new Map<number, string>();

function statusText(status: number): string {
  let text = STATUS_TEXT.get(status);
  if (text === undefined) {
    text = String(status);
    STATUS_TEXT.set(status, text);
  }
  return text;
}

export function countersOf(metrics: WebhookMetrics): WebhookCounters {
  const requests = new Tally(metrics.requests, ["path", "code"]);
  const decisions = new Tally(metrics.decisions, ["verdict"]);
  const violations = new Tally(metrics.violations, ["policy", "action", "code"]);
  const exemptions = new Tally(metrics.exemptions, ["policy", "exception"]);
  return {
    // Status codes are few: each one's label text is made once.
    request: (path, status) => requests.add2(path, statusText(status)),
    latency: (path, seconds) => metrics.latency.observe(path, seconds),
    decision: (verdict) => decisions.add1(verdict),
    violation: (policy, action, code) => violations.add3(policy, action, code),
    exemption: (policy, exception) => exemptions.add2(policy, exception),
    flush() {
      requests.flush();
      decisions.flush();
      violations.flush();
      exemptions.flush();
    },
  };
}
