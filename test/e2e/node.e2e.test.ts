/**
 * The real node itself (docs/e2e.md, "A real node"): Pods are scheduled, their images are
 * pulled from the tests' registry, they run, Services and cluster DNS answer. The stories
 * (story-*.e2e.test.ts) build on this.
 */
import { Resolver } from "node:dns/promises";
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

  it("answers cluster DNS through the kube-dns Service (CoreDNS behind kube-proxy)", async () => {
    const resolver = new Resolver({ timeout: 2_000, tries: 1 });
    resolver.setServers(["10.0.0.10"]);
    const addresses = await eventually(
      "kubernetes.default to resolve",
      async () => resolver.resolve4("kubernetes.default.svc.cluster.local").catch(() => undefined),
      60_000,
    );
    expect(addresses).toEqual(["10.0.0.1"]);
  }, 90_000);
});
