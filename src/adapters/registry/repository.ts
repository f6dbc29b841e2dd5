import { type ImageReference, toImageParts } from "../../core/reference/index.js";
import { parseDigest } from "./digest.js";
import { RegistryError } from "./errors.js";
import type { HttpResponse } from "./transport.js";
import type { Digest, Repository } from "./types.js";

/** Docker Hub's API lives on another host than its name (docker.io). */
const DOCKER_HUB_API = "registry-1.docker.io";

/** The repository of a parsed reference; Docker Hub's official images under `library/`. */
export function toRepository(ref: ImageReference): Repository {
  const parts = toImageParts(ref);
  const registry = parts.port ? `${parts.hostname}:${parts.port}` : parts.hostname;
  return { registry, apiHost: apiHostFor(registry), name: parts.imageName };
}

/** The host serving the API of a canonical registry name. */
export function apiHostFor(registry: string): string {
  return registry === "docker.io" ? DOCKER_HUB_API : registry;
}

/** What goes after `/manifests/`: the digest when there is one (it pins), else the tag. */
export function manifestReference(ref: ImageReference): { tag?: string; digest?: Digest } {
  if (ref.digest !== undefined) return { digest: parseDigest(ref.digest, "reference") };
  return { tag: ref.tag ?? "latest" };
}

export function apiUrl(repo: Repository, path: string): URL {
  return new URL(`https://${repo.apiHost}/v2/${repo.name}/${path}`);
}

/** `registry/name:tag` or `registry/name@digest`, for messages. */
export function describe(repo: Repository, ref?: { tag?: string; digest?: string }): string {
  const name = `${repo.registry}/${repo.name}`;
  if (ref?.digest) return `${name}@${ref.digest}`;
  return ref?.tag ? `${name}:${ref.tag}` : name;
}

/** The distribution error codes of a body (`{"errors":[{"code":…}]}`); messages left out. */
function registryCodes(res: HttpResponse): string {
  try {
    const body = JSON.parse(res.body.toString("utf8")) as { errors?: { code?: unknown }[] };
    const codes = (body.errors ?? []).map((e) => e.code).filter((c) => typeof c === "string");
    return codes.length > 0 ? ` (${codes.join(", ")})` : "";
  } catch {
    return "";
  }
}

/** Maps an answer that is not a success onto an error code. */
export function statusError(res: HttpResponse, what: string): RegistryError {
  const detail = `${what}: the registry answered ${res.status}${registryCodes(res)}`;
  switch (res.status) {
    case 404:
      return new RegistryError("NOT_FOUND", detail, 404);
    case 403:
      return new RegistryError("ACCESS_DENIED", detail, 403);
    case 401:
      return new RegistryError("AUTH_FAILED", detail, 401);
    case 429:
      return new RegistryError("RATE_LIMITED", detail, 429);
    default:
      return new RegistryError("REGISTRY_ERROR", detail, res.status);
  }
}

export function header(res: HttpResponse, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
