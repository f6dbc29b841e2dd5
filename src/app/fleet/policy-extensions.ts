/**
 * Extensions in the control plane (docs/policy-language.md, "Widening an allowlist"): an
 * extension is stored as a policy; at write time its parent must exist, be visible to the
 * caller, be extensible and agree with it (422 with the field path), and a parent cannot be
 * deleted or changed so that its extensions would be refused while they exist (409 naming
 * them). Deciding here, at the write, is what keeps a delivered bundle free of extensions a
 * cluster would have to leave out.
 */
import { ApiError } from "../../core/fleet/api-error.js";
import type { PolicyRow } from "../../core/fleet/store.js";
import { checkExtensions, type ImagePolicy, validateDocument } from "../../core/policy/index.js";
import type { FleetContext } from "./context.js";

function stored(row: PolicyRow): ImagePolicy | undefined {
  const r = validateDocument(row.document);
  return r.kind === "ImagePolicy" ? r.policy : undefined;
}

/** An extension's parent as stored, if it exists and the caller can see it. */
export async function parentOf(
  ctx: FleetContext,
  org: string,
  policy: ImagePolicy,
  canSee: (row: PolicyRow) => Promise<boolean>,
): Promise<ImagePolicy | undefined> {
  if (policy.extension === undefined) return undefined;
  let row: PolicyRow | undefined;
  try {
    row = await ctx.store.getPolicy(org, policy.extension.parent);
  } catch (e) {
    if ((e as { code?: string }).code !== "STORE_NOT_FOUND") throw e;
  }
  // A parent the caller cannot see is answered as missing: the same words either way.
  return row !== undefined && (await canSee(row)) ? stored(row) : undefined;
}

/** Why an extension cannot be written with this parent (none: it can), by field path. */
export function parentIssues(
  policy: ImagePolicy,
  parent: ImagePolicy | undefined,
): { path: string; message: string }[] {
  if (policy.extension === undefined) return [];
  if (parent === undefined) {
    const message = `no policy "${policy.extension.parent}" in this organization`;
    return [{ path: "spec.extends", message }];
  }
  return checkExtensions([parent, policy]).issues.map((i) => ({
    path: i.path,
    message: i.message,
  }));
}

/** Refuses an extension whose parent is missing, invisible to the caller, or refuses it. */
export async function checkParentOf(
  ctx: FleetContext,
  org: string,
  policy: ImagePolicy,
  canSee: (row: PolicyRow) => Promise<boolean>,
): Promise<void> {
  if (policy.extension === undefined) return;
  const issues = parentIssues(policy, await parentOf(ctx, org, policy, canSee));
  if (issues.length === 0) return;
  throw new ApiError("API_POLICY_INVALID", `the ImagePolicy is invalid: ${issues[0]?.message}`, {
    details: issues,
  });
}

/**
 * Refuses to delete (`next` undefined) or change a policy when extensions of it exist that
 * the change would leave invalid. Reads every policy of the organization: writes of policies
 * are rare, and a decision on a lagging snapshot could let a parent vanish under them.
 */
export async function checkExtensionsOf(
  ctx: FleetContext,
  org: string,
  name: string,
  next: ImagePolicy | undefined,
): Promise<void> {
  const rows = await ctx.store.allPolicies(org);
  const extensions: ImagePolicy[] = [];
  for (const row of rows) {
    const p = stored(row);
    if (p?.extension?.parent === name) extensions.push(p);
  }
  if (extensions.length === 0) return;
  const broken =
    next === undefined
      ? extensions.map((e) => e.name)
      : [...new Set(checkExtensions([next, ...extensions]).issues.map((i) => i.policy))];
  if (broken.length === 0) return;
  const what = next === undefined ? "deleted" : "changed this way";
  throw new ApiError(
    "API_CONFLICT",
    `policy "${name}" is extended by ${broken.map((n) => `"${n}"`).join(", ")}: it cannot be ${what} while they exist; delete or change them first`,
    { details: broken.map((n) => ({ path: "metadata.name", message: `extended by "${n}"` })) },
  );
}
