import { re2Engine } from "../../adapters/re2/index.js";
import { CustomsError } from "../../core/errors.js";
import { ApiError } from "../../core/fleet/api-error.js";
import {
  canAdministerOrganization,
  canSeePolicy,
  canWritePolicy,
  isWorkspaceLimited,
  type Principal,
} from "../../core/fleet/authorize.js";
import { toDeliveredDocument } from "../../core/fleet/bundle.js";
import type { AttachmentRow, PageRequest, PolicyRow } from "../../core/fleet/store.js";
import { type ImagePolicy, type PolicyIssue, validateDocument } from "../../core/policy/index.js";
import type { Json } from "./bodies.js";
import {
  actorOf,
  type FleetContext,
  forbidden,
  notFound,
  requireOrganization,
  withCurrentOnConflict,
} from "./context.js";
import { nameMatches } from "./organizations.js";
import { checkExtensionsOf, checkParentOf } from "./policy-extensions.js";

/** Can the caller see this stored policy? (for an extension's parent) */
export function seeing(ctx: FleetContext, p: Principal, org: string) {
  return async (row: PolicyRow) =>
    canSeePolicy(p, org, row.scope, await attachmentsToSee(ctx, p, org));
}

/** A stored policy as the API answers it: the document with the object's metadata. */
export function toPolicy(row: PolicyRow) {
  const doc = row.document;
  const meta = (doc.metadata ?? {}) as Record<string, unknown>;
  return { ...doc, metadata: { ...meta, ...row.metadata } };
}

/**
 * Metadata the control plane itself adds to its answers. A client that GETs a policy and PUTs
 * it back unchanged sends them too; they are the server's, so they are dropped, not refused
 * (Kubernetes' own fields such as uid and resourceVersion are accepted by validation as is).
 */
const SERVER_METADATA = ["updatedAt", "createdBy", "updatedBy"] as const;

function withoutServerMetadata(body: Json): Json {
  const meta = body.metadata;
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) return body;
  const rest: Record<string, unknown> = { ...(meta as Record<string, unknown>) };
  for (const key of SERVER_METADATA) delete rest[key];
  return { ...body, metadata: rest };
}

/** Validation exactly as `customs policy validate` does it; errors are a 422 with details. */
export function validatePolicyDocument(
  body: Json,
  now: Date,
): { policy: ImagePolicy; warnings: PolicyIssue[] } {
  const result = validateDocument(withoutServerMetadata(body), undefined, {
    regex: re2Engine,
    now: now.getTime(),
  });
  if (result.kind === "ImagePolicy") {
    return { policy: result.policy, warnings: result.issues.filter((i) => i.severity !== "error") };
  }
  const errors = result.issues.filter((i) => i.severity === "error");
  if (result.kind === "Workspace") {
    errors.push({
      severity: "error",
      code: "POLICY_INVALID",
      path: "kind",
      message: "expected ImagePolicy",
    });
  }
  throw new ApiError(
    "API_POLICY_INVALID",
    `the ImagePolicy is invalid: ${errors[0]?.message ?? ""}`,
    {
      details: errors.map((i) => ({ path: i.path, message: i.message })),
    },
  );
}

export function toScope(policy: ImagePolicy): PolicyRow["scope"] {
  const { scope } = policy;
  switch (scope.kind) {
    case "organization":
      return { kind: "organization" };
    case "workspace":
      return { kind: "workspace", workspace: scope.name };
    case "namespace":
      return {
        kind: "namespace",
        namespace: scope.namespace.name,
        ...(scope.namespace.cluster === undefined ? {} : { cluster: scope.namespace.cluster }),
      };
  }
}

async function checkWorkspaceExists(ctx: FleetContext, org: string, scope: PolicyRow["scope"]) {
  if (scope.kind !== "workspace") return;
  try {
    await ctx.store.getWorkspace(org, scope.workspace);
  } catch (e) {
    if ((e as { code?: string }).code !== "STORE_NOT_FOUND") throw e;
    throw new ApiError("API_WORKSPACE_NOT_FOUND", `no workspace "${scope.workspace}"`, {
      details: [{ path: "spec.workspace", message: `no workspace "${scope.workspace}"` }],
    });
  }
}

/**
 * The attachments that decide which policies a caller sees. Only a workspace-limited caller
 * needs any, and only those of its own workspaces; they come from the delivery snapshot, so a
 * read never loads every attachment of the organization.
 */
async function attachmentsToSee(
  ctx: FleetContext,
  p: Principal,
  org: string,
): Promise<readonly AttachmentRow[]> {
  if (!isWorkspaceLimited(p)) return [];
  const snapshot = await ctx.hub.snapshot(org);
  const out: AttachmentRow[] = [];
  for (const list of snapshot.attachments.values()) {
    for (const a of list) if (p.workspaces.includes(a.workspace)) out.push(a);
  }
  return out;
}

/**
 * The attachments that decide whether a workspace admin may write policies of these scopes,
 * read from the database (a write is not decided on a snapshot that may lag): only those of
 * the clusters the scopes name; org admins and other roles need none.
 */
