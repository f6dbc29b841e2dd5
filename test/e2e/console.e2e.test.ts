/**
 * The fleet story, end to end, as a platform engineer lives it in a browser: the control plane
 * (`customs serve control-plane`, SQLite, HTTPS), a real kube-apiserver (test/e2e/cluster.ts)
 * with namespace `tanzu`, and `customs agent` as that cluster's admission webhook. In Debian's
 * chromium the engineer signs in with the admin token, adds the cluster (the agent starts with
 * the token the console shows once), creates a workspace, attaches `tanzu`, and builds a Custom
 * policy with the wizard while its live preview shows busybox denied. Once the agent has the
 * policy, `kubectl create deployment busybox` is refused by the API server with the policy's
 * message, and the violation shows in Insights. Then the policy is edited in the browser to
 * allow busybox, and the same Deployment is admitted: a change made in the console reaches the
 * cluster. Every step leaves a screenshot in test-artifacts/browser/.
 */
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  browserSkipReason,
  launchBrowser,
  screenshot,
  startScreenshots,
  type TestBrowser,
} from "../support/browser.js";
import { type Cluster, eventually, kubeAvailability, startCluster } from "./cluster.js";
import { type Agent, type ControlPlane, startAgent, startControlPlane } from "./fleet.js";

const skipReason = kubeAvailability().skipReason ?? browserSkipReason();
if (skipReason !== undefined) console.warn(`skipping the console story: ${skipReason}`);

const CLUSTER = "tko-dev";
const WORKSPACE = "tko-day1-ops-ws";
const POLICY = "corp-registry-only";
const DENIED =
  `image "busybox" (docker.io/library/busybox:latest) is not allowed by policy "${POLICY}" ` +
  `(workspace ${WORKSPACE}, action deny)`;

