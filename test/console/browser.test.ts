import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/adapters/store/index.js";
import { bootstrap } from "../../src/app/fleet/bootstrap.js";
import type { FleetStore } from "../../src/core/fleet/store.js";
import {
  type ControlPlaneServer,
  startControlPlane,
} from "../../src/server/control-plane/server.js";
import { ROOT } from "../support/cli.js";

const CHROMIUM = "/usr/bin/chromium";
const CONSOLE = join(ROOT, "dist/console");
const missing = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is missing (apt-get install chromium)`
  : !existsSync(join(CONSOLE, "index.html"))
    ? "dist/console is not built (npm run build)"
    : undefined;
if (missing !== undefined) console.log(`skipped: the console in a browser: ${missing}`);

/**
 * The console in a real browser against a real control plane (SQLite in a temporary folder):
 * the wizard's live preview, saving, the conflict path and the dialogs' keyboard behaviour.
 */
describe.skipIf(missing !== undefined)("the console in a browser", () => {
  let dir: string;
  let store: FleetStore;
  let server: ControlPlaneServer;
  let browser: Browser;
  let token: string;

  const api = async (method: string, path: string, body?: unknown, headers = {}) => {
    const r = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // JSON answers, read field by field in the tests.
    const json = (await r.json().catch(() => null)) as Record<string, unknown> | null;
    return { status: r.status, etag: r.headers.get("etag"), body: json ?? {} };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "customs-console-"));
    store = await openStore(`sqlite:${join(dir, "cp.db")}`);
    token = (await bootstrap(store)) ?? "";
    server = await startControlPlane({
      store,
      host: "127.0.0.1",
      port: 0,
      tls: undefined,
      consoleDir: CONSOLE,
      agentInstall: {
        externalUrl: "https://customs.example.com:8643",
        caPem: "-----BEGIN CERTIFICATE-----\nTEST-CA\n-----END CERTIFICATE-----\n",
        image: "ghcr.io/customs-dev/customs:0.1.0",
        defaultImage: "ghcr.io/customs-dev/customs:0.1.0",
      },
    });
    const cluster = await api("POST", "/organizations/default/clusters", {
      metadata: { name: "prod-1" },
      spec: {},
    });
    const agent = { authorization: `Bearer ${String(cluster.body.agentToken)}` };
    await api("POST", "/agent/register", { agentVersion: "test" }, agent);
    await api(
      "PUT",
      "/agent/namespaces",
      {
        namespaces: [
          { name: "team-a", labels: { env: "prod" } },
          { name: "sandbox", labels: { env: "sandbox" } },
        ],
      },
      agent,
    );
    await api("POST", "/organizations/default/workspaces", {
      metadata: { name: "team-a-ws" },
      spec: {},
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close(100);
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function signIn(hash = ""): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`${server.url}/${hash}`);
    await page.getByLabel("API token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    return page;
  }

  it("builds a policy with the wizard, previews it live and saves it", async () => {
    const page = await signIn("#/policies/new");
    await page.getByLabel("Policy name").fill("corp-registry-only");
    await page.getByRole("radio", { name: "Workspace" }).check();
    await page.getByRole("combobox", { name: "Workspace", exact: true }).selectOption("team-a-ws");
    await page.getByLabel("Template").selectOption({ label: "Custom" });
    await page.getByLabel("Hostname (rule 1)").fill("registry.mycorp.local");
    await page.getByRole("button", { name: "Add exclude label" }).click();
    await page.getByLabel("Label key (exclude 1)").fill("env");
    await page.getByLabel("Label value (exclude 1)").fill("sandbox");
    const results = page.getByRole("list", { name: "Preview results" });
    const busybox = results.getByRole("listitem").filter({ hasText: /^denied\s*busybox/ });
    await expect.poll(() => busybox.count(), { timeout: 10_000 }).toBe(1);
    expect(await busybox.textContent()).toContain("not allowed by policy");
    const mycorp = results
      .getByRole("listitem")
      .filter({ hasText: "registry.mycorp.local/team/api" });
    expect(await mycorp.textContent()).toMatch(/^allowed/);
    expect(await page.getByLabel("Policy document as YAML").inputValue()).toContain(
      "operator: NotIn",
    );

    // The exclude row leaves the sandbox namespace out: the preview says so there.
    await page.getByLabel("Preview in namespace").selectOption("prod-1/sandbox");
    await page.getByText(/does not apply to namespace sandbox/).waitFor();
    expect(await busybox.count()).toBe(0);

    await page.getByRole("button", { name: "Create policy" }).click();
    await page.getByRole("link", { name: "corp-registry-only", exact: true }).waitFor();
    const saved = await api("GET", "/organizations/default/policies/corp-registry-only");
    expect(saved.body.spec).toEqual({
      workspace: "team-a-ws",
      namespaceSelector: {
        matchExpressions: [{ key: "env", operator: "NotIn", values: ["sandbox"] }],
      },
      action: "deny",
      recipe: "custom",
      input: { rules: [{ hostname: "registry.mycorp.local" }] },
    });
    await page.close();
  });

  it("extends an organization allowlist for a workspace, showing the merged allowlist", async () => {
    const parent = await api("POST", "/organizations/default/policies", {
      apiVersion: "customs.dev/v1alpha1",
      kind: "ImagePolicy",
      metadata: { name: "corp-extensible" },
      spec: {
        recipe: "custom",
        extensible: true,
        input: { rules: [{ hostname: "registry.corp.example" }] },
      },
    });
    expect(parent.status).toBe(201);
    const page = await signIn("#/policies/new");
    await page.getByLabel("Policy name").fill("team-a-extra");
    await page
      .getByLabel("Add to an organization or workspace allowlist")
      .selectOption({ label: "corp-extensible (Organization, custom)" });
    await page.getByRole("radio", { name: "Workspace" }).check();
    await page.getByRole("combobox", { name: "Workspace", exact: true }).selectOption("team-a-ws");
    await page.getByLabel("Hostname (rule 1)").fill("ghcr.io");
    const merged = page.locator(".merged-allowlist");
    await expect
      .poll(() => merged.textContent(), { timeout: 10_000 })
      .toContain("hostname ghcr.io (rule 1 of team-a-extra)");
    expect(await merged.textContent()).toContain(
      "hostname registry.corp.example (rule 1 of corp-extensible)",
    );
    expect(await page.getByLabel("Template").isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Create policy" }).click();
    await page.getByRole("link", { name: "team-a-extra", exact: true }).waitFor();
    await page.getByText("extends corp-extensible").first().waitFor();
    const saved = await api("GET", "/organizations/default/policies/team-a-extra");
    expect(saved.body.spec).toEqual({
      workspace: "team-a-ws",
      extends: "corp-extensible",
      input: { rules: [{ hostname: "ghcr.io" }] },
    });
    await page.close();
  });

  it("ties field errors to their inputs and does not save", async () => {
    const page = await signIn("#/policies/new");
    await page.getByLabel("Policy name").fill("bad-port");
    await page.getByLabel("Hostname (rule 1)").fill("registry.mycorp.local");
    await page.getByLabel("Port (rule 1)").fill("50a");
    const port = page.getByLabel("Port (rule 1)");
    expect(await port.getAttribute("aria-invalid")).toBe("true");
    const described = (await port.getAttribute("aria-describedby")) ?? "";
    expect(await page.locator(`[id="${described}"]`).textContent()).toContain("port");
    await page.getByRole("button", { name: "Create policy" }).click();
    await page.getByText("Fix the 1 marked field(s) before saving.").waitFor();
    expect((await api("GET", "/organizations/default/policies/bad-port")).status).toBe(404);
    await page.close();
  });

  it("says when someone else changed the policy, and reloads it", async () => {
    const created = await api("POST", "/organizations/default/policies", {
      apiVersion: "customs.dev/v1alpha1",
      kind: "ImagePolicy",
      metadata: { name: "no-latest" },
      spec: { recipe: "block-latest-tag", action: "deny" },
    });
    expect(created.status).toBe(201);
    const page = await signIn("#/policies/no-latest/edit");
    await page.getByRole("radio", { name: "Warn" }).check();
    const current = await api("GET", "/organizations/default/policies/no-latest");
    const other = await api(
      "PUT",
      "/organizations/default/policies/no-latest",
      {
        apiVersion: "customs.dev/v1alpha1",
        kind: "ImagePolicy",
        metadata: { name: "no-latest" },
        spec: { recipe: "block-latest-tag", action: "audit" },
      },
      { "if-match": current.etag ?? "" },
    );
    expect(other.status).toBe(200);
    await page.getByRole("button", { name: "Save policy" }).click();
    await page.getByRole("alert").filter({ hasText: "changed by someone else" }).waitFor();
    await page.getByRole("button", { name: "Reload" }).click();
    await expect.poll(() => page.getByRole("radio", { name: "Audit" }).isChecked()).toBe(true);
    await page.close();
  });

  it("shows direct and inherited policies per node, presets the scope, and shows lint warnings", async () => {
    const ws = "/organizations/default/workspaces/team-a-ws";
    expect((await api("PUT", `${ws}/namespaces/prod-1/team-a`, {})).status).toBeLessThan(300);
    const doc = { apiVersion: "customs.dev/v1alpha1", kind: "ImagePolicy" };
    const org = { ...doc, metadata: { name: "org-digest" }, spec: { recipe: "require-digest" } };
    expect((await api("POST", "/organizations/default/policies", org)).status).toBe(201);
    const page = await signIn("#/policies");
    const tab = page.getByRole("tablist").getByRole("tab", { name: "Image Registry" });
    expect(await tab.getAttribute("aria-selected")).toBe("true");
    expect(await page.getByRole("radio", { name: "Organization" }).isChecked()).toBe(true);
    const orgTable = page.getByRole("table", { name: "Policies assigned to Organization default" });
    await orgTable.getByRole("link", { name: "org-digest", exact: true }).waitFor();

    await page.getByRole("radio", { name: "Workspaces" }).check();
    const tree = page.getByRole("tree", { name: "Organization and workspaces" });
    // On its own line: the middle of a workspace's item is one of its namespaces.
    const wsItem = tree.getByRole("treeitem", { name: "Workspace team-a-ws" });
    await wsItem.click({ position: { x: 40, y: 10 } });
    expect(await wsItem.getAttribute("aria-selected")).toBe("true");
    const direct = page.getByRole("table", { name: "Policies assigned to Workspace team-a-ws" });
    await direct.getByRole("link", { name: "corp-registry-only", exact: true }).waitFor();
    await page.keyboard.press("ArrowRight");
    const ns = tree.getByRole("treeitem", { name: "Namespace prod-1/team-a" });
    expect(await ns.getAttribute("aria-selected")).toBe("true");
    expect(await focused(page, "textContent")).toBe("prod-1/team-a");
    for (const [from, name] of [
      ["Organization default", "org-digest"],
      ["Workspace team-a-ws", "corp-registry-only"],
    ]) {
      const table = page.getByRole("table", { name: `Policies inherited from ${from}` });
      await table.getByRole("link", { name, exact: true }).waitFor();
    }
    expect(page.url()).toContain("#/policies?workspace=team-a-ws&cluster=prod-1&namespace=team-a");

    await page
      .getByRole("link", { name: /^Create Image Registry Policy for Namespace prod-1/ })
      .click();
    await page.getByRole("heading", { level: 1, name: "Create policy" }).waitFor();
    expect(await page.getByRole("radio", { name: "Namespace" }).isChecked()).toBe(true);
    expect(await page.getByLabel("Cluster", { exact: true }).inputValue()).toBe("prod-1");
    const nsField = page.getByLabel("Namespace", { exact: true }).and(page.locator("[type=text]"));
    expect(await nsField.inputValue()).toBe("team-a");
    await page.getByLabel("Policy name").fill("hub-short");
    await page.getByLabel("Template").selectOption({ label: "Name-Tag allowlist" });
    await page.getByLabel("Image name (rule 1)").fill("busybox");
    await page.getByRole("button", { name: "Create policy" }).click();
    await page.getByText("Policy hub-short created with 1 lint warning:").waitFor();
    const warnings = page.getByRole("list", { name: "Lint warnings" });
    expect(await warnings.textContent()).toContain("library/busybox");
    await page.getByRole("link", { name: "Edit hub-short" }).waitFor();
    await page.screenshot({
      path: join(ROOT, "test-artifacts/browser/console-policies-saved-warnings.png"),
    });
    await page.close();
  });

  it("the Audit log shows a new change on its own, keeping what was expanded", async () => {
    const page = await signIn("#/audit");
    const first = page.getByRole("button", { name: /^Show changes/ }).first();
    await first.click();
    const probe = { metadata: { name: "audit-probe" }, spec: {} };
    expect((await api("POST", "/organizations/default/workspaces", probe)).status).toBe(201);
    await page.getByRole("cell", { name: "audit-probe", exact: true }).waitFor({ timeout: 15_000 });
    expect(await page.getByRole("button", { name: /^Hide changes/ }).count()).toBe(1);
    await page.close();
  });

  /** The focused element, described in the page (where `document` exists). */
  const focused = (page: Page, what: "tagName" | "textContent") =>
    page.evaluate((w) => {
      const e = (globalThis as unknown as { document: { activeElement: Record<string, unknown> } })
        .document.activeElement;
      return e?.[w];
    }, what);

  it("dialogs close on Escape and give focus back", async () => {
    const page = await signIn("#/workspaces");
    const opener = page.getByRole("button", { name: "Create workspace" });
    await opener.click();
    const dialog = page.getByRole("dialog", { name: "Create workspace" });
    await dialog.waitFor();
    expect(await focused(page, "tagName")).toBe("INPUT");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await focused(page, "textContent")).toBe("Create workspace");
    await page.close();
  });

  it("Add cluster hands out the agent's manifest and Helm values, with no token on a command line", async () => {
    const page = await signIn("#/clusters");
    await page.getByRole("button", { name: "Add cluster" }).click();
    const form = page.getByRole("dialog", { name: "Add cluster" });
    await form.getByLabel("Cluster name").fill("edge-1");
    await form.getByRole("button", { name: "Add cluster" }).click();
    const dialog = page.getByRole("dialog", { name: "Cluster edge-1 added" });
    await dialog.waitFor();
    await dialog.getByText("Agent token", { exact: true }).click();
    const token = await dialog.getByLabel("Agent token").inputValue();
    expect(token).toMatch(/^cst_/);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      dialog.getByRole("link", { name: "Download customs-agent-edge-1.yaml" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("customs-agent-edge-1.yaml");
    const { readFileSync } = await import("node:fs");
    const manifest = readFileSync(await download.path(), "utf8");
    expect(manifest).toContain("name: customs-agent-token");
    expect(manifest).toContain(token);
    expect(manifest).toContain("TEST-CA");
    expect(manifest).toContain("https://customs.example.com:8643");
    expect(manifest).toContain("kind: ValidatingWebhookConfiguration");
    const kubectl = await dialog.getByLabel("Then run").first().inputValue();
    const helm = await dialog.getByLabel("Then run").nth(1).inputValue();
    expect(kubectl).toBe("kubectl apply -f customs-agent-edge-1.yaml");
    expect(helm).toBe(
      "helm install customs-agent oci://ghcr.io/customs-dev/charts/customs -n customs-system --create-namespace -f customs-agent-edge-1-values.yaml",
    );
    for (const command of [kubectl, helm]) {
      expect(command).not.toContain(token);
    }
    expect(
      await dialog.getByRole("link", { name: "Download customs-agent-edge-1-values.yaml" }).count(),
    ).toBe(1);
    await page.close();
  });
});