async function attachmentsToWrite(
  ctx: FleetContext,
  p: Principal,
  org: string,
  scopes: readonly PolicyRow["scope"][],
): Promise<readonly AttachmentRow[]> {
  if (canAdministerOrganization(p, org) || p.role !== "workspace-admin") return [];
  const clusters = new Set<string>();
  for (const s of scopes)
    if (s.kind === "namespace" && s.cluster !== undefined) clusters.add(s.cluster);
  const lists = await Promise.all(
    [...clusters].map((cluster) => ctx.store.listAttachments(org, { cluster })),
  );
  return lists.flat();
}

async function visiblePolicy(
  ctx: FleetContext,
  p: Principal,
  org: string,
  name: string,
): Promise<PolicyRow> {
  requireOrganization(p, org);
  const [row, attachments] = await Promise.all([
    ctx.store.getPolicy(org, name),
    attachmentsToSee(ctx, p, org),
  ]);
  if (!canSeePolicy(p, org, row.scope, attachments)) throw notFound(`policy "${name}"`);
  return row;
}

export async function listPolicies(
  ctx: FleetContext,
  p: Principal,
  org: string,
  page: PageRequest,
  filter: { scope?: PolicyRow["scope"]["kind"]; workspace?: string },
) {
  requireOrganization(p, org);
  // A workspace-limited caller's visibility is decided in the query: filtering after paging
  // would hand out a cursor holding the name of the last policy read, which may be one of a
  // workspace it must not know of.
  const limited = isWorkspaceLimited(p);
  const rows = await ctx.store.listPolicies(org, page, {
    ...filter,
    ...(limited ? { visibleTo: p.workspaces } : {}),
  });
  return { items: rows.items.map(toPolicy), next: rows.next };
}

export async function getPolicy(ctx: FleetContext, p: Principal, org: string, name: string) {
  return toPolicy(await visiblePolicy(ctx, p, org, name));
}

/**
 * Policy names are unique in the organization, so a name held by a policy the caller cannot
 * see must still be refused, and that much cannot be hidden. The answer says no more than
 * that: the same words whether the caller can see the holder or not, nothing of its kind,
 * scope or workspace. Probing names this way takes a write permission, and every attempt
 * that succeeds is a change in the audit log.
 */
function nameTaken(name: string): CustomsError {
  return new CustomsError(
    "STORE_ALREADY_EXISTS",
    `the name "${name}" is taken in this organization (policy names are unique across its workspaces); choose another`,
  );
}

export async function createPolicy(ctx: FleetContext, p: Principal, org: string, body: Json) {
  requireOrganization(p, org);
  const { policy, warnings } = validatePolicyDocument(body, ctx.now());
  const scope = toScope(policy);
  const attachments = await attachmentsToWrite(ctx, p, org, [scope]);
  if (!canWritePolicy(p, org, scope, attachments)) throw forbidden("create a policy of this scope");
  await checkWorkspaceExists(ctx, org, scope);
  await checkParentOf(ctx, org, policy, seeing(ctx, p, org));
  const row = await ctx.store
    .createPolicy(actorOf(p), org, toDeliveredDocument(body), scope)
    .catch((e: unknown) => {
      throw (e as { code?: string }).code === "STORE_ALREADY_EXISTS" ? nameTaken(policy.name) : e;
    });
  await ctx.hub.policy(org, row.metadata.name, row);
  return { policy: toPolicy(row), warnings };
}

export async function updatePolicy(
  ctx: FleetContext,
  p: Principal,
  org: string,
  name: string,
  body: Json,
  resourceVersion: string,
) {
  const current = await visiblePolicy(ctx, p, org, name);
  const { policy, warnings } = validatePolicyDocument(body, ctx.now());
  nameMatches(policy.name, name);
  const scope = toScope(policy);
  const attachments = await attachmentsToWrite(ctx, p, org, [current.scope, scope]);
  // Both the old and the new reach must be the caller's: no moving a policy out of reach.
  if (
    !canWritePolicy(p, org, current.scope, attachments) ||
    !canWritePolicy(p, org, scope, attachments)
  ) {
    throw forbidden("change this policy");
  }
  await checkWorkspaceExists(ctx, org, scope);
  await checkParentOf(ctx, org, policy, seeing(ctx, p, org));
  await checkExtensionsOf(ctx, org, name, policy);
  const row = await withCurrentOnConflict(
    () =>
      ctx.store.updatePolicy(actorOf(p), org, toDeliveredDocument(body), scope, {
        resourceVersion,
      }),
    () => ctx.store.getPolicy(org, name),
  );
  await ctx.hub.policy(org, name, row);
  return { policy: toPolicy(row), warnings };
}

export async function deletePolicy(
  ctx: FleetContext,
  p: Principal,
  org: string,
  name: string,
  resourceVersion: string,
) {
  const current = await visiblePolicy(ctx, p, org, name);
  const attachments = await attachmentsToWrite(ctx, p, org, [current.scope]);
  if (!canWritePolicy(p, org, current.scope, attachments)) throw forbidden("delete this policy");
  await checkExtensionsOf(ctx, org, name, undefined);
  await withCurrentOnConflict(
    () => ctx.store.deletePolicy(actorOf(p), org, name, { resourceVersion }),
    () => ctx.store.getPolicy(org, name),
  );
  await ctx.hub.policy(org, name, undefined);
}
