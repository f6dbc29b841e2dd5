/**
 * The background audit on the real node of node.ts (docs/audit.md): Customs installed with the
 * Helm chart (the webhook reading its policies from the cluster, with --audit-interval), a
 * Deployment that runs, then an ImagePolicy that refuses its image: the Deployment's
 * PolicyReport in its namespace fails that policy; once the Deployment runs an allowed image,
 * the result turns to pass; once it is deleted, its report goes.
 */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHART, helmBinary } from "../support/helm.js";
import { eventually, type KubectlResult } from "./cluster.js";
import { buildAndPushImages, type PushedImages } from "./images.js";
import { type NodeCluster, nodeSkipReason, startNodeCluster } from "./node.js";

const execFileAsync = promisify(execFile);

const helmFound = helmBinary();
const skip = nodeSkipReason() ?? ("skip" in helmFound ? helmFound.skip : undefined);
if (skip !== undefined) console.warn(`[reports e2e] skipped: ${skip}`);

const NS = "customs-system";
const APP_NS = "shop";

function ok(r: KubectlResult, what = "kubectl"): string {
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

function imageValues(ref: string): string[] {
  const [name, digest] = ref.split("@") as [string, string];
  return [
    `--set=image.repository=${name}`,
    "--set=image.tag=0.1.0",
    `--set=image.digest=${digest}`,
  ];
}

interface Report {
  scope: { kind: string; name: string; namespace: string };
  summary: Record<string, number>;
  results: { policy: string; result: string; source: string; severity: string; rule: string }[];
}

describe.skipIf(skip !== undefined)(
  "PolicyReports from the background audit on a real node",
  () => {
    let node: NodeCluster;
    let images: PushedImages;
    let work: string;
    let appImage = "";
    let legacyImage = "";
    const helmPath = "path" in helmFound ? helmFound.path : "";
    const kubectl = (args: string[], input?: string) =>
      node.kubectl(args, input === undefined ? {} : { input, timeoutMs: 120_000 });
    const helm = async (args: string[]) => {
      try {
        const { stdout } = await execFileAsync(helmPath, args, {
          env: {
            ...process.env,
            KUBECONFIG: node.kubeconfig,
            HOME: work,
            HELM_CONFIG_HOME: join(work, "helm-config"),
            HELM_DATA_HOME: join(work, "helm-data"),
            HELM_CACHE_HOME: join(work, "helm-cache"),
          },
          maxBuffer: 1 << 26,
          timeout: 300_000,
        });
        return stdout;
      } catch (error) {
        throw new Error(
          `helm ${args.join(" ")}: ${(error as { stderr?: string }).stderr ?? error}`,
        );
      }
    };
    const waitAvailable = (ns: string, name: string) =>
      eventually(
        `deployment ${ns}/${name} to be available`,
        async () => {
          const r = await kubectl([
            "-n",
            ns,
            "get",
            "deployment",
            name,
            "-o",
            "jsonpath={.status.availableReplicas}",
          ]);
          return Number(r.stdout || 0) >= 1 ? true : undefined;
        },
        240_000,
      );
    /** The Deployment's report once `test` holds for it. */
    const reportOf = (name: string, what: string, test: (r: Report) => boolean) =>
      eventually(
        what,
        async () => {
          const r = await kubectl([
            "-n",
            APP_NS,
            "get",
            "policyreports.wgpolicyk8s.io",
            `customs-deployment-${name}`,
            "-o",
            "json",
          ]);
          if (r.code !== 0) return undefined;
          const report = JSON.parse(r.stdout) as Report;
          return test(report) ? report : undefined;
        },
        180_000,
      );

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), "customs-reports-"));
      node = await startNodeCluster({ log: (line) => console.log(`[node] ${line}`) });
      images = await buildAndPushImages(
        { host: node.registry.host, caFile: node.registry.caFile },
        { log: (line) => console.log(`[images] ${line}`) },
      );
      appImage = await node.pushBinaryImage("team/app", "v1");
      legacyImage = await node.pushBinaryImage("legacy/app", "v1");
    }, 1_800_000);

    afterAll(async () => {
      await node?.stop();
    }, 180_000);

    it("installs the webhook with the audit, and the PolicyReport CRDs, from the chart", async () => {
      await helm([
        "install",
        "customs",
        CHART,
        "-n",
        NS,
        "--create-namespace",
        "--wait=false",
        "--set=webhook.replicas=1",
        "--set=webhook.auditIntervalMs=60000",
        "--set=webhook.auditQps=20",
        ...imageValues(images.customs),
      ]);
      await waitAvailable(NS, "customs-webhook");
      const crds = ok(await kubectl(["get", "crd", "-o", "name"]));
      expect(crds).toContain("policyreports.wgpolicyk8s.io");
      expect(crds).toContain("clusterpolicyreports.wgpolicyk8s.io");
    });

    it("a running Deployment that a new policy refuses fails in its namespace's PolicyReport", async () => {
      ok(await kubectl(["create", "namespace", APP_NS]));
      ok(
        await eventually("the legacy Deployment to be admitted", async () => {
          const r = await kubectl([
            "-n",
            APP_NS,
            "create",
            "deployment",
            "web",
            `--image=${legacyImage}`,
          ]);
          return r.code === 0 ? r : undefined;
        }),
      );
      await waitAvailable(APP_NS, "web");
      const [host, port] = node.registry.host.split(":") as [string, string];
      ok(
        await kubectl(
          ["apply", "-f", "-"],
          JSON.stringify({
            apiVersion: "customs.dev/v1alpha1",
            kind: "ImagePolicy",
            metadata: { name: "team-images-only" },
            spec: {
              namespace: APP_NS,
              recipe: "custom",
              input: { rules: [{ hostname: host, port, imageName: "team/*" }] },
            },
          }),
        ),
      );
      const report = await reportOf("web", "a failing result for the legacy Deployment", (r) =>
        r.results.some((x) => x.policy === "team-images-only" && x.result === "fail"),
      );
      expect(report.scope).toMatchObject({ kind: "Deployment", name: "web", namespace: APP_NS });
      expect(report.summary.fail).toBe(1);
      expect(report.results[0]).toMatchObject({
        source: "customs",
        severity: "high",
        rule: "IMAGE_NOT_ALLOWED",
      });
      // kubectl's short name works as for Kyverno's reports.
      expect(ok(await kubectl(["-n", APP_NS, "get", "polr"]))).toContain("customs-deployment-web");
    });

    it("fixed, the result turns to pass; deleted, the report goes", async () => {
      const container = ok(
        await kubectl([
          "-n",
          APP_NS,
          "get",
          "deployment",
          "web",
          "-o",
          "jsonpath={.spec.template.spec.containers[0].name}",
        ]),
      );
      ok(
        await kubectl(["-n", APP_NS, "set", "image", "deployment/web", `${container}=${appImage}`]),
      );
      const report = await reportOf("web", "a passing result after the fix", (r) =>
        r.results.some((x) => x.policy === "team-images-only" && x.result === "pass"),
      );
      expect(report.summary).toMatchObject({ pass: 1, fail: 0 });
      ok(await kubectl(["-n", APP_NS, "delete", "deployment", "web"]));
      await eventually(
        "the report of the deleted Deployment to go",
        async () => {
          const r = await kubectl([
            "-n",
            APP_NS,
            "get",
            "policyreports.wgpolicyk8s.io",
            "-o",
            "name",
          ]);
          return r.code === 0 && !r.stdout.includes("customs-deployment-web") ? true : undefined;
        },
        180_000,
      );
      expect(
        ok(await kubectl(["-n", APP_NS, "get", "policyreports.wgpolicyk8s.io", "-o", "name"])),
      ).not.toContain("customs-deployment-web");
    }, 400_000);
  },
);
