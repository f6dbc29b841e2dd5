/**
 * Signs images by digest with real cosign v2 and attaches their SPDX SBOM as an attestation
 * (`cosign attest --type spdxjson`), then checks both with `cosign verify` and
 * `cosign verify-attestation`. The key pair is generated once into the cache; no
 * transparency log is used (there is no Rekor here: `--tlog-upload=false`, and the checks pass
 * `--insecure-ignore-tlog`). cosign trusts the registry's CA through SSL_CERT_FILE.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { CustomsError } from "../../src/core/errors.js";
import type { BuiltImages, PushedImage } from "./images.js";
import { buildEpoch } from "./oci.js";
import type { RegistryTarget } from "./push.js";
import { run } from "./run.js";
import { imageSbom, unpackImage } from "./sbom.js";

export interface SignOptions {
  readonly cache: string;
  readonly caFile: string;
  readonly registry: RegistryTarget;
  readonly log?: (message: string) => void;
}

export interface SignedImages {
  readonly publicKey: string;
  /** Folder holding one SBOM per image (`customs.spdx.json`, …). */
  readonly sbom: string;
}

/** cosign v2 as scripts/cosign/build.sh installs it (CUSTOMS_COSIGN_V2 names another). */
export function cosignPath(): string {
  const path = process.env.CUSTOMS_COSIGN_V2 ?? join(homedir(), ".cache/customs/bin/cosign-v2");
  if (!existsSync(path)) {
    throw new CustomsError(
      "IMAGE_BUILD_TOOL_FAILED",
      `${path} not found: build it with flock /tmp/customs-go-build.lock bash scripts/cosign/build.sh`,
    );
  }
  return path;
}

/** The key password: generated keys are for this machine's builds; say so rather than hide it. */
const PASSWORD = "customs-image-build";

export class Cosign {
  private readonly home: string;

  constructor(
    private readonly bin: string,
    private readonly caFile: string,
    registry: RegistryTarget,
  ) {
    // A throw-away HOME: no TUF cache, and docker credentials for this registry only.
    this.home = mkdtempSync(join(tmpdir(), "customs-cosign-home-"));
    if (registry.username !== undefined) {
      const auth = Buffer.from(`${registry.username}:${registry.password ?? ""}`).toString(
        "base64",
      );
      mkdirSync(join(this.home, ".docker"));
      writeFileSync(
        join(this.home, ".docker/config.json"),
        JSON.stringify({ auths: { [registry.host]: { auth } } }),
      );
    }
  }

  run(args: readonly string[], cwd?: string): string {
    return run(this.bin, args, {
      cwd,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: this.home,
        SSL_CERT_FILE: this.caFile,
        COSIGN_PASSWORD: PASSWORD,
        COSIGN_YES: "true",
        SIGSTORE_NO_CACHE: "true",
      },
    });
  }

  /** `cosign.key` and `cosign.pub` in `dir`, made once. */
  keyPair(dir: string): { key: string; pub: string } {
    const key = join(dir, "cosign.key");
    const pub = join(dir, "cosign.pub");
    if (!existsSync(key) || !existsSync(pub)) {
      mkdirSync(dir, { recursive: true });
      rmSync(key, { force: true });
      rmSync(pub, { force: true });
      this.run(["generate-key-pair", "--output-key-prefix", "cosign"], dir);
    }
    return { key, pub };
  }

  signAndAttest(ref: string, key: string, sbomFile: string): void {
    this.run(["sign", "--key", key, "--tlog-upload=false", ref]);
    this.run([
      "attest",
      "--key",
      key,
      "--type",
      "spdxjson",
      "--predicate",
      sbomFile,
      "--tlog-upload=false",
      ref,
    ]);
  }

  verify(ref: string, pub: string): void {
    this.run(["verify", "--key", pub, "--insecure-ignore-tlog=true", ref]);
    this.run([
      "verify-attestation",
      "--key",
      pub,
      "--type",
      "spdxjson",
      "--insecure-ignore-tlog=true",
      ref,
    ]);
  }

  dispose(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** Writes the image's SBOM to `file`. */
export function writeSbom(pushed: PushedImage, file: string): void {
  const rootfs = unpackImage(pushed.image);
  try {
    writeFileSync(
      file,
      `${JSON.stringify(imageSbom(pushed.image, pushed.ref, rootfs, buildEpoch()), null, 2)}\n`,
    );
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
}

/** SBOM, signature and attestation for the customs images and the registry image. */
export async function signAll(built: BuiltImages, o: SignOptions): Promise<SignedImages> {
  const cosign = new Cosign(cosignPath(), o.caFile, o.registry);
  try {
    const { key, pub } = cosign.keyPair(join(o.cache, "cosign"));
    const sbomDir = join(o.cache, "sbom");
    mkdirSync(sbomDir, { recursive: true });
    const targets: [string, PushedImage][] = [
      ["customs", built.customs],
      ["customs-node20", built.customsNode20],
      ["registry", built.registry],
    ];
    for (const [name, pushed] of targets) {
      const file = join(sbomDir, `${name}.spdx.json`);
      writeSbom(pushed, file);
      cosign.signAndAttest(pushed.ref, key, file);
      cosign.verify(pushed.ref, pub);
      o.log?.(`signed and attested ${pushed.ref}`);
    }
    return { publicKey: pub, sbom: sbomDir };
  } finally {
    cosign.dispose();
  }
}
