import { ApiError } from "../../core/fleet/api-error.js";
import { canSeeOrganization, canSeeWorkspace, type Principal } from "../../core/fleet/authorize.js";
import type { Actor, FleetStore, ObjectMeta } from "../../core/fleet/store.js";
import type { AgentInstallContext } from "./agent-install.js";
import type { BundleSigner } from "./bundle-keys.js";
import type { DeliveryHub } from "./delivery.js";
import type { SsoContext } from "./sso.js";

/** What every use case needs: the store, the delivery hub to wake, and the time. */
export interface FleetContext {
  readonly store: FleetStore;
  readonly hub: DeliveryHub;
  /** Signs every bundle delivered to an agent (docs/control-plane.md, Signed bundles). */
  readonly signer: BundleSigner;
  readonly now: () => Date;
  /** How agents reach this control plane: "Add cluster" renders their manifest with it. */
  readonly agentInstall?: AgentInstallContext;
  /** Sign-in with OpenID Connect, when `--oidc-config` is given. */
  readonly sso?: SsoContext;
}

export function actorOf(p: Principal): Actor {
  return { token: p.token, role: p.role };
}

export function notFound(what: string): ApiError {
  return new ApiError("API_NOT_FOUND", `${what} not found`);
}

export function forbidden(what: string): ApiError {
  return new ApiError("API_FORBIDDEN", `this token may not ${what}`);
}

/** An organization the caller cannot see does not exist for it (404, not 403). */
export function requireOrganization(p: Principal, org: string): void {
  if (!canSeeOrganization(p, org)) throw notFound(`organization "${org}"`);
}

export function requireWorkspace(p: Principal, org: string, ws: string): void {
  requireOrganization(p, org);
  if (!canSeeWorkspace(p, org, ws)) throw notFound(`workspace "${ws}"`);
}

/**
 * Runs a conditional write; on a stale resourceVersion the 409 names the current one, read
 * back with `current`, so a client can show a diff and retry.
 */
export async function withCurrentOnConflict<T>(
  write: () => Promise<T>,
  current: () => Promise<{ metadata: ObjectMeta }>,
): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if ((e as { code?: string }).code !== "STORE_CONFLICT") throw e;
    let version: string | undefined;
    try {
      version = (await current()).metadata.resourceVersion;
    } catch {
      version = undefined;
    }
    throw new ApiError("API_CONFLICT", (e as Error).message, {
      details:
        version === undefined
          ? []
          : [
              {
                path: "metadata.resourceVersion",
                message: `current resourceVersion is ${version}`,
              },
            ],
    });
  }
}
