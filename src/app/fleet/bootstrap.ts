import type { Actor, FleetStore } from "../../core/fleet/store.js";
import { issueToken } from "./tokens.js";

export const BOOTSTRAP_ACTOR: Actor = { token: "bootstrap", role: "admin" };

/**
 * First start: on a database without any token, creates the organization `default` and an
 * `admin` token, and returns the token's text (the only time it exists outside the caller's
 * hands). On any other start, undefined.
 */
export async function bootstrap(store: FleetStore, now = new Date()): Promise<string | undefined> {
  if (!(await store.isEmpty())) return undefined;
  try {
    await store.createOrganization(BOOTSTRAP_ACTOR, "default", {
      description: "created at first start",
    });
  } catch (e) {
    // A replica starting at the same moment may have made it: that is fine.
    if ((e as { code?: string }).code !== "STORE_ALREADY_EXISTS") throw e;
  }
  const token = issueToken();
  try {
    await store.createToken(BOOTSTRAP_ACTOR, {
      id: token.id,
      organization: undefined,
      name: "admin",
      role: "admin",
      workspaces: [],
      cluster: undefined,
      secretHash: token.secretHash,
      createdAt: now.toISOString(),
      createdBy: BOOTSTRAP_ACTOR.token,
      revokedAt: undefined,
    });
  } catch (e) {
    // Another replica made the first token at the same moment: it shows that one.
    if ((e as { code?: string }).code === "STORE_ALREADY_EXISTS") return undefined;
    throw e;
  }
  return token.text;
}
