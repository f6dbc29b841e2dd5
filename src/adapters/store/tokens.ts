import { CustomsError } from "../../core/errors.js";
import type { Actor, TokenRow } from "../../core/fleet/store.js";
import {
  inOrganization,
  notFound,
  outsideOrganization,
  type PlainChange,
  read,
  type StoreContext,
  type Trx,
} from "./context.js";
import { toAuditedToken, toToken } from "./rows.js";

const KIND = "Token";

export async function findToken(context: StoreContext, id: string): Promise<TokenRow | undefined> {
  const row = await read(undefined, () =>
    context.db.selectFrom("tokens").selectAll().where("id", "=", id).executeTakeFirst(),
  );
  return row === undefined ? undefined : toToken(row);
}

/** Revoked tokens too (with `revokedAt`), ordered by name then creation. */
export async function listTokens(
  context: StoreContext,
  org: string | undefined,
): Promise<readonly TokenRow[]> {
  const rows = await read(undefined, () =>
    context.db
      .selectFrom("tokens")
      .selectAll()
      .$if(org !== undefined, (q) => q.where("organization", "=", org ?? ""))
      .$if(org === undefined, (q) => q.where("organization", "is", null))
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
    last_used_at: token.lastUsedAt ?? null,
  };
}

/** A change to tokens: inside the organization (audited, revision bumped), or of none. */
function inTokens<T>(
  context: StoreContext,
  org: string | undefined,
  name: string,
  body: (change: PlainChange) => Promise<T>,
): Promise<T> {
  const subject = { kind: KIND, name };
  return org === undefined
    ? outsideOrganization(context, undefined, subject, body)
    : inOrganization(context, org, subject, body);
}

/**
 * A token of an organization is a change inside it (audited, revision bumped); a token of no
 * organization (the first `admin`) is audited without one. The audit keeps name and role,
 * never the id or the hash.
 */
export function createToken(
  context: StoreContext,
  actor: Actor,
  token: TokenRow,
): Promise<TokenRow> {
  return inTokens(context, token.organization, token.name, async ({ trx, audit }) => {
    await trx.insertInto("tokens").values(toColumns(token)).execute();
    await audit({
      actor,
      action: "create",
      kind: KIND,
      name: token.name,
      after: toAuditedToken(token),
    });
    return token;
  });
}

async function liveToken(trx: Trx, org: string | undefined, name: string) {
  const row = await trx
    .selectFrom("tokens")
    .selectAll()
    .$if(org !== undefined, (q) => q.where("organization", "=", org ?? ""))
    .$if(org === undefined, (q) => q.where("organization", "is", null))
    .where("name", "=", name)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  if (row === undefined) throw notFound({ kind: KIND, name });
  return row;
}

/**
 * Refuses to revoke the last live `admin` token. The live admin tokens are locked first
 * (PostgreSQL: `for update`; SQLite: the write transaction), so two revocations at once
 * cannot each believe the other token is left.
 */
async function keepOneAdmin(context: StoreContext, trx: Trx, revoking: string): Promise<void> {
  const admins = await trx
    .selectFrom("tokens")
    .select("id")
    .where("role", "=", "admin")
    .where("revoked_at", "is", null)
    .$if(context.dialect === "postgres", (q) => q.forUpdate())
    .execute();
  if (admins.every((a) => a.id === revoking)) {
    throw new CustomsError(
      "STORE_LAST_ADMIN",
      "this is the last live admin token: create another admin token first, or rotate this one",
    );
  }
}

/** The live token of that name; a revoked one is not found again (its name is free). */
export async function revokeToken(
  context: StoreContext,
  actor: Actor,
  org: string | undefined,
  name: string,
): Promise<void> {
  await inTokens(context, org, name, async ({ trx, time, audit }) => {
    const row = await liveToken(trx, org, name);
    if (row.role === "admin") await keepOneAdmin(context, trx, row.id);
    await trx.updateTable("tokens").set({ revoked_at: time }).where("id", "=", row.id).execute();
    const before = toToken(row);
    await audit({
      actor,
      action: "revoke",
      kind: KIND,
      name,
      before: toAuditedToken(before),
      after: toAuditedToken({ ...before, revokedAt: time }),
    });
  });
}

/** The old token is revoked and the new one inserted in one transaction: never both, never none. */
export async function rotateToken(
  context: StoreContext,
  actor: Actor,
  org: string | undefined,
  name: string,
  next: { id: string; secretHash: string; createdAt: string; createdBy: string },
): Promise<TokenRow> {
  return inTokens(context, org, name, async ({ trx, time, audit }) => {
    const row = await liveToken(trx, org, name);
    await trx.updateTable("tokens").set({ revoked_at: time }).where("id", "=", row.id).execute();
    const before = toToken(row);
    const after: TokenRow = {
      ...before,
      ...next,
      revokedAt: undefined,
      lastUsedAt: undefined,
    };
    await trx.insertInto("tokens").values(toColumns(after)).execute();
    await audit({
      actor,
      action: "rotate",
      kind: KIND,
      name,
      before: toAuditedToken({ ...before, revokedAt: time }),
      after: toAuditedToken(after),
    });
    return after;
  });
}

export async function touchToken(context: StoreContext, id: string, time: string): Promise<void> {
  await read(undefined, () =>
    context.db.updateTable("tokens").set({ last_used_at: time }).where("id", "=", id).execute(),
  );
}
