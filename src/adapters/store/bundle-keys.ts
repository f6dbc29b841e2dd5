import type { Actor, BundleKeyRow } from "../../core/fleet/store.js";
import { outsideOrganization, read, type StoreContext } from "./context.js";
import type { Database } from "./schema.js";

const KIND = "BundleKey";

function toRow(r: Database["bundle_keys"]): BundleKeyRow {
  return {
    generation: Number(r.generation),
    id: r.id,
    algorithm: "Ed25519",
    publicKey: r.public_key,
    privateKey: r.private_key,
    createdAt: r.created_at,
    notAfter: r.not_after ?? undefined,
    endorsement: r.endorsement ?? undefined,
  };
}

/** The audited view of a key: never its private half. */
function audited(k: BundleKeyRow) {
  return { id: k.id, generation: k.generation, algorithm: k.algorithm, publicKey: k.publicKey };
}

export function listBundleKeys(context: StoreContext): Promise<readonly BundleKeyRow[]> {
  return read(undefined, async () =>
    (await context.db.selectFrom("bundle_keys").selectAll().orderBy("generation").execute()).map(
      toRow,
    ),
  );
}

export async function addBundleKey(
  context: StoreContext,
  actor: Actor | undefined,
  key: BundleKeyRow,
  retireAt: string | undefined,
): Promise<void> {
  const subject = { kind: KIND, name: `generation ${key.generation}` };
  await outsideOrganization(context, undefined, subject, async ({ trx, audit }) => {
    if (retireAt !== undefined)
      await trx
        .updateTable("bundle_keys")
        .set({ not_after: retireAt })
        .where("not_after", "is", null)
        .where("generation", "<", key.generation)
        .execute();
    await trx
      .insertInto("bundle_keys")
      .values({
        generation: key.generation,
        id: key.id,
        algorithm: key.algorithm,
        public_key: key.publicKey,
        private_key: key.privateKey,
        created_at: key.createdAt,
        not_after: key.notAfter ?? null,
        endorsement: key.endorsement ?? null,
      })
      .execute();
    if (actor !== undefined)
      await audit({
        actor,
        action: "rotate",
        kind: KIND,
        name: `generation-${key.generation}`,
        after: audited(key),
      });
  });
}
