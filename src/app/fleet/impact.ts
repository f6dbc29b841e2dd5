/**
 * `POST /api/v1/organizations/{org}/impact` (docs/impact.md): what creating, changing or
 * deleting policies and exceptions would do to the running workloads the agents report and
 * to the admissions of the last days. Candidate documents are validated and authorized as
 * the write itself would be; the answer covers only namespaces the caller can see.
 */
import { re2Engine } from "../../adapters/re2/index.js";
import { CustomsError } from "../../core/errors.js";
import { ApiError, type IssueDetail } from "../../core/fleet/api-error.js";
import {
  canAdministerOrganization,
  canSeeNamespace,
  canSeePolicy,
  canWritePolicy,
  isWorkspaceLimited,
  type Principal,
} from "../../core/fleet/authorize.js";
import { toDeliveredDocument } from "../../core/fleet/bundle.js";
import { exceptionRefusal } from "../../core/fleet/exception-authorize.js";
import {
  computeImpact,
  type ImpactChange,
  type ImpactKind,
  type ImpactResult,
} from "../../core/fleet/impact.js";
import type {
  AttachmentRow,
  FleetStore,
  PolicyRow,
  ViolationRecord,
} from "../../core/fleet/store.js";
import { ALL_POLICIES, WORKSPACE_LABEL } from "../../core/policy/index.js";
import { isObject, type Json } from "./bodies.js";
import { type FleetContext, forbidden, notFound, requireOrganization } from "./context.js";
import { validateExceptionDocument } from "./exceptions.js";
import { seeing, toScope, validatePolicyDocument } from "./policies.js";
import { checkExtensionsOf, checkParentOf } from "./policy-extensions.js";

export const MAX_IMPACT_CHANGES = 50;
export const DEFAULT_IMPACT_DAYS = 7;
export const MAX_IMPACT_DAYS = 30;
/** Admission records read for one preview; the answer says when the window held more. */
export const MAX_IMPACT_RECORDS = 50_000;

const OPS = ["create", "update", "delete", "apply"] as const;
const KINDS: readonly ImpactKind[] = ["ImagePolicy", "ImagePolicyException"];
const DAY_MS = 86_400_000;

/** A change as the caller sent it; `apply` is create-or-update, decided here. */
interface RequestedChange {
  readonly op: (typeof OPS)[number];
  readonly kind: ImpactKind;
  readonly name: string;
  readonly document: Json | undefined;
}

function invalid(details: IssueDetail[]): never {
  throw new ApiError(
    "API_INVALID",
    `invalid impact request: ${details[0]?.path}: ${details[0]?.message}`,
    {
      details,
    },
  );
}

function nameOf(document: Json): string | undefined {
  const meta = document.metadata;
  return isObject(meta) && typeof meta.name === "string" ? meta.name : undefined;
}

