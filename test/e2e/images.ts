import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { type BuiltImages, buildAll } from "../../scripts/image/images.js";

/**
 * Customs' images, built without a Docker daemon and pushed to a test registry, for the
 * end-to-end suites (docs/images.md). A warm cache (~/.cache/customs/images) makes this take
 * seconds; a cold one minutes (better-sqlite3 is compiled for Node 20 and 24).
 */
export interface ImageRegistry {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  /** PEM file of the CA that signed the registry's certificate. */
  readonly caFile: string;
  readonly username?: string;
  readonly password?: string;
}

export interface PushedImages {
  /** `HOST/customs-dev/customs@sha256:…` (Node 24): webhook, agent, control plane, token service. */
  readonly customs: string;
  /** The same on Node 20 (better-sqlite3 for SQLite). */
  readonly customsNode20: string;
  /** `HOST/customs-dev/registry@sha256:…`: Docker Distribution 2.8, registry:2 layout. */
  readonly registry: string;
  readonly built: BuiltImages;
}

const ROOT = resolve(import.meta.dirname, "../..");

export async function buildAndPushImages(
  registry: ImageRegistry,
  options: { cache?: string; log?: (message: string) => void } = {},
): Promise<PushedImages> {
  const built = await buildAll({
    registry: {
      host: registry.host,
      ca: readFileSync(registry.caFile, "utf8"),
      username: registry.username,
      password: registry.password,
    },
    root: ROOT,
    cache:
      options.cache ?? process.env.CUSTOMS_IMAGE_CACHE ?? join(homedir(), ".cache/customs/images"),
    log: options.log,
  });
  return {
    customs: built.customs.ref,
    customsNode20: built.customsNode20.ref,
    registry: built.registry.ref,
    built,
  };
}
