/**
 * Compliance you can see and changes you can foresee, on the real node of node.ts
 * (docs/audit.md, docs/impact.md, docs/console.md): a Deployment runs in namespace `tanzu`
 * with an image from the tests' registry. The cluster's agent (`customs agent
 * --audit-interval`) audits it and reports the cluster's inventory to the control plane.
 * In Chromium, the platform engineer drafts a policy that allows only `team/*` images; before
 * saving it, the wizard's impact panel names the running Deployment it would deny. Once saved
 * and applied, the Deployment is a failing result in its namespace's PolicyReport and a
 * failing workload in the console's Insights. After the Deployment is moved to an allowed
 * image (its new Pods run), both turn to pass. Screenshots in test-artifacts/browser/compliance.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  browserSkipReason,
  launchBrowser,
  screenshot,
  startScreenshots,
  type TestBrowser,
} from "../support/browser.js";
import { ROOT } from "../support/cli.js";
import { eventually, type KubectlResult } from "./cluster.js";
import { type Agent, type ControlPlane, startAgent, startControlPlane } from "./fleet.js";
import { type NodeCluster, nodeSkipReason, startNodeCluster } from "./node.js";

const skip = nodeSkipReason() ?? browserSkipReason();
if (skip !== undefined) console.warn(`[compliance e2e] skipped: ${skip}`);

const ORG = "/api/v1/organizations/default";
const CLUSTER = "tko-prod";
const WORKSPACE = "shop-team";
const POLICY = "team-images-only";
const NS = "tanzu";
const REPORT = "customs-deployment-shop";

function ok(r: KubectlResult, what = "kubectl"): string {
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

interface ReportResult {
  policy: string;
  result: string;
  message?: string;
  properties?: Record<string, string>;
}

describe.skipIf(skip !== undefined)(
  "compliance on a real node: impact before saving, PolicyReports and Insights after",
  () => {
    let node: NodeCluster;
    let cp: ControlPlane;
    let agent: Agent | undefined;
    let browser: TestBrowser;
    let page: Page;
    /** HOST/REPO@digest of an image the policy allows, and of one it refuses. */
    let teamImage = "";
    let legacyImage = "";
    let registryHost = "";
    let registryPort = "";

    const logs = () =>
      `--- control plane:\n${cp?.output().slice(-3000)}\n--- agent:\n${agent?.output().slice(-4000) ?? "(not started)"}`;

    const kubectl = (args: string[], input?: string) =>
      node.kubectl(args, input === undefined ? {} : { input });

    /** The results of the Deployment's PolicyReport for our policy, once there is one. */
    const reportResult = async (): Promise<ReportResult | undefined> => {
      const r = await kubectl(["get", "policyreports", REPORT, "-n", NS, "-o", "json"]);
      if (r.code !== 0) return undefined;
      const report = JSON.parse(r.stdout) as { results?: ReportResult[] };
      return report.results?.find((x) => x.policy === POLICY);
    };

    const settledRevision = async (): Promise<number | undefined> => {
      const r = await cp.api("GET", `${ORG}/clusters/${CLUSTER}`);
      const status = r.json?.status ?? {};
      return status.appliedRevision !== undefined &&
        status.appliedRevision === status.deliveredRevision
        ? Number(status.appliedRevision)
        : undefined;
    };

    const openInsights = async () => {
      await page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Insights" })
        .click();
      await page.getByRole("heading", { level: 1, name: "Insights" }).waitFor();
    };

    /** Reloads Insights until `check` holds for the page (the console refreshes on a timer). */
    const insightsUntil = async (what: string, check: () => Promise<boolean>) =>
      eventually(
        what,
        async () => {
          await page.reload();
          await page.getByTestId("compliance-total").waitFor();
          return (await check()) ? true : undefined;
        },
        90_000,
      );

    beforeAll(async () => {
      [node, cp] = await Promise.all([
        startNodeCluster({ log: (l) => console.log(`[node] ${l}`) }),
        startControlPlane(),
      ]);
      [registryHost, registryPort] = node.registry.host.split(":") as [string, string];
      teamImage = await node.pushBinaryImage("team/app", "v1");
      legacyImage = await node.pushBinaryImage("legacy/app", "v1");
      ok(await kubectl(["create", "namespace", NS]));
      // The chart installs the PolicyReport CRDs (its crds/ folder); this cluster gets the same.
      for (const crd of ["policyreports", "clusterpolicyreports"])
        ok(
          await kubectl(
            ["apply", "-f", "-"],
            readFileSync(join(ROOT, `deploy/helm/customs/crds/${crd}.wgpolicyk8s.io.yaml`), "utf8"),
          ),
          `the ${crd} CRD`,
        );
      // Running before any policy exists: what the new policy would break.
      ok(await kubectl([...["create", "deployment", "shop", `--image=${legacyImage}`, "-n", NS]]));
      await eventually(
        "the shop Pod to run",
        async () => {
          const { stdout } = await kubectl([
            ...["get", "pods", "-n", NS, "-l", "app=shop"],
            ...["-o", "jsonpath={.items[*].status.phase}"],
          ]);
          return stdout === "Running" ? true : undefined;
        },
        120_000,
      );

      const added = await cp.api("POST", `${ORG}/clusters`, { metadata: { name: CLUSTER } });
      expect(added.status, added.text).toBe(201);
      agent = await startAgent({
        controlPlane: cp,
        token: added.json.agentToken,
        cluster: node,
        extraArgs: ["--audit-interval", "5000", "--audit-qps", "50"],
      });
      await agent.registerWebhook();
      const ws = await cp.api("POST", `${ORG}/workspaces`, { metadata: { name: WORKSPACE } });
      expect(ws.status, ws.text).toBe(201);
      await eventually("namespace tanzu reported by the agent", async () => {
        const r = await cp.api("GET", `${ORG}/clusters/${CLUSTER}/namespaces`);
        return r.json?.items?.some((n: { name: string }) => n.name === NS) ? true : undefined;
      });
      const attached = await cp.api(
        "PUT",
        `${ORG}/workspaces/${WORKSPACE}/namespaces/${CLUSTER}/${NS}`,
        {},
      );
      expect(attached.status, attached.text).toBeLessThan(300);
      // The inventory reached the control plane: the running Deployment is known there.
      await eventually(
        "the agent's inventory to list the running Deployment",
        async () => {
          const r = await cp.api("GET", `${ORG}/compliance?groupBy=workload`);
          return r.json?.total?.workloads >= 1 ? true : undefined;
        },
        90_000,
      );

      startScreenshots("compliance");
      browser = await launchBrowser({ trustCertificatePem: cp.certPem });
      page = await browser.newPage();
      page.setDefaultTimeout(30_000);
      await page.goto(`${cp.url}/`);
      await page.getByLabel("API token").fill(cp.adminToken);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { level: 1, name: "Policies" }).waitFor();
    }, 900_000);

    beforeEach((context) => {
      context.onTestFailed(async () => {
        if (page !== undefined) await screenshot(page, `failed-${context.task.name.slice(0, 40)}`);
      });
    });

    afterAll(async () => {
      await browser?.close();
      await agent?.stop();
      await cp?.stop();
      await node?.stop();
    }, 180_000);

    it("before the policy is saved, the wizard shows the running Deployment it would deny", async () => {
      const before = await eventually("the attachment delivered", settledRevision);
      await page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Policies" })
        .click();
      await page.getByRole("link", { name: "Create policy" }).click();
      await page.getByRole("heading", { level: 1, name: "Create policy" }).waitFor();
      await page.getByLabel("Policy name").fill(POLICY);
      await page.getByRole("radio", { name: "Workspace" }).check();
      await page.getByRole("combobox", { name: "Workspace", exact: true }).selectOption(WORKSPACE);
      await page.getByLabel("Template").selectOption("custom");
      await page.getByLabel("Hostname (rule 1)").fill(registryHost);
      await page.getByLabel("Port (rule 1)").fill(registryPort);
      await page.getByLabel("Image name (rule 1)").fill("team/*");
      await page.getByRole("radio", { name: /^Deny/ }).check();

      const panel = page.getByRole("region", { name: "Impact on running workloads" });
      await panel.getByText("Would deny 1 workload in 1 cluster").waitFor({ timeout: 60_000 });
      const denied = panel.getByRole("list", { name: "Running workloads: would deny" });
      expect(await denied.textContent()).toContain(`${CLUSTER} / ${NS}`);
      expect(await denied.getByText("Deployment/shop").count()).toBe(1);
      expect(await denied.textContent()).toContain("legacy/app");
      await screenshot(page, "wizard-impact-would-deny-shop");
      // Nothing is enforced yet: the Deployment's PolicyReport has no result for this policy.
      expect(await reportResult()).toBeUndefined();

      await page.getByRole("button", { name: "Create policy" }).click();
      await page.getByRole("heading", { level: 1, name: "Policies" }).waitFor();
      await eventually(
        "the agent to apply the policy",
        async () => {
          const now = await settledRevision();
          return now !== undefined && now !== before ? true : undefined;
        },
        60_000,
      );
    }, 240_000);

    it("the running Deployment becomes a failing result in its namespace's PolicyReport", async () => {
      const result = await eventually(
        "a failing PolicyReport result",
        async () => {
          const r = await reportResult();
          return r?.result === "fail" ? r : undefined;
        },
        90_000,
      ).catch((e: unknown) => {
        throw new Error(`${(e as Error).message}\n${logs()}`);
      });
      expect(result.message).toContain("legacy/app");
      expect(result.properties?.image).toContain("legacy/app");
      const listed = ok(await kubectl(["get", "policyreports", "-n", NS]));
      expect(listed).toContain(REPORT);
    }, 120_000);

    it("and as current non-compliance in the console's Insights", async () => {
      await openInsights();
      const row = page.locator(`[data-workload="${CLUSTER}/${NS}/Deployment/shop"]`);
      await insightsUntil("Insights to list the failing Deployment", async () => {
        return (await row.count()) > 0;
      });
      expect(await row.first().textContent()).toContain(POLICY);
      expect(await page.getByTestId("compliance-total").textContent()).toMatch(/1 failing/);
      await screenshot(page, "insights-shop-failing");
    }, 150_000);

    it("fixed with an allowed image (its Pods run), both turn to pass", async () => {
      ok(await kubectl(["set", "image", "deployment/shop", `*=${teamImage}`, "-n", NS]));
      await eventually(
        "the fixed Deployment's Pods to run",
        async () => {
          const { stdout } = await kubectl([
            ...["get", "pods", "-n", NS, "-l", "app=shop"],
            ...[
              "-o",
              'jsonpath={range .items[*]}{.spec.containers[0].image} {.status.phase}{"\\n"}{end}',
            ],
          ]);
          const lines = stdout.trim().split("\n");
          return lines.length > 0 && lines.every((l) => l === `${teamImage} Running`)
            ? true
            : undefined;
        },
        120_000,
      );
      const passed = await eventually(
        "the PolicyReport result to turn to pass",
        async () => {
          const r = await reportResult();
          return r?.result === "pass" ? r : undefined;
        },
        90_000,
      );
      expect(passed.policy).toBe(POLICY);

      await insightsUntil("Insights to show no failing workload", async () => {
        const text = (await page.getByTestId("compliance-total").textContent()) ?? "";
        return text.includes("100") && text.includes("0 failing");
      });
      expect(await page.getByText("No running workload fails a policy.").count()).toBe(1);
      await screenshot(page, "insights-all-compliant");
    }, 300_000);
  },
);
