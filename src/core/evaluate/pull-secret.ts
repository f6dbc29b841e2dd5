/**
 * Does a pull Secret's registry key cover an image? The kubelet's rule, from
 * k8s.io/kubernetes pkg/credentialprovider/keyring.go (v1.37.1): `BasicDockerKeyring.Add`
 * reads each `auths` key as a URL (`https://` added when it has no scheme), drops a leading
 * `/v1/` or `/v2/` from its path, and keys it `host` or `host + path`; `Lookup` matches the
 * image's repository `host[:port]/path` with `URLsMatch`: the ports are equal, the hosts have
 * as many dot-separated parts and each part matches as a `filepath.Match` glob, and the key's
 * path is a prefix of the image's. A key `index.docker.io` also covers every Docker Hub image
 * (`isDefaultRegistryMatch`). Customs matches the image's host as its rules see it (lowercase,
 * Docker Hub's aliases folded into docker.io).
 */
import type { ImageParts } from "../reference/index.js";

interface RegistryKey {
  readonly host: string;
  readonly port: string;
  readonly path: string;
}

function splitHostPort(hostPort: string): { host: string; port: string } {
  // net.SplitHostPort: a port only after the last ':' outside IPv6 brackets.
  const close = hostPort.lastIndexOf("]");
  const colon = hostPort.lastIndexOf(":");
  if (colon > close && colon >= 0) {
    return {
      host: hostPort.slice(0, colon).replace(/^\[(.*)\]$/, "$1"),
      port: hostPort.slice(colon + 1),
    };
  }
  return { host: hostPort, port: "" };
}

/** An `auths` key as the kubelet keys it; undefined when it has no host. */
export function toRegistryKey(raw: string): RegistryKey | undefined {
  const s = raw.replace(/^https?:\/\//, "");
  const slash = s.indexOf("/");
  const hostPort = slash < 0 ? s : s.slice(0, slash);
  let path = slash < 0 ? "" : s.slice(slash);
  if (path.startsWith("/v2/") || path.startsWith("/v1/")) path = path.slice(3);
  if (path === "/") path = "";
  if (hostPort === "") return undefined;
  return { ...splitHostPort(hostPort), path };
}

/** filepath.Match on one host part: `*` any run, `?` one character, the rest literal. */
function globPart(glob: string, value: string): boolean {
  let g = 0;
  let v = 0;
  let star = -1;
  let mark = 0;
  while (v < value.length) {
    if (g < glob.length && (glob[g] === "?" || glob[g] === value[v])) {
      g++;
      v++;
    } else if (g < glob.length && glob[g] === "*") {
      star = g++;
      mark = v;
    } else if (star >= 0) {
      g = star + 1;
      v = ++mark;
    } else return false;
  }
  while (g < glob.length && glob[g] === "*") g++;
  return g === glob.length;
}

/** Does a registry key cover the image? (URLsMatch and the Docker Hub default.) */
export function keyCovers(rawKey: string, parts: ImageParts): boolean {
  const key = toRegistryKey(rawKey);
  if (key === undefined) return false;
  if (parts.hostname === "docker.io" && parts.port === "" && key.path === "") {
    if (key.host === "index.docker.io" || key.host === "docker.io") return true;
  }
  if (key.port !== parts.port) return false;
  const globs = key.host.split(".");
  const host = parts.hostname.replace(/^\[(.*)\]$/, "$1").split(".");
  if (globs.length !== host.length) return false;
  if (!`/${parts.imageName}`.startsWith(key.path)) return false;
  return globs.every((g, i) => globPart(g, host[i] ?? ""));
}