/** The request's shape; documents are validated later, as their write would be. */
export function parseImpactRequest(body: Json): { changes: RequestedChange[]; days: number } {
  const details: IssueDetail[] = [];
  for (const key of Object.keys(body)) {
    if (key !== "changes" && key !== "days") details.push({ path: key, message: "unknown field" });
  }
  const { changes, days } = body;
  if (
    days !== undefined &&
    (typeof days !== "number" || !Number.isInteger(days) || days < 1 || days > MAX_IMPACT_DAYS)
  ) {
    details.push({ path: "days", message: `must be a whole number from 1 to ${MAX_IMPACT_DAYS}` });
  }
  if (!Array.isArray(changes) || changes.length === 0 || changes.length > MAX_IMPACT_CHANGES) {
    details.push({
      path: "changes",
      message: `must be a list of 1 to ${MAX_IMPACT_CHANGES} changes`,
    });
    invalid(details);
  }
  const out: RequestedChange[] = [];
  const seen = new Set<string>();
  (changes as unknown[]).forEach((c, i) => {
    const at = `changes[${i}]`;
    if (!isObject(c)) {
      details.push({ path: at, message: "must be an object {op, kind, document?, name?}" });
      return;
    }
    for (const key of Object.keys(c)) {
      if (!["op", "kind", "document", "name"].includes(key)) {
        details.push({ path: `${at}.${key}`, message: "unknown field" });
      }
    }
    const { op, kind, document, name } = c;
    if (!OPS.includes(op as never)) {
      details.push({ path: `${at}.op`, message: `must be one of ${OPS.join(", ")}` });
    }
    if (!KINDS.includes(kind as never)) {
      details.push({ path: `${at}.kind`, message: `must be one of ${KINDS.join(", ")}` });
    }
    if (name !== undefined && typeof name !== "string") {
      details.push({ path: `${at}.name`, message: "must be a string" });
    }
    if (op === "delete") {
      if (typeof name !== "string")
        details.push({ path: `${at}.name`, message: "required for delete" });
      if (document !== undefined) {
        details.push({ path: `${at}.document`, message: "a delete takes a name, no document" });
      }
    } else if (!isObject(document)) {
      details.push({ path: `${at}.document`, message: `required for ${String(op)}` });
    } else if (name !== undefined && nameOf(document) !== name) {
      details.push({ path: `${at}.name`, message: "differs from document.metadata.name" });
    }
    const resolved =
      typeof name === "string" ? name : isObject(document) ? nameOf(document) : undefined;
    const key = `${String(kind)}/${resolved ?? ""}`;
    if (resolved !== undefined && seen.has(key)) {
      details.push({ path: at, message: `${key} is changed twice` });
    }
    seen.add(key);
    out.push({
      op: op as RequestedChange["op"],
      kind: kind as ImpactKind,
      name: resolved ?? "",
      document: isObject(document) ? document : undefined,
    });
  });
  if (details.length > 0) invalid(details);
  return { changes: out, days: (days as number | undefined) ?? DEFAULT_IMPACT_DAYS };
}

/** Validation errors name the change they are about. */
function atChange<T>(i: number, validate: () => T): T {
  try {
    return validate();
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    const details = (e.details ?? []).map((d) => ({
      path: `changes[${i}].document${d.path === "" ? "" : `.${d.path}`}`,
      message: d.message,
    }));
    throw new ApiError(e.code, `changes[${i}]: ${e.message}`, { details });
  }
}

async function stored(
  store: FleetStore,
  kind: ImpactKind,
  org: string,
  name: string,
): Promise<PolicyRow | undefined> {
  const read = kind === "ImagePolicy" ? store.getPolicy(org, name) : store.getException(org, name);
  return read.catch((e: unknown) => {
    if ((e as { code?: string }).code === "STORE_NOT_FOUND") return undefined;
    throw e;
  });
}

function policiesOf(document: Readonly<Record<string, unknown>>): string[] {
  const spec = (document.spec ?? {}) as { policies?: unknown };
  return Array.isArray(spec.policies) ? spec.policies.filter((x) => typeof x === "string") : [];
}

