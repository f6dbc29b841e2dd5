/**
 * A small client for the control plane's API (docs/control-plane.md). Every failure becomes
 * an ApiError with the server's code and message (and field details for invalid policies), so
 * pages only ever show `error.message`; nothing here knows about React.
 */

export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
    /** For 409: the server's current resourceVersion, when it says. */
    readonly body: unknown = undefined,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface Response<T> {
  readonly body: T;
  readonly etag: string | undefined;
  readonly warnings: readonly string[];
}

export interface RequestOptions {
  readonly method?: "GET" | "POST" | "PUT" | "DELETE";
  readonly body?: unknown;
  readonly ifMatch?: string;
  readonly signal?: AbortSignal;
  /** "text": the answer's body as text (a CSV export), not parsed as JSON. */
  readonly as?: "json" | "text";
}

export type Fetch = (input: string, init: RequestInit) => Promise<globalThis.Response>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function toDetails(raw: unknown): ErrorDetail[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter(isRecord)
    .map((d) => ({ path: String(d.path ?? ""), message: String(d.message ?? "") }));
}

/** The ApiError for a failed answer, whatever its body looks like. */
export function toApiError(
  status: number,
  statusText: string,
  text: string,
  headers?: Headers,
): ApiError {
  let parsed: unknown;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const error = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : undefined;
  const code = typeof error?.code === "string" ? error.code : `HTTP_${status}`;
  let message =
    typeof error?.message === "string" && error.message !== ""
      ? error.message
      : `The server answered ${status}${statusText === "" ? "" : ` ${statusText}`}.`;
  const retry = headers?.get("retry-after");
  if (status === 429 && retry !== null && retry !== undefined && !message.includes("again")) {
    message = `${message} Try again in ${retry} s.`;
  }
  return new ApiError(status, code, message, toDetails(error?.details), parsed);
}

function toWarnings(body: unknown, headers: Headers): string[] {
  if (isRecord(body) && Array.isArray(body.warnings)) {
    return body.warnings.map((w) => (isRecord(w) ? String(w.message ?? "") : String(w)));
  }
  const header = headers.get("warning");
  return header === null || header === "" ? [] : [header];
}

export interface Client {
  request<T>(path: string, options?: RequestOptions): Promise<Response<T>>;
}

/**
 * A client for `baseUrl` (the origin the console is served from, or another) with a bearer
 * token. `onUnauthenticated` runs on 401 so the console can return to the login page.
 */
export function createClient(
  baseUrl: string,
  token: string,
  fetchImpl: Fetch = (input, init) => fetch(input, init),
  onUnauthenticated: () => void = () => {},
  /** Signed in with SSO (no token): the session's CSRF token, sent with every change. */
  csrfToken?: string,
): Client {
  const root = baseUrl.replace(/\/+$/, "");
  return {
    async request<T>(path: string, options: RequestOptions = {}): Promise<Response<T>> {
      const asText = options.as === "text";
      const headers: Record<string, string> = {
        accept: asText ? "text/csv, text/plain, */*" : "application/json",
      };
      if (token !== "") headers.authorization = `Bearer ${token}`;
      if (options.body !== undefined) headers["content-type"] = "application/json";
      if (options.ifMatch !== undefined) headers["if-match"] = `"${options.ifMatch}"`;
      const method = options.method ?? "GET";
      if (token === "" && csrfToken !== undefined && method !== "GET")
        headers["x-csrf-token"] = csrfToken;
      let answer: globalThis.Response;
      try {
        answer = await fetchImpl(`${root}/api/v1${path}`, {
          method,
          headers,
          body: options.body === undefined ? null : JSON.stringify(options.body),
          signal: options.signal ?? null,
        });
      } catch (e) {
        if (e instanceof Error && e.name === "AbortError") throw e;
        throw new ApiError(0, "NETWORK", `The control plane cannot be reached (${String(e)}).`);
      }
      const text = await answer.text();
      if (!answer.ok) {
        const error = toApiError(answer.status, answer.statusText, text, answer.headers);
        if (answer.status === 401) onUnauthenticated();
        throw error;
      }
      if (asText) return { body: text as T, etag: undefined, warnings: [] };
      let body: unknown;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {
        throw new ApiError(answer.status, "BAD_RESPONSE", "The server's answer is not JSON.");
      }
      const etag = answer.headers.get("etag")?.replace(/^W\//, "").replace(/^"|"$/g, "");
      return { body: body as T, etag, warnings: toWarnings(body, answer.headers) };
    },
  };
}

/** Path segment encoding: names are RFC 1123, but never trust a value into a URL raw. */
export const seg = (s: string): string => encodeURIComponent(s);

/** A query string from the defined, non-empty values. */
export function toQuery(params: Readonly<Record<string, string | number | undefined>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s === "" ? "" : `?${s}`;
}
