import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { customs, ROOT, tempFiles } from "../support/cli.js";
import { freePort } from "../support/dex.js";

const built = existsSync(join(ROOT, "dist/cli/main.js"));
if (!built)
  console.log("skipped: --oidc-config through the CLI: dist/ is not built (npm run build)");

const CONFIG = {
  issuer: "https://idp.example.invalid",
  clientID: "customs",
  mappings: [{ group: "platform", role: "organization-admin" }],
};

describe.skipIf(!built)("customs serve control-plane --oidc-config", () => {
  const files = tempFiles({ secret: "the-client-secret\n", empty: "\n" });
  afterAll(() => files.cleanup());

  const start = (config: object, extra: string[] = []) => {
    const f = tempFiles({ "oidc.json": JSON.stringify(config) });
    const r = customs([
      "serve",
      "control-plane",
      "--plain-http",
      "--listen",
      "127.0.0.1:0",
      "--data-dir",
      join(f.dir, "data"),
      "--oidc-config",
      join(f.dir, "oidc.json"),
      ...extra,
    ]);
    f.cleanup();
    return r;
  };

  it.each([
    [
      "a client secret in the file",
      { clientSecret: "x", clientSecretFile: "/nonexistent" },
      "clientSecret: unknown field",
    ],
    [
      "an unreadable secret file",
      { clientSecretFile: "/nonexistent/secret" },
      "clientSecretFile /nonexistent/secret",
    ],
    ["an empty secret file", { clientSecretFile: "EMPTY" }, "is empty"],
    [
      "a mapping without workspaces",
      { clientSecretFile: "SECRET", mappings: [{ group: "g", role: "workspace-admin" }] },
      "mappings[0].workspaces",
    ],
  ])("refuses %s before anything starts (exit 2, no token shown)", (_name, change, message) => {
    const config = JSON.parse(
      JSON.stringify({ ...CONFIG, ...change })
        .replace("EMPTY", join(files.dir, "empty"))
        .replace("SECRET", join(files.dir, "secret")),
    );
    const r = start(config);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).not.toContain("cst_");
  });

  it("starts with a provider that cannot be reached yet, and offers SSO", async () => {
    const f = tempFiles({
      "oidc.json": JSON.stringify({ ...CONFIG, clientSecretFile: join(files.dir, "secret") }),
    });
    const port = await freePort();
    const child = spawn(process.execPath, [
      join(ROOT, "bin/customs"),
      "serve",
      "control-plane",
      "--plain-http",
      "--listen",
      `127.0.0.1:${port}`,
      "--data-dir",
      join(f.dir, "data"),
      "--oidc-config",
      join(f.dir, "oidc.json"),
    ]);
    try {
      let out = "";
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
      });
      await expect.poll(() => out, { timeout: 20_000 }).toContain("Control plane listening");
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/auth`);
      expect(await r.json()).toEqual({
        methods: ["token", "oidc"],
        oidc: { signInUrl: "/api/v1/auth/oidc/sign-in" },
      });
      // Discovery fails at the sign-in: back to the console with the code.
      const s = await fetch(`http://127.0.0.1:${port}/api/v1/auth/oidc/sign-in`, {
        redirect: "manual",
      });
      expect(s.status).toBe(302);
      expect(s.headers.get("location")).toBe("/?sign_in_error=PROVIDER_FAILED");
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      f.cleanup();
    }
  }, 30_000);
});
