import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConsoleFixture,
  consoleSkipReason,
  screenshot,
  startConsole,
  startScreenshots,
} from "../support/browser.js";

const skip = consoleSkipReason();
if (skip !== undefined) console.log(`skipped: Insights in a browser: ${skip}`);

const ORG = "/organizations/default";
const DAY = 86_400_000;

/** One running workload as an agent reports it, with one result for no-latest. */
function workload(namespace: string, kind: string, name: string, image: string, fail: boolean) {
  return {
    namespace,
    kind,
    name,
    containers: [{ name: "app", image, type: "container" }],
    results: [
      fail
        ? {
            policy: "no-latest",
            result: "fail",
            code: "IMAGE_TAG_LATEST",
            message: `image ${image} uses the latest tag`,
            container: "app",
            image,
          }
        : { policy: "no-latest", result: "pass" },
    ],
  };
}

/** An admission (or audit) violation as an agent reports it. */
function violation(time: Date, fields: Record<string, string>) {
  return {
    time: time.toISOString(),
    source: "admission",
    namespace: "web",
    kind: "ReplicaSet",
    name: "api-5d4f8",
    container: "app",
    image: "nginx:latest",
    policy: "no-latest",
    action: "deny",
    code: "IMAGE_TAG_LATEST",
    message: "image nginx:latest uses the latest tag",
    ...fields,
  };
}

/**
 * Insights in a real browser against a real control plane, seeded as two clusters' agents
 * would: their inventories (the state: compliance and failing workloads) and their admission
 * and audit events (the stream and the plots). Checked: the numbers, the failing list, the
 * bars and points of the plots, a CSV export's content, one row for a retried admission and
 * the marker of a deleted policy.
 */
