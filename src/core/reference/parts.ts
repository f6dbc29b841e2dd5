import { DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX } from "./grammar.js";
import type { ImageReference } from "./parse.js";

/**
 * The parts a policy rule matches against (spec: "How an image is seen"). Computed once per
 * image string and shared by every policy.
 */
export interface ImageParts {
  /** Registry host without port, lowercase; Docker Hub's aliases folded into `docker.io`. */
  readonly hostname: string;
  /** Port as written, "" when none. */
  readonly port: string;
  /** Repository path, e.g. `library/busybox`. */
  readonly imageName: string;
  /** For Docker Hub official images the short name (`busybox`), else undefined. */
  readonly shortName: string | undefined;
  /** `latest` when the string has neither tag nor digest; "" when it has only a digest. */
  readonly tag: string;
  /** `sha256:…` or "". */
  readonly digest: string;
}

/**
 * Hosts that serve Docker Hub. A runtime pulls `registry-1.docker.io/library/busybox` from
 * Docker Hub, so for matching it is `docker.io`: otherwise a rule about docker.io could be
 * side-stepped by spelling the host differently.
 */
const DOCKER_HUB_HOSTS: ReadonlySet<string> = new Set([
  "docker.io",
  "index.docker.io",
  "registry-1.docker.io",
]);

/** Splits `host[:port]`, keeping IPv6 brackets in the host (`[::1]:5000`). */
export function splitHostPort(domain: string): { host: string; port: string } {
  if (domain.startsWith("[")) {
    const close = domain.indexOf("]");
    const rest = domain.slice(close + 1);
    return { host: domain.slice(0, close + 1), port: rest.startsWith(":") ? rest.slice(1) : "" };
  }
  const colon = domain.lastIndexOf(":");
  if (colon === -1) return { host: domain, port: "" };
  return { host: domain.slice(0, colon), port: domain.slice(colon + 1) };
}

export function toImageParts(ref: ImageReference): ImageParts {
  const { host, port } = splitHostPort(ref.domain);
  let hostname = host.toLowerCase();
  let imageName = ref.path;
  if (DOCKER_HUB_HOSTS.has(hostname)) {
    hostname = DEFAULT_DOMAIN;
    // Docker Hub serves official images only under library/, whatever host alias was used.
    if (!imageName.includes("/")) imageName = OFFICIAL_REPO_PREFIX + imageName;
  }
  let shortName: string | undefined;
  if (hostname === DEFAULT_DOMAIN && imageName.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = imageName.slice(OFFICIAL_REPO_PREFIX.length);
    if (!rest.includes("/")) shortName = rest;
  }
  const digest = ref.digest ?? "";
  const tag = ref.tag ?? (digest === "" ? "latest" : "");
  return { hostname, port, imageName, shortName, tag, digest };
}
