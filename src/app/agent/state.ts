import { join } from "node:path";
import {
  ensureDir,
  readOptionalTextFile,
  readTextFile,
  writeFileAtomic,
} from "../../adapters/files/index.js";
import { CustomsError } from "../../core/errors.js";
import type { BundleSignature } from "../../core/fleet/bundle-signature.js";
import { type AppliedBundle, type PolicyBundle, parseBundle, verifyBundle } from "./bundle.js";
import { type KeyPins, signatureOf, verifyBundleSignature } from "./trust.js";

export const STATE_FILE = "policies.json";

/** What `--state-dir/policies.json` holds: the last bundle applied, as delivered. */
interface SavedState {
  readonly savedAt: string;
  readonly etag?: string;
  readonly bundle: unknown;
  /** The control plane's signature of the bundle: checked again at every start. */
  readonly signature?: BundleSignature;
}

/**
 * Saves the bundle whole (writeFileAtomic): a crash or a full disk leaves either the old
 * file or the new one, never half of one. Owner-only: it decides what the cluster enforces.
 */
export async function saveState(
  dir: string,
  applied: AppliedBundle,
  now = new Date(),
): Promise<void> {
  await ensureDir(dir, 0o700);
  const state: SavedState = {
    savedAt: now.toISOString(),
    ...(applied.etag === undefined ? {} : { etag: applied.etag }),
    bundle: applied.bundle,
    ...(applied.signature === undefined ? {} : { signature: applied.signature }),
  };
  await writeFileAtomic(join(dir, STATE_FILE), `${JSON.stringify(state)}\n`, { mode: 0o600 });
}

/**
 * The cluster the saved file names, unverified: only for --cluster-name-check, which can make
 * the agent refuse to run but never makes it enforce anything. Undefined when unreadable.
 */
export async function savedClusterName(dir: string): Promise<string | undefined> {
  try {
    const state = JSON.parse(await readTextFile(join(dir, STATE_FILE))) as SavedState;
    const cluster = (state.bundle as { cluster?: unknown } | undefined)?.cluster;
    return typeof cluster === "string" ? cluster : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The saved bundle, validated and compiled again (the binary may be newer than the file), or
 * undefined when there is none. A file that exists but cannot be used is an error, so the
 * caller can say so instead of quietly starting with nothing.
 */
export async function loadState(
  dir: string,
  pins: KeyPins | undefined,
  now = new Date(),
): Promise<AppliedBundle | undefined> {
  const path = join(dir, STATE_FILE);
  const text = await readOptionalTextFile(path, { code: "AGENT_STATE_UNREADABLE" });
  if (text === undefined) return undefined;
  let state: SavedState;
  try {
    state = JSON.parse(text) as SavedState;
  } catch (e) {
    throw new CustomsError("AGENT_STATE_UNREADABLE", `${path}: not JSON: ${(e as Error).message}`);
  }
  let bundle: PolicyBundle;
  try {
    bundle = parseBundle(state?.bundle, path);
  } catch (e) {
    throw new CustomsError("AGENT_STATE_UNREADABLE", (e as Error).message);
  }
  // Before anything of it is trusted: a file edited on disk (a policy removed, deny turned
  // into warn, the ETag kept so the control plane answers "unchanged") fails here.
  const signature = signatureOf(state);
  verifyBundleSignature(bundle, signature, pins, {}, now, "AGENT_STATE_UNVERIFIED");
  try {
    // The signed digest is the ETag: the one in the file is not believed.
    return verifyBundle(bundle, signature?.etag, path, now.getTime(), signature);
  } catch (e) {
    throw new CustomsError("AGENT_STATE_UNREADABLE", (e as Error).message);
  }
}
