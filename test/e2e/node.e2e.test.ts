/**
 * The real node itself (docs/e2e.md, "A real node"): Pods are scheduled, their images are
 * pulled from the tests' registry, they run, Services and cluster DNS answer. The stories
 * (story-*.e2e.test.ts) build on this.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "./cluster.js";
import { type NodeCluster, nodeSkipReason, startNodeCluster } from "./node.js";

const skip = nodeSkipReason();
if (skip !== undefined) console.warn(`[node e2e] skipped: ${skip}`);

describe.skipIf(skip !== undefined)("a real one-node cluster", () => {
  let node: NodeCluster;
  beforeAll(async () => {
    node = await startNodeCluster({ log: (l) => console.log(`[node] ${l}`) });
  }, 600_000);
  afterAll(async () => {
    await node?.stop();
  }, 120_000);

  it("runs a Deployment whose image comes from the tests' registry", async () => {
    const image = await node.pushBinaryImage("team/app", "v1");
    const created = await node.kubectl(["create", "deployment", "app", `--image=${image}`]);
    expect(created.stderr).toBe("");
    const phase = await eventually(
      "the app Pod to run",
      async () => {
        const { stdout } = await node.kubectl([
          "get",
          "pods",
          "-l",
          "app=app",
          "-o",
          "jsonpath={.items[0].status.phase}",
        ]);
        return stdout === "Running" ? stdout : undefined;
      },
      120_000,
    );
    expect(phase).toBe("Running");
  }, 180_000);
});
