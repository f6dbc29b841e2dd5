import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { customsInProcess, ROOT, tempFiles } from "../support/cli.js";

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

function folder(files: Record<string, string> = {}) {
  const t = tempFiles(files);
  cleanup = t.cleanup;
  return t.dir;
}

describe("customs registry account", () => {
  it("add generates a secret once, stores only its bcrypt hash; list shows grants, never hashes", async () => {
    const file = join(folder(), "accounts.yaml");
    const add = await customsInProcess([
      "registry",
      "account",
      "add",
      "ci",
      "--file",
      file,
      "--grant",
      "team/*:pull,push",
      "--cost",
      "4",
    ]);
    expect(add.status).toBe(0);
    const secret = add.stdout.trim();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(secret);
    expect(text).toMatch(/secret: \$2y\$04\$/);
    await customsInProcess([
      "registry",
      "account",
      "add",
      "cluster-pull",
      "--file",
      file,
      "--grant",
      "*:pull",
      "--cost",
      "4",
    ]);
    const list = await customsInProcess(["registry", "account", "list", "--file", file]);
    expect(list.stdout).toBe("ci\trobot\tteam/*:pull,push\ncluster-pull\trobot\t*:pull\n");
    const json = await customsInProcess([
      "registry",
      "account",
      "list",
      "--file",
      file,
      "-o",
      "json",
    ]);
    expect(json.stdout).not.toContain("$2y$");
    const remove = await customsInProcess(["registry", "account", "remove", "ci", "--file", file]);
    expect(remove.status).toBe(0);
    expect((await customsInProcess(["registry", "account", "list", "--file", file])).stdout).toBe(
      "cluster-pull\trobot\t*:pull\n",
    );
  });

  it.each([
    [["add", "a:b"], /letters, digits/],
    [["add", "ci", "--grant", "team/*"], /--grant/],
    [["add", "ci", "--type", "admin"], /--type/],
    [["remove", "ghost"], /cannot read: ENOENT|not in/],
  ])("refuses bad input with exit 2: %j", async (args, message) => {
    const file = join(folder(), "accounts.yaml");
    const r = await customsInProcess(["registry", "account", ...args, "--file", file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("a broken accounts file is reported with file:line", async () => {
    const dir = folder({ "accounts.yaml": "accounts:\n  - name: [\n" });
    const r = await customsInProcess([
      "registry",
      "account",
      "list",
      "--file",
      join(dir, "accounts.yaml"),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/accounts\.yaml:\d+:\d+/);
  });
});

describe("customs registry token-server", () => {
  it("refuses an invalid configuration with exit 2, naming each field", async () => {
    const dir = folder({
      "config.yaml":
        "apiVersion: customs.dev/v1alpha1\nkind: RegistryTokenService\nspec:\n  service: r\n  tokenLifetimeSeconds: 1\n",
    });
    const r = await customsInProcess([
      "registry",
      "token-server",
      "--config",
      join(dir, "config.yaml"),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("spec.tokenLifetimeSeconds");
    expect(r.stderr).toContain("spec.accountsFile: is required");
  });
});

describe("customs registry token-server (the built CLI)", () => {
  it("serves, reloads on SIGHUP and stops on SIGTERM", async () => {
    const { spawn } = await import("node:child_process");
    const { createTestPki } = await import("../registry/harness.js");
    const { writeTokenFiles, accountsYaml, CI, PULLER, SERVICE, basic } = await import(
      "./setup.js"
    );
    const { https } = await import("./http.js");
    const pki = await createTestPki();
    const files = await writeTokenFiles(pki.server, [CI]);
    cleanup = files.cleanup;
    const child = spawn(
      process.execPath,
      [join(ROOT, "bin/customs"), "registry", "token-server", "--config", files.config],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      out += c.toString("utf8");
    });
    try {
      await expect
        .poll(() => /"port":(\d+)/.exec(out)?.[1], { timeout: 15_000, interval: 50 })
        .toBeDefined();
      const port = /"port":(\d+)/.exec(out)?.[1];
      const login = (who: { name: string; secret: string }) =>
        https(`https://127.0.0.1:${port}/token?service=${SERVICE}`, pki.ca.certPem, {
          headers: { authorization: basic(who.name, who.secret) },
        });
      expect((await login(CI)).status).toBe(200);
      expect((await login(PULLER)).status).toBe(401);
      files.write("accounts.yaml", accountsYaml([CI, PULLER]));
      child.kill("SIGHUP");
      await expect
        .poll(() => out.includes("configuration reloaded"), { timeout: 5000, interval: 50 })
        .toBe(true);
      expect((await login(PULLER)).status).toBe(200);
      expect(out).not.toContain(PULLER.secret);
    } finally {
      const exited = new Promise<number | null>((resolve) =>
        child.once("exit", (code) => resolve(code)),
      );
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    }
  }, 30_000);
});
