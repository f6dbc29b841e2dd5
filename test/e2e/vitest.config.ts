import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// End-to-end suites against real programs (docs/e2e.md):
//   npx vitest run -c test/e2e/vitest.config.ts
// Each file starts its own cluster, so files run one after another: two control planes at
// once would only fight over two CPUs.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    include: ["test/e2e/**/*.e2e.test.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 240_000,
    teardownTimeout: 60_000,
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
