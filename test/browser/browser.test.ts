/**
 * The browser harness itself (test/support/browser.ts): Debian's chromium starts, loads a page
 * over HTTPS from a server whose certificate only the pin makes acceptable, is driven through
 * accessible locators, and leaves a screenshot. Without the pin the same page is refused, so
 * the pin is what makes it load.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  browserSkipReason,
  launchBrowser,
  screenshot,
  spkiHash,
  startScreenshots,
} from "../support/browser.js";
import { type TestPki, testPki } from "../support/tls.js";

const skip = browserSkipReason();
if (skip !== undefined) console.warn(`skipping the browser harness test: ${skip}`);

const PAGE = `<!doctype html><html lang="en"><head><title>Harness</title></head><body>
<main><h1>Sign in</h1>
<form id="f"><label>Token <input name="token" type="password"></label>
<button type="submit">Sign in</button></form>
<p role="status" id="out"></p></main>
<script>document.getElementById("f").addEventListener("submit", (e) => {
  e.preventDefault();
  document.getElementById("out").textContent = "signed in as " + e.target.token.value.length + " characters";
});</script></body></html>`;

describe.skipIf(skip !== undefined)("browser harness", () => {
  let pki: TestPki;
  let server: Server;
  let url = "";

  beforeAll(async () => {
    startScreenshots("harness");
    pki = await testPki();
    server = createServer(
      { cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile) },
      (_req, res) => {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end(PAGE);
      },
    );
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await new Promise<void>((done) => server?.close(() => done()));
    pki?.cleanup();
  });

  it("loads an HTTPS page whose certificate is pinned, and is driven by role and label", async () => {
    const browser = await launchBrowser({
      trustCertificatePem: readFileSync(pki.certFile, "utf8"),
    });
    try {
      const page = await browser.newPage();
      await page.goto(url);
      await expect(page.title()).resolves.toBe("Harness");
      await page.getByLabel("Token").fill("cst_abc_secret");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByRole("status").textContent()).resolves.toBe(
        "signed in as 14 characters",
      );
      const png = await screenshot(page, "harness");
      expect(existsSync(png)).toBe(true);
      expect(readFileSync(png).subarray(1, 4).toString("latin1")).toBe("PNG");
    } finally {
      await browser.close();
    }
  });

  it("refuses the same page without the pin", async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await expect(page.goto(url)).rejects.toThrow(/ERR_CERT/);
    } finally {
      await browser.close();
    }
  });

  it("pins by the public key: the hash differs between certificates", async () => {
    const first = spkiHash(readFileSync(pki.certFile, "utf8"));
    expect(first).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const other = await testPki();
    try {
      expect(spkiHash(readFileSync(other.certFile, "utf8"))).not.toBe(first);
    } finally {
      other.cleanup();
    }
  });
});
