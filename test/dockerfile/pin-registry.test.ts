// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfiles use ${VAR} substitution
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unifiedDiff } from "../../src/app/pin/pin.js";
import {
  ALICE,
  type BasicFixture,
  dockerConfigJson,
  startBasicFixture,
} from "../registry/fixture.js";
import { skipReason } from "../registry/harness.js";
import { customsInProcess as customs } from "../support/cli.js";

const skip = skipReason("customs dockerfile pin against docker-registry");

describe.skipIf(skip !== undefined)("customs dockerfile pin against docker-registry", () => {
  let fx: BasicFixture;
  let dir: string;
  let flags: string[];
  let host: string;

  const auth = (password: string) => dockerConfigJson(fx.registry.host, password);

  beforeAll(async () => {
    fx = await startBasicFixture();
    host = fx.registry.host;
    dir = mkdtempSync(join(tmpdir(), "customs-dockerfile-pin-"));
    writeFileSync(join(dir, "ca.pem"), fx.pki.ca.certPem);
    writeFileSync(join(dir, "config.json"), auth(ALICE.password));
    writeFileSync(join(dir, "wrong.json"), auth("not the password"));
    flags = ["--ca-file", join(dir, "ca.pem"), "--registry-config", join(dir, "config.json")];
  });
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await fx?.stop();
  });

  /** A multi-stage Dockerfile with every kind of FROM. */
  const multiStage = () =>
    [
      "# syntax=docker/dockerfile:1",
      `ARG BASE=${host}/team/app:v1.0`,
      "ARG TAG",
      "",
      "# the build stage",
      `FROM --platform=$BUILDPLATFORM ${host}/team/app:v1 AS build`,
      "RUN echo build \\",
      "    && echo more",
      "FROM ${BASE} AS from-arg",
      `FROM ${host}/team/multi:v2@${fx.index.digest}   AS pinned`,
      "FROM build AS again",
      "FROM scratch",
      `FROM ${host}/team/app:\${TAG}`,
      `from   ${host}/team/multi:v2 as Final`,
      "USER 10001",
      "",
    ].join("\n");

  it("--check lists unpinned FROMs and exits 1; stages, scratch and pinned FROMs are fine", async () => {
    const file = join(dir, "Dockerfile");
    writeFileSync(file, multiStage());
    const r = await customs(["dockerfile", "pin", "--check", file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(
      `${file}:6: ${host}/team/app:v1: not pinned to a digest\n` +
        `${file}:9: \${BASE}: not pinned to a digest (cannot pin: built from ARG BASE (pin its default by hand: ARG BASE=${host}/team/app:v1.0@sha256:…))\n` +
        `${file}:14: ${host}/team/multi:v2: not pinned to a digest\n` +
        "3 unpinned base image(s)\n",
    );
    expect(r.stderr).toBe(
      `${file}:13: ${host}/team/app:\${TAG}: built from ARG TAG with no default: not checked\n`,
    );
  });

  it("--diff prints the change and writes nothing; pin writes only the image words", async () => {
    const file = join(dir, "Dockerfile");
    const before = multiStage();
    writeFileSync(file, before);
    const after = before
      .replace(`${host}/team/app:v1 AS`, `${host}/team/app:v1@${fx.app.manifest.digest} AS`)
      .replace(`${host}/team/multi:v2 as`, `${host}/team/multi:v2@${fx.index.digest} as`);

    const diff = await customs(["dockerfile", "pin", "--diff", file, ...flags]);
    expect(diff.status).toBe(0);
    expect(diff.stdout).toBe(unifiedDiff(before, after, `a/${file}`, `b/${file}`));
    expect(diff.stdout).toContain(`+from   ${host}/team/multi:v2@${fx.index.digest} as Final\n`);
    expect(readFileSync(file, "utf8")).toBe(before);

    const pin = await customs(["dockerfile", "pin", file, ...flags]);
    expect(pin.status).toBe(0);
    expect(pin.stdout).toBe(
      `${file}:6: ${host}/team/app:v1 -> ${host}/team/app:v1@${fx.app.manifest.digest}\n` +
        `${file}:14: ${host}/team/multi:v2 -> ${host}/team/multi:v2@${fx.index.digest}\n` +
        "pinned 2 base image(s) in 1 file(s)\n",
    );
    expect(pin.stderr).toContain(`${file}:9: \${BASE}: cannot pin: built from ARG BASE`);
    expect(readFileSync(file, "utf8")).toBe(after);

    // Pinning again changes nothing.
    const again = await customs(["dockerfile", "pin", file, ...flags]);
    expect(again.stdout).toBe("pinned 0 base image(s) in 0 file(s)\n");
    expect(readFileSync(file, "utf8")).toBe(after);
  });

  it("--check passes once every FROM is pinned; folders are searched", async () => {
    const sub = join(dir, "svc");
    const file = join(sub, "api.Dockerfile");
    const text = `# escape=\`\nFROM ${host}/team/app:v1 AS build\nFROM build\n`;
    rmSync(sub, { recursive: true, force: true });
    mkdirSync(sub);
    writeFileSync(file, text);
    expect((await customs(["dockerfile", "pin", "--check", sub])).status).toBe(1);
    expect((await customs(["dockerfile", "pin", sub, ...flags])).status).toBe(0);
    const check = await customs(["dockerfile", "pin", "--check", sub]);
    expect([check.status, check.stdout]).toEqual([0, "0 unpinned base image(s)\n"]);
  });

  it("a pinned digest the registry does not serve, or refused credentials: exit 2, nothing written", async () => {
    const file = join(dir, "Dockerfile.gone");
    const gone = `sha256:${"0".repeat(64)}`;
    const text = `FROM ${host}/team/app:v1@${gone}\nFROM ${host}/team/multi:v2\n`;
    writeFileSync(file, text);
    const r = await customs(["dockerfile", "pin", file, ...flags]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/NOT_FOUND/);
    expect(r.stderr).toContain("customs: nothing written\n");
    expect(readFileSync(file, "utf8")).toBe(text);

    const unpinned = join(dir, "Dockerfile.auth");
    writeFileSync(unpinned, `FROM ${host}/team/app:v1\n`);
    const bad = ["--ca-file", join(dir, "ca.pem"), "--registry-config", join(dir, "wrong.json")];
    const denied = await customs(["dockerfile", "pin", unpinned, ...bad]);
    expect(denied.status).toBe(2);
    expect(denied.stderr).toMatch(/AUTH_FAILED/);
    expect(denied.stderr).not.toContain("not the password");
    expect(readFileSync(unpinned, "utf8")).toBe(`FROM ${host}/team/app:v1\n`);
  });

  it("usage errors are exit 2", async () => {
    expect((await customs(["dockerfile", "pin", "--check", "--diff", dir])).status).toBe(2);
    expect((await customs(["dockerfile", "pin", "-"])).status).toBe(2);
  });
});
