import type { HttpHeaders } from "./client.js";

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** What proves who we are; it stays with the origin it was meant for. */
const CREDENTIALS = new Set(["authorization", "cookie", "proxy-authorization"]);

/**
 * The request a redirect asks for, or undefined when the answer is not one. Only GET and
 * HEAD are followed (nothing sends a body across a redirect). When the origin changes, the
 * credentials are dropped: a registry sends blob downloads to storage elsewhere, which must
 * never see the registry's token.
 */
export function redirectTarget<
  R extends {
    method: string;
    url: URL;
    headers?: Readonly<Record<string, string | readonly string[]>>;
  },
>(status: number, headers: HttpHeaders, req: R): R | undefined {
  const location = headers.location;
  if (!REDIRECTS.has(status) || typeof location !== "string") return undefined;
  if (req.method !== "GET" && req.method !== "HEAD") return undefined;
  const url = new URL(location, req.url);
  if (url.origin === req.url.origin) return { ...req, url };
  const kept: Record<string, string | readonly string[]> = {};
  for (const [name, value] of Object.entries(req.headers ?? {}))
    if (!CREDENTIALS.has(name.toLowerCase())) kept[name] = value;
  return { ...req, url, headers: kept };
}
