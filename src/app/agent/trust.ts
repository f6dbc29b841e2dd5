import { join } from "node:path";
import {
  contentEtag,
  macOf,
  sameMac,
  verifySignature,
} from "../../adapters/bundle-signing/index.js";
import { type ControlPlaneClient, errorText } from "../../adapters/control-plane/index.js";
import { ensureDir, readOptionalTextFile, writeFileAtomic } from "../../adapters/files/index.js";
import { CustomsError } from "../../core/errors.js";
import { toCanonicalJson } from "../../core/fleet/bundle.js";
import {
  type BundleSignature,
  type PublishedKey,
  toBundleStatement,
  toKeyStatement,
} from "../../core/fleet/bundle-signature.js";
import type { PolicyBundle } from "./bundle.js";

export const KEYS_FILE = "keys.json";
export const KEYS_PATH = "/api/v1/agent/keys";
const PIN_PURPOSE = "customs-agent pinned bundle keys v1";

/** A public key the agent trusts bundles signed with (until `notAfter`, when set). */
export interface PinnedKey {
  readonly id: string;
  readonly generation: number;
  readonly publicKey: string;
  readonly notAfter?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function toPinned(k: PublishedKey): PinnedKey {
  return {
    id: k.id,
    generation: k.generation,
    publicKey: k.publicKey,
    ...(k.notAfter === undefined ? {} : { notAfter: k.notAfter }),
  };
}

/**
 * The keys an agent trusts. Learned once over the TLS connection its install trusts (its
 * CA and token: trust on first use of an authenticated channel), then only through
 * endorsements: generation n+1 is trusted when a trusted generation n signed it. A control
 * plane, a proxy or a file that presents another key is not believed.
 */
export class KeyPins {
  #keys: PinnedKey[];

  constructor(keys: readonly PinnedKey[]) {
    this.#keys = [...keys].sort((a, b) => a.generation - b.generation);
  }

  get keys(): readonly PinnedKey[] {
    return this.#keys;
  }

  get newest(): PinnedKey | undefined {
    return this.#keys.at(-1);
  }

  /** The key of that id if it may sign now. */
  trusted(id: string, now: Date): PinnedKey | undefined {
    const k = this.#keys.find((x) => x.id === id);
    if (k === undefined) return undefined;
    return k.notAfter === undefined || now.getTime() < Date.parse(k.notAfter) ? k : undefined;
  }

  /**
   * Follows the endorsement chain from the newest pinned key through the published list.
   * Returns true when a key was added. A key the chain does not reach is ignored.
   */
  extend(published: readonly PublishedKey[]): boolean {
    let changed = false;
    for (;;) {
      const tip = this.newest;
      if (tip === undefined) return changed;
      const next = published.find((k) => k.generation === tip.generation + 1);
      if (next === undefined || next.endorsement === undefined) return changed;
      // The endorsement names how long the previous key stays trusted; the statement is
      // rebuilt from the published fields, so a notAfter changed in transit fails it.
      const notAfter = published.find((k) => k.id === tip.id)?.notAfter;
      if (notAfter === undefined) return changed;
      const statement = toKeyStatement(next, { id: tip.id, notAfter });
      if (!verifySignature(tip.publicKey, statement, next.endorsement)) return changed;
      this.#keys = [
        ...this.#keys.map((k) => (k.id === tip.id ? { ...k, notAfter } : k)),
        toPinned({ ...next, notAfter: undefined } as PublishedKey),
      ];
      changed = true;
    }
  }
}

/** `GET /api/v1/agent/keys`; throws on anything but a list of keys. */
export async function fetchKeys(
  client: ControlPlaneClient,
  signal?: AbortSignal,
): Promise<PublishedKey[]> {
  const res = await client.call("GET", KEYS_PATH, {
    timeoutMs: 15_000,
    ...(signal ? { signal } : {}),
  });
  if (res.status !== 200)
    throw new CustomsError(
      "AGENT_CONTROL_PLANE_UNREACHABLE",
      `GET ${KEYS_PATH}: ${res.status} ${errorText(res.body)}`,
    );
  const keys = isRecord(res.body) ? res.body.keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0)
    throw new CustomsError("AGENT_KEYS_UNTRUSTED", `GET ${KEYS_PATH}: no keys in the answer`);
  return keys.filter(
    (k): k is PublishedKey =>
      isRecord(k) &&
      typeof k.id === "string" &&
      typeof k.publicKey === "string" &&
      typeof k.generation === "number",
  );
}

