/**
 * Preloaded into the control plane by the fleet benchmark (`node --import`): writes the
 * process's memory use to $CUSTOMS_BENCH_PROBE four times a second, so the benchmark reads RSS
 * and heap of the real server without the server having to expose them.
 */
import { renameSync, writeFileSync } from "node:fs";

const file = process.env.CUSTOMS_BENCH_PROBE;
if (file !== undefined && file !== "") {
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    const sample = { at: Date.now(), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal };
    try {
      // Written aside, then renamed: the reader never sees half a sample.
      writeFileSync(`${file}.tmp`, JSON.stringify(sample));
      renameSync(`${file}.tmp`, file);
    } catch {
      // The benchmark removed its folder: it is shutting the server down.
    }
  }, 250);
  timer.unref();
}
