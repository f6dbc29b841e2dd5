import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleFixture, consoleSkipReason, startConsole } from "../support/browser.js";

const missing = consoleSkipReason();
if (missing !== undefined) console.log(`skipped: the Exceptions page in a browser: ${missing}`);

/**
 * The Exceptions page in a real browser against a real control plane (SQLite in a temporary
 * folder): the server's field errors under their fields, a created exception with its expiry
 * in words, an expired one marked, editing, and deletion.
 */
describe.skipIf(missing !== undefined)("the Exceptions page in a browser", () => {
  let c: ConsoleFixture;
  let admin: string;
  const api = (token: string, method: string, path: string, body?: unknown) =>
    c.api(token, method, path, body);
  const signIn = (token: string, hash = "") => c.signIn(hash, token);

  beforeAll(async () => {
    c = await startConsole("exceptions");
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

  it("creates an exception, showing the server's field errors where they belong", async () => {
    await api(admin, "POST", "/organizations/default/exceptions", {
      apiVersion: "customs.dev/v1alpha1",
      kind: "ImagePolicyException",
      metadata: { name: "old-one" },
      spec: {
        policies: ["org-digest"],
        images: ["*"],
        reason: "migration",
        owner: "ops",
        expires: "2020-01-01",
      },
    });
    const page = await signIn(admin, "#/exceptions");
    await page.getByRole("heading", { name: "Exceptions" }).waitFor();
    const table = page.getByRole("table", { name: "Exceptions" });
    const old = table.getByRole("row").filter({ hasText: "old-one" });
    await old.waitFor();
    expect(await old.textContent()).toMatch(/expired \d+ days ago/);

    await page.getByRole("button", { name: "Create exception" }).click();
    const dialog = page.getByRole("dialog", { name: "Create exception" });
    await dialog.getByLabel("Name", { exact: true }).fill("legacy-busybox");
    await dialog.getByLabel("Policies", { exact: true }).fill("team-a-latest");
    await dialog.getByLabel("Scope", { exact: true }).selectOption("workspace");
    await dialog.getByLabel("Workspace", { exact: true }).fill("team-a");
    // Not a normalized image: only the server can say, and it says so under Images.
    await dialog.getByLabel("Images", { exact: true }).fill("busybox");
    await dialog.getByLabel("Reason", { exact: true }).fill("vendor image, JIRA-123");
    await dialog.getByLabel("Owner", { exact: true }).fill("team-a@example.com");
    const soon = new Date(Date.now() + 5 * 86_400_000 + 3_600_000).toISOString().slice(0, 10);
    await dialog.getByLabel("Expires", { exact: true }).fill(soon);
    await dialog.getByRole("button", { name: "Create" }).click();
    await dialog.getByText("docker.io/library/busybox:latest").first().waitFor();
    await dialog.getByLabel("Images", { exact: true }).fill("docker.io/library/busybox:*");
    await dialog.getByRole("button", { name: "Create" }).click();
    const row = table.getByRole("row").filter({ hasText: "legacy-busybox" });
    await row.waitFor();
    const text = (await row.textContent()) ?? "";
    expect(text).toContain("vendor image, JIRA-123");
    expect(text).toContain("team-a@example.com");
    expect(text).toMatch(/expires in [56] days/);

    // Edited: the server's field error under Images, then the change in the list.
    await page.getByRole("button", { name: "Edit legacy-busybox" }).click();
    const edit = page.getByRole("dialog", { name: "Edit exception legacy-busybox" });
    expect(await edit.getByLabel("Name", { exact: true }).inputValue()).toBe("legacy-busybox");
    await edit.getByLabel("Reason", { exact: true }).fill("vendor image, JIRA-124");
    await edit.getByLabel("Images", { exact: true }).fill("busybox");
    await edit.getByRole("button", { name: "Save" }).click();
    await edit.getByText("docker.io/library/busybox:latest").first().waitFor();
    await edit.getByLabel("Images", { exact: true }).fill("docker.io/library/busybox:1.*");
    await edit.getByRole("button", { name: "Save" }).click();
    await expect.poll(async () => (await row.textContent()) ?? "").toContain("JIRA-124");
    const edited = await api(admin, "GET", "/organizations/default/exceptions/legacy-busybox");
    expect((edited.body.spec as { images: unknown }).images).toEqual([
      "docker.io/library/busybox:1.*",
    ]);

    await page.getByRole("button", { name: "Delete legacy-busybox" }).click();
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await expect.poll(() => row.count()).toBe(0);
    const gone = await api(admin, "GET", "/organizations/default/exceptions/legacy-busybox");
    expect(gone.status).toBe(404);
    await page.close();
  });
});
