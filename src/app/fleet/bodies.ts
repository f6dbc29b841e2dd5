import { ApiError, type IssueDetail } from "../../core/fleet/api-error.js";
import { checkJsonBounds, DOCUMENT_BOUNDS } from "../../core/fleet/json-bounds.js";
import type { Role } from "../../core/fleet/store.js";
import { isDnsLabel } from "../../core/policy/index.js";

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Parses a request body's text; anything but a JSON object is a 400. Every body is held to
 * the bounds of stored documents (422 LIMIT_EXCEEDED) and may hold no NUL character (422
 * INVALID: PostgreSQL cannot store one, SQLite could, and both must answer alike), unless
 * `checkedByRecord`: a batch whose records the handler checks one by one, so that one bad
 * record is refused alone instead of refusing the batch forever.
 */
export function parseJsonBody(text: string, checkedByRecord = false): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ApiError("API_BAD_REQUEST", `the body is not JSON: ${(e as Error).message}`);
  }
  if (!isObject(value)) throw new ApiError("API_BAD_REQUEST", "the body must be a JSON object");
  if (!checkedByRecord) checkBounds(value);
  return value;
}

function checkBounds(value: Json): void {
  const { limits, nul } = checkJsonBounds(value, DOCUMENT_BOUNDS);
  if (limits.length > 0) {
    const first = limits[0];
    throw new ApiError(
      "API_LIMIT_EXCEEDED",
      `the document exceeds a limit: ${first?.path || "(body)"}: ${first?.message ?? ""}`,
      { details: limits },
    );
  }
  if (nul.length > 0) {
    throw new ApiError("API_INVALID", "NUL characters (U+0000) cannot be stored", {
      details: nul,
    });
  }
}

function invalid(details: readonly IssueDetail[]): ApiError {
  return new ApiError("API_INVALID", details.map((d) => `${d.path}: ${d.message}`).join("; "), {
    details,
  });
}

function unknownFields(value: Json, allowed: readonly string[], path: string): IssueDetail[] {
  return Object.keys(value)
    .filter((k) => !allowed.includes(k))
    .map((k) => ({ path: path === "" ? k : `${path}.${k}`, message: "unknown field" }));
}

export interface NamedBody {
  readonly name: string;
  readonly resourceVersion: string | undefined;
  readonly description: string | undefined;
  readonly spec: Json;
}

/**
 * `{metadata:{name, resourceVersion?}, spec:{…}}` for organizations, workspaces, clusters and
 * tokens: the name an RFC 1123 label, spec fields limited to `specFields`.
 */
export function parseNamedBody(body: Json, specFields: readonly string[] = ["description"]) {
  const details: IssueDetail[] = unknownFields(
    body,
    ["apiVersion", "kind", "metadata", "spec"],
    "",
  );
  const metadata = isObject(body.metadata) ? body.metadata : {};
  const spec = body.spec === undefined ? {} : isObject(body.spec) ? body.spec : undefined;
  const name = metadata.name;
  if (typeof name !== "string" || !isDnsLabel(name)) {
    details.push({ path: "metadata.name", message: "must be a lowercase RFC 1123 label" });
  }
  const rv = metadata.resourceVersion;
  if (rv !== undefined && typeof rv !== "string") {
    details.push({ path: "metadata.resourceVersion", message: "must be a string" });
  }
  if (spec === undefined) details.push({ path: "spec", message: "must be an object" });
  else details.push(...unknownFields(spec, specFields, "spec"));
  const description = spec?.description;
  if (description !== undefined && (typeof description !== "string" || description.length > 1000)) {
    details.push({
      path: "spec.description",
      message: "must be a string of at most 1000 characters",
    });
  }
  if (details.length > 0) throw invalid(details);
  return {
    name: name as string,
    resourceVersion: rv as string | undefined,
    description: description as string | undefined,
    spec: spec ?? {},
  } satisfies NamedBody;
}

/** `spec: {description?}` as stored (no undefined keys). */
export function toSpec(body: NamedBody): { description?: string } {
  return body.description === undefined ? {} : { description: body.description };
}

const TOKEN_ROLES: readonly Role[] = ["organization-admin", "workspace-admin", "viewer"];

/** POST …/tokens: `{metadata:{name}, spec:{role, workspaces?}}`. */
export function parseTokenBody(body: Json): { name: string; role: Role; workspaces: string[] } {
  const named = parseNamedBody(body, ["role", "workspaces", "description"]);
  const { role, workspaces = [] } = named.spec;
  const details: IssueDetail[] = [];
  if (typeof role !== "string" || !TOKEN_ROLES.includes(role as Role)) {
    details.push({ path: "spec.role", message: `must be one of ${TOKEN_ROLES.join(", ")}` });
  }
  if (
    !Array.isArray(workspaces) ||
    workspaces.some((w) => typeof w !== "string" || !isDnsLabel(w))
  ) {
    details.push({ path: "spec.workspaces", message: "must be a list of workspace names" });
  } else if (role === "workspace-admin" && workspaces.length === 0) {
    details.push({ path: "spec.workspaces", message: "a workspace-admin needs workspaces" });
  } else if (role === "organization-admin" && workspaces.length > 0) {
    details.push({ path: "spec.workspaces", message: "an organization-admin has no workspaces" });
  }
  if (details.length > 0) throw invalid(details);
  return { name: named.name, role: role as Role, workspaces: [...(workspaces as string[])] };
}

/** The resourceVersion a write is conditioned on: If-Match, else the body's metadata. */
export function preconditionOf(
  ifMatch: string | undefined,
  bodyVersion: string | undefined,
): { resourceVersion: string } {
  const fromHeader = ifMatch?.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
  const resourceVersion = fromHeader ?? bodyVersion;
  if (resourceVersion === undefined || resourceVersion === "") {
    throw new ApiError(
      "API_PRECONDITION_REQUIRED",
      'give If-Match: "<resourceVersion>" or metadata.resourceVersion',
    );
  }
  return { resourceVersion };
}

/** POST /api/v1/tokens: `{metadata:{name}, spec:{role?: "admin"}}` (admin tokens only). */
export function parseAdminTokenBody(body: Json): { name: string } {
  const named = parseNamedBody(body, ["role", "description"]);
  const { role = "admin" } = named.spec;
  if (role !== "admin") {
    throw invalid([
      { path: "spec.role", message: "must be admin (other roles are tokens of an organization)" },
    ]);
  }
  return { name: named.name };
}
