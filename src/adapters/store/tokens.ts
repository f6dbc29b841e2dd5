import type { Actor, TokenRow } from "../../core/fleet/store.js";
import {
  inOrganization,
  notFound,
  read,
  type StoreContext,
  timestamp,
  writeAudit,
} from "./context.js";
import { toStoreError } from "./failures.js";
import { toAuditedToken, toToken } from "./rows.js";

const KIND = "Token";

export async function findToken(context: StoreContext, id: string): Promise<TokenRow | undefined> {
  const row = await read(undefined, () =>
    context.db.selectFrom("tokens").selectAll().where("id", "=", id).executeTakeFirst(),
  );
  return row === undefined ? undefined : toToken(row);
}

/** Revoked tokens too (with `revokedAt`), ordered by name then creation. */
export async function listTokens(context: StoreContext, org: string): Promise<readonly TokenRow[]> {
  const rows = await read(undefined, () =>
    context.db
      .selectFrom("tokens")
      .selectAll()
      .where("organization", "=", org)
      .orderBy("name")
      .orderBy("created_at")
      .orderBy("id")
      .execute(),
  );
  return rows.map(toToken);
}

export async function isEmpty(context: StoreContext): Promise<boolean> {
  const row = await read(undefined, () =>
    context.db.selectFrom("tokens").select("id").limit(1).executeTakeFirst(),
  );
  return row === undefined;
}

function toColumns(token: TokenRow) {
  return {
    id: token.id,
    organization: token.organization ?? null,
    name: token.name,
    role: token.role,
    workspaces: JSON.stringify(token.workspaces),
    cluster: token.cluster ?? null,
    secret_hash: token.secretHash,
    created_at: token.createdAt,
    created_by: token.createdBy,
    revoked_at: token.revokedAt ?? null,
  };
}

/**
 * A token of an organization is a change inside it (audited, revision bumped); a token of no
 * organization (the first `admin`) is audited without one. The audit keeps name and role,
 * never the id or the hash.
 */
export async function createToken(
  context: StoreContext,
  actor: Actor,
  token: TokenRow,
): Promise<TokenRow> {
  const subject = { kind: KIND, name: token.name };
  const record = {
    actor,
    action: "create",
    kind: KIND,
    name: token.name,
    after: toAuditedToken(token),
  } as const;
  const org = token.organization;
  if (org !== undefined) {
    return inOrganization(context, org, subject, async (change) => {
      await change.trx.insertInto("tokens").values(toColumns(token)).execute();
      await change.audit(record);
      return token;
    });
  }
  try {
    await context.db.transaction().execute(async (trx) => {
      await trx.insertInto("tokens").values(toColumns(token)).execute();
      await writeAudit(trx, timestamp(context), undefined, record);
    });
  } catch (error) {
    throw toStoreError(error, subject);
  }
  return token;
}

/** The live token of that name; a revoked one is not found again (its name is free). */
export async function revokeToken(
  context: StoreContext,
  actor: Actor,
  org: string,
  name: string,
): Promise<void> {
  const subject = { kind: KIND, name };
  await inOrganization(context, org, subject, async (change) => {
    const row = await change.trx
      .selectFrom("tokens")
      .selectAll()
      .where("organization", "=", org)
      .where("name", "=", name)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (row === undefined) throw notFound(subject);
    await change.trx
      .updateTable("tokens")
      .set({ revoked_at: change.time })
      .where("id", "=", row.id)
      .execute();
    const before = toToken(row);
    await change.audit({
      actor,
      action: "revoke",
      kind: KIND,
      name,
      before: toAuditedToken(before),
      after: toAuditedToken({ ...before, revokedAt: change.time }),
    });
  });
}
