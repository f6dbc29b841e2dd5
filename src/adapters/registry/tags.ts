import { RegistryError } from "./errors.js";
import { apiUrl, describe, header, statusError } from "./repository.js";
import type { HttpResponse } from "./transport.js";
import type { Repository } from "./types.js";

/** Enough for any real repository; stops a registry whose links go round in circles. */
const MAX_PAGES = 10_000;

/**
 * The `rel="next"` target of a `Link` header (RFC 8288), as the distribution spec uses it
 * for tag pagination: `</v2/name/tags/list?n=2&last=b>; rel="next"`.
 */
export function parseNextLink(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  for (const m of value.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const params = m[2] ?? "";
    if (/;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(params)) return m[1];
  }
  return undefined;
}

/**
 * Lists every tag of a repository, page by page
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags).
 */
export async function listAllTags(
  repo: Repository,
  pageSize: number,
  get: (url: URL) => Promise<HttpResponse>,
): Promise<string[]> {
  const tags: string[] = [];
  const seen = new Set<string>();
  let url: URL | undefined = apiUrl(repo, `tags/list?n=${pageSize}`);
  for (let page = 0; url !== undefined; page++) {
    if (page === MAX_PAGES || seen.has(url.href)) {
      throw new RegistryError("REGISTRY_ERROR", `${describe(repo)}: tag pagination does not end`);
    }
    seen.add(url.href);
    const res = await get(url);
    if (res.status !== 200) throw statusError(res, `tags of ${describe(repo)}`);
    tags.push(...readTags(res, repo));
    const next = parseNextLink(header(res, "link"));
    if (next === undefined) break;
    const nextUrl: URL = new URL(next, res.url);
    // The link must stay on the registry: our credentials go with the next request.
    if (nextUrl.origin !== res.url.origin) {
      throw new RegistryError(
        "REGISTRY_ERROR",
        `${describe(repo)}: tag pagination points to another host`,
      );
    }
    url = nextUrl;
  }
  return tags;
}

function readTags(res: HttpResponse, repo: Repository): string[] {
  let body: { tags?: unknown };
  try {
    body = JSON.parse(res.body.toString("utf8"));
  } catch {
    throw new RegistryError("REGISTRY_ERROR", `tags of ${describe(repo)}: not JSON`);
  }
  // A repository without tags answers `"tags": null` in distribution.
  if (body.tags === null || body.tags === undefined) return [];
  if (!Array.isArray(body.tags) || !body.tags.every((t) => typeof t === "string")) {
    throw new RegistryError("REGISTRY_ERROR", `tags of ${describe(repo)}: tags is not a list`);
  }
  return body.tags;
}
