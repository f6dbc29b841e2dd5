import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleFixture, consoleSkipReason, startConsole } from "../support/browser.js";

const missing = consoleSkipReason();
if (missing !== undefined) console.log(`skipped: the Tokens page in a browser: ${missing}`);

/**
 * The Tokens page and per-policy buttons in a real browser against a real control plane
 * (SQLite in a temporary folder): create a token with a role and workspaces, see it used,
 * rotate and revoke it, and the last admin token refused.
 */
describe.skipIf(missing !== undefined)("the Tokens page in a browser", () => {
  let c: ConsoleFixture;
  let admin: string;
  const api = (token: string, method: string, path: string, body?: unknown) =>
    c.api(token, method, path, body);
  const signIn = (token: string, hash = "") => c.signIn(hash, token);

  beforeAll(async () => {
    c = await startConsole("tokens");
    admin = c.admin;
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
  });

  afterAll(async () => {
    await c?.close();
  });

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
