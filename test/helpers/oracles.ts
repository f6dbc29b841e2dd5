/**
 * Finding and running the Go oracles of differential tests (DESIGN.md, "Reference
 * implementations as oracles"). Paths are resolved exactly as scripts/build-oracles.sh does, so
 * a binary built by CI (`bash scripts/build-oracles.sh`) is the one the tests run.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir !== "" && isExecutable(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/** The go command as the build script finds it: $GO, else go on PATH, else /usr/local/go. */
export function findGo(): string | undefined {
  const go = process.env.GO;
  if (go !== undefined && go !== "") {
    if (isAbsolute(go) || go.includes("/")) return isExecutable(go) ? go : undefined;
    return onPath(go);
  }
  return (
    onPath("go") ?? (isExecutable("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : undefined)
  );
}

/** `${CUSTOMS_CACHE:-$HOME/.cache/customs}/bin/NAME-oracle` */
export function oraclePath(name: string): string {
  const cache = process.env.CUSTOMS_CACHE || join(homedir(), ".cache", "customs");
  return join(cache, "bin", `${name}-oracle`);
}

export interface OracleAvailability {
  readonly path: string;
  readonly go: string | undefined;
  /** Why the differential tests cannot run here, or undefined when they can. */
  readonly skipReason: string | undefined;
}

export function oracleAvailability(name: string): OracleAvailability {
  const path = oraclePath(name);
  const go = findGo();
  const skipReason =
    go === undefined && !existsSync(path)
      ? `Go was not found ($GO, go on PATH, /usr/local/go/bin/go) and ${path} ` +
        "does not exist: build it with `bash scripts/build-oracles.sh` where Go is available"
      : undefined;
  return { path, go, skipReason };
}

/**
 * Runs scripts/build-oracles.sh when Go is present (it returns at once when the binaries are
 * newer than their sources), so a changed oracle is never stale. Without Go, the binary must
 * already exist.
 */
export function ensureOracle(availability: OracleAvailability): void {
  if (availability.go !== undefined) {
    execFileSync("bash", [join(repoRoot, "scripts", "build-oracles.sh")], {
      env: { ...process.env, GO: availability.go },
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  if (!existsSync(availability.path)) {
    throw new Error(`the oracle ${availability.path} was not built`);
  }
}

/**
 * Feeds every input to the oracle as one JSON string per line and returns its answers, one
 * parsed JSON object per input, in order.
 */
export function runOracle<T>(path: string, inputs: readonly string[]): T[] {
  const stdin = inputs.map((s) => `${JSON.stringify(s)}\n`).join("");
  const result = spawnSync(path, [], {
    input: stdin,
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${path} exited with ${result.status}: ${result.stderr}`);
  }
  const lines = result.stdout.split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (lines.length !== inputs.length) {
    throw new Error(`${path} answered ${lines.length} lines for ${inputs.length} inputs`);
  }
  return lines.map((line) => JSON.parse(line) as T);
}
