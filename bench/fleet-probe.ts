/**
 * Preloaded into the control plane by the fleet benchmark (`node --import`): writes the
 * process's memory use to $CUSTOMS_BENCH_PROBE four times a second, so the benchmark reads RSS
 * and heap of the real server without the server having to expose them.
 */
import { writeFileSync } from "node:fs";

const file = process.env.CUSTOMS_BENCH_PROBE;
if (file !== undefined && file !== "") {
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    const sample = { at: Date.now(), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal };
    try {
      writeFileSync(file, JSON.stringify(sample));
    } catch {
      // The benchmark removed its folder: it is shutting the server down.
    }
  }, 250);
  timer.unref();
}
