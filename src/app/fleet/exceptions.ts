/**
 * ImagePolicyExceptions in the control plane: validated as `customs policy validate` does,
 * stored and audited like policies, seen by whoever sees their scope, written only by who may
 * relax every policy they name (core/fleet/exception-authorize.ts), and delivered to the
 * clusters in the bundle.
 */
import { re2Engine } from "../../adapters/re2/index.js";
import { ApiError } from "../../core/fleet/api-error.js";
import {
  canAdministerOrganization,
  canSeePolicy,
  isWorkspaceLimited,
  type Principal,
} from "../../core/fleet/authorize.js";
import { toDeliveredDocument } from "../../core/fleet/bundle.js";
import { exceptionRefusal } from "../../core/fleet/exception-authorize.js";
import type {
  AttachmentRow,
  ExceptionRow,
  PageRequest,
  PolicyRow,
} from "../../core/fleet/store.js";
import {
  ALL_POLICIES,
  type ImagePolicyException,
  type PolicyIssue,
  validateDocument,
} from "../../core/policy/index.js";
import type { Json } from "./bodies.js";
import {
  actorOf,
  type FleetContext,
  notFound,
  requireOrganization,
  withCurrentOnConflict,
} from "./context.js";
import { nameMatches } from "./organizations.js";
import { toPolicy, toScope } from "./policies.js";

const SERVER_METADATA = ["updatedAt", "createdBy", "updatedBy"] as const;

function withoutServerMetadata(body: Json): Json {
  const meta = body.metadata;
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) return body;
  const rest: Record<string, unknown> = { ...(meta as Record<string, unknown>) };
  for (const key of SERVER_METADATA) delete rest[key];
  return { ...body, metadata: rest };
}

/** Validation exactly as `customs policy validate` does it; errors are a 422 with details. */
export function validateExceptionDocument(
  body: Json,
  now: Date,
): { exception: ImagePolicyException; warnings: PolicyIssue[] } {
  const result = validateDocument(withoutServerMetadata(body), undefined, {
    regex: re2Engine,
    now: now.getTime(),
  });
  if (result.kind === "ImagePolicyException") {
    const warnings = result.issues.filter((i) => i.severity !== "error");
    return { exception: result.exception, warnings };
  }
  const errors = result.issues.filter((i) => i.severity === "error");
  if (result.kind !== "invalid") {
    errors.push({
      severity: "error",
      code: "POLICY_INVALID",
      path: "kind",
      message: "expected ImagePolicyException",
    });
  }
  throw new ApiError(
    "API_POLICY_INVALID",
    `the ImagePolicyException is invalid: ${errors[0]?.message ?? ""}`,
    { details: errors.map((i) => ({ path: i.path, message: i.message })) },
  );
}

/** The attachments a workspace-limited caller's visibility or rights depend on. */
async function attachmentsOf(
  ctx: FleetContext,
  p: Principal,
  org: string,
): Promise<readonly AttachmentRow[]> {
  if (!isWorkspaceLimited(p)) return [];
  // Read from the database: a write is not decided on a snapshot that may lag.
  const all = await ctx.store.listAttachments(org, {});
  return all.filter((a) => p.workspaces.includes(a.workspace));
}

async function visibleException(
  ctx: FleetContext,
  p: Principal,
  org: string,
  name: string,
): Promise<ExceptionRow> {
  requireOrganization(p, org);
  const [row, attachments] = await Promise.all([
    ctx.store.getException(org, name),
    attachmentsOf(ctx, p, org),
  ]);
  if (!canSeePolicy(p, org, row.scope, attachments)) throw notFound(`exception "${name}"`);
  return row;
}

/** Refuses (403, with the field) an exception the caller may not write. */
async function requireWritable(
  ctx: FleetContext,
  p: Principal,
  org: string,
  scope: PolicyRow["scope"],
  policies: readonly string[],
): Promise<void> {
  if (canAdministerOrganization(p, org)) return;
  const attachments = await attachmentsOf(ctx, p, org);
  const rows = new Map<string, PolicyRow>();
  for (const name of policies) {
    if (name === ALL_POLICIES) continue;
    const row = await ctx.store.getPolicy(org, name).catch((e: unknown) => {
      if ((e as { code?: string }).code === "STORE_NOT_FOUND") return undefined;
      throw e;
    });
    if (row !== undefined) rows.set(name, row);
  }
  const refusal = exceptionRefusal(p, org, scope, policies, rows, attachments);
  if (refusal !== undefined) {
    throw new ApiError(
      "API_FORBIDDEN",
      `this token may not write this exception: ${refusal.message}`,
      {
        details: [refusal],
      },
    );
  }
}

function policiesOf(row: ExceptionRow): string[] {
  const spec = (row.document.spec ?? {}) as { policies?: unknown };
  return Array.isArray(spec.policies) ? spec.policies.filter((x) => typeof x === "string") : [];
}

export async function listExceptions(
  ctx: FleetContext,
  p: Principal,
  org: string,
  page: PageRequest,
) {
  requireOrganization(p, org);
  const limited = isWorkspaceLimited(p);
  const rows = await ctx.store.listExceptions(
    org,
    page,
    limited ? { visibleTo: p.workspaces } : {},
  );
  return { items: rows.items.map(toPolicy), next: rows.next };
}

export async function getException(ctx: FleetContext, p: Principal, org: string, name: string) {
  return toPolicy(await visibleException(ctx, p, org, name));
}

export async function createException(ctx: FleetContext, p: Principal, org: string, body: Json) {
  requireOrganization(p, org);
  const { exception, warnings } = validateExceptionDocument(body, ctx.now());
  const scope = toScope({ scope: exception.scope });
  await requireWritable(ctx, p, org, scope, exception.policies);
  const row = await ctx.store.createException(actorOf(p), org, toDeliveredDocument(body), scope);
  ctx.hub.changed(org);
  return { exception: toPolicy(row), warnings };
}

export async function updateException(
  ctx: FleetContext,
  p: Principal,
  org: string,
  name: string,
  body: Json,
  resourceVersion: string,
) {
  const current = await visibleException(ctx, p, org, name);
  const { exception, warnings } = validateExceptionDocument(body, ctx.now());
  nameMatches(exception.name, name);
  const scope = toScope({ scope: exception.scope });
  // Both what it relaxed and what it will relax must be the caller's to relax.
  await requireWritable(ctx, p, org, current.scope, policiesOf(current));
  await requireWritable(ctx, p, org, scope, exception.policies);
  const row = await withCurrentOnConflict(
    () =>
      ctx.store.updateException(actorOf(p), org, toDeliveredDocument(body), scope, {
        resourceVersion,
      }),
    () => ctx.store.getException(org, name),
  );
  ctx.hub.changed(org);
  return { exception: toPolicy(row), warnings };
}

export async function deleteException(
  ctx: FleetContext,
  p: Principal,
  org: string,
  name: string,
  resourceVersion: string,
) {
  const current = await visibleException(ctx, p, org, name);
  await requireWritable(ctx, p, org, current.scope, policiesOf(current));
  await withCurrentOnConflict(
    () => ctx.store.deleteException(actorOf(p), org, name, { resourceVersion }),
    () => ctx.store.getException(org, name),
  );
  ctx.hub.changed(org);
}
