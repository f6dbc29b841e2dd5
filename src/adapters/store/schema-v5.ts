import type { Kysely } from "kysely";
import { index, namedInOrganization, texts } from "./schema-v1.js";

/**
 * Schema version 5: ImagePolicyExceptions, stored like policies (the document as written,
 * its scope denormalized for filtering and authorization), in a table of their own so that
 * an exception and a policy may share a name and lists of policies hold only policies.
 */
// biome-ignore lint/suspicious/noExplicitAny: tables are created before they have a type
export async function exceptionTables(db: Kysely<any>): Promise<void> {
  const table = texts(namedInOrganization(db, "policy_exceptions"), ["document", "scope_kind"]);
  await texts(table, ["scope_workspace", "scope_cluster", "scope_namespace"], true).execute();
  await index(db, "policy_exceptions_workspace", "policy_exceptions", [
    "organization",
    "scope_workspace",
  ]);
}
