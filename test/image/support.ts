import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SerializedImage } from "../../scripts/image/oci.js";

/** One entry of a layer as GNU tar lists it: an independent reading of what we wrote. */
export interface Listed {
  readonly path: string;
  readonly kind: "file" | "dir" | "symlink" | "other";
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly target?: string;
}

function modeOf(perms: string): number {
  let mode = 0;
  const bits = perms.slice(1);
  const at = (i: number, c: string) => bits[i] === c;
  for (let i = 0; i < 9; i++) {
    const c = bits[i] as string;
    if (c !== "-" && c !== "S" && c !== "T") mode |= 1 << (8 - i);
  }
  if (at(2, "s") || at(2, "S")) mode |= 0o4000;
  if (at(5, "s") || at(5, "S")) mode |= 0o2000;
  if (at(8, "t") || at(8, "T")) mode |= 0o1000;
  return mode;
}

/** `tar --numeric-owner -tvz` over a gzip layer; later layers override earlier entries. */
export function listLayers(layers: readonly { bytes: Buffer }[]): Map<string, Listed> {
  const out = new Map<string, Listed>();
  for (const layer of layers) {
    const text = execFileSync("tar", ["--numeric-owner", "--quoting-style=literal", "-tvzf", "-"], {
      input: layer.bytes,
      maxBuffer: 1 << 28,
      encoding: "utf8",
    });
    for (const line of text.split("\n")) {
      const m = /^(\S{10}) (\d+)\/(\d+)\s+\d+ \S+ \S+ (.*)$/.exec(line);
      if (m === null) continue;
      const perms = m[1] as string;
      let name = m[4] as string;
      let target: string | undefined;
      if (perms[0] === "l") [name, target] = name.split(" -> ") as [string, string];
      const kind =
        perms[0] === "-"
          ? "file"
          : perms[0] === "d"
            ? "dir"
            : perms[0] === "l"
              ? "symlink"
              : "other";
      const path = name.replace(/\/$/, "");
      out.set(path, {
        path,
        kind,
        mode: modeOf(perms),
        uid: Number(m[2]),
        gid: Number(m[3]),
        target,
      });
    }
  }
  return out;
}

export function imageConfig(image: SerializedImage): {
  config: Record<string, unknown>;
  rootfs: { diff_ids: string[] };
} {
  return JSON.parse(image.config.bytes.toString("utf8"));
}

/** Why containers cannot be run here, or undefined. */
export function runcMissing(): string | undefined {
  const which = spawnSync("sh", ["-c", "command -v runc"], { encoding: "utf8" });
  if (which.status !== 0) return "runc not found: apt-get install -y runc";
  if (process.getuid?.() !== 0) return "runc needs root here (no rootless set-up)";
  return undefined;
}

export interface ContainerSpec {
  readonly rootfs: string;
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly uid: number;
  readonly gid: number;
  /** Host folders bind-mounted into the container. */
  readonly mounts?: readonly { source: string; destination: string; readonly?: boolean }[];
  /** Share the host's network namespace (to reach a server the container starts). */
  readonly hostNetwork?: boolean;
}

let counter = 0;

/**
 * An OCI runtime bundle for runc: `runc spec`'s defaults (all namespaces, no capabilities
 * beyond the default set, /proc, /dev, /sys) with the root filesystem READ-ONLY.
 */
function bundle(spec: ContainerSpec): { dir: string; id: string } {
  const dir = mkdtempSync(join(tmpdir(), "customs-runc-"));
  execFileSync("runc", ["spec"], { cwd: dir });
  const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
  config.root = { path: spec.rootfs, readonly: true };
  config.process.terminal = false;
  config.process.args = spec.args;
  config.process.env = spec.env;
  config.process.cwd = spec.cwd;
  config.process.user = { uid: spec.uid, gid: spec.gid };
  for (const m of spec.mounts ?? []) {
    config.mounts.push({
      destination: m.destination,
      type: "bind",
      source: m.source,
      options: ["rbind", m.readonly === false ? "rw" : "ro"],
    });
  }
  if (spec.hostNetwork) {
    config.linux.namespaces = config.linux.namespaces.filter(
      (n: { type: string }) => n.type !== "network",
    );
  }
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  return { dir, id: `customs-image-test-${process.pid}-${++counter}` };
}

const STATE = join(tmpdir(), "customs-runc-state");

export function runContainer(spec: ContainerSpec): {
  status: number | null;
  stdout: string;
  stderr: string;
} {
  const b = bundle(spec);
  mkdirSync(STATE, { recursive: true });
  try {
    const r = spawnSync("runc", ["--root", STATE, "run", "--bundle", b.dir, b.id], {
      encoding: "utf8",
      timeout: 60_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    spawnSync("runc", ["--root", STATE, "delete", "--force", b.id]);
    rmSync(b.dir, { recursive: true, force: true });
  }
}

/** A long-running container; stop() kills it (runc kill, then delete). */
export function startContainer(spec: ContainerSpec): {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
} {
  const b = bundle(spec);
  mkdirSync(STATE, { recursive: true });
  const child = spawn("runc", ["--root", STATE, "run", "--bundle", b.dir, b.id], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (c: Buffer) => {
    output += c.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        spawnSync("runc", ["--root", STATE, "kill", b.id, "KILL"]);
        await exited;
      }
      spawnSync("runc", ["--root", STATE, "delete", "--force", b.id]);
      rmSync(b.dir, { recursive: true, force: true });
    },
  };
}

export const exists = existsSync;
