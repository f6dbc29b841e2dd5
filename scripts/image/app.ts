/**
 * The host's stand-in for deploy/Dockerfile's build stage (docs/images.md):
 *
 *   RUN npm ci && npm prune --omit=dev   ->  npm ci --omit=dev --ignore-scripts in a cache
 *       folder, then `npm rebuild better-sqlite3` against the image's Node headers
 *   npm ci's `prepare` (npm run build)   ->  tsc -p tsconfig.build.json, the CLI bundle
 *       (scripts/bundle-cli.mjs) and vite build into a cache folder
 *
 * Both are keyed by a hash of their inputs (the lock file and the Node version; the sources),
 * so a warm build reuses them. The repository's own node_modules and dist/ are left alone.
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { CustomsError } from "../../src/core/errors.js";
import type { NodeBuild } from "./base.js";
import type { Mount } from "./dockerfile-build.js";
import { run } from "./run.js";

/** What the build stage's COPY steps bring in and `npm run build` reads. */
const BUILD_INPUTS = [
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "bin",
  "scripts/bundle-cli.mjs",
  "src",
  "console",
];

function hashTree(root: string, paths: readonly string[]): string {
  const hash = createHash("sha256");
  const add = (path: string) => {
    const full = join(root, path);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) {
      for (const name of readdirSync(full).sort()) {
        if (name !== "node_modules") add(join(path, name));
      }
    } else {
      hash
        .update(`${path}\0${statSync(full).mode}\0`)
        .update(readFileSync(full))
        .update("\0");
    }
  };
  for (const p of paths) add(p);
  return hash.digest("hex").slice(0, 16);
}

/** Builds into `<final>.tmp`, then renames: an interrupted build never looks finished. */
function once(final: string, build: (dir: string) => void): string {
  if (existsSync(final)) return final;
  const tmp = `${final}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  build(tmp);
  renameSync(tmp, final);
  return final;
}

/** dist/ as `npm run build` makes it (tsc, the CLI bundle, then the console into dist/console). */
export function stageDist(root: string, cache: string): string {
  const key = hashTree(root, BUILD_INPUTS);
  return once(join(cache, "dist", key), (out) => {
    const bin = join(root, "node_modules", ".bin");
    run(join(bin, "tsc"), ["-p", "tsconfig.build.json", "--outDir", out], { cwd: root });
    run(process.execPath, [join(root, "scripts", "bundle-cli.mjs"), out], { cwd: root });
    run(
      join(bin, "vite"),
      [
        "build",
        "--config",
        "console/vite.config.ts",
        "--logLevel",
        "warn",
        "--outDir",
        join(out, "console"),
        "--emptyOutDir",
      ],
      { cwd: root },
    );
  });
}

/** Production node_modules, better-sqlite3 compiled for `node`'s ABI. */
export function stageNodeModules(root: string, node: NodeBuild, cache: string): string {
  const lock = readFileSync(join(root, "package-lock.json"));
  const key = `${createHash("sha256")
    .update(lock)
    .update(readFileSync(join(root, "package.json")))
    .digest("hex")
    .slice(0, 16)}-node${node.version}`;
  const dir = once(join(cache, "app", key), (tmp) => {
    writeFileSync(join(tmp, "package.json"), readFileSync(join(root, "package.json")));
    writeFileSync(join(tmp, "package-lock.json"), lock);
    const env = {
      ...process.env,
      // node-gyp compiles against the image's Node headers (no download), the way .ci/run
      // points it at the running Node's; prebuild-install is told not to fetch a binary.
      npm_config_nodedir: node.dir,
      npm_config_build_from_source: "true",
      npm_config_update_notifier: "false",
      PATH: `${join(node.dir, "bin")}:${process.env.PATH ?? ""}`,
    };
    // --ignore-scripts: the package's own `prepare` (the build) is done by stageDist.
    run(
      "npm",
      ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
      { cwd: tmp, env },
    );
    run("npm", ["rebuild", "better-sqlite3", "--loglevel=error"], { cwd: tmp, env });
    const addon = join(tmp, "node_modules/better-sqlite3/build/Release/better_sqlite3.node");
    if (!existsSync(addon)) {
      throw new CustomsError(
        "IMAGE_BUILD_TOOL_FAILED",
        `npm rebuild better-sqlite3 made no ${relative(tmp, addon)}`,
      );
    }
    // Only the addon stays in build/, as in the prebuilt archive `npm ci` fetches in a Docker
    // build: node-gyp's objects, makefiles and static library are not needed to load it.
    const build = join(tmp, "node_modules/better-sqlite3/build");
    const addonBytes = readFileSync(addon);
    const addonMode = statSync(addon).mode;
    rmSync(build, { recursive: true, force: true });
    mkdirSync(join(build, "Release"), { recursive: true });
    writeFileSync(addon, addonBytes, { mode: addonMode & 0o777 });
  });
  return join(dir, "node_modules");
}

/** The folders that stand for deploy/Dockerfile's build stage (WORKDIR /src). */
export function buildStageMounts(root: string, dist: string, nodeModules: string): Mount[] {
  return [
    { at: "/src", dir: root },
    { at: "/src/dist", dir: dist },
    { at: "/src/node_modules", dir: nodeModules },
  ];
}
