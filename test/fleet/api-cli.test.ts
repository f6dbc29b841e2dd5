import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { customs, ROOT } from "../support/cli.js";
import { httpsCall } from "./api-harness.js";

const dir = mkdtempSync(join(tmpdir(), "customs-cp-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `customs serve control-plane`, waits for its URL, returns what it printed. */
async function start(args: string[]): Promise<{ child: ChildProcess; out: string; url: string }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, "bin/customs"), "serve", "control-plane", ...args],
    {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  child.stderr?.on("data", (d) => {
    err += String(d);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start: ${out} ${err}`)), 30_000);
    child.stdout?.on("data", (d) => {
      out += String(d);
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => reject(new Error(`exited ${code}: ${out} ${err}`)));
  });
  return { child, out, url };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  child.kill("SIGTERM");
  return exited;
}

describe("customs serve control-plane", () => {
  it("prints the admin token on the first start only, serves HTTPS with the generated CA, stops on SIGTERM", async () => {
    const data = join(dir, "data");
    const first = await start(["--listen", "127.0.0.1:0", "--data-dir", data]);
    const token = /Admin token: (cst_\S+)/.exec(first.out)?.[1];
    expect(token).toBeDefined();
    const caPath = /CA certificate: (\S+)/.exec(first.out)?.[1] ?? "";
    expect(existsSync(caPath)).toBe(true);
    expect(statSync(join(data, "tls", "server.key")).mode & 0o077).toBe(0);
    const who = await httpsCall(first.url, readFileSync(caPath), "GET", "/api/v1/whoami", {
      token,
    });
    expect(who.body).toMatchObject({ role: "admin", token: "admin" });
    expect(await stop(first.child)).toBe(0);
    const second = await start(["--listen", "127.0.0.1:0", "--data-dir", data]);
    expect(second.out).not.toContain("Admin token");
    expect(second.out).toContain(caPath);
    expect(await stop(second.child)).toBe(0);
  }, 60_000);

  it("--admin-token-file writes the token (mode 0600) instead of printing it", async () => {
    const file = join(dir, "admin-token");
    const s = await start([
      "--listen",
      "127.0.0.1:0",
      "--data-dir",
      join(dir, "data2"),
      "--admin-token-file",
      file,
    ]);
    expect(s.out).not.toMatch(/cst_/);
    expect(readFileSync(file, "utf8")).toMatch(/^cst_[0-9a-f]+_\S+\n$/);
    expect(statSync(file).mode & 0o077).toBe(0);
    await stop(s.child);
  }, 60_000);

  it("a start that cannot listen or read its certificate fails clearly and shows no token", async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", () => r()));
    const port = (busy.address() as AddressInfo).port;
    const data = join(dir, "data3");
    const r = customs([
      "serve",
      "control-plane",
      "--listen",
      `127.0.0.1:${port}`,
      "--data-dir",
      data,
    ]);
    busy.close();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${port}`);
    expect(r.stdout).not.toContain("cst_");
    const tls = customs([
      "serve",
      "control-plane",
      "--tls-cert",
      join(dir, "none.crt"),
      "--tls-key",
      join(dir, "none.key"),
      "--data-dir",
      data,
    ]);
    expect(tls.status).toBe(2);
    expect(tls.stderr).toContain("--tls-cert");
    expect(tls.stderr).not.toContain("internal error");
    // The token was never shown, so the next start that works shows it.
    const s = await start(["--listen", "127.0.0.1:0", "--data-dir", data]);
    expect(s.out).toMatch(/Admin token: cst_/);
    await stop(s.child);
  }, 60_000);

  it("two replicas starting at once on one SQLite data directory: one token, one CA", async () => {
    const data = join(dir, "data4");
    const [a, b] = await Promise.all([
      start(["--listen", "127.0.0.1:0", "--data-dir", data]),
      start(["--listen", "127.0.0.1:0", "--data-dir", data]),
    ]);
    const shown = [a, b].filter((s) => s.out.includes("Admin token: cst_"));
    expect(shown).toHaveLength(1);
    const token = /Admin token: (cst_\S+)/.exec(shown[0]?.out ?? "")?.[1];
    const ca = readFileSync(join(data, "tls", "ca.crt"));
    for (const s of [a, b]) {
      const who = await httpsCall(s.url, ca, "GET", "/api/v1/whoami", { token });
      expect(who.body).toMatchObject({ role: "admin" });
    }
    await Promise.all([stop(a.child), stop(b.child)]);
  }, 60_000);

  it("--plain-http on loopback serves HTTP and generates no certificate", async () => {
    const data = join(dir, "data5");
    const s = await start(["--plain-http", "--listen", "127.0.0.1:0", "--data-dir", data]);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.out).not.toContain("CA certificate");
    expect(existsSync(join(data, "tls"))).toBe(false);
    const token = /Admin token: (cst_\S+)/.exec(s.out)?.[1];
    const who = await httpsCall(s.url, Buffer.from(""), "GET", "/api/v1/whoami", { token });
    expect(who.body).toMatchObject({ role: "admin" });
    await stop(s.child);
  }, 60_000);

  it("--plain-http only on loopback", () => {
    const r = customs([
      "serve",
      "control-plane",
      "--plain-http",
      "--listen",
      "0.0.0.0:8643",
      "--data-dir",
      join(dir, "x"),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--plain-http only with a loopback --listen");
  });

  it("a bad --trusted-proxy or --metrics-token-file is a usage error, before any token", () => {
    const proxy = customs([
      "serve",
      "control-plane",
      "--trusted-proxy",
      "10.0.0.0/8",
      "--trusted-proxy",
      "proxy.example",
      "--listen",
      "127.0.0.1:0",
      "--data-dir",
      join(dir, "proxy"),
    ]);
    expect(proxy.status).toBe(2);
    expect(proxy.stderr).toContain("--trusted-proxy must be an address or CIDR");
    expect(proxy.stdout).not.toContain("Admin token");
    const metrics = customs([
      "serve",
      "control-plane",
      "--metrics-token-file",
      join(dir, "no-such-file"),
      "--listen",
      "127.0.0.1:0",
      "--data-dir",
      join(dir, "metrics"),
    ]);
    expect(metrics.status).toBe(2);
    expect(metrics.stderr).toContain("--metrics-token-file");
    expect(metrics.stdout).not.toContain("Admin token");
  });

  it("`serve webhook` and `serve control-plane` are siblings, each with its own options", () => {
    const r = customs(["serve", "webhook", "-p", "nothing.yaml"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("required option '--tls-cert <file>' not specified");
    const help = customs(["serve", "--help"]);
    expect(help.stdout).toContain("webhook");
    expect(help.stdout).toContain("control-plane");
    expect(customs(["serve", "webhook", "--help"]).stdout).toContain("--from-cluster");
    const cpHelp = customs(["serve", "control-plane", "--help"]);
    expect(cpHelp.stdout).toContain("--admin-token-file");
    expect(cpHelp.stdout).toContain("--trusted-proxy");
    expect(cpHelp.stdout).toContain("--metrics-token-file");
  });
});
