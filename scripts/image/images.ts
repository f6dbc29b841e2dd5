/**
 * Builds and pushes every Customs image (docs/images.md):
 *
 *   HOST/customs-dev/node-base:24, :20        Debian packages + node (base.ts)
 *   HOST/customs-dev/customs:VERSION          deploy/Dockerfile on node-base:24
 *   HOST/customs-dev/customs:VERSION-node20   the same Dockerfile on node-base:20
 *   HOST/customs-dev/registry:2.8             deploy/image/registry/Dockerfile
 *
 * The token service runs from the customs image (`customs registry token-server`).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildStageMounts, stageDist, stageNodeModules } from "./app.js";
import { debianImage, debianLayer, installNode, nodeBaseImage, type Workspace } from "./base.js";
import { downloadDebs } from "./debian.js";
import { type BaseImage, buildDockerfile } from "./dockerfile-build.js";
import { buildEpoch, type LayerCache, type SerializedImage, serializeImage } from "./oci.js";
import { Pusher, type RegistryTarget } from "./push.js";
import { run } from "./run.js";

export const NAMESPACE = "customs-dev";
export const REGISTRY_TAG = "2.8";
/** Debian packages of the registry image's `fetch` stage. */
const REGISTRY_PACKAGES = ["docker-registry", "dash"];

export interface BuildOptions {
  readonly registry: RegistryTarget;
  /** The repository (deploy/Dockerfile, sources, package-lock.json). */
  readonly root: string;
  /** Default ~/.cache/customs/images. */
  readonly cache: string;
  readonly log?: (message: string) => void;
}

export interface PushedImage {
  /** `HOST/REPO@sha256:…` */
  readonly ref: string;
  /** `HOST/REPO:TAG` */
  readonly tag: string;
  readonly image: SerializedImage;
}

export interface BuiltImages {
  readonly version: string;
  readonly nodeBase24: PushedImage;
  readonly nodeBase20: PushedImage;
  readonly customs: PushedImage;
  readonly customsNode20: PushedImage;
  readonly registry: PushedImage;
}

/** gzip layers on disk by the digest of their tar: `layers/<hex>.tar.gz`. */
export function diskLayerCache(dir: string): LayerCache {
  mkdirSync(dir, { recursive: true });
  const file = (diffId: string) => join(dir, `${diffId.replace("sha256:", "")}.tar.gz`);
  return {
    get: (diffId) => (existsSync(file(diffId)) ? readFileSync(file(diffId)) : undefined),
    put: (diffId, gz) => {
      writeFileSync(`${file(diffId)}.tmp`, gz);
      renameSync(`${file(diffId)}.tmp`, file(diffId));
    },
  };
}

/** The registry image's `fetch` stage: the two packages unpacked, and the data folder. */
function registryFetchStage(w: Workspace): string {
  const files = downloadDebs(REGISTRY_PACKAGES, join(w.cache, "debs"));
  const dir = join(w.cache, "registry-fetch", files.map((f) => f.split("/").at(-1)).join("+"));
  if (!existsSync(dir)) {
    // Stands for the stage's filesystem after its RUN: the packages' files and the data folder.
    const tmp = `${dir}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(join(tmp, "var/lib/registry"), { recursive: true });
    for (const f of files) run("dpkg-deb", ["-x", f, tmp]);
    renameSync(tmp, dir);
  }
  return dir;
}

/**
 * Everything of a build that needs the network (Debian packages, Node from the npm registry,
 * `npm ci` of the app), into the cache, without a registry: the e2e suites build their images
 * inside a network namespace with no way out (scripts/node/netns-run.sh), from a warm cache.
 */
export function prepareAll(o: { root: string; cache: string; log?: (m: string) => void }): void {
  const log = o.log ?? (() => {});
  const w: Workspace = {
    cache: o.cache,
    epoch: buildEpoch(),
    layers: diskLayerCache(join(o.cache, "layers")),
  };
  log("debian base layer");
  debianLayer(w);
  log("build stage: dist (tsc, vite)");
  stageDist(o.root, o.cache);
  for (const major of [24, 20]) {
    log(`node ${major} and node_modules`);
    stageNodeModules(o.root, installNode(w, major), o.cache);
  }
  log("registry");
  registryFetchStage(w);
}

export async function buildAll(o: BuildOptions): Promise<BuiltImages> {
  const log = o.log ?? (() => {});
  const epoch = buildEpoch();
  const w: Workspace = { cache: o.cache, epoch, layers: diskLayerCache(join(o.cache, "layers")) };
  const version = (
    JSON.parse(readFileSync(join(o.root, "package.json"), "utf8")) as { version: string }
  ).version;
  const pusher = new Pusher(o.registry);
  const push = async (repo: string, tag: string, image: SerializedImage): Promise<PushedImage> => {
    const ref = await pusher.pushImage(`${NAMESPACE}/${repo}`, image, [tag]);
    log(`pushed ${ref} (${NAMESPACE}/${repo}:${tag})`);
    return { ref, tag: `${o.registry.host}/${NAMESPACE}/${repo}:${tag}`, image };
  };

  log("debian base layer");
  const debian = debianLayer(w);
  const bases = new Map<number, BaseImage>();
  const pushedBases = new Map<number, PushedImage>();
  for (const major of [24, 20]) {
    log(`node ${major}`);
    const node = installNode(w, major);
    const base = nodeBaseImage(debian, node, w);
    bases.set(major, base);
    pushedBases.set(
      major,
      await push("node-base", String(major), serializeImage(base.image, epoch)),
    );
  }

  log("build stage: dist (tsc, vite)");
  const dist = stageDist(o.root, o.cache);
  const dockerfile = readFileSync(join(o.root, "deploy/Dockerfile"), "utf8");
  const customs = new Map<number, PushedImage>();
  for (const major of [24, 20]) {
    log(`build stage: node_modules for node ${major}`);
    const node = installNode(w, major);
    const nodeModules = stageNodeModules(o.root, node, o.cache);
    const built = buildDockerfile({
      text: dockerfile,
      file: "deploy/Dockerfile",
      context: o.root,
      base: bases.get(major) as BaseImage,
      stages: { build: buildStageMounts(o.root, dist, nodeModules) },
      epoch,
      cache: w.layers,
    });
    const tag = major === 24 ? version : `${version}-node${major}`;
    customs.set(major, await push("customs", tag, serializeImage(built.image, epoch)));
  }

  log("registry image");
  const registryContext = join(o.root, "deploy/image/registry");
  const registryBuilt = buildDockerfile({
    text: readFileSync(join(registryContext, "Dockerfile"), "utf8"),
    file: "deploy/image/registry/Dockerfile",
    context: registryContext,
    base: debianImage(debian, w),
    stages: { fetch: [{ at: "/", dir: registryFetchStage(w) }] },
    epoch,
    cache: w.layers,
  });
  const registry = await push("registry", REGISTRY_TAG, serializeImage(registryBuilt.image, epoch));
  return {
    version,
    nodeBase24: pushedBases.get(24) as PushedImage,
    nodeBase20: pushedBases.get(20) as PushedImage,
    customs: customs.get(24) as PushedImage,
    customsNode20: customs.get(20) as PushedImage,
    registry,
  };
}