/** Would the caller be allowed to write an exception of this scope relaxing these policies? */
async function requireExceptionWritable(
  ctx: FleetContext,
  p: Principal,
  org: string,
  scope: PolicyRow["scope"],
  policies: readonly string[],
  attachments: readonly AttachmentRow[],
): Promise<void> {
  if (canAdministerOrganization(p, org)) return;
  const rows = new Map<string, PolicyRow>();
  for (const name of policies) {
    if (name === ALL_POLICIES) continue;
    const row = await stored(ctx.store, "ImagePolicy", org, name);
    if (row !== undefined) rows.set(name, row);
  }
  const mine = attachments.filter((a) => p.workspaces.includes(a.workspace));
  const refusal = exceptionRefusal(p, org, scope, policies, rows, mine);
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

/** A workspace-scoped candidate names an existing workspace, as its create must. */
async function requireWorkspace(
  store: FleetStore,
  org: string,
  scope: PolicyRow["scope"],
  i: number,
): Promise<void> {
  if (scope.kind !== "workspace") return;
  await store.getWorkspace(org, scope.workspace).catch((e: unknown) => {
    if ((e as { code?: string }).code !== "STORE_NOT_FOUND") throw e;
    const message = `no workspace "${scope.workspace}"`;
    throw new ApiError("API_WORKSPACE_NOT_FOUND", message, {
      details: [{ path: `changes[${i}].document.spec.workspace`, message }],
    });
  });
}

/**
 * Each change validated and authorized as its write would be: the same validation, the same
 * rules for who may create, change or delete it. `apply` becomes create or update here.
 */
async function resolveChanges(
  ctx: FleetContext,
  p: Principal,
  org: string,
  requested: readonly RequestedChange[],
  attachments: readonly AttachmentRow[],
): Promise<ImpactChange[]> {
  const out: ImpactChange[] = [];
  const visible = (row: PolicyRow) => canSeePolicy(p, org, row.scope, attachments);
  for (const [i, c] of requested.entries()) {
    const what = c.kind === "ImagePolicy" ? "policy" : "exception";
    if (c.op === "delete") {
      const current = await stored(ctx.store, c.kind, org, c.name);
      if (current === undefined || !visible(current)) throw notFound(`${what} "${c.name}"`);
      if (c.kind === "ImagePolicy") {
        if (!canWritePolicy(p, org, current.scope, attachments))
          throw forbidden("delete this policy");
        await checkExtensionsOf(ctx, org, c.name, undefined);
      } else {
        await requireExceptionWritable(
          ctx,
          p,
          org,
          current.scope,
          policiesOf(current.document),
          attachments,
        );
      }
      out.push({ op: "delete", kind: c.kind, name: c.name });
      continue;
    }
    const document = c.document as Json;
    const current = await stored(ctx.store, c.kind, org, c.name);
    if (current !== undefined && !visible(current)) {
      // As a create would: the name is taken, and nothing more is said about its holder.
      throw new CustomsError(
        "STORE_ALREADY_EXISTS",
        `the name "${c.name}" is taken in this organization (policy names are unique across its workspaces); choose another`,
      );
    }
    const op = c.op === "apply" ? (current === undefined ? "create" : "update") : c.op;
    if (op === "update" && current === undefined) throw notFound(`${what} "${c.name}"`);
    if (op === "create" && current !== undefined) {
      throw new CustomsError("STORE_ALREADY_EXISTS", `${what} "${c.name}" already exists`);
    }
    if (c.kind === "ImagePolicy") {
      const { policy } = atChange(i, () => validatePolicyDocument(document, ctx.now()));
      const scope = toScope(policy);
      const scopes = current === undefined ? [scope] : [current.scope, scope];
      if (scopes.some((s) => !canWritePolicy(p, org, s, attachments))) {
        throw forbidden(op === "create" ? "create a policy of this scope" : "change this policy");
      }
      await requireWorkspace(ctx.store, org, scope, i);
      await atChange(i, () => checkParentOf(ctx, org, policy, seeing(ctx, p, org)));
      if (current !== undefined) await checkExtensionsOf(ctx, org, c.name, policy);
    } else {
      const { exception } = atChange(i, () => validateExceptionDocument(document, ctx.now()));
      const scope = toScope({ scope: exception.scope });
      if (current !== undefined) {
        await requireExceptionWritable(
          ctx,
          p,
          org,
          current.scope,
          policiesOf(current.document),
          attachments,
        );
      }
      await requireExceptionWritable(ctx, p, org, scope, exception.policies, attachments);
    }
    out.push({ op, kind: c.kind, name: c.name, document: toDeliveredDocument(document) });
  }
  return out;
}

/** The admission records of the window, newest first, up to MAX_IMPACT_RECORDS. */
async function recentAdmissions(
  store: FleetStore,
  org: string,
  since: string,
): Promise<{ records: ViolationRecord[]; complete: boolean }> {
  const records: ViolationRecord[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.listViolations(org, { since }, { limit: 1000, after });
    records.push(...page.items);
    if (page.next === undefined) return { records, complete: true };
    if (records.length >= MAX_IMPACT_RECORDS) return { records, complete: false };
    after = page.next;
  }
}

export interface ImpactAnswer extends ImpactResult {
  readonly days: number;
  readonly changes: readonly { op: string; kind: ImpactKind; name: string }[];
  /** Every cluster of the organization: when its inventory was made, or `unknown`. */
  readonly clusters: readonly { cluster: string; status: "reported" | "unknown"; asOf?: string }[];
  /** False when the window held more admission records than were read. */
  readonly admissionsComplete: boolean;
}

async function allClusters(store: FleetStore, org: string): Promise<string[]> {
  const names: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.listClusters(org, { limit: 1000, after });
    names.push(...page.items.map((c) => c.metadata.name));
    if (page.next === undefined) return names;
    after = page.next;
  }
}

