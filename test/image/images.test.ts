import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, posix, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildStageMounts, stageDist, stageNodeModules } from "../../scripts/image/app.js";
import { installNode } from "../../scripts/image/base.js";
import type { PushedImage } from "../../scripts/image/images.js";
import { diskLayerCache } from "../../scripts/image/images.js";
import { buildEpoch } from "../../scripts/image/oci.js";
import { imageSbom, unpackImage } from "../../scripts/image/sbom.js";
import { Cosign, cosignPath } from "../../scripts/image/sign.js";
import {
  execForm,
  keyValues,
  leadingFlags,
  readDockerfile,
  splitWords,
  unquote,
} from "../../src/core/dockerfile/index.js";
import { buildAndPushImages, type PushedImages } from "../e2e/images.js";
import {
  createTestPki,
  type RunningRegistry,
  skipReason,
  startRegistry,
} from "../registry/harness.js";
import { eventually } from "../support/wait.js";
import {
  imageConfig,
  type Listed,
  listLayers,
  runContainer,
  runcMissing,
  startContainer,
} from "./support.js";

/**
 * The real build (docs/images.md): every image built from its Dockerfile without a Docker
 * daemon, pushed over TLS to Debian's docker-registry, then checked against the Dockerfile,
 * run with runc (read-only root, non-root user), given an SBOM and signed with real cosign.
 * A cold cache makes the build take minutes (better-sqlite3 is compiled twice); warm, seconds.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const CACHE =
  process.env.CUSTOMS_IMAGE_CACHE ?? join(process.env.HOME ?? tmpdir(), ".cache/customs/images");
const skip = skipReason("images");
const noRunc = runcMissing();
if (!skip && noRunc) console.warn(`[images] container runs skipped: ${noRunc}`);
let noCosign: string | undefined;
try {
  cosignPath();
} catch (e) {
  noCosign = (e as Error).message;
  if (!skip) console.warn(`[images] signing skipped: ${noCosign}`);
}

const dockerfile = readDockerfile(readFileSync(join(ROOT, "deploy/Dockerfile"), "utf8"));
const finalStage = dockerfile.stages.at(-1);

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Asks the container's server until it answers 2xx; fails with the container's output. */
function waitFor(url: string, ms: number, output: () => string): Promise<Response> {
  const answer = async () => {
    const res = await fetch(url).catch(() => undefined); // not listening yet
    return res?.ok ? res : undefined;
  };
  return eventually(url, answer, ms).catch((e: Error) => {
    throw new Error(`${e.message}:\n${output()}`);
  });
}

