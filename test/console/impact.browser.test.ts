import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConsoleFixture,
  consoleSkipReason,
  screenshot,
  startConsole,
  startScreenshots,
} from "../support/browser.js";

const missing = consoleSkipReason();
if (missing !== undefined) console.log(`skipped: the impact preview in a browser: ${missing}`);

/**
 * The impact preview in a real browser against a real control plane (SQLite): an agent
 * reports its running workloads; a drafted policy shows, before "Create policy", which of
 * them it would deny; deleting a policy shows in its confirm dialog what it would allow.
 */
describe.skipIf(missing !== undefined)("the impact preview in a browser", () => {
  let c: ConsoleFixture;

  beforeAll(async () => {
    startScreenshots("impact");
    c = await startConsole("impact");
    const agentToken = await c.createCluster("prod-eu");
    const container = (image: string) => [{ name: "app", image, type: "container" }];
    const inventory = await c.api(agentToken, "PUT", "/agent/inventory", {
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
    const corp = await c.api(c.admin, "POST", "/organizations/default/policies", {
      apiVersion: "customs.dev/v1alpha1",
      kind: "ImagePolicy",
      metadata: { name: "corp-only" },
      spec: {
        recipe: "custom",
        input: { rules: [{ hostname: "registry.corp" }, { hostname: "docker.io" }] },
      },
    });
    expect(corp.status).toBe(201);
  });

  afterAll(async () => {
    await c?.close();
  });

  it("shows which running workloads a drafted policy would deny before it is created", async () => {
    const page = await c.signIn("#/policies/new");
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
    expect((await c.api(c.admin, "GET", "/organizations/default/policies/no-latest")).status).toBe(
      404,
    );
    await page.close();
  });

  it("shows in the delete dialog what deleting a policy would allow", async () => {
    const page = await c.signIn("#/policies/corp-only/edit");
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
    expect((await c.api(c.admin, "GET", "/organizations/default/policies/corp-only")).status).toBe(
      200,
    );
    await page.close();
  });

  it("shows what an exception would allow before it is created, and what deleting it would deny again", async () => {
    const page = await c.signIn("#/exceptions");
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
