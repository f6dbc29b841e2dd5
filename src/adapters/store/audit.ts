import type { AuditEntry, Page, PageRequest } from "../../core/fleet/store.js";
import { read, type StoreContext } from "./context.js";
import { idCursor, pageSize, toPage } from "./paging.js";
import { toAuditEntry } from "./rows.js";

/** Newest first; `workspaces` keeps the entries of those workspaces (none: nothing). */
export async function listAudit(
  context: StoreContext,
  org: string,
  page: PageRequest,
  filter: { workspaces?: readonly string[] } = {},
): Promise<Page<AuditEntry>> {
  const workspaces = filter.workspaces;
  if (workspaces !== undefined && workspaces.length === 0) return { items: [], next: undefined };
  const after = idCursor(page);
  const rows = await read(undefined, () =>
    context.db
      .selectFrom("audit")
      .selectAll()
      .where("organization", "=", org)
      .$if(workspaces !== undefined, (q) => q.where("workspace", "in", workspaces ?? []))
      .$if(after !== undefined, (q) => q.where("id", "<", after ?? 0))
      .orderBy("id", "desc")
      .limit(pageSize(page) + 1)
      .execute(),
  );
  return toPage(rows, page, toAuditEntry, (r) => String(r.id));
}
