import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ALICE,
  type BasicFixture,
  dockerConfigJson,
  startBasicFixture,
} from "./registry/fixture.js";
import { skipReason } from "./registry/harness.js";
import { customsInProcess } from "./support/cli.js";

const skip = skipReason("customs pin and image digest against docker-registry");

const customs = customsInProcess;

describe.skipIf(skip !== undefined)("customs pin against docker-registry", () => {
  let fx: BasicFixture;
  let dir: string;
  let flags: string[];
  let badFlags: string[];

  const dockerConfig = (password: string) => dockerConfigJson(fx.registry.host, password);

  beforeAll(async () => {
    fx = await startBasicFixture();
    dir = mkdtempSync(join(tmpdir(), "customs-pin-"));
    writeFileSync(join(dir, "ca.pem"), fx.pki.ca.certPem);
    writeFileSync(join(dir, "config.json"), dockerConfig(ALICE.password));
    writeFileSync(join(dir, "wrong.json"), dockerConfig("not the password"));
    flags = ["--ca-file", join(dir, "ca.pem"), "--registry-config", join(dir, "config.json")];
    badFlags = ["--ca-file", join(dir, "ca.pem"), "--registry-config", join(dir, "wrong.json")];
  });
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await fx?.stop();
  });

  it("image digest prints the reference pinned to the pushed manifest's digest", async () => {
    const ref = `${fx.registry.host}/team/app:v1`;
    const text = await customs(["image", "digest", ref, ...flags]);
    expect(text).toEqual({ status: 0, stdout: `${ref}@${fx.app.manifest.digest}\n`, stderr: "" });
    const json = await customs(["image", "digest", "-o", "json", ref, ...flags]);
    expect(JSON.parse(json.stdout)).toEqual({
      input: ref,
      digest: fx.app.manifest.digest,
      pinned: `${ref}@${fx.app.manifest.digest}`,
    });
  });

  it("image digest exits 2 with the registry's error, never the credentials", async () => {
    const ref = `${fx.registry.host}/team/app:v1`;
    const r = await customs(["image", "digest", ref, ...badFlags]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/AUTH_FAILED/);
    expect(r.stderr).not.toContain("not the password");
    expect(r.stderr).not.toContain(Buffer.from(`${ALICE.username}:not`).toString("base64"));
    const missing = await customs([
      "image",
      "digest",
      `${fx.registry.host}/team/app:nope`,
      ...flags,
    ]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/NOT_FOUND/);
    // Without the CA the registry's certificate is refused.
    const untrusted = await customs(["image", "digest", ref]);
    expect(untrusted.status).toBe(2);
    expect(untrusted.stderr).toMatch(/REGISTRY_TLS_FAILED/);
  });

  it("--check fails, --diff shows, pin writes, --check passes", async () => {
    const host = fx.registry.host;
    const file = join(dir, "deploy.yaml");
    const text = [
      "# the app",
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata: {name: app}",
      "spec:",
      "  template:",
      "    spec:",
      "      containers:",
      `        - image: ${host}/team/app:v1   # pinned by CI`,
      "          name: app",
      `        - {name: multi, image: "${host}/team/multi:v2"}`,
      "",
    ].join("\n");
    writeFileSync(file, text);
    const app = `${host}/team/app:v1@${fx.app.manifest.digest}`;
    const multi = `${host}/team/multi:v2@${fx.index.digest}`;

    const before = await customs(["pin", "--check", file]);
    expect(before.status).toBe(1);
    expect(before.stdout).toBe(
      `${file}:9: ${host}/team/app:v1: not pinned to a digest\n` +
        `${file}:11: ${host}/team/multi:v2: not pinned to a digest\n` +
        "2 unpinned image(s)\n",
    );

    const diff = await customs(["pin", "--diff", file, ...flags]);
    expect(diff.status).toBe(0);
    expect(diff.stdout).toBe(
      [
        `--- a/${file}`,
        `+++ b/${file}`,
        "@@ -6,6 +6,6 @@",
        "   template:",
        "     spec:",
        "       containers:",
        `-        - image: ${host}/team/app:v1   # pinned by CI`,
        `+        - image: ${app}   # pinned by CI`,
        "           name: app",
        `-        - {name: multi, image: "${host}/team/multi:v2"}`,
        `+        - {name: multi, image: "${multi}"}`,
        "",
      ].join("\n"),
    );
    expect(readFileSync(file, "utf8")).toBe(text);

    const pinned = await customs(["pin", dir, ...flags]);
    expect(pinned.stderr).toBe("");
    expect(pinned.status).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(
      text.replace(`${host}/team/app:v1`, app).replace(`"${host}/team/multi:v2"`, `"${multi}"`),
    );

    const after = await customs(["pin", "--check", file]);
    expect(after).toEqual({ status: 0, stdout: "0 unpinned image(s)\n", stderr: "" });
    // Pinning again changes nothing.
    const again = await customs(["pin", file, ...flags]);
    expect(again.stdout).toBe("pinned 0 image(s) in 0 file(s)\n");
  });

  it("writes nothing when an image cannot be resolved", async () => {
    const host = fx.registry.host;
    const file = join(dir, "broken.yaml");
    const text = `kind: Pod\nspec:\n  containers:\n  - image: ${host}/team/app:v1.0\n  - image: ${host}/team/gone:v1\n`;
    writeFileSync(file, text);
    const r = await customs(["pin", file, ...flags]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/team\/gone:v1: NOT_FOUND/);
    expect(readFileSync(file, "utf8")).toBe(text);
    rmSync(file);
  });
});
