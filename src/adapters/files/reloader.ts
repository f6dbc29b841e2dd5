import { fingerprint } from "./fingerprint.js";

export interface Reloader {
  /** Checks once; resolves true when the files changed and `apply` succeeded. */
  check(): Promise<boolean>;
  stop(): void;
}

/**
 * Polls files for changed contents and calls `apply` when they change. A failed apply (say,
 * a policy file saved half-way) keeps the previous state and is retried on the next change.
 * Polling rather than fs.watch: watches miss Kubernetes' symlink swaps on some filesystems.
 */
export function watchFiles(
  paths: readonly string[],
  intervalMs: number,
  apply: () => Promise<void>,
  onError: (e: unknown) => void,
): Reloader {
  let last: string | undefined;
  let busy = false;
  const check = async (): Promise<boolean> => {
    if (busy) return false;
    busy = true;
    try {
      const now = await fingerprint(paths);
      if (last === undefined) {
        last = now;
        return false;
      }
      if (now === last) return false;
      last = now;
      await apply();
      return true;
    } catch (e) {
      onError(e);
      return false;
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();
  void check();
  return { check, stop: () => clearInterval(timer) };
}