describe.skipIf(skip !== undefined)("Insights in a browser", () => {
  let c: ConsoleFixture;
  const today = new Date();
  const yesterday = new Date(today.getTime() - DAY);

  beforeAll(async () => {
    c = await startConsole("insights");
    startScreenshots("insights");
    for (const [name, recipe] of [
      ["no-latest", "block-latest-tag"],
      ["old-policy", "require-digest"],
    ] as const) {
      const r = await c.api(c.admin, "POST", `${ORG}/policies`, {
        apiVersion: "customs.dev/v1alpha1",
        kind: "ImagePolicy",
        metadata: { name },
        spec: { recipe },
      });
      expect(r.status).toBe(201);
    }
    const prod = await c.createCluster("prod");
    const dev = await c.createCluster("dev");
    for (const token of [prod, dev]) {
      await c.api(token, "POST", "/agent/register", { agentVersion: "test" });
    }
    const inventory = async (token: string, workloads: unknown[]) => {
      const r = await c.api(token, "PUT", "/agent/inventory", {
        revision: 1,
        generatedAt: today.toISOString(),
        workloads,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(204);
    };
    await inventory(prod, [
      workload("web", "Deployment", "api", "nginx:latest", true),
      workload("web", "Deployment", "ok", "nginx:1.27", false),
    ]);
    await inventory(dev, [workload("jobs", "CronJob", "nightly", "busybox:latest", true)]);
    const report = async (token: string, violations: unknown[]) => {
      const r = await c.api(token, "POST", "/agent/reports", { violations });
      expect(r.body.accepted, JSON.stringify(r.body)).toBe(violations.length);
    };
    // One Deployment's ReplicaSet retried three times: one row with a count of 3.
    const retried = violation(today, {
      ownerKind: "Deployment",
      ownerName: "api",
      outcome: "denied",
    });
    await report(prod, [retried, retried, retried]);
    await report(prod, [
      violation(yesterday, {
        policy: "old-policy",
        action: "warn",
        outcome: "warned",
        code: "IMAGE_DIGEST_REQUIRED",
        message: "image nginx:latest has no digest",
        ownerKind: "Deployment",
        ownerName: "api",
      }),
    ]);
    await report(dev, [
      violation(today, {
        source: "audit",
        namespace: "jobs",
        kind: "CronJob",
        name: "nightly",
        image: "busybox:latest",
        action: "audit",
        outcome: "audited",
        message: "image busybox:latest uses the latest tag",
      }),
    ]);
    const policy = await c.api(c.admin, "GET", `${ORG}/policies/old-policy`);
    const version = (policy.body.metadata as { resourceVersion: string }).resourceVersion;
    const r = await fetch(`${c.url}/api/v1${ORG}/policies/old-policy`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${c.admin}`, "if-match": `"${version}"` },
    });
    expect(r.status).toBe(204);
  });

  afterAll(async () => {
    await c?.close();
  });

  it("shows current compliance by cluster and the failing workloads", async () => {
    const page = await c.signIn("#/insights");
    const total = page.getByTestId("compliance-total");
    await expect.poll(async () => (await total.textContent()) ?? "").toContain("33.3 % compliant");
    expect(await total.textContent()).toContain("3 running workloads, 2 failing");
    const groups = page.getByTestId("compliance-groups");
    expect(await groups.locator('[data-group="prod"]').textContent()).toMatch(
      /prod\s*2\s*1\s*0.*50 %/,
    );
    expect(await groups.locator('[data-group="dev"]').textContent()).toMatch(
      /dev\s*1\s*1\s*0.*0 %/,
    );

    await page.getByLabel("Group compliance by").selectOption("workload");
    await groups.locator('[data-group="prod/web/Deployment/api"]').waitFor();

    const failing = page.getByTestId("failing-workloads");
    const api = failing.locator('[data-workload="prod/web/Deployment/api"]');
    expect(await api.textContent()).toContain("nginx:latest");
    expect(await api.textContent()).toContain("no-latest");
    expect(await api.textContent()).toContain("uses the latest tag");
    expect(await failing.locator('[data-workload="dev/jobs/CronJob/nightly"]').count()).toBe(1);
    expect(await failing.locator('[data-workload="prod/web/Deployment/ok"]').count()).toBe(0);
    await page.close();
  });

  it("exports the failing workloads as CSV with the filters on screen", async () => {
    const page = await c.signIn("#/insights");
    await page.getByTestId("failing-workloads").waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV of failing workloads" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      /^customs-failing-workloads-\d{4}-\d{2}-\d{2}\.csv$/,
    );
    const csv = readFileSync((await download.path()) ?? "", "utf8");
    expect(csv).toContain("nightly");
    expect(csv).toContain("api");
    expect(csv).not.toMatch(/\bok\b/);

    // Filtered to one cluster, the export is too.
    await page.getByLabel("Compliance of cluster").fill("prod");
    await page.getByTestId("failing-workloads").locator('[data-workload^="dev/"]').waitFor({
      state: "detached",
    });
    const [filtered] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV of failing workloads" }).click(),
    ]);
    const prodOnly = readFileSync((await filtered.path()) ?? "", "utf8");
    expect(prodOnly).toContain("api");
    expect(prodOnly).not.toContain("nightly");
    await page.close();
  });

  it("plots violations per day by cluster and by policy, and the compliance trend", async () => {
    const page = await c.signIn("#/insights");
    const byCluster = page.locator('svg[data-plot="violations-by-cluster"]');
    await byCluster.waitFor();
    expect(await byCluster.getAttribute("role")).toBe("img");
    expect(await byCluster.getAttribute("aria-label")).toMatch(
      /^Violations per day by cluster: 5 over/,
    );
    const bars = async (plot: string) =>
      page
        .locator(`svg[data-plot="${plot}"] rect.bar`)
        .evaluateAll((rects) =>
          rects
            .map(
              (r) =>
                `${r.getAttribute("data-day")} ${r.getAttribute("data-series")} ${r.getAttribute("data-value")}`,
            )
            .sort(),
        );
    const day = (d: Date) => d.toISOString().slice(0, 10);
    expect(await bars("violations-by-cluster")).toEqual(
      [`${day(today)} dev 1`, `${day(today)} prod 3`, `${day(yesterday)} prod 1`].sort(),
    );
    expect(await bars("violations-by-policy")).toEqual(
      [`${day(today)} no-latest 4`, `${day(yesterday)} old-policy 1`].sort(),
    );
    const points = await page
      .locator('svg[data-plot="compliance-trend"] circle.point')
      .evaluateAll((cs) =>
        cs.map(
          (p) =>
            `${p.getAttribute("data-day")} ${p.getAttribute("data-series")} ${p.getAttribute("data-value")}`,
        ),
      );
    expect(points).toEqual(
      expect.arrayContaining([`${day(today)} prod 50`, `${day(today)} dev 0`]),
    );
    // The numbers behind a plot, for those who cannot see it.
    const figure = page.locator("figure").filter({ has: byCluster });
    await figure.getByText("Show the numbers").click();
    expect(await figure.getByRole("table").textContent()).toContain(day(yesterday));
    await screenshot(page, "insights");

    // The trend by policy, and a plot's numbers as CSV.
    await page.getByLabel("Trend by", { exact: true }).selectOption("policy");
    await expect
      .poll(() =>
        page
          .locator('svg[data-plot="compliance-trend"] circle.point')
          .evaluateAll((cs) => cs.map((p) => p.getAttribute("data-series"))),
      )
      .toContain("no-latest");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV of violations per day by cluster" }).click(),
    ]);
    const csv = readFileSync((await download.path()) ?? "", "utf8");
    expect(csv).toContain("prod");
    expect(csv).toContain(day(yesterday));
    await page.close();
  });

  it("lists a retried admission once with its count and owner, and marks a deleted policy", async () => {
    const page = await c.signIn("#/insights");
    const events = page.getByRole("table", { name: "Recent violations, newest first" });
    const retried = events
      .getByRole("row")
      .filter({ hasText: "no-latest" })
      .filter({ hasText: "admission" });
    await retried.first().waitFor();
    expect(await retried.count()).toBe(1);
    const text = (await retried.textContent()) ?? "";
    expect(text).toContain("denied");
    expect(text).toContain("Deployment/api");
    expect(text).toContain("(via ReplicaSet/api-5d4f8)");
    expect(await retried.locator("td").nth(3).textContent()).toBe("3");

    const audited = events
      .getByRole("row")
      .filter({ hasText: "audit" })
      .filter({ hasText: "CronJob/nightly" });
    expect(await audited.textContent()).toContain("audited");

    const old = events.getByRole("row").filter({ hasText: "old-policy" });
    expect(await old.locator(".pill.deleted").textContent()).toBe("deleted");
    expect(await old.textContent()).toContain("warned");
    await page.close();
  });
});
