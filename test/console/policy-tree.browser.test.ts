import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConsoleFixture,
  consoleSkipReason,
  screenshot,
  startConsole,
  startScreenshots,
} from "../support/browser.js";

const skip = consoleSkipReason();
if (skip !== undefined) console.log(`skipped: the policy tree's selectors in a browser: ${skip}`);

const ORG = "/organizations/default";

/**
 * The Policies page's tree in a real browser: a workspace policy whose namespaceSelector
 * leaves a namespace out shows there as not applying, with the reason; a namespace whose
 * labels no agent reported shows it as depending on labels; tables show selectors; and the
 * edit page's preview decides for a namespace the selector covers.
 */
describe.skipIf(skip !== undefined)("the policy tree's selectors in a browser", () => {
  let c: ConsoleFixture;

  beforeAll(async () => {
    c = await startConsole("policy-tree");
    startScreenshots("policy-tree");
    const agent = await c.createCluster("prod");
    const reported = await c.api(agent, "PUT", "/agent/namespaces", {
      namespaces: [
        { name: "payments", labels: { team: "a" } },
        { name: "web", labels: { team: "b" } },
      ],
    });
    expect(reported.status).toBeLessThan(300);
    await c.api(c.admin, "POST", `${ORG}/workspaces`, { metadata: { name: "team-a" } });
    for (const ns of ["payments", "web", "legacy"]) {
      const attached = await c.api(
        c.admin,
        "PUT",
        `${ORG}/workspaces/team-a/namespaces/prod/${ns}`,
        {},
      );
      expect(attached.status).toBeLessThan(300);
    }
    const policy = (name: string, spec: Record<string, unknown>) =>
      c.api(c.admin, "POST", `${ORG}/policies`, {
        apiVersion: "customs.dev/v1alpha1",
        kind: "ImagePolicy",
        metadata: { name },
        spec,
      });
    expect((await policy("org-digest", { recipe: "require-digest" })).status).toBe(201);
    const selected = await policy("team-a-latest", {
      recipe: "block-latest-tag",
      workspace: "team-a",
      namespaceSelector: {
        matchExpressions: [{ key: "team", operator: "In", values: ["a", "c"] }],
      },
    });
    expect(selected.status).toBe(201);
  });

  afterAll(async () => {
    await c?.close();
  });

  it("shows a namespace the selector excludes as not applying, with the reason", async () => {
    const page = await c.signIn("#/policies");
    await page.getByRole("radio", { name: "Workspaces" }).check();
    const tree = page.getByRole("tree", { name: "Organization and workspaces" });

    await tree.getByRole("treeitem", { name: "Namespace prod/web" }).click();
    await page.getByRole("heading", { name: "Namespace prod/web" }).waitFor();
    const excluded = page.getByRole("list", { name: "Policies: not applying" });
    const item = excluded.getByRole("listitem").filter({ hasText: "team-a-latest" });
    expect(await item.textContent()).toContain(
      "namespace labels do not match selector team In (a, c) (it has team=b)",
    );
    expect(await item.textContent()).toContain("from Workspace team-a");
    await screenshot(page, "excluded-namespace");
    const inherited = page.getByRole("table", { name: "Policies inherited from Workspace team-a" });
    expect(await inherited.count()).toBe(0);

    await tree.getByRole("treeitem", { name: "Namespace prod/payments" }).click();
    await page.getByRole("heading", { name: "Namespace prod/payments" }).waitFor();
    const applying = page.getByRole("table", { name: "Policies inherited from Workspace team-a" });
    expect(await applying.getByRole("link", { name: "team-a-latest", exact: true }).count()).toBe(
      1,
    );
    expect(await page.getByRole("list", { name: "Policies: not applying" }).count()).toBe(0);

    // Attached, but no agent reported it: the selector cannot be decided yet.
    await tree.getByRole("treeitem", { name: "Namespace prod/legacy" }).click();
    await page.getByRole("heading", { name: "Namespace prod/legacy" }).waitFor();
    const undecided = page.getByRole("list", { name: "Policies: depends on labels" });
    expect(await undecided.textContent()).toContain("team-a-latest");

    // The workspace's table shows the selector in its compact form.
    // Its own label: the middle of a workspace's item is one of its namespaces.
    await tree
      .getByRole("treeitem", { name: "Workspace team-a" })
      .locator(".tree-label")
      .first()
      .click();
    await page.getByRole("heading", { name: "Workspace team-a" }).waitFor();
    const own = page.getByRole("table", { name: "Policies assigned to Workspace team-a" });
    const row = own.getByRole("row").filter({ hasText: "team-a-latest" });
    expect(await row.textContent()).toContain("team In (a, c)");
    await page.close();
  });

  it("previews the edited policy in a namespace its selector covers", async () => {
    const page = await c.signIn("#/policies/team-a-latest/edit");
    const picker = page.getByLabel("Preview in namespace");
    await picker.waitFor();
    await expect
      .poll(async () => (await picker.locator("option").first().textContent()) ?? "")
      .toBe("One the policy's scope covers (prod/payments)");
    const results = page.getByRole("list", { name: "Preview results" });
    await expect
      .poll(async () => (await results.textContent().catch(() => "")) ?? "")
      .toContain("nginx:latest");
    // The answer for the default namespace replaces the first one (made before it was known).
    await expect
      .poll(async () => (await page.locator(".preview-results").textContent()) ?? "")
      .not.toMatch(/does not apply to namespace/);
    expect(await results.textContent()).toMatch(/denied\s*nginx:latest/);
    await page.close();
  });
});
