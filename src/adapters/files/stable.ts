import { createHash } from "node:crypto";
import { readlink, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type InputText, readInputs } from "./read-inputs.js";

/**
 * Kubernetes' atomic writer (ConfigMap, Secret and projected volumes) writes each version
 * into a fresh hidden folder and swaps the `..data` symlink to it in one rename; the files
 * the user sees link through `..data`. See k8s.io/kubernetes pkg/volume/util/atomic_writer.go.
 */
const ATOMIC_LINK = "..data";

export interface StableInputsOptions {
  readonly paths: readonly string[];
  /** How often the files are read. */
  readonly intervalMs: number;
  /**
   * How long a new content must stay the same, read after read, before it is applied. A file
   * rewritten in place passes through prefixes of itself, and a prefix can be valid (the
   * first documents of a list): applying it would drop the policies still to be written.
   */
  readonly quietMs: number;
  /** The content already in force (read at start), so that it is not applied twice. */
  readonly initial?: readonly InputText[];
  /** A new, stable content. A throw is passed to onError and that content is not retried. */
  readonly apply: (texts: readonly InputText[]) => Promise<void> | void;
  readonly onError: (e: unknown) => void;
  readonly now?: () => number;
}

export interface StableInputsWatcher {
  /** Reads once; resolves true when a new content was applied. */
  check(): Promise<boolean>;
  stop(): void;
}

/** A digest of what was read: sources and texts, in order. */
export function digestInputs(texts: readonly InputText[]): string {
  const hash = createHash("sha256");
  for (const t of texts) hash.update(`${t.source}\u0000${t.text.length}\u0000${t.text}\u0000`);
  return hash.digest("hex");
}

/** The `..data` target of each atomic-writer folder the paths live in; undefined if any is not one. */
async function atomicVersions(paths: readonly string[]): Promise<string | undefined> {
  const versions: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    const folder = info?.isDirectory() ? path : dirname(path);
    const target = await readlink(join(folder, ATOMIC_LINK)).catch(() => undefined);
    if (target === undefined) return undefined;
    versions.push(target);
  }
  return versions.join("\u0000");
}

/**
 * Watches input files and applies a new content only once it is whole:
 *
 * - in an atomic-writer folder (a mounted ConfigMap), when the `..data` link named the same
 *   version before and after the read: that version was complete before the swap, so it is
 *   applied at once;
 * - anywhere else, when reads at least `quietMs` apart found the same bytes and no read in
 *   between saw anything else. A writer that rewrites in place and pauses for less than
 *   `quietMs` between its writes never has a prefix applied.
 *
 * Polling rather than fs.watch: watches miss Kubernetes' symlink swaps on some filesystems.
 */
export function watchStableInputs(o: StableInputsOptions): StableInputsWatcher {
  const now = o.now ?? Date.now;
  let applied = o.initial === undefined ? undefined : digestInputs(o.initial);
  let pending: { digest: string; since: number } | undefined;
  let busy = false;
  const check = async (): Promise<boolean> => {
    if (busy) return false;
    busy = true;
    try {
      const before = await atomicVersions(o.paths);
      const texts = await readInputs(o.paths);
      const after = await atomicVersions(o.paths);
      const digest = digestInputs(texts);
      if (applied === undefined) applied = digest;
      if (digest === applied) {
        pending = undefined;
        return false;
      }
      const atomic = before !== undefined && before === after;
      if (!atomic) {
        if (pending?.digest !== digest) {
          pending = { digest, since: now() };
          return false;
        }
        if (now() - pending.since < o.quietMs) return false;
      }
      pending = undefined;
      applied = digest;
      await o.apply(texts);
      return true;
    } catch (e) {
      // Also a file missing for a moment during a rewrite: the content is not stable yet.
      pending = undefined;
      o.onError(e);
      return false;
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void check(), o.intervalMs);
  timer.unref();
  if (o.initial === undefined) void check();
  return { check, stop: () => clearInterval(timer) };
}
