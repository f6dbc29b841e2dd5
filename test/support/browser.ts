/**
 * A real browser for tests: Debian's chromium (scripts/chromium/install.sh) driven by
 * playwright-core, which ships no browser of its own.
 *
 *   const browser = await launchBrowser({ trustCertificatePem: serverCertPem });
 *   const page = await browser.newPage();
 *   await page.goto(url);
 *   startScreenshots("my-suite");
 *   await screenshot(page, "login");       // test-artifacts/browser/my-suite/01-login.png
 *   await browser.close();
 *
 * Every launch gets a fresh profile in a temporary folder, removed by close(). The page is
 * served over HTTPS by a certificate the system does not trust: with `trustCertificatePem` only
 * that certificate's key is accepted (chromium's SPKI pin list); with `ignoreHttpsErrors`
 * every certificate is, for servers whose certificate the test cannot read.
 */
import { createHash, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.CUSTOMS_CHROMIUM ?? "/usr/bin/chromium";

/** Where screenshots go (gitignored). */
export const ARTIFACTS = resolve(import.meta.dirname, "../../test-artifacts/browser");

/** Why the browser suites cannot run here, or undefined when they can. */
export function browserSkipReason(): string | undefined {
  return existsSync(CHROMIUM)
    ? undefined
    : `chromium is not installed at ${CHROMIUM}: run \`bash scripts/chromium/install.sh\``;
}

// Quiet, reproducible, loopback-only: no sandbox (tests may run as root in a container), no
// GPU, no QUIC, and none of the background traffic a desktop browser makes to Google.
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

export interface LaunchOptions {
  /** PEM of the server's own (leaf) certificate: its public key is the only one trusted. */
  readonly trustCertificatePem?: string;
  /** Accept any certificate. */
  readonly ignoreHttpsErrors?: boolean;
  /** Viewport size (default 1280×900). */
  readonly viewport?: { readonly width: number; readonly height: number };
}

export interface TestBrowser {
  readonly context: BrowserContext;
  newPage(): Promise<Page>;
  /** Closes the browser and removes its profile. Safe to call twice. */
  close(): Promise<void>;
}

/** base64(sha256(SubjectPublicKeyInfo)), the form of --ignore-certificate-errors-spki-list. */
export function spkiHash(certificatePem: string): string {
  const der = new X509Certificate(certificatePem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("base64");
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<TestBrowser> {
  const skip = browserSkipReason();
  if (skip !== undefined) throw new Error(skip);
  const profile = mkdtempSync(join(tmpdir(), "customs-chromium-"));
  const pin =
    options.trustCertificatePem === undefined
      ? []
      : [`--ignore-certificate-errors-spki-list=${spkiHash(options.trustCertificatePem)}`];
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...ARGS, ...pin],
      ignoreHTTPSErrors: options.ignoreHttpsErrors ?? false,
      viewport: options.viewport ?? { width: 1280, height: 900 },
      timeout: 60_000,
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  let closed = false;
  // The persistent context opens with one blank page: the first newPage() hands it out.
  let initial: Page | undefined = context.pages()[0];
  return {
    context,
    newPage: async () => {
      const page = initial ?? (await context.newPage());
      initial = undefined;
      return page;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

let folder = ARTIFACTS;
let sequence = 0;

/**
 * Screenshots from now on go to test-artifacts/browser/<suite>/, emptied first so that it
 * holds this run's pictures only, numbered from 01.
 */
export function startScreenshots(suite: string): string {
  folder = join(ARTIFACTS, suite.replace(/[^a-z0-9-]+/gi, "-"));
  rmSync(folder, { recursive: true, force: true });
  sequence = 0;
  return folder;
}

/**
 * Saves a full-page PNG as <NN>-<name>.png (numbered in the order taken, so a folder listing
 * tells the story) and returns its path.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(folder, { recursive: true });
  sequence += 1;
  const safe = name.replace(/[^a-z0-9-]+/gi, "-").toLowerCase();
  const path = join(folder, `${String(sequence).padStart(2, "0")}-${safe}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * The console in a browser against a real control plane (SQLite in a temporary folder), for
 * the test/console/*.browser.test.ts suites:
 *
 *   const skip = consoleSkipReason();
 *   describe.skipIf(skip !== undefined)("…", () => {
 *     let c: ConsoleFixture;
 *     beforeAll(async () => { c = await startConsole("insights"); });
 *     afterAll(() => c?.close());
 *     it("…", async () => { const page = await c.signIn("#/insights"); … });
 *   });
 *
 * The control plane is imported when a suite starts one, so that suites which only drive a
 * browser load none of it.
 */
export interface ConsoleFixture {
  /** The control plane's origin (it serves dist/console too). */
  readonly url: string;
  /** The bootstrap admin's API token. */
  readonly admin: string;
  /** A JSON call to /api/v1 with a bearer token; the body is {} when the answer is not JSON. */
  api(
    token: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Registers a cluster and answers its agent token. */
  createCluster(name: string): Promise<string>;
  /** A new page, signed in with the token (the admin's by default), at `hash`. */
  signIn(hash?: string, token?: string): Promise<Page>;
  close(): Promise<void>;
}

/** Why the console suites cannot run here (no chromium, or the console is not built). */
export function consoleSkipReason(): string | undefined {
  const console = resolve(import.meta.dirname, "../../dist/console/index.html");
  return (
    browserSkipReason() ??
    (existsSync(console) ? undefined : "dist/console is not built (npm run build:console)")
  );
}

export async function startConsole(suite: string): Promise<ConsoleFixture> {
  const [{ openStore }, { bootstrap }, { startControlPlane }] = await Promise.all([
    import("../../src/adapters/store/index.js"),
    import("../../src/app/fleet/bootstrap.js"),
    import("../../src/server/control-plane/server.js"),
  ]);
  const dir = mkdtempSync(join(tmpdir(), `customs-${suite}-`));
  const store = await openStore(`sqlite:${join(dir, "cp.db")}`);
  const admin = (await bootstrap(store)) ?? "";
  const server = await startControlPlane({
    store,
    host: "127.0.0.1",
    port: 0,
    tls: undefined,
    consoleDir: resolve(import.meta.dirname, "../../dist/console"),
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const api: ConsoleFixture["api"] = async (token, method, path, body) => {
    const r = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await r.json().catch(() => null)) as Record<string, unknown> | null;
    return { status: r.status, body: json ?? {} };
  };
  return {
    url: server.url,
    admin,
    api,
    createCluster: async (name) => {
      const r = await api(admin, "POST", "/organizations/default/clusters", {
        metadata: { name },
      });
      if (typeof r.body.agentToken !== "string") {
        throw new Error(`cluster ${name} not created: ${r.status} ${JSON.stringify(r.body)}`);
      }
      return r.body.agentToken;
    },
    signIn: async (hash = "", token = admin) => {
      const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
      await page.goto(`${server.url}/${hash}`);
      await page.getByLabel("API token").fill(token);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("navigation", { name: "Main" }).waitFor();
      return page;
    },
    close: async () => {
      await browser.close().catch(() => {});
      await server.close(100);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
