import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleFixture, consoleSkipReason, startConsole } from "../support/browser.js";

const missing = consoleSkipReason();
if (missing !== undefined)
  console.log(`skipped: the wizard's list inputs in a browser: ${missing}`);

/**
 * The wizard's exempt images in a real browser against a real control plane (SQLite in a
 * temporary folder): a bad entry is marked at its row, a fixed one is saved and edited.
 */
describe.skipIf(missing !== undefined)("the wizard's exempt images in a browser", () => {
  let c: ConsoleFixture;
  const api = (method: string, path: string) => c.api(c.admin, method, path);

  beforeAll(async () => {
    c = await startConsole("wizard-lists");
  });

  afterAll(async () => {
    await c?.close();
  });

  it("creates a policy with exemptImages, marking a bad entry at its row", async () => {
    const page = await c.signIn("#/policies/new");
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
    await page.goto(`${c.url}/#/policies/digest-but-tools/edit`);
    await page.getByLabel("Exempt image 2").waitFor();
    await page.getByRole("button", { name: "Remove exempt image 1" }).click();
    await page.getByRole("button", { name: "Save policy" }).click();
    await expect
      .poll(async () => (await api("GET", "/organizations/default/policies/digest-but-tools")).body)
      .toMatchObject({ spec: { input: { exemptImages: ["docker.io/library/nginx:*"] } } });
    await page.close();
  });
});
