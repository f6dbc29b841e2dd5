import type { Metric, Registry } from "prom-client";

/**
 * A Prometheus histogram with one label (`path`), counted in plain arrays and read by the
 * registry on a scrape. prom-client's Histogram converts, validates and hashes the labels of
 * every `observe()`, even through a labelled child; here an observation is one map lookup, a
 * walk of ten bounds and three additions. The exposition is the same as prom-client's: one
 * `_bucket` line per bound (cumulative, `le` first) and `+Inf`, then `_sum` and `_count`.
 */
export class LatencyHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly byPath = new Map<string, Tally>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    // The registry reads any metric through get(); its types only name prom-client's own.
    registry.registerMetric(this as unknown as Metric);
  }

  observe(path: string, seconds: number): void {
    let tally = this.byPath.get(path);
    if (tally === undefined) {
      tally = { buckets: new Array<number>(this.bounds.length).fill(0), sum: 0, count: 0 };
      this.byPath.set(path, tally);
    }
    const { bounds } = this;
    for (let i = 0; i < bounds.length; i++) {
      if (seconds <= (bounds[i] as number)) {
        (tally.buckets[i] as number)++;
        break;
      }
    }
    tally.sum += seconds;
    tally.count++;
  }

  reset(): void {
    this.byPath.clear();
  }

  async get() {
    const values: Array<{
      labels: Record<string, string | number>;
      value: number;
      metricName: string;
    }> = [];
    for (const [path, tally] of this.byPath) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += tally.buckets[i] ?? 0;
        values.push({ labels: { le, path }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({
        labels: { le: "+Inf", path },
        value: tally.count,
        metricName: `${this.name}_bucket`,
      });
      values.push({ labels: { path }, value: tally.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { path }, value: tally.count, metricName: `${this.name}_count` });
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    };
  }
}

interface Tally {
  /** Observations at or under each bound and over the one before (not cumulative). */
  readonly buckets: number[];
  sum: number;
  count: number;
}
