/**
 * The webhook's runtime (src/app/webhook/run.ts) around an injected listener: what it hands
 * the listener at start, and that stopping drains it.
 */
import { pino } from "pino";
import { Counter, Gauge, Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import {
  type ServedWebhook,
  startWebhookRuntime,
  type WebhookHooks,
} from "../src/app/webhook/index.js";
import { tempFiles } from "./support/cli.js";

const POLICY = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: p}
spec: {recipe: block-latest-tag}
`;

function metrics() {
  const registry = new Registry();
  return {
    reloads: new Counter({
      name: "r",
      help: "r",
      labelNames: ["what", "result"] as const,
      registers: [registry],
    }),
    policiesInvalid: new Gauge({ name: "g", help: "g", registers: [registry] }),
  };
}

describe("the webhook runtime", () => {
  const files = tempFiles({ "p.yaml": POLICY, "tls.crt": "c", "tls.key": "k" });
  afterAll(files.cleanup);

  it("starts the listener with the loaded policies, and drains it on stop", async () => {
    let hooks: WebhookHooks | undefined;
    const drained: number[] = [];
    const served: ServedWebhook = {
      port: 1234,
      reloadTls: () => {},
      drain: async (ms) => {
        drained.push(ms);
      },
    };
    const running = await startWebhookRuntime({
      policyPaths: [`${files.dir}/p.yaml`],
      connection: undefined,
      fromCluster: false,
      clusterName: "east",
      reloadIntervalMs: 60_000,
      tlsFiles: [`${files.dir}/tls.crt`, `${files.dir}/tls.key`],
      logger: pino({ level: "silent" }),
      metrics: metrics(),
      startServer: async (h) => {
        hooks = h;
        return served;
      },
    });
    expect(running.port).toBe(1234);
    expect(hooks?.evaluator()).toBeDefined();
    expect(hooks?.readinessWarnings()).toEqual([]);
    await running.stop(750);
    expect(drained).toEqual([750]);
  });

  it.each([
    ["a broken policy file", "kind: ImagePolicy\n", /document 0/],
    [
      "an extension whose parent is missing",
      "apiVersion: customs.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: e}\nspec: {namespace: a, extends: gone, input: {rules: [{hostname: ghcr.io}]}}\n",
      /document 0: spec\.extends: ImagePolicy e: no ImagePolicy "gone"/,
    ],
  ])("refuses to start on %s, before any listener", async (_what, text, error) => {
    const broken = tempFiles({ "p.yaml": text });
    let started = false;
    try {
      await expect(
        startWebhookRuntime({
          policyPaths: [`${broken.dir}/p.yaml`],
          connection: undefined,
          fromCluster: false,
          clusterName: undefined,
          reloadIntervalMs: 60_000,
          tlsFiles: [],
          logger: pino({ level: "silent" }),
          metrics: metrics(),
          startServer: async () => {
            started = true;
            throw new Error("not reached");
          },
        }),
      ).rejects.toThrow(error);
      expect(started).toBe(false);
    } finally {
      broken.cleanup();
    }
  });
});
