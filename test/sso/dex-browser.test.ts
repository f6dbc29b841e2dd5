import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  browserSkipReason,
  launchBrowser,
  screenshot,
  startScreenshots,
  type TestBrowser,
} from "../support/browser.js";
import { ROOT } from "../support/cli.js";
import { dexSkipReason } from "../support/dex.js";
import { call, type SsoWorld, startSsoWorld } from "./flow.js";

const CONSOLE = join(ROOT, "dist/console");
const skip =
  dexSkipReason() ??
  browserSkipReason() ??
  (existsSync(join(CONSOLE, "index.html"))
    ? undefined
    : "dist/console is not built (npm run build)");
if (skip !== undefined) console.log(`skipped: SSO sign-in in a browser: ${skip}`);

const ORG = "/api/v1/organizations/default";

function policy(name: string, workspace: string) {
  return {
    apiVersion: "customs.dev/v1alpha1",
    kind: "ImagePolicy",
    metadata: { name },
    spec: { recipe: "block-latest-tag", workspace },
  };
}

/**
 * The console signs two people in through a real Dex (its own login form, filled here) with
 * the code flow: alice administers team-a, bob team-b (groups mapped by --oidc-config). Each
 * sees and changes only their workspace's policies; the other's is refused through the API
 * with the browser's own cookie session; signing out ends the session.
 */
describe.skipIf(skip !== undefined)("SSO sign-in in a browser (Dex)", () => {
  let w: SsoWorld;
  let browser: TestBrowser;

  const admin = (method: string, path: string, body?: unknown) =>
    call(w.pki.caPem, `${w.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${w.admin}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    w = await startSsoWorld();
    for (const name of ["team-a", "team-b"])
      expect((await admin("POST", `${ORG}/workspaces`, { metadata: { name } })).status).toBe(201);
    expect((await admin("POST", `${ORG}/policies`, policy("a-latest", "team-a"))).status).toBe(201);
    expect((await admin("POST", `${ORG}/policies`, policy("b-latest", "team-b"))).status).toBe(201);
    browser = await launchBrowser({
      trustCertificatePem: readFileSync(w.pki.certFile, "utf8"),
      viewport: { width: 1366, height: 768 },
    });
    startScreenshots("sso-dex");
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await w?.close();
  });

  /** From the console's login page through Dex's form, back to the console. */
  async function signIn(page: Page, email: string, password: string) {
    await page.goto(`${w.url}/#/policies`);
    const sso = page.getByRole("link", { name: "Sign in with SSO" });
    await sso.waitFor();
    // Token sign-in stays available beside it.
    await page.getByLabel("API token").waitFor();
    await screenshot(page, `login-${email.split("@")[0]}`);
    await sso.click();
    await page.waitForURL((u) => u.toString().startsWith(w.dex.issuer));
    await page.locator("#login").fill(email);
    await page.locator("#password").fill(password);
    await screenshot(page, `dex-${email.split("@")[0]}`);
    await page.locator("#submit-login").click();
    await page.waitForURL((u) => u.toString().startsWith(w.url));
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    await page.getByText(`Signed in as ${email}`).waitFor();
  }

  /** A call from the page itself: the browser's cookie session, and the CSRF token if asked. */
  async function fromPage(page: Page, method: string, path: string, body?: unknown) {
    return page.evaluate(
      async ({ method, path, body }) => {
        const s = (await fetch("/api/v1/auth/session").then((r) => r.json())) as {
          csrfToken: string;
        };
        const r = await fetch(path, {
          method,
          headers: { "content-type": "application/json", "x-csrf-token": s.csrfToken },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: r.status, body: await r.text() };
      },
      { method, path, body },
    );
  }

  async function policyNames(page: Page): Promise<string[]> {
    await page.goto(`${w.url}/#/policies?view=organization`);
    const table = page.getByRole("table", {
      name: "Policies assigned to workspaces and namespaces",
    });
    await table.waitFor();
    return table.getByRole("link").allTextContents();
  }

  for (const [who, email, password, mine, theirs, otherWs] of [
    ["alice", "alice@example.com", "alice-pw-1", "a-latest", "b-latest", "team-b"],
    ["bob", "bob@example.com", "bob-pw-2", "b-latest", "a-latest", "team-a"],
  ] as const) {
    it(`${who} signs in through Dex, sees and changes only ${mine}, is refused on ${otherWs}, signs out`, async () => {
      const page = await browser.newPage();
      await signIn(page, email, password);
      await expect.poll(() => page.locator(".role").textContent()).toBe("workspace-admin");

      const names = await policyNames(page);
      expect(names).toContain(mine);
      expect(names).not.toContain(theirs);
      await screenshot(page, `${who}-policies`);

      // A change through the console: the action of their own policy becomes warn.
      await page.getByRole("link", { name: `Edit ${mine}` }).click();
      await page.getByRole("radio", { name: "Warn" }).check();
      await page.getByRole("button", { name: "Save policy" }).click();
      await page.getByText(`Policy ${mine} saved`).waitFor();
      const saved = (await admin("GET", `${ORG}/policies/${mine}`)).json();
      expect(saved.spec.action).toBe("warn");
      expect(saved.metadata.updatedBy).toBe(`oidc:${email}`);
      await screenshot(page, `${who}-saved`);

      // The other workspace, through the API with this browser's cookie session.
      expect((await fromPage(page, "GET", `${ORG}/policies/${theirs}`)).status).toBe(404);
      const write = await fromPage(page, "POST", `${ORG}/policies`, policy(`${who}-x`, otherWs));
      expect(write.status).toBe(403);
      const del = await page.evaluate(async (path) => {
        const s = (await fetch("/api/v1/auth/session").then((r) => r.json())) as {
          csrfToken: string;
        };
        const r = await fetch(path, {
          method: "DELETE",
          headers: { "x-csrf-token": s.csrfToken, "if-match": '"1"' },
        });
        return r.status;
      }, `${ORG}/policies/${theirs}`);
      expect(del).toBe(404);
      // Without the CSRF token the same session may not write even its own workspace.
      const noCsrf = await page.evaluate(async (path) => {
        const r = await fetch(path, { method: "DELETE", headers: { "if-match": '"1"' } });
        return r.status;
      }, `${ORG}/policies/${mine}`);
      expect(noCsrf).toBe(403);

      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("link", { name: "Sign in with SSO" }).waitFor();
      const after = await page.evaluate(() => fetch("/api/v1/whoami").then((r) => r.status));
      expect(after).toBe(401);
      await screenshot(page, `${who}-signed-out`);
      await page.close();
    }, 90_000);
  }

  it("shows why a sign-in failed: a person of no mapped group", async () => {
    const page = await browser.newPage();
    await page.goto(`${w.url}/`);
    await page.getByRole("link", { name: "Sign in with SSO" }).click();
    await page.waitForURL((u) => u.toString().startsWith(w.dex.issuer));
    await page.locator("#login").fill("carol@example.com");
    await page.locator("#password").fill("carol-pw-3");
    await page.locator("#submit-login").click();
    await page.getByRole("alert").filter({ hasText: "none of your groups" }).waitFor();
    expect(page.url()).not.toContain("sign_in_error");
    await screenshot(page, "carol-no-role");
    await page.close();
  }, 60_000);
});
