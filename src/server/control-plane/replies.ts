import { type NamedBody, parseNamedBody, preconditionOf } from "../../app/fleet/index.js";
import type { Page, PageRequest } from "../../core/fleet/store.js";
import { toListBody, toPageRequest } from "./paging.js";
import type { Call, Reply } from "./router.js";

export function ok(body: unknown): Reply {
  return { status: 200, body };
}

export function created(body: unknown): Reply {
  return { status: 201, body };
}

export const noContent: Reply = { status: 204 };

/** A required path parameter (the router only matches when it is there). */
export function param(call: Call, name: string): string {
  return call.params[name] ?? "";
}

/** The parsed `{metadata, spec}` body of a write. */
export async function namedBody(call: Call, specFields?: readonly string[]): Promise<NamedBody> {
  return parseNamedBody(await call.body(), specFields);
}

/** The resourceVersion a PUT/DELETE is conditioned on (428 without one). */
export function precondition(call: Call, bodyVersion?: string): string {
  const ifMatch = call.headers["if-match"];
  return preconditionOf(typeof ifMatch === "string" ? ifMatch : undefined, bodyVersion)
    .resourceVersion;
}

/** The `metadata.resourceVersion` of a JSON body, if it has one. */
export function bodyVersion(body: Record<string, unknown>): string | undefined {
  const meta = body.metadata as Record<string, unknown> | undefined;
  const rv = meta?.resourceVersion;
  return typeof rv === "string" ? rv : undefined;
}

/** A list route: `?limit`/`?continue` in, `{items, continue?}` out. */
export function paged<T>(list: (c: Call, page: PageRequest) => Promise<Page<T>>) {
  return async (c: Call): Promise<Reply> => ok(toListBody(await list(c, toPageRequest(c.query))));
}
