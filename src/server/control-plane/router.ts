import type { IncomingHttpHeaders } from "node:http";
import type { FleetContext, Json } from "../../app/fleet/index.js";
import type { Principal } from "../../core/fleet/authorize.js";

/** What a handler gets: path parameters, query, headers, the caller, and the body on demand. */
export interface Call {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly principal: Principal;
  readonly ctx: FleetContext;
  /** The origins this control plane is reached at (an Origin header must be one of them). */
  readonly origins: readonly string[];
  /** Aborted when the client goes away before the answer (ends long polls early). */
  readonly signal: AbortSignal;
  body(): Promise<Json>;
}

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  /** A body sent as it is (CSV), with the content-type of `headers`; instead of `body`. */
  readonly text?: string;
  /** A list for headers sent several times (`set-cookie`). */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
}

export type Method = "GET" | "POST" | "PUT" | "DELETE";

export interface Route {
  readonly method: Method;
  /** OpenAPI-style template: `/api/v1/organizations/{org}`. */
  readonly path: string;
  readonly summary: string;
  /** Which roles the route is meant for, in words (OpenAPI description). */
  readonly roles: string;
  /** Routes without a token: the OpenAPI document. */
  readonly public?: boolean;
  /** The answer is one object whose resourceVersion is its ETag. */
  readonly etag?: boolean;
  /** Answers 304 to an If-None-Match naming its current ETag (set by the handler). */
  readonly conditional?: boolean;
  /** The request body's schema in the OpenAPI document (none: the route reads no body). */
  readonly body?: string;
  /** The schema of the answer on success (core/schema's component name; none: no body). */
  readonly response?: string;
  /** The status of success when not the method's usual one (POST 201, DELETE 204, else 200). */
  readonly success?: number;
  /**
   * The body is a batch of records the handler checks one by one (bounds and NUL included),
   * so one bad record is refused alone and never blocks the others.
   */
  readonly checkedByRecord?: boolean;
  /** The request body's limit in bytes when not the API's 1 MiB (an inventory report). */
  readonly maxBodyBytes?: number;
  /** Query parameters the route reads (for the OpenAPI document). */
  readonly query?: readonly string[];
  readonly handler: (call: Call) => Promise<Reply>;
}

interface Compiled {
  readonly route: Route;
  readonly segments: readonly string[];
}

/**
 * Matches method and path by segments: `{name}` takes one whole segment (percent-decoded),
 * anything else must be equal. No regular expressions, nothing from users compiled.
 */
export class Router {
  readonly #routes: Compiled[];

  constructor(readonly routes: readonly Route[]) {
    this.#routes = routes.map((route) => ({ route, segments: route.path.split("/").slice(1) }));
  }

  /** The route and parameters, `"method"` when only the method differs, or undefined. */
  match(
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | "method" | undefined {
    const parts = path.split("/").slice(1);
    let other = false;
    for (const c of this.#routes) {
      const params = matchSegments(c.segments, parts);
      if (params === undefined) continue;
      if (c.route.method === method) return { route: c.route, params };
      other = true;
    }
    return other ? "method" : undefined;
  }
}

function matchSegments(
  pattern: readonly string[],
  parts: readonly string[],
): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? "";
    const part = parts[i] ?? "";
    if (p.startsWith("{") && p.endsWith("}")) {
      let value: string;
      try {
        value = decodeURIComponent(part);
      } catch {
        return undefined;
      }
      // NUL is in no name, and PostgreSQL cannot even compare with one: no such object.
      if (value === "" || value.includes("/") || value.includes("\u0000")) return undefined;
      params[p.slice(1, -1)] = value;
    } else if (p !== part) return undefined;
  }
  return params;
}
