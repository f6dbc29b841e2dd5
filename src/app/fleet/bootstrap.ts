import { CustomsError } from "../../core/errors.js";
import type { Actor, FleetStore } from "../../core/fleet/store.js";
import { hashSecret, type IssuedToken, issueToken, toTokenParts } from "./tokens.js";

/**
 * A first admin token chosen outside (the Helm chart generates one into a Secret, so that it
 * can be read with kubectl rather than from the logs): `cst_<hex id>_<secret>`.
 */
export function givenToken(text: string): IssuedToken {
  const parts = toTokenParts(text.trim());
  if (parts === undefined || parts.secret.length < 32)
    throw new CustomsError(
      "USAGE",
      "--bootstrap-token-file: not a token of the form cst_<hex id>_<secret of 32 or more characters>",
    );
  return { ...parts, secretHash: hashSecret(parts.secret), text: text.trim() };
}

export const BOOTSTRAP_ACTOR: Actor = { token: "bootstrap", role: "admin" };

/**
 * First start: on a database without any token, creates the organization `default` and an
 * `admin` token, and returns the token's text (the only time it exists outside the caller's
 * hands). On any other start, undefined.
 */
export async function bootstrap(
  store: FleetStore,
  now = new Date(),
  given?: IssuedToken,
): Promise<string | undefined> {
  if (!(await store.isEmpty())) return undefined;
  try {
    await store.createOrganization(BOOTSTRAP_ACTOR, "default", {
      description: "created at first start",
    });
  } catch (e) {
    // A replica starting at the same moment may have made it: that is fine.
    if ((e as { code?: string }).code !== "STORE_ALREADY_EXISTS") throw e;
  }
  const token = given ?? issueToken();
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