describe.skipIf(skipReason !== undefined)(
  "the console story: a browser change reaches the cluster",
  () => {
    let cluster: Cluster;
    let controlPlane: ControlPlane;
    let agent: Agent | undefined;
    let browser: TestBrowser;
    let page: Page;
    let agentToken = "";

    /** What the processes printed, for a failure that needs explaining. */
    const logs = () =>
      `--- control plane:\n${controlPlane?.output().slice(-3000)}\n--- agent:\n${agent?.output().slice(-3000) ?? "(not started)"}`;

    const nav = async (name: string) => {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
      await page.getByRole("heading", { level: 1, name }).waitFor();
    };

    /** The Clusters table's row of our cluster. */
    const clusterRow = (): Locator =>
      page
        .getByRole("row")
        .filter({ has: page.getByRole("button", { name: CLUSTER, exact: true }) });

    /** The cluster's applied revision once it equals the delivered one, from the API. */
    const settledRevision = async (): Promise<string | undefined> => {
      const r = await controlPlane.api("GET", `/api/v1/organizations/default/clusters/${CLUSTER}`);
      const status = r.json?.status ?? {};
      return status.appliedRevision !== undefined &&
        status.appliedRevision === status.deliveredRevision
        ? String(status.appliedRevision)
        : undefined;
    };

    /** Waits until the agent has applied a bundle newer than `before`; shows it in the console. */
    const waitForApplied = async (before: string | undefined, shot: string) => {
      const applied = await eventually(
        "the agent to apply the new bundle",
        async () => {
          const now = await settledRevision();
          return now !== undefined && now !== before ? now : undefined;
        },
        60_000,
      );
      await nav("Clusters");
      // The page refreshes every 5 s; the row shows "applied / delivered".
      await clusterRow()
        .filter({ hasText: `${applied} / ${applied}` })
        .waitFor({ timeout: 20_000 });
      await screenshot(page, shot);
      return applied;
    };

    const kubectlCreateBusybox = () =>
      cluster.kubectl(["create", "deployment", "busybox", "--image=busybox", "-n", "tanzu"]);

    beforeAll(async () => {
      [cluster, controlPlane] = await Promise.all([startCluster(), startControlPlane()]);
      const ns = await cluster.kubectl(["create", "namespace", "tanzu"]);
      if (ns.code !== 0) throw new Error(ns.stderr);
      startScreenshots("console-story");
      browser = await launchBrowser({ trustCertificatePem: controlPlane.certPem });
      page = await browser.newPage();
      page.setDefaultTimeout(30_000);
    });

    // The page as it was when a step failed says more than the locator that timed out.
    beforeEach((context) => {
      context.onTestFailed(async () => {
        if (page !== undefined) await screenshot(page, `failed-${context.task.name.slice(0, 40)}`);
      });
    });

    afterAll(async () => {
      await browser?.close();
      await agent?.stop();
      await controlPlane?.stop();
      await cluster?.stop();
    });

    it("signs in with the admin token", async () => {
      await page.goto(`${controlPlane.url}/`);
      await page.getByRole("heading", { name: "Customs" }).waitFor();
      await screenshot(page, "sign-in");
      await page.getByLabel("API token").fill(controlPlane.adminToken);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { level: 1, name: "Policies" }).waitFor();
      await screenshot(page, "signed-in-policies");
      // Signed in as the admin token: its role in the top bar, and the way out.
      expect(await page.locator(".whoami .role").textContent()).toBe("admin");
      expect(await page.getByRole("button", { name: "Log out" }).isVisible()).toBe(true);
    });

    it("adds the cluster and reads its agent token, shown once", async () => {
      await nav("Clusters");
      await page.getByRole("button", { name: "Add cluster" }).click();
      const dialog = page.getByRole("dialog", { name: "Add cluster" });
      await dialog.getByLabel("Cluster name").fill(CLUSTER);
      await dialog.getByLabel("Description").fill("development cluster of team tko");
      await screenshot(page, "add-cluster");
      await dialog.getByRole("button", { name: "Add cluster" }).click();
      const added = page.getByRole("dialog", { name: `Cluster ${CLUSTER} added` });
      agentToken = await added.getByLabel("Agent token").inputValue();
      expect(agentToken).toMatch(/^cst_/);
      await screenshot(page, "cluster-added-agent-token");
      await added.getByRole("button", { name: "Done" }).click();
      await clusterRow().filter({ hasText: "pending" }).waitFor();
    });

    it("the agent started with that token connects, and the console shows it", async () => {
      agent = await startAgent({ controlPlane, token: agentToken, cluster });
      await agent.registerWebhook();
      await clusterRow().filter({ hasText: "connected" }).waitFor({ timeout: 30_000 });
      await clusterRow().getByRole("button", { name: CLUSTER, exact: true }).click();
      await page.getByRole("cell", { name: "tanzu", exact: true }).waitFor();
      await screenshot(page, "cluster-connected-namespaces");
      // What the console showed is what the control plane knows.
      const c = await controlPlane.api("GET", `/api/v1/organizations/default/clusters/${CLUSTER}`);
      expect(c.json?.status?.phase, logs()).toBe("connected");
      const ns = await controlPlane.api(
        "GET",
        `/api/v1/organizations/default/clusters/${CLUSTER}/namespaces`,
      );
      expect(ns.json?.items?.map((n: { name: string }) => n.name)).toContain("tanzu");
    });

    it("creates a workspace and attaches namespace tanzu of the cluster", async () => {
      await nav("Workspaces");
      await page.getByRole("button", { name: "Create workspace" }).click();
      const dialog = page.getByRole("dialog", { name: "Create workspace" });
      await dialog.getByLabel("Name").fill(WORKSPACE);
      await screenshot(page, "create-workspace");
      await dialog.getByRole("button", { name: "Create" }).click();
      await page.getByRole("heading", { level: 1, name: `Workspace ${WORKSPACE}` }).waitFor();

      await page.getByRole("button", { name: "Attach namespace" }).click();
      const attach = page.getByRole("dialog", { name: "Attach namespace" });
      await attach.getByLabel("Cluster").fill(CLUSTER);
      await attach.getByLabel("Namespace").fill("tanzu");
      // The hint turns to the namespace's labels once the console knows the agent reported it.
      await attach.getByText(/^Labels: /).waitFor();
      await screenshot(page, "attach-namespace");
      await attach.getByRole("button", { name: "Attach" }).click();
      const row = page.getByRole("row").filter({ hasText: CLUSTER }).filter({ hasText: "tanzu" });
      await row.filter({ hasText: "yes" }).waitFor();
      await screenshot(page, "workspace-with-namespace");
      const attached = await controlPlane.api(
        "GET",
        `/api/v1/organizations/default/workspaces/${WORKSPACE}/namespaces`,
      );
      expect(attached.json?.items).toEqual([
        expect.objectContaining({ cluster: CLUSTER, namespace: "tanzu", reported: true }),
      ]);
    });

    it("creates the Custom policy with the wizard; the live preview shows busybox denied", async () => {
      const before = await eventually("the attachment delivered", settledRevision);
      await nav("Policies");
      await page.getByRole("link", { name: "Create policy" }).click();
      await page.getByRole("heading", { level: 1, name: "Create policy" }).waitFor();
      await page.getByLabel("Policy name").fill(POLICY);
      await page.getByRole("radio", { name: "Workspace" }).check();
      await page.getByRole("combobox", { name: "Workspace", exact: true }).selectOption(WORKSPACE);
      await page.getByLabel("Template").selectOption("custom");
      await page.getByLabel("Hostname (rule 1)").fill("registry.mycorp.local");
      await page.getByRole("radio", { name: /^Deny/ }).check();
      const busybox = page
        .getByRole("list", { name: "Preview results" })
        .getByRole("listitem")
        .filter({ has: page.getByText("busybox", { exact: true }) });
      await busybox.filter({ hasText: "denied" }).waitFor();
      await screenshot(page, "policy-wizard-preview-busybox-denied");
      await page.getByRole("button", { name: "Create policy" }).click();
      await page.getByRole("heading", { level: 1, name: "Policies" }).waitFor();
      await page.getByRole("link", { name: POLICY, exact: true }).waitFor();
      await screenshot(page, "policy-created");
      const created = await controlPlane.api(
        "GET",
        `/api/v1/organizations/default/policies/${POLICY}`,
      );
      expect(created.json?.spec).toMatchObject({
        workspace: WORKSPACE,
        recipe: "custom",
        action: "deny",
        input: { rules: [{ hostname: "registry.mycorp.local" }] },
      });
      expect(await waitForApplied(before, "cluster-applied-policy")).not.toBe(before);
    });

    it("the Policies tree shows the policy at its workspace and inherited by namespace tanzu", async () => {
      await nav("Policies");
      await page.getByRole("radio", { name: "Workspaces" }).check();
      // The Workspaces view starts at the first workspace.
      const tree = page.getByRole("tree", { name: "Organization and workspaces" });
      const ws = tree.getByRole("treeitem", { name: `Workspace ${WORKSPACE}` });
      expect(await ws.getAttribute("aria-selected")).toBe("true");
      await tree.getByRole("treeitem", { name: `Namespace ${CLUSTER}/tanzu` }).click();
      await page
        .getByRole("table", { name: `Policies inherited from Workspace ${WORKSPACE}` })
        .getByRole("link", { name: POLICY, exact: true })
        .waitFor();
      await screenshot(page, "policies-namespace-inherited");
      await page.getByRole("radio", { name: "Organization" }).check();
      await page.getByRole("heading", { name: "All policies" }).waitFor();
      await screenshot(page, "policies-organization-view");
    });

    it("kubectl create deployment busybox is refused by the API server with the policy's message", async () => {
      // The API server loads webhook configurations asynchronously: wait until it calls ours,
      // with a server-side dry run of another workload and image (so that Insights below
      // holds exactly one busybox violation).
      await eventually("the webhook to deny", async () => {
        const probe = await cluster.kubectl([
          ...["create", "deployment", "webhook-probe", "--image=nginx:1.25"],
          ...["-n", "tanzu", "--dry-run=server"],
        ]);
        return probe.code !== 0 ? true : undefined;
      });
      const r = await kubectlCreateBusybox();
      expect(r.code, logs()).not.toBe(0);
      expect(r.stderr).toContain('admission webhook "validate.customs.dev" denied the request');
      expect(r.stderr).toContain(DENIED);
      expect(r.stderr).toContain("allowed: hostname registry.mycorp.local");
    });

    it("the violation appears in Insights by cluster, namespace, policy and image", async () => {
      await nav("Insights");
      const counts = page.getByRole("table", { name: /^Violations by/ });
      const groupBy = page.getByLabel("Group by");
      for (const [key, text] of [
        ["cluster", CLUSTER],
        ["namespace", "tanzu"],
        ["policy", POLICY],
        ["image", "busybox"],
      ] as const) {
        await groupBy.selectOption(key);
        await counts
          .getByRole("cell", { name: new RegExp(text) })
          .first()
          .waitFor({ timeout: 30_000 });
        await screenshot(page, `insights-by-${key}`);
      }
      // One refused Deployment, one violation: image, total, deny.
      await counts
        .getByRole("row")
        .filter({ has: page.getByRole("cell", { name: "busybox", exact: true }) })
        .filter({ hasText: /^\s*busybox\s*1\s*1\s*0\s*0/ })
        .waitFor();
      const recent = page.getByRole("table", { name: "Recent violations, newest first" });
      await recent
        .getByRole("row")
        .filter({ hasText: `${CLUSTER}/tanzu` })
        .filter({ hasText: POLICY })
        .filter({ hasText: "Deployment/busybox" })
        .first()
        .waitFor();
      await screenshot(page, "insights-recent-violations");
      const records = await controlPlane.api(
        "GET",
        `/api/v1/organizations/default/insights/violations?policy=${POLICY}`,
      );
      // The webhook probe's dry run above is recorded too; it was for another image.
      const busybox = records.json?.items?.filter((r: { image: string }) => r.image === "busybox");
      expect(busybox).toEqual([
        expect.objectContaining({
          cluster: CLUSTER,
          namespace: "tanzu",
          kind: "Deployment",
          name: "busybox",
          image: "busybox",
          action: "deny",
        }),
      ]);
    });

    it("allowing busybox in the console admits the same Deployment", async () => {
      const before = await settledRevision();
      await nav("Policies");
      await page.getByRole("link", { name: `Edit ${POLICY}` }).click();
      await page.getByRole("heading", { level: 1, name: `Edit policy ${POLICY}` }).waitFor();
      await page.getByRole("button", { name: "Add another rule" }).click();
      await page.getByLabel("Hostname (rule 2)").fill("docker.io");
      await page.getByLabel("Image name (rule 2)").fill("library/busybox");
      const busybox = page
        .getByRole("list", { name: "Preview results" })
        .getByRole("listitem")
        .filter({ has: page.getByText("busybox", { exact: true }) });
      await busybox.filter({ hasText: "allowed" }).waitFor();
      await screenshot(page, "policy-edit-preview-busybox-allowed");
      await page.getByRole("button", { name: "Save policy" }).click();
      await page.getByRole("heading", { level: 1, name: "Policies" }).waitFor();
      await waitForApplied(before, "cluster-applied-edited-policy");

      const r = await kubectlCreateBusybox();
      expect(r.code, `${r.stderr}\n${logs()}`).toBe(0);
      const got = await cluster.kubectl([
        "get",
        "deployment",
        "busybox",
        "-n",
        "tanzu",
        "-o",
        "name",
      ]);
      expect(got.stdout.trim()).toBe("deployment.apps/busybox");
    });
  },
);
