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
import { CHROMIUM, screenshot, startScreenshots } from "../support/browser.js";
import { ROOT } from "../support/cli.js";

const CONSOLE = join(ROOT, "dist/console");
const missing = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is missing (bash scripts/chromium/install.sh)`
  : !existsSync(join(CONSOLE, "index.html"))
    ? "dist/console is not built (npm run build)"
    : undefined;
if (missing !== undefined) console.log(`skipped: the impact preview in a browser: ${missing}`);

/**
 * The impact preview in a real browser against a real control plane (SQLite): an agent
 * reports its running workloads; a drafted policy shows, before "Create policy", which of
 * them it would deny; deleting a policy shows in its confirm dialog what it would allow.
 */
describe.skipIf(missing !== undefined)("the impact preview in a browser", () => {
  let dir: string;
  let store: FleetStore;
  let server: ControlPlaneServer;
  let browser: Browser;
  let admin: string;

  const api = async (token: string, method: string, path: string, body?: unknown) => {
    const r = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await r.json().catch(() => null)) as Record<string, unknown> | null;
    return { status: r.status, body: json ?? {} };
  };

  beforeAll(async () => {
    startScreenshots("impact");
    dir = mkdtempSync(join(tmpdir(), "customs-impact-"));
    store = await openStore(`sqlite:${join(dir, "cp.db")}`);
    admin = (await bootstrap(store)) ?? "";
    server = await startControlPlane({
      store,
      host: "127.0.0.1",
      port: 0,
      tls: undefined,
      consoleDir: CONSOLE,
    });
    const cluster = await api(admin, "POST", "/organizations/default/clusters", {
      metadata: { name: "prod-eu" },
    });
    expect(cluster.status).toBe(201);
    const container = (image: string) => [{ name: "app", image, type: "container" }];
    const inventory = await api(cluster.body.agentToken as string, "PUT", "/agent/inventory", {
      revision: 1,
      generatedAt: new Date().toISOString(),
      workloads: [
        {
          namespace: "shop",
          kind: "Deployment",
          name: "cart",
          containers: container("registry.corp/cart:2.1"),
          results: [],
        },
        {
          namespace: "shop",
          kind: "Deployment",
          name: "cache",
          containers: container("docker.io/library/redis:latest"),
          results: [],
        },
        {
          namespace: "batch",
          kind: "CronJob",
          name: "report",
          containers: container("quay.io/acme/report:latest"),
          results: [],
        },
      ],
    });
    expect(inventory.status).toBe(204);
    const corp = await api(admin, "POST", "/organizations/default/policies", {
      apiVersion: "customs.dev/v1alpha1",
      kind: "ImagePolicy",
      metadata: { name: "corp-only" },
      spec: {
        recipe: "custom",
        input: { rules: [{ hostname: "registry.corp" }, { hostname: "docker.io" }] },
      },
    });
    expect(corp.status).toBe(201);
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

  async function signIn(hash: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(`${server.url}/${hash}`);
    await page.getByLabel("API token").fill(admin);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    return page;
  }

  it("shows which running workloads a drafted policy would deny before it is created", async () => {
    const page = await signIn("#/policies/new");
    await page.getByRole("heading", { level: 1, name: "Create policy" }).waitFor();
    await page.getByLabel("Policy name").fill("no-latest");
    await page.getByLabel("Template").selectOption({ label: "Block latest tag" });
    const panel = page.getByRole("region", { name: "Impact on running workloads" });
    await panel.getByText("Would deny 1 workload in 1 cluster").waitFor();
    const denied = panel.getByRole("list", { name: "Running workloads: would deny" });
    const text = (await denied.textContent()) ?? "";
    expect(text).toContain("prod-eu / shop");
    expect(text).toContain("Deployment/cache");
    expect(text).toContain("docker.io/library/redis:latest");
    expect(text).not.toContain("cart");
    // Denied already by corp-only (quay.io), so not among the newly denied.
    expect(await panel.getByText("Already denied: 1").count()).toBe(1);
    await screenshot(page, "wizard-impact");
    // Nothing was saved by previewing.
    expect((await api(admin, "GET", "/organizations/default/policies/no-latest")).status).toBe(404);
    await page.close();
  });

  it("shows in the delete dialog what deleting a policy would allow", async () => {
    const page = await signIn("#/policies/corp-only/edit");
    await page.getByRole("heading", { level: 1, name: "Edit policy corp-only" }).waitFor();
    await page.getByRole("button", { name: "Delete policy" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete policy corp-only?" });
    await dialog.getByText("Would allow 1 workload denied now").waitFor();
    const allowed =
      (await dialog.getByRole("list", { name: "Running workloads: would allow" }).textContent()) ??
      "";
    expect(allowed).toContain("CronJob/report");
    expect(allowed).toContain("quay.io/acme/report:latest");
    await screenshot(page, "delete-impact");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect((await api(admin, "GET", "/organizations/default/policies/corp-only")).status).toBe(200);
    await page.close();
  });

  it("shows what an exception would allow before it is created, and what deleting it would deny again", async () => {
    const page = await signIn("#/exceptions");
    await page.getByRole("heading", { name: "Exceptions" }).waitFor();
    await page.getByRole("button", { name: "Create exception" }).click();
    const create = page.getByRole("dialog", { name: "Create exception" });
    await create.getByLabel("Name", { exact: true }).fill("report-ok");
    await create.getByLabel("Policies", { exact: true }).fill("corp-only");
    await create.getByLabel("Scope", { exact: true }).selectOption("organization");
    await create.getByLabel("Images", { exact: true }).fill("quay.io/acme/report:*");
    await create.getByLabel("Reason", { exact: true }).fill("vendor report tool");
    await create.getByLabel("Owner", { exact: true }).fill("ops@example.com");
    await create.getByLabel("Expires", { exact: true }).fill("2999-01-01");
    const panel = create.getByRole("region", { name: "Impact on running workloads" });
    await panel.getByText("Would allow 1 workload denied now").waitFor();
    expect(
      (await panel.getByRole("list", { name: "Running workloads: would allow" }).textContent()) ??
        "",
    ).toContain("CronJob/report");
    await screenshot(page, "exception-create-impact");
    await create.getByRole("button", { name: "Create" }).click();
    await page.getByRole("button", { name: "Delete report-ok" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete exception report-ok?" });
    await dialog.getByText("Would deny 1 workload in 1 cluster").waitFor();
    const denied =
      (await dialog.getByRole("list", { name: "Running workloads: would deny" }).textContent()) ??
      "";
    expect(denied).toContain("CronJob/report");
    await screenshot(page, "exception-delete-impact");
    await page.close();
  });
});
