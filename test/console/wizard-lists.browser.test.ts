import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/adapters/store/index.js";
import { bootstrap } from "../../src/app/fleet/bootstrap.js";
import type { FleetStore } from "../../src/core/fleet/store.js";
import {
  type ControlPlaneServer,
  startControlPlane,
} from "../../src/server/control-plane/server.js";
import { CHROMIUM } from "../support/browser.js";
import { ROOT } from "../support/cli.js";

const CONSOLE = join(ROOT, "dist/console");
const missing = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is missing (bash scripts/chromium/install.sh)`
  : !existsSync(join(CONSOLE, "index.html"))
    ? "dist/console is not built (npm run build)"
    : undefined;
if (missing !== undefined)
  console.log(`skipped: the wizard's list inputs in a browser: ${missing}`);

/**
 * The wizard's exempt images in a real browser against a real control plane (SQLite in a
 * temporary folder): a bad entry is marked at its row, a fixed one is saved and edited.
 */
describe.skipIf(missing !== undefined)("the wizard's exempt images in a browser", () => {
  let dir: string;
  let store: FleetStore;
  let server: ControlPlaneServer;
  let browser: Browser;
  let admin: string;

  const api = async (method: string, path: string) => {
    const r = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}` },
    });
    // JSON answers, read field by field in the tests.
    const json = (await r.json().catch(() => null)) as Record<string, unknown> | null;
    return { status: r.status, body: json ?? {} };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "customs-wizard-lists-"));
    store = await openStore(`sqlite:${join(dir, "cp.db")}`);
    admin = (await bootstrap(store)) ?? "";
    server = await startControlPlane({
      store,
      host: "127.0.0.1",
      port: 0,
      tls: undefined,
      consoleDir: CONSOLE,
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

  it("creates a policy with exemptImages, marking a bad entry at its row", async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`${server.url}/#/policies/new`);
    await page.getByLabel("API token").fill(admin);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Create policy" }).waitFor();
    await page.getByLabel("Policy name").fill("digest-but-tools");
    await page.getByLabel("Template").selectOption({ label: "Require Digest" });
    await page.getByRole("button", { name: "Add an exempt image" }).click();
    await page.getByLabel("Exempt image 1").fill("registry.corp.example/tools/*");
    await page.getByRole("button", { name: "Add an exempt image" }).click();
    // A space is in no normalized image: refused at spec.input.exemptImages[1].
    const second = page.getByLabel("Exempt image 2");
    await second.fill("docker.io/library/nginx *");
    await page.getByText(/can never match/).waitFor();
    expect(await second.getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Exempt image 1").getAttribute("aria-invalid")).toBe(null);
    await page.getByRole("button", { name: "Create policy" }).click();
    expect(await page.getByRole("heading", { level: 1, name: "Create policy" }).count()).toBe(1);
    await second.fill("docker.io/library/nginx:*");
    await page.getByRole("button", { name: "Create policy" }).click();
    await page.getByRole("link", { name: "digest-but-tools", exact: true }).waitFor();
    const saved = await api("GET", "/organizations/default/policies/digest-but-tools");
    expect(saved.body.spec).toEqual({
      action: "deny",
      recipe: "require-digest",
      input: { exemptImages: ["registry.corp.example/tools/*", "docker.io/library/nginx:*"] },
    });

    // Edited: the rows come back, one is removed.
    await page.goto(`${server.url}/#/policies/digest-but-tools/edit`);
    await page.getByLabel("Exempt image 2").waitFor();
    await page.getByRole("button", { name: "Remove exempt image 1" }).click();
    await page.getByRole("button", { name: "Save policy" }).click();
    await expect
      .poll(async () => (await api("GET", "/organizations/default/policies/digest-but-tools")).body)
      .toMatchObject({ spec: { input: { exemptImages: ["docker.io/library/nginx:*"] } } });
    await page.close();
  });
});
