import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
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

  it("plain `customs serve` still wants its TLS files and still has its own options", () => {
    const r = customs(["serve", "-p", "nothing.yaml"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("required option '--tls-cert <file>' not specified");
    const help = customs(["serve", "--help"]);
    expect(help.stdout).toContain("--from-cluster");
    expect(help.stdout).toContain("control-plane");
    const cpHelp = customs(["serve", "control-plane", "--help"]);
    expect(cpHelp.stdout).toContain("--admin-token-file");
  });
});
