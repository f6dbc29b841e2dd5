/**
 * SLSA provenance predicates, reduced to what policies check: who built, from which source,
 * at which commit.
 * v0.2: https://slsa.dev/spec/v0.2/provenance   v1: https://slsa.dev/spec/v1.0/provenance
 */

export const SLSA_V02 = "https://slsa.dev/provenance/v0.2";
export const SLSA_V1 = "https://slsa.dev/provenance/v1";
/** SBOM predicate types cosign attaches (`cosign attest --type spdxjson|cyclonedx`). */
export const SBOM_PREDICATE_PREFIXES = ["https://spdx.dev/Document", "https://cyclonedx.org/bom"];

export interface Provenance {
  readonly builderId: string;
  /** Source repository URL without `git+` and without `@ref` (undefined when not named). */
  readonly source: string | undefined;
  readonly commit: string | undefined;
  /**
   * Container images the build pulled, as references (materials / resolvedDependencies named
   * `pkg:docker/…`, as BuildKit records its base images), with the digest when recorded.
   */
  readonly images: readonly string[];
}

export function isProvenanceType(predicateType: string): boolean {
  return predicateType === SLSA_V02 || predicateType === SLSA_V1;
}

export function isSbomType(predicateType: string): boolean {
  return SBOM_PREDICATE_PREFIXES.some((p) => predicateType.startsWith(p));
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** `git+https://github.com/org/repo@refs/heads/main` -> `https://github.com/org/repo`. */
export function toRepositoryUrl(uri: string): string {
  let u = uri.startsWith("git+") ? uri.slice(4) : uri;
  const scheme = u.indexOf("://");
  const pathStart = u.indexOf("/", scheme < 0 ? 0 : scheme + 3);
  const at = pathStart < 0 ? -1 : u.indexOf("@", pathStart);
  if (at >= 0) u = u.slice(0, at);
  return u.endsWith(".git") ? u.slice(0, -4) : u;
}

function commitOf(digest: unknown): string | undefined {
  const d = obj(digest);
  const c = str(d?.gitCommit) ?? str(d?.sha1);
  return c !== undefined && COMMIT.test(c) ? c : undefined;
}

/** The commit of the dependency that is the source (same repository), else of any git one. */
function commitFrom(deps: unknown[], source: string | undefined): string | undefined {
  const entries = deps.map(obj).filter((d): d is Obj => d !== undefined);
  const same = entries.find((d) => {
    const uri = str(d.uri);
    return uri !== undefined && source !== undefined && toRepositoryUrl(uri) === source;
  });
  if (same !== undefined) return commitOf(same.digest);
  const git = entries.find((d) => str(d.uri)?.startsWith("git+") && commitOf(d.digest));
  return git === undefined ? undefined : commitOf(git.digest);
}

/**
 * `pkg:docker/library/alpine@3.20?repository_url=registry.example` (package URL spec, type
 * docker) -> `registry.example/library/alpine:3.20`, plus `@sha256:…` when the entry has one.
 * Anything else (git sources, files) is not an image: undefined.
 */
export function toImageOfDependency(uri: string, digest: unknown): string | undefined {
  if (!uri.startsWith("pkg:docker/")) return undefined;
  const [body = "", query = ""] = uri.slice("pkg:docker/".length).split("?", 2);
  const at = body.lastIndexOf("@");
  let path = at < 0 ? body : body.slice(0, at);
  let version = at < 0 ? "" : body.slice(at + 1);
  try {
    path = decodeURIComponent(path);
    version = decodeURIComponent(version);
  } catch {
    return undefined;
  }
  const repository = query
    .split("&")
    .find((q) => q.startsWith("repository_url="))
    ?.slice("repository_url=".length);
  const host = repository === undefined || repository === "" ? "" : `${repository}/`;
  const sha = str(obj(digest)?.sha256);
  const tag = version === "" || version.includes(":") ? "" : `:${version}`;
  const pinned =
    sha !== undefined && /^[0-9a-f]{64}$/.test(sha)
      ? `@sha256:${sha}`
      : version.startsWith("sha256:")
        ? `@${version}`
        : "";
  return path === "" ? undefined : `${host}${path}${tag}${pinned}`;
}

function imagesOf(deps: unknown[]): string[] {
  const out: string[] = [];
  for (const d of deps.map(obj)) {
    const uri = str(d?.uri);
    const image = uri === undefined ? undefined : toImageOfDependency(uri, d?.digest);
    if (image !== undefined && !out.includes(image)) out.push(image);
  }
  return out;
}

function parseV02(p: Obj): Provenance | string {
  const builderId = str(obj(p.builder)?.id);
  if (builderId === undefined) return "the v0.2 predicate has no builder.id";
  const configSource = obj(obj(p.invocation)?.configSource);
  const uri = str(configSource?.uri);
  const source = uri === undefined ? undefined : toRepositoryUrl(uri);
  const commit = commitOf(configSource?.digest) ?? commitFrom(list(p.materials), source);
  return { builderId, source, commit, images: imagesOf(list(p.materials)) };
}

function parseV1(p: Obj): Provenance | string {
  const builderId = str(obj(obj(p.runDetails)?.builder)?.id);
  if (builderId === undefined) return "the v1 predicate has no runDetails.builder.id";
  const definition = obj(p.buildDefinition);
  const workflow = obj(obj(definition?.externalParameters)?.workflow);
  const repo = str(workflow?.repository);
  const source = repo === undefined ? undefined : toRepositoryUrl(repo);
  const commit = commitFrom(list(definition?.resolvedDependencies), source);
  return { builderId, source, commit, images: imagesOf(list(definition?.resolvedDependencies)) };
}

/** The provenance, or why the predicate cannot be read (never throws). */
export function toProvenance(predicateType: string, predicate: unknown): Provenance | string {
  const p = obj(predicate);
  if (p === undefined) return "the predicate is not an object";
  if (predicateType === SLSA_V02) return parseV02(p);
  if (predicateType === SLSA_V1) return parseV1(p);
  return `predicate type ${predicateType} is not SLSA provenance`;
}