/** Pins on first use: the keys valid now, as the control plane lists them. */
export function firstPins(published: readonly PublishedKey[], now: Date): KeyPins {
  return new KeyPins(
    published
      .filter((k) => k.notAfter === undefined || Date.parse(k.notAfter) > now.getTime())
      .map(toPinned),
  );
}

/**
 * The pins live next to the saved bundle, sealed with an HMAC keyed by the agent's token:
 * the token Secret is the install's trust anchor, and whoever can write the state dir
 * without reading that Secret cannot pin a key of their own (and then sign a bundle with it).
 */
export async function savePins(dir: string, secret: string, pins: KeyPins): Promise<void> {
  await ensureDir(dir, 0o700);
  const text = toCanonicalJson(pins.keys);
  await writeFileAtomic(
    join(dir, KEYS_FILE),
    `${JSON.stringify({ keys: pins.keys, mac: macOf(secret, PIN_PURPOSE, text) })}\n`,
    { mode: 0o600 },
  );
}

/** The pinned keys, or undefined when none were saved; AGENT_STATE_UNVERIFIED when altered. */
export async function loadPins(dir: string, secret: string): Promise<KeyPins | undefined> {
  const path = join(dir, KEYS_FILE);
  const text = await readOptionalTextFile(path, { code: "AGENT_STATE_UNVERIFIED" });
  if (text === undefined) return undefined;
  let saved: unknown;
  try {
    saved = JSON.parse(text);
  } catch {
    throw new CustomsError("AGENT_STATE_UNVERIFIED", `${path}: not JSON`);
  }
  const keys = isRecord(saved) && Array.isArray(saved.keys) ? (saved.keys as PinnedKey[]) : [];
  const mac = isRecord(saved) && typeof saved.mac === "string" ? saved.mac : "";
  if (!sameMac(mac, macOf(secret, PIN_PURPOSE, toCanonicalJson(keys))))
    throw new CustomsError(
      "AGENT_STATE_UNVERIFIED",
      `${path}: the pinned keys were not sealed with this agent's token (altered, or the token changed)`,
    );
  return new KeyPins(keys);
}

/** The `signature` of a bundle body, or undefined when it has none of the right shape. */
export function signatureOf(body: unknown): BundleSignature | undefined {
  const s = isRecord(body) ? body.signature : undefined;
  if (!isRecord(s)) return undefined;
  const { keyId, organization, etag, value } = s;
  if ([keyId, organization, etag, value].some((x) => typeof x !== "string")) return undefined;
  return s as unknown as BundleSignature;
}

/**
 * Checks that the bundle is what a trusted key signed: its content hashes to the signed
 * ETag, and the signature over (organization, cluster, revision, ETag, key) verifies with a
 * pinned key valid now. `expected` names the organization and cluster the agent registered
 * as, when known: a bundle signed for another cluster is not this one's.
 */
export function verifyBundleSignature(
  bundle: PolicyBundle,
  signature: BundleSignature | undefined,
  pins: KeyPins | undefined,
  expected: { organization?: string | undefined; cluster?: string | undefined },
  now: Date,
  code: "AGENT_BUNDLE_UNVERIFIED" | "AGENT_STATE_UNVERIFIED",
): void {
  const fail = (why: string) =>
    new CustomsError(code, `revision ${String(bundle.revision)}: ${why}`);
  if (signature === undefined) throw fail("the bundle is not signed");
  if (pins === undefined) throw fail("no trusted key to verify it with (none pinned yet)");
  const content = toCanonicalJson({
    cluster: bundle.cluster,
    policies: bundle.policies,
    workspaces: bundle.workspaces,
  });
  if (contentEtag(content) !== signature.etag)
    throw fail("its content does not match the signed digest (edited after it was signed)");
  const key = pins.trusted(signature.keyId, now);
  if (key === undefined) throw fail(`signed by key ${signature.keyId}, which is not trusted`);
  const statement = toBundleStatement({
    organization: signature.organization,
    cluster: bundle.cluster,
    revision: String(bundle.revision),
    etag: signature.etag,
    keyId: signature.keyId,
  });
  if (!verifySignature(key.publicKey, statement, signature.value))
    throw fail(`the signature by key ${signature.keyId} does not verify`);
  if (expected.organization !== undefined && expected.organization !== signature.organization)
    throw fail(
      `signed for organization "${signature.organization}", not "${expected.organization}"`,
    );
  if (expected.cluster !== undefined && expected.cluster !== bundle.cluster)
    throw fail(`signed for cluster "${bundle.cluster}", not "${expected.cluster}"`);
}
