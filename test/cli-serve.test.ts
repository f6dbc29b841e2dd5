import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployment, review } from "./support/admission.js";
import { ROOT, tempFiles } from "./support/cli.js";
import { httpsCall, type TestPki, testPki } from "./support/tls.js";
import { eventually } from "./support/wait.js";

const policy = (recipe: string) => `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: p}
spec: {recipe: ${recipe}}
`;

/** Asks `customs serve` (a child process) until it answers; a refused connection is "not yet". */
function until<T>(f: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  return eventually("customs serve", () => f().catch(() => undefined), ms, 100);
}

describe("customs serve webhook", () => {
  let pki: TestPki;
  const files = tempFiles({ "policies/p.yaml": policy("block-latest-tag") });
  let child: ChildProcess;
  let port = 0;
  let logs = "";

  beforeAll(async () => {
    pki = await testPki();
    port = 20_000 + Math.floor(Math.random() * 20_000);
    child = spawn(process.execPath, [
      join(ROOT, "bin/customs"),
      "serve",
      "webhook",
      "-p",
      join(files.dir, "policies"),
      "--listen",
      `127.0.0.1:${port}`,
      "--tls-cert",
      pki.certFile,
      "--tls-key",
      pki.keyFile,
      "--reload-interval",
      "200",
    ]);
    child.stdout?.on("data", (d: Buffer) => {
      logs += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      logs += d.toString();
    });
    await until(async () =>
      (await httpsCall(port, pki.caPem, "GET", "/readyz")).status === 200 ? true : undefined,
    );
  });
  afterAll(() => {
    child.kill("SIGKILL");
    pki.cleanup();
    files.cleanup();
  });

  const verdict = async (image: string) => {
    const r = await httpsCall(
      port,
      pki.caPem,
      "POST",
      "/validate",
      JSON.stringify(review(deployment("d", [image]))),
    );
    return (r.json() as { response: { allowed: boolean } }).response.allowed;
  };

  it("decides with the policies it was given", async () => {
    expect(await verdict("nginx")).toBe(false);
    expect(await verdict("nginx:1.25")).toBe(true);
  });

  it("reloads a changed policy file without a restart, and keeps the old set on a broken edit", async () => {
    writeFileSync(join(files.dir, "policies/p.yaml"), policy("require-digest"));
    await until(async () => ((await verdict("nginx:1.25")) === false ? true : undefined));
    writeFileSync(join(files.dir, "policies/p.yaml"), "spec: [broken");
    await until(async () => (logs.includes("policy reload failed") ? true : undefined));
    expect(await verdict("nginx:1.25")).toBe(false);
    expect(await verdict(`nginx@sha256:${"a".repeat(64)}`)).toBe(true);
  });

  it("logs decisions without request bodies", () => {
    expect(logs).toContain('"msg":"admission"');
    expect(logs).not.toContain("containers");
  });

  it("exits cleanly on SIGTERM", async () => {
    const code = await new Promise<number | null>((resolve) => {
      child.once("exit", (c) => resolve(c));
      child.kill("SIGTERM");
    });
    expect(code).toBe(0);
    expect(logs).toContain('"msg":"stopped"');
  });
});

describe("customs serve refuses to start on bad input", () => {
  it("with a broken policy (exit 2, message names the file)", async () => {
    const pki = await testPki();
    const f = tempFiles({ "p.yaml": "kind: ImagePolicy\n" });
    try {
      const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
        const c = spawn(process.execPath, [
          join(ROOT, "bin/customs"),
          "serve",
          "webhook",
          "-p",
          join(f.dir, "p.yaml"),
          "--listen",
          "127.0.0.1:0",
          "--tls-cert",
          pki.certFile,
          "--tls-key",
          pki.keyFile,
        ]);
        let err = "";
        c.stderr.on("data", (d: Buffer) => {
          err += d.toString();
        });
        c.on("exit", (code) => resolve({ code, err }));
      });
      expect(r.code).toBe(2);
      expect(r.err).toContain("p.yaml: document 0");
    } finally {
      pki.cleanup();
      f.cleanup();
    }
  });
});

describe("customs serve --workers 2", () => {
  it("serves from several processes on one port and stops them all on SIGTERM", async () => {
    const pki = await testPki();
    const f = tempFiles({ "p.yaml": policy("block-latest-tag") });
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const c = spawn(process.execPath, [
      join(ROOT, "bin/customs"),
      "serve",
      "webhook",
      "-p",
      join(f.dir, "p.yaml"),
      "--listen",
      `127.0.0.1:${port}`,
      "--tls-cert",
      pki.certFile,
      "--tls-key",
      pki.keyFile,
      "--workers",
      "2",
    ]);
    let out = "";
    c.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    try {
      await until(async () =>
        (out.match(/webhook listening/g) ?? []).length === 2 ? true : undefined,
      );
      const r = await httpsCall(
        port,
        pki.caPem,
        "POST",
        "/validate",
        JSON.stringify(review(deployment("d", ["nginx"]))),
      );
      expect((r.json() as { response: { allowed: boolean } }).response.allowed).toBe(false);
      const code = await new Promise<number | null>((resolve) => {
        c.once("exit", resolve);
        c.kill("SIGTERM");
      });
      expect(code).toBe(0);
      expect((out.match(/"msg":"stopped"/g) ?? []).length).toBe(2);
    } finally {
      c.kill("SIGKILL");
      pki.cleanup();
      f.cleanup();
    }
  });
});
