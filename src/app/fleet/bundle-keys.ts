import { generateKeyPair, type KeyPair, signerOf } from "../../adapters/bundle-signing/index.js";
import { CustomsError } from "../../core/errors.js";
import { ApiError } from "../../core/fleet/api-error.js";
import type { Principal } from "../../core/fleet/authorize.js";
import {
  type BundleSignature,
  type PublishedKey,
  toBundleStatement,
  toKeyStatement,
} from "../../core/fleet/bundle-signature.js";
import type { BundleKeyRow, FleetStore } from "../../core/fleet/store.js";
import type { DeliveredBundle } from "./snapshots.js";

/** How long agents keep trusting a replaced key unless the rotation says otherwise. */
export const DEFAULT_GRACE_SECONDS = 86_400;
export const MAX_GRACE_SECONDS = 90 * 86_400;
/** How often a replica looks for a key another replica rotated. */
const REFRESH_MS = 5_000;

function rowOf(pair: KeyPair, generation: number, createdAt: string, endorsement?: string) {
  return {
    generation,
    id: pair.id,
    algorithm: "Ed25519",
    publicKey: pair.publicKey,
    privateKey: pair.privateKey,
    createdAt,
    notAfter: undefined,
    endorsement,
  } satisfies BundleKeyRow;
}

/**
 * First start: a database without a signing key gets one. Replicas starting together on one
 * PostgreSQL may both try; the generation is the primary key, so one insert wins and the
 * other finds it there (as for the first admin token).
 */
export async function ensureBundleKey(store: FleetStore, now = new Date()): Promise<void> {
  if ((await store.listBundleKeys()).length > 0) return;
  try {
    await store.addBundleKey(undefined, rowOf(generateKeyPair(), 1, now.toISOString()), undefined);
  } catch (e) {
    if ((e as { code?: string }).code !== "STORE_ALREADY_EXISTS") throw e;
  }
}

export function toPublishedKey(k: BundleKeyRow): PublishedKey {
  return {
    id: k.id,
    generation: k.generation,
    algorithm: k.algorithm,
    publicKey: k.publicKey,
    createdAt: k.createdAt,
    ...(k.notAfter === undefined ? {} : { notAfter: k.notAfter }),
    ...(k.endorsement === undefined ? {} : { endorsement: k.endorsement }),
  };
}

/**
 * Signs delivered bundles with the newest key in the database. Keys are read again every few
 * seconds, so a rotation made through another replica is followed (agents accept the
 * previous key during the grace period meanwhile). Each delivered bundle is signed once per
 * key: a bundle object lives as long as its snapshot.
 */
export class BundleSigner {
  #keys: readonly BundleKeyRow[] = [];
  #active: { key: BundleKeyRow; sign: (text: string) => string } | undefined;
  #readAt = Number.NEGATIVE_INFINITY;
  #reading: Promise<void> | undefined;
  readonly #signed = new WeakMap<DeliveredBundle, BundleSignature>();

  constructor(
    private readonly store: FleetStore,
    private readonly clock: () => number = Date.now,
  ) {}

  async #fresh(force = false): Promise<void> {
    if (!force && this.clock() - this.#readAt < REFRESH_MS && this.#active !== undefined) return;
    this.#reading ??= (async () => {
      try {
        const keys = await this.store.listBundleKeys();
        const newest = keys.at(-1);
        if (newest === undefined)
          throw new CustomsError("STORE_NOT_FOUND", "no bundle signing key in the database");
        if (this.#active?.key.id !== newest.id)
          this.#active = { key: newest, sign: signerOf(newest.privateKey) };
        this.#keys = keys;
        this.#readAt = this.clock();
      } finally {
        this.#reading = undefined;
      }
    })();
    await this.#reading;
  }

  /** The public keys agents may trust, oldest generation first. */
  async published(): Promise<PublishedKey[]> {
    await this.#fresh();
    return this.#keys.map(toPublishedKey);
  }

  async activeKeyId(): Promise<string> {
    await this.#fresh();
    return this.#active?.key.id ?? "";
  }

  async sign(organization: string, delivered: DeliveredBundle): Promise<BundleSignature> {
    await this.#fresh();
    const active = this.#active;
    if (active === undefined) throw new Error("no signing key");
    const cached = this.#signed.get(delivered);
    if (cached?.keyId === active.key.id) return cached;
    const { bundle, etag } = delivered;
    const statement = toBundleStatement({
      organization,
      cluster: bundle.cluster,
      revision: String(bundle.revision),
      etag,
      keyId: active.key.id,
    });
    const signature = { keyId: active.key.id, organization, etag, value: active.sign(statement) };
    this.#signed.set(delivered, signature);
    return signature;
  }

  /**
   * Replaces the signing key: the new one is endorsed by the current one (agents that trust
   * the current key learn the new one from that signature), and the current one stays
   * trusted for `graceSeconds`.
   */
  async rotate(p: Principal, graceSeconds: number, now: Date): Promise<PublishedKey[]> {
    await this.#fresh(true);
    const current = this.#active;
    if (current === undefined) throw new Error("no signing key");
    const pair = generateKeyPair();
    const notAfter = new Date(now.getTime() + graceSeconds * 1000).toISOString();
    const generation = current.key.generation + 1;
    const endorsement = current.sign(
      toKeyStatement(
        { id: pair.id, generation, algorithm: "Ed25519", publicKey: pair.publicKey },
        { id: current.key.id, notAfter },
      ),
    );
    try {
      await this.store.addBundleKey(
        { token: p.token, role: p.role },
        rowOf(pair, generation, now.toISOString(), endorsement),
        notAfter,
      );
    } catch (e) {
      if ((e as { code?: string }).code === "STORE_ALREADY_EXISTS")
        throw new ApiError(
          "API_CONFLICT",
          "the signing key was rotated concurrently; read the keys again",
        );
      throw e;
    }
    await this.#fresh(true);
    return this.#keys.map(toPublishedKey);
  }
}

function requireAdmin(p: Principal): void {
  if (p.role !== "admin")
    throw new ApiError("API_FORBIDDEN", "only an admin token may manage the bundle signing keys");
}

/** `GET /api/v1/bundle-keys`: the public keys (admin). */
export async function listBundleKeys(signer: BundleSigner, p: Principal) {
  requireAdmin(p);
  return { items: await signer.published() };
}

/** `POST /api/v1/bundle-keys/rotate` `{graceSeconds?}` (admin). */
export async function rotateBundleKey(
  signer: BundleSigner,
  p: Principal,
  body: Readonly<Record<string, unknown>>,
  now: Date,
) {
  requireAdmin(p);
  const grace = body.graceSeconds ?? DEFAULT_GRACE_SECONDS;
  if (
    typeof grace !== "number" ||
    !Number.isInteger(grace) ||
    grace < 0 ||
    grace > MAX_GRACE_SECONDS
  )
    throw new ApiError(
      "API_INVALID",
      `graceSeconds: must be an integer from 0 to ${MAX_GRACE_SECONDS}`,
      {
        details: [
          { path: "graceSeconds", message: `must be an integer from 0 to ${MAX_GRACE_SECONDS}` },
        ],
      },
    );
  return { items: await signer.rotate(p, grace, now) };
}

/** `GET /api/v1/agent/keys`: what an agent pins (cluster-agent tokens). */
export async function agentKeys(signer: BundleSigner, p: Principal) {
  if (p.role !== "cluster-agent")
    throw new ApiError("API_FORBIDDEN", "only a cluster-agent token may use the agent endpoints");
  return { keys: await signer.published() };
}