describe.skipIf(skip)("Customs' images, built without a Docker daemon", () => {
  let registry: RunningRegistry;
  let dir: string;
  let caFile: string;
  let images: PushedImages;
  const rootfs = new Map<string, string>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "customs-images-test-"));
    const pki = await createTestPki();
    caFile = join(dir, "ca.pem");
    writeFileSync(caFile, pki.ca.certPem);
    registry = await startRegistry({ kind: "none" }, pki.server);
    images = await buildAndPushImages(
      { host: registry.host, caFile },
      { cache: CACHE, log: (m) => console.log(`[images] ${m}`) },
    );
  }, 45 * 60_000);

  afterAll(async () => {
    await registry?.stop();
    for (const d of rootfs.values()) rmSync(d, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The image unpacked once by GNU tar (owners kept: the tests run as root for runc). */
  const unpacked = (name: string, image: PushedImage) => {
    if (!rootfs.has(name)) {
      const fs = unpackImage(image.image);
      // mkdtemp makes it 0700: the container's / must be searchable by its non-root user.
      chmodSync(fs, 0o755);
      rootfs.set(name, fs);
    }
    return rootfs.get(name) as string;
  };

  it("has the run config deploy/Dockerfile's final stage describes, on node-base", () => {
    expect(finalStage).toBeDefined();
    const esc = dockerfile.syntax.escape;
    const base = imageConfig(images.built.nodeBase24.image).config as { Env: string[] };
    const expected: Record<string, unknown> = { Env: [...base.Env], Labels: {}, ExposedPorts: {} };
    for (const at of finalStage?.instructions ?? []) {
      if (at.keyword === "USER" || at.keyword === "WORKDIR") {
        expected[at.keyword === "USER" ? "User" : "WorkingDir"] = unquote(at.args.trim(), esc);
      }
      if (at.keyword === "ENTRYPOINT") expected.Entrypoint = execForm(at.args);
      if (at.keyword === "CMD") expected.Cmd = execForm(at.args);
      if (at.keyword === "ENV")
        for (const kv of keyValues(at, esc))
          (expected.Env as string[]).push(`${kv.key}=${kv.value}`);
      if (at.keyword === "LABEL")
        for (const kv of keyValues(at, esc))
          (expected.Labels as Record<string, string>)[kv.key] = kv.value ?? "";
      if (at.keyword === "EXPOSE")
        for (const w of splitWords(at.args, esc))
          (expected.ExposedPorts as Record<string, object>)[`${w.text}/tcp`] = {};
    }
    for (const variant of [images.built.customs, images.built.customsNode20]) {
      expect(imageConfig(variant.image).config).toEqual(expected);
    }
    // The published contract, spelled out: non-root, the CLI as entrypoint.
    expect(expected.User).toBe("65532:65532");
    expect(expected.Entrypoint).toEqual(["/nodejs/bin/node", "/app/bin/customs"]);
  });

  it("holds every file each COPY names, with its mode, owned as --chown says (root by default)", () => {
    const node = installNode(
      { cache: CACHE, epoch: buildEpoch(), layers: diskLayerCache(join(CACHE, "layers")) },
      24,
    );
    const mounts = buildStageMounts(
      ROOT,
      stageDist(ROOT, CACHE),
      stageNodeModules(ROOT, node, CACHE),
    );
    const listed = listLayers(images.built.customs.image.layers);
    const esc = dockerfile.syntax.escape;
    let checked = 0;
    const problems: string[] = [];
    const compare = (host: string, path: string, owner: { uid: number; gid: number }) => {
      const stats = lstatSync(host);
      const entry: Listed | undefined = listed.get(path);
      const kind = stats.isDirectory() ? "dir" : stats.isSymbolicLink() ? "symlink" : "file";
      const want = {
        kind,
        uid: owner.uid,
        gid: owner.gid,
        ...(kind === "symlink" ? {} : { mode: stats.mode & 0o7777 }),
      };
      if (entry === undefined) problems.push(`${path}: missing`);
      else if (Object.entries(want).some(([k, v]) => entry[k as keyof Listed] !== v)) {
        problems.push(`${path}: ${JSON.stringify(entry)} instead of ${JSON.stringify(want)}`);
      }
      checked++;
      if (stats.isDirectory())
        for (const n of readdirSync(host)) compare(join(host, n), `${path}/${n}`, owner);
    };
    for (const at of finalStage?.instructions ?? []) {
      if (at.keyword !== "COPY") continue;
      const { flags, rest } = leadingFlags(splitWords(at.args, esc));
      expect(flags.get("from")).toBe("build");
      const [src, dest] = rest.map((w) => w.text) as [string, string];
      const chown = /^(\d+):(\d+)$/.exec(flags.get("chown") ?? "0:0");
      const owner = { uid: Number(chown?.[1]), gid: Number(chown?.[2]) };
      const mount = [...mounts]
        .sort((a, b) => b.at.length - a.at.length)
        .find((m) => src === m.at || src.startsWith(`${m.at}/`));
      const host = join(mount?.dir ?? "/nonexistent", posix.relative(mount?.at ?? "/", src));
      const target = posix
        .resolve("/app", dest.endsWith("/") ? posix.join(dest, posix.basename(src)) : dest)
        .slice(1);
      compare(host, target, owner);
    }
    expect(problems.slice(0, 20)).toEqual([]);
    // node_modules, dist with the console, package.json, bin: thousands of entries.
    expect(checked).toBeGreaterThan(1000);
    expect(listed.get("app/dist/console/index.html")?.kind).toBe("file");
    expect(
      listed.get("app/node_modules/better-sqlite3/build/Release/better_sqlite3.node")?.kind,
    ).toBe("file");
  });

  it("serves every image by its tag, with the digest the build printed", async () => {
    for (const image of [
      images.built.customs,
      images.built.customsNode20,
      images.built.registry,
      images.built.nodeBase24,
      images.built.nodeBase20,
    ]) {
      const [repo, tag] = image.tag.slice(registry.host.length + 1).split(":") as [string, string];
      const res = await new Promise<{ status: number; digest: string | undefined }>(
        (done, fail) => {
          import("node:https").then(({ request }) => {
            const req = request(
              `${registry.url}/v2/${repo}/manifests/${tag}`,
              {
                method: "HEAD",
                ca: readFileSync(caFile, "utf8"),
                headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
              },
              (r) => {
                r.resume();
                done({
                  status: r.statusCode ?? 0,
                  digest: r.headers["docker-content-digest"] as string | undefined,
                });
              },
            );
            req.on("error", fail);
            req.end();
          }, fail);
        },
      );
      expect(res).toEqual({ status: 200, digest: image.ref.split("@")[1] });
    }
  });

  describe.skipIf(noRunc)("run with runc: uid 65532, read-only root filesystem", () => {
    const variants = () =>
      [
        ["node24", images.built.customs, "v24."],
        ["node20", images.built.customsNode20, "v20."],
      ] as const;

    const env = (image: PushedImage) => (imageConfig(image.image).config as { Env: string[] }).Env;
    const entrypoint = (image: PushedImage) =>
      (imageConfig(image.image).config as { Entrypoint: string[] }).Entrypoint;

    it("customs --version, node --version and customs check on an example, on Node 24 and 20", () => {
      for (const [name, image, major] of variants()) {
        const fs = unpacked(name, image);
        const base = { rootfs: fs, env: env(image), cwd: "/app", uid: 65532, gid: 65532 };
        const version = runContainer({ ...base, args: [...entrypoint(image), "--version"] });
        expect(version, name).toMatchObject({ status: 0, stdout: "0.1.0\n" });
        const node = runContainer({ ...base, args: ["/nodejs/bin/node", "--version"] });
        expect(node.stdout.startsWith(major), name).toBe(true);
        // A write to the root filesystem fails: it is mounted read-only.
        const write = runContainer({
          ...base,
          args: ["/nodejs/bin/node", "-e", "require('fs').writeFileSync('/app/x', '')"],
        });
        expect(write.status, name).not.toBe(0);
        expect(write.stderr).toMatch(/EROFS|read-only/);
        const check = runContainer({
          ...base,
          args: [
            ...entrypoint(image),
            "check",
            "--policy",
            "/examples/policies",
            "/examples/manifests/tanzu.yaml",
          ],
          mounts: [{ source: join(ROOT, "examples"), destination: "/examples" }],
        });
        // tanzu.yaml holds one workload the example policy denies: exit status 1, as outside.
        expect(check.status, check.stderr).toBe(1);
        expect(check.stdout).toContain("2 resources checked: 1 denied, 0 warned, 1 allowed");
      }
    });

    it("runs the control plane on SQLite with its console, and the agent and webhook commands, on Node 24 and 20", async () => {
      for (const [name, image] of variants()) {
        const fs = unpacked(name, image);
        const data = mkdtempSync(join(dir, `cp-${name}-`));
        chownSync(data, 65532, 65532);
        const port = await freePort();
        const running = startContainer({
          rootfs: fs,
          env: env(image),
          cwd: "/app",
          uid: 65532,
          gid: 65532,
          hostNetwork: true,
          mounts: [{ source: data, destination: "/data", readonly: false }],
          args: [
            ...entrypoint(image),
            "serve",
            "control-plane",
            "--listen",
            `127.0.0.1:${port}`,
            "--plain-http",
            "--data-dir",
            "/data",
          ],
        });
        try {
          await waitFor(`http://127.0.0.1:${port}/readyz`, 30_000, running.output);
          const page = await (
            await waitFor(`http://127.0.0.1:${port}/`, 5_000, running.output)
          ).text();
          expect(page, name).toMatch(/<div id="root">|<script type="module"/);
          expect(
            readdirSync(data).some((f) => /\.(db|sqlite)$/.test(f)),
            `${name}: ${readdirSync(data)}`,
          ).toBe(true);
        } finally {
          await running.stop();
        }
        for (const command of [
          ["agent", "--help"],
          ["serve", "--help"],
          ["registry", "token-server", "--help"],
        ]) {
          const r = runContainer({
            rootfs: fs,
            env: env(image),
            cwd: "/app",
            uid: 65532,
            gid: 65532,
            args: [...entrypoint(image), ...command],
          });
          expect(r.status, `${name} ${command.join(" ")}: ${r.stderr}`).toBe(0);
        }
      }
    }, 120_000);

    it("the registry image serves the distribution API with its own entrypoint and config", async () => {
      const image = images.built.registry;
      const config = imageConfig(image.image).config as {
        Env: string[];
        Entrypoint: string[];
        Cmd: string[];
        User: string;
      };
      expect(config).toMatchObject({
        Entrypoint: ["/entrypoint.sh"],
        Cmd: ["/etc/docker/registry/config.yml"],
        User: "1000:1000",
        ExposedPorts: { "5000/tcp": {} },
        Volumes: { "/var/lib/registry": {} },
      });
      const fs = unpacked("registry", image);
      const data = mkdtempSync(join(dir, "registry-data-"));
      chownSync(data, 1000, 1000);
      const port = await freePort();
      const running = startContainer({
        rootfs: fs,
        // How `customs registry manifests` configures it: REGISTRY_* variables over the file.
        env: [...config.Env, `REGISTRY_HTTP_ADDR=127.0.0.1:${port}`],
        cwd: "/",
        uid: 1000,
        gid: 1000,
        hostNetwork: true,
        mounts: [{ source: data, destination: "/var/lib/registry", readonly: false }],
        args: [...config.Entrypoint, ...config.Cmd],
      });
      try {
        const res = await waitFor(`http://127.0.0.1:${port}/v2/`, 20_000, running.output);
        expect(res.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
      } finally {
        await running.stop();
      }
    }, 60_000);
  });

  it.skipIf(noCosign)(
    "gets an SPDX 2.3 SBOM, a cosign signature and an SBOM attestation that cosign verifies",
    () => {
      const image = images.built.customs;
      const sbom = imageSbom(image.image, image.ref, unpacked("node24", image), buildEpoch());
      expect(sbom.spdxVersion).toBe("SPDX-2.3");
      const purls = sbom.packages.map((p) => p.externalRefs[0]?.referenceLocator ?? "");
      // Debian's libc, every production npm dependency, better-sqlite3, and node itself.
      expect(purls.some((p) => p.startsWith("pkg:deb/debian/libc6@"))).toBe(true);
      const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
        packages: Record<string, { version: string; dev?: boolean }>;
      };
      for (const [path, pkg] of Object.entries(lock.packages)) {
        if (path === "" || pkg.dev === true) continue;
        const name = path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
        const purl = `pkg:npm/${name.replace(/^@/, "%40")}@${pkg.version}`;
        expect(purls, `${path}`).toContain(purl);
      }
      expect(purls.some((p) => /^pkg:generic\/node@24\./.test(p))).toBe(true);
      for (const p of sbom.packages) expect(p.versionInfo, p.name).not.toBe("");
      expect(new Set(sbom.packages.map((p) => p.SPDXID)).size).toBe(sbom.packages.length);

      const sbomFile = join(dir, "customs.spdx.json");
      writeFileSync(sbomFile, JSON.stringify(sbom));
      const cosign = new Cosign(cosignPath(), caFile, {
        host: registry.host,
        ca: readFileSync(caFile, "utf8"),
      });
      try {
        const { key, pub } = cosign.keyPair(join(dir, "keys"));
        cosign.signAndAttest(image.ref, key, sbomFile);
        const verified = cosign.run([
          "verify",
          "--key",
          pub,
          "--insecure-ignore-tlog=true",
          image.ref,
        ]);
        expect(JSON.parse(verified)[0].critical.image["docker-manifest-digest"]).toBe(
          image.ref.split("@")[1],
        );
        const attested = cosign.run([
          "verify-attestation",
          "--key",
          pub,
          "--type",
          "spdxjson",
          "--insecure-ignore-tlog=true",
          image.ref,
        ]);
        const statement = JSON.parse(
          Buffer.from(JSON.parse(attested.split("\n")[0] as string).payload, "base64").toString(
            "utf8",
          ),
        );
        expect(statement.predicateType).toBe("https://spdx.dev/Document");
        expect(statement.predicate.packages).toHaveLength(sbom.packages.length);
        // A different key does not verify: the check is real.
        const other = cosign.keyPair(join(dir, "other-keys"));
        expect(() =>
          cosign.run(["verify", "--key", other.pub, "--insecure-ignore-tlog=true", image.ref]),
        ).toThrow(expect.objectContaining({ code: "IMAGE_BUILD_TOOL_FAILED" }));
      } finally {
        cosign.dispose();
      }
    },
    180_000,
  );
});
