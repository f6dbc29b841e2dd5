/**
 * Debian packages as image content: `apt-get download` (the machine's apt sources; nothing is
 * installed on the host), `dpkg-deb -x` into a folder, and each package's control data
 * written to /var/lib/dpkg/status.d/NAME as distroless images do, so that scanners and our
 * SBOM find the packages without a dpkg database. Maintainer scripts never run: the packages
 * chosen here need none, except ca-certificates, whose bundle is assembled as its script would.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { CustomsError } from "../../src/core/errors.js";
import { run } from "./run.js";

export interface DebianPackage {
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
  readonly source: string;
  /** The control file, as dpkg-deb -f prints it. */
  readonly control: string;
  readonly file: string;
}

/**
 * The .deb files of `names` in `cacheDir`, downloaded once: a list per package set remembers
 * the files, so a warm build asks apt nothing.
 */
export function downloadDebs(names: readonly string[], cacheDir: string): string[] {
  mkdirSync(cacheDir, { recursive: true });
  const listFile = join(cacheDir, `${[...names].sort().join("+")}.list`);
  if (existsSync(listFile)) {
    const files = readFileSync(listFile, "utf8").split("\n").filter(Boolean);
    if (files.every((f) => existsSync(join(cacheDir, f))))
      return files.map((f) => join(cacheDir, f));
  }
  const before = new Set(readdirSync(cacheDir));
  const download = () => run("apt-get", ["download", "-q", ...names], { cwd: cacheDir });
  try {
    download();
  } catch {
    // Package lists not fetched yet (a fresh machine): update once and try again.
    run("apt-get", ["update", "-qq"]);
    download();
  }
  const debs = readdirSync(cacheDir).filter((f) => f.endsWith(".deb"));
  // apt-get names files NAME_VERSION_ARCH.deb; pick each package's newest download.
  const files = names.map((name) => {
    const mine = debs.filter((f) => f.startsWith(`${name}_`));
    const fresh = mine.filter((f) => !before.has(f));
    const chosen = (fresh.length > 0 ? fresh : mine).sort().at(-1);
    if (chosen === undefined)
      throw new CustomsError("IMAGE_BUILD_TOOL_FAILED", `apt-get download ${name}: no .deb`);
    return chosen;
  });
  writeFileSync(`${listFile}.tmp`, `${files.join("\n")}\n`);
  renameSync(`${listFile}.tmp`, listFile);
  return files.map((f) => join(cacheDir, f));
}

function field(control: string, name: string): string | undefined {
  return new RegExp(`^${name}: *(.*)$`, "m").exec(control)?.[1]?.trim();
}

/** Unpacks the packages into `rootfs` and records them under /var/lib/dpkg/status.d/. */
export function extractDebs(files: readonly string[], rootfs: string): DebianPackage[] {
  const statusDir = join(rootfs, "var/lib/dpkg/status.d");
  mkdirSync(statusDir, { recursive: true });
  return files.map((file) => {
    run("dpkg-deb", ["-x", file, rootfs]);
    const control = run("dpkg-deb", ["-f", file]);
    const name = field(control, "Package") ?? "";
    const version = field(control, "Version") ?? "";
    writeFileSync(join(statusDir, name), control);
    return {
      name,
      version,
      architecture: field(control, "Architecture") ?? "",
      source: (field(control, "Source") ?? name).split(" ")[0] as string,
      control,
      file,
    };
  });
}

/** Reads the packages an image's /var/lib/dpkg/status.d/ records. */
export function readStatusDir(
  rootfs: string,
): { name: string; version: string; architecture: string; source: string }[] {
  const dir = join(rootfs, "var/lib/dpkg/status.d");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((f) => {
      const control = readFileSync(join(dir, f), "utf8");
      const name = field(control, "Package") ?? f;
      return {
        name,
        version: field(control, "Version") ?? "",
        architecture: field(control, "Architecture") ?? "",
        source: (field(control, "Source") ?? name).split(" ")[0] as string,
      };
    });
}