export async function previewImpact(
  ctx: FleetContext,
  p: Principal,
  org: string,
  body: Json,
): Promise<ImpactAnswer> {
  requireOrganization(p, org);
  const request = parseImpactRequest(body);
  const now = ctx.now().getTime();
  const [attachments, namespaces] = await Promise.all([
    ctx.store.listAttachments(org, {}),
    ctx.store.listNamespaces(org),
  ]);
  const changes = await resolveChanges(ctx, p, org, request.changes, attachments);
  const since = new Date(now - request.days * DAY_MS).toISOString();
  const [policies, exceptions, inventory, reports, admissions, clusters] = await Promise.all([
    ctx.store.allPolicies(org),
    ctx.store.allExceptions(org),
    ctx.store.listInventory(org),
    ctx.store.inventoryClusters(org),
    recentAdmissions(ctx.store, org, since),
    allClusters(ctx.store, org),
  ]);

  // What a workspace-limited caller sees: namespaces attached to or labelled with one of its
  // workspaces, and the policies whose scope it may read (its own candidates too).
  const limited = isWorkspaceLimited(p);
  const workspacesOf = new Map<string, string[]>();
  if (limited) {
    const add = (key: string, ws: string) => {
      const list = workspacesOf.get(key);
      if (list === undefined) workspacesOf.set(key, [ws]);
      else list.push(ws);
    };
    for (const a of attachments) add(`${a.cluster}/${a.namespace}`, a.workspace);
    for (const ns of namespaces) {
      const label = ns.labels[WORKSPACE_LABEL];
      if (label !== undefined && label !== "") add(`${ns.cluster}/${ns.name}`, label);
    }
  }
  const seen = new Map<string, boolean>();
  const canSee = (cluster: string, namespace: string) => {
    if (!limited) return true;
    const key = `${cluster}/${namespace}`;
    let ok = seen.get(key);
    if (ok === undefined) {
      ok = canSeeNamespace(p, org, workspacesOf.get(key) ?? []);
      seen.set(key, ok);
    }
    return ok;
  };
  const visiblePolicies = new Set<string>(changes.map((c) => c.name));
  for (const row of [...policies, ...exceptions]) {
    if (canSeePolicy(p, org, row.scope, attachments)) visiblePolicies.add(row.metadata.name);
  }
  const result = computeImpact({
    rows: [...policies, ...exceptions],
    attachments,
    namespaces,
    changes,
    inventory,
    admissions: admissions.records,
    regex: re2Engine,
    now,
    canSee,
    canSeePolicy: (name) => !limited || visiblePolicies.has(name),
  });
  const asOf = new Map(reports.map((r) => [r.cluster, r.generatedAt]));
  return {
    days: request.days,
    changes: changes.map((c) => ({ op: c.op, kind: c.kind, name: c.name })),
    clusters: clusters.sort().map((cluster) => {
      const at = asOf.get(cluster);
      return at === undefined
        ? { cluster, status: "unknown" as const }
        : { cluster, status: "reported" as const, asOf: at };
    }),
    admissionsComplete: admissions.complete,
    ...result,
  };
}
