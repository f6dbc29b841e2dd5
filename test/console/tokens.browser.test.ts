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
import { CHROMIUM } from "../support/browser.js";
import { ROOT } from "../support/cli.js";

const CONSOLE = join(ROOT, "dist/console");
const missing = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is missing (bash scripts/chromium/install.sh)`
  : !existsSync(join(CONSOLE, "index.html"))
    ? "dist/console is not built (npm run build)"
    : undefined;
if (missing !== undefined) console.log(`skipped: the Tokens page in a browser: ${missing}`);

/**
 * The Tokens page and per-policy buttons in a real browser against a real control plane
 * (SQLite in a temporary folder): create a token with a role and workspaces, see it used,
 * rotate and revoke it, and the last admin token refused.
 */
describe.skipIf(missing !== undefined)("the Tokens page in a browser", () => {
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
    // JSON answers, read field by field in the tests.
    const json = (await r.json().catch(() => null)) as Record<string, unknown> | null;
    return { status: r.status, body: json ?? {} };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "customs-tokens-"));
    store = await openStore(`sqlite:${join(dir, "cp.db")}`);
    admin = (await bootstrap(store)) ?? "";
    server = await startControlPlane({
      store,
      host: "127.0.0.1",
      port: 0,
      tls: undefined,
      consoleDir: CONSOLE,
    });
    for (const name of ["team-a", "team-b"]) {
      await api(admin, "POST", "/organizations/default/workspaces", { metadata: { name } });
    }
    await api(admin, "POST", "/organizations/default/policies", {
      apiVersion: "customs.dev/v1alpha1",
      kind: "ImagePolicy",
      metadata: { name: "org-digest" },
      spec: { recipe: "require-digest" },
    });
    await api(admin, "POST", "/organizations/default/policies", {
      apiVersion: "customs.dev/v1alpha1",
      kind: "ImagePolicy",
      metadata: { name: "team-a-latest" },
      spec: { recipe: "block-latest-tag", workspace: "team-a" },
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

  async function signIn(token: string, hash = ""): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`${server.url}/${hash}`);
    await page.getByLabel("API token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    return page;
  }

  it("creates a workspace admin token, shows its last use, rotates and revokes it", async () => {
    const page = await signIn(admin, "#/tokens");
    await page.getByRole("heading", { name: "API tokens" }).waitFor();
    await page.getByRole("button", { name: "Create token" }).click();
    const dialog = page.getByRole("dialog", { name: "Create token" });
    await dialog.getByLabel("Token name").fill("team-a-admin");
    await dialog.getByLabel("Role").selectOption("workspace-admin");
    const submit = dialog.getByRole("button", { name: "Create token" });
    // A workspace admin needs a workspace: the button waits for one.
    expect(await submit.isDisabled()).toBe(true);
    await dialog.getByRole("checkbox", { name: "team-a" }).check();
    await submit.click();
    // Exact: the rotate dialog's name ("Rotate token team-a-admin?") also contains the words.
    const shown = page.getByLabel("Token team-a-admin", { exact: true });
    await shown.waitFor();
    const token = await shown.inputValue();
    expect(token).toMatch(/^cst_[0-9a-f]+_/);
    await page.getByRole("button", { name: "Done" }).click();

    const table = page.getByRole("table", { name: "Tokens of default" });
    const row = table.getByRole("row").filter({ hasText: "team-a-admin" });
    expect(await row.textContent()).toContain("workspace-admin");
    expect(await row.textContent()).toContain("never");
    const used = await api(token, "GET", "/whoami");
    expect(used.body).toMatchObject({ token: "team-a-admin", workspaces: ["team-a"] });
    await page.reload();
    await page.getByRole("heading", { name: "API tokens" }).waitFor();
    await expect.poll(async () => (await row.textContent()) ?? "").not.toContain("never");

    await page.getByRole("button", { name: "Rotate team-a-admin" }).click();
    await page.getByRole("dialog", { name: "Rotate token team-a-admin?" }).waitFor();
    await page.getByRole("button", { name: "Rotate", exact: true }).click();
    const rotatedField = page.getByLabel("Token team-a-admin", { exact: true });
    await rotatedField.waitFor();
    const rotated = await rotatedField.inputValue();
    expect(rotated).not.toBe(token);
    await page.getByRole("button", { name: "Done" }).click();
    expect((await api(token, "GET", "/whoami")).status).toBe(401);
    expect((await api(rotated, "GET", "/whoami")).status).toBe(200);

    await page.getByRole("button", { name: "Revoke team-a-admin" }).click();
    await page.getByRole("button", { name: "Revoke", exact: true }).click();
    await expect
      .poll(() => page.getByRole("button", { name: "Revoke team-a-admin" }).count())
      .toBe(0);
    expect((await api(rotated, "GET", "/whoami")).status).toBe(401);
    await page.close();
  });

  it("refuses to revoke the last admin token, and says why", async () => {
    const page = await signIn(admin, "#/tokens");
    const admins = page.getByRole("table", { name: "Admin tokens (every organization)" });
    await admins.getByRole("button", { name: "Revoke admin" }).click();
    await page.getByRole("button", { name: "Revoke", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: "last live admin token" }).waitFor();
    expect((await api(admin, "GET", "/whoami")).status).toBe(200);
    await page.close();
  });

  it("a workspace admin has no Tokens page, and no Edit or Delete on organization policies", async () => {
    const made = await api(admin, "POST", "/organizations/default/tokens", {
      metadata: { name: "a-admin" },
      spec: { role: "workspace-admin", workspaces: ["team-a"] },
    });
    const page = await signIn(String(made.body.token), "#/policies?view=organization");
    const nav = page.getByRole("navigation", { name: "Main" });
    expect(await nav.getByRole("link", { name: "Tokens" }).count()).toBe(0);
    await page.getByRole("link", { name: "org-digest", exact: true }).first().waitFor();
    expect(await page.getByRole("button", { name: "Delete org-digest" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "Edit org-digest" }).count()).toBe(0);
    await page.getByRole("link", { name: "Edit team-a-latest" }).first().waitFor();
    expect(
      await page.getByRole("button", { name: "Delete team-a-latest" }).count(),
    ).toBeGreaterThan(0);
    await page.close();
  });
});
