/**
 * `scripts/image/build.sh`: builds and pushes Customs' images without a Docker daemon and
 * prints where they are, as JSON on standard output (progress goes to standard error).
 *
 *   build.sh --registry HOST:PORT --ca CA.pem [--cache DIR] [--sign]
 *
 * Credentials, when the registry wants them: CUSTOMS_REGISTRY_USERNAME and
 * CUSTOMS_REGISTRY_PASSWORD (never on the command line, where `ps` shows them).
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CustomsError, isCustomsError } from "../../src/core/errors.js";
import { type BuiltImages, buildAll, prepareAll } from "./images.js";
import { signAll } from "./sign.js";

function usage(message: string): never {
  throw new CustomsError(
    "USAGE",
    `${message}\nusage: build.sh --registry HOST:PORT --ca CA.pem [--cache DIR] [--sign]\n       build.sh --prepare [--cache DIR]`,
  );
}

export function summary(built: BuiltImages): Record<string, string> {
  return {
    customs: built.customs.ref,
    customsNode20: built.customsNode20.ref,
    registry: built.registry.ref,
    nodeBase24: built.nodeBase24.ref,
    nodeBase20: built.nodeBase20.ref,
    customsTag: built.customs.tag,
    customsNode20Tag: built.customsNode20.tag,
    registryTag: built.registry.tag,
  };
}

async function main(argv: string[]): Promise<void> {
  let values: {
    registry?: string;
    ca?: string;
    cache?: string;
    sign?: boolean;
    root?: string;
    prepare?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        registry: { type: "string" },
        ca: { type: "string" },
        cache: { type: "string" },
        root: { type: "string" },
        sign: { type: "boolean" },
        prepare: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (e) {
    usage((e as Error).message);
  }
  if (values.prepare === true) {
    prepareAll({
      root: resolve(values.root ?? "."),
      cache: resolve(
        values.cache ?? process.env.CUSTOMS_IMAGE_CACHE ?? join(homedir(), ".cache/customs/images"),
      ),
      log: (m) => process.stderr.write(`images: ${m}\n`),
    });
    return;
  }
  if (
    values.registry === undefined ||
    !/^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9a-fA-F:]+\](:\d+)?$/.test(values.registry)
  ) {
    usage(
      `--registry HOST:PORT is required${values.registry ? ` (got "${values.registry}")` : ""}`,
    );
  }
  if (values.ca === undefined)
    usage("--ca FILE (the PEM CA of the registry's certificate) is required");
  let ca: string;
  try {
    ca = readFileSync(values.ca, "utf8");
  } catch (e) {
    throw new CustomsError("FILE_UNREADABLE", `--ca ${values.ca}: ${(e as Error).message}`);
  }
  if (!ca.includes("BEGIN CERTIFICATE")) usage(`--ca ${values.ca}: not a PEM certificate`);
  const cache = resolve(
    values.cache ?? process.env.CUSTOMS_IMAGE_CACHE ?? join(homedir(), ".cache/customs/images"),
  );
  const registry = {
    host: values.registry,
    ca,
    username: process.env.CUSTOMS_REGISTRY_USERNAME,
    password: process.env.CUSTOMS_REGISTRY_PASSWORD,
  };
  const started = Date.now();
  const log = (m: string) =>
    process.stderr.write(`[images ${((Date.now() - started) / 1000).toFixed(1)}s] ${m}\n`);
  const root = resolve(values.root ?? join(import.meta.dirname, "../../../.."));
  const built = await buildAll({ registry, root, cache, log });
  const out: Record<string, string> = summary(built);
  if (values.sign === true) {
    const signed = await signAll(built, { cache, caFile: resolve(values.ca), registry, log });
    Object.assign(out, { publicKey: signed.publicKey, sbom: signed.sbom });
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (isCustomsError(e)) {
    process.stderr.write(`error ${e.code}: ${e.message}\n`);
  } else {
    process.stderr.write(`error: ${(e as Error).stack ?? String(e)}\n`);
  }
  process.exit(2);
});
