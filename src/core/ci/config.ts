import { STAGE_SELECTIONS, type StageSelection } from "../dockerfile/index.js";
import type { FailOn } from "../findings/summary.js";
import { SEVERITIES } from "../findings/types.js";
import { IssueCollector, join } from "../policy/fields.js";
import type { PolicyIssue } from "../policy/types.js";

/**
 * `customs.yaml` at a repository's root: which checks `customs ci` runs, on which paths.
 * Paths are relative to the folder of the file. A check that is absent does not run; an
 * empty file runs nothing and says so, rather than passing silently.
 */
export interface CiConfig {
  readonly failOn?: FailOn;
  readonly manifests?: {
    readonly policies: readonly string[];
    readonly paths: readonly string[];
    /** Globs of files under `paths` not read, as `--exclude`. */
    readonly exclude: readonly string[];
    readonly cluster?: string;
  };
  readonly dockerfile?: {
    readonly paths: readonly string[];
    /** Base images are judged by these ImagePolicies (default: the manifests' policies). */
    readonly policies: readonly string[];
    readonly exclude: readonly string[];
    readonly namespace?: string;
    readonly config?: string;
    /** Whose base images the policies judge, as `--stages` (default: the lint config's). */
    readonly stages?: StageSelection;
  };
  readonly secrets?: {
    readonly paths: readonly string[];
    readonly exclude: readonly string[];
    readonly git: boolean;
    readonly images: readonly string[];
    readonly config?: string;
    /** A baseline file of accepted findings (`--baseline`). */
    readonly baseline?: string;
    /** With `git`: only commits after this ref, or in this `FROM..TO` range. */
    readonly since?: string;
    readonly range?: string;
  };
  readonly vulnerabilities?: {
    readonly base: string;
    readonly new: string;
  };
}

export const CI_API_VERSION = "customs.dev/v1alpha1";
export const CI_KIND = "CIConfig";

function readPaths(
  issues: IssueCollector,
  path: string,
  value: unknown,
  required: boolean,
): string[] {
  if (value === undefined && required) {
    issues.error(path, "is required (a list of paths)");
    return [];
  }
  const list = issues.readList(path, value) ?? [];
  const out: string[] = [];
  list.forEach((item, i) => {
    const s = issues.readString(join(path, i), item, { nonEmpty: true });
    if (s !== undefined) out.push(s);
  });
  if (required && list.length === 0 && value !== undefined) issues.error(path, "must not be empty");
  return out;
}

function readManifests(
  issues: IssueCollector,
  path: string,
  value: unknown,
): CiConfig["manifests"] {
  const o = issues.readObject(path, value, ["policies", "paths", "exclude", "cluster"]);
  if (o === undefined) return undefined;
  const cluster = issues.readString(join(path, "cluster"), o.cluster, { nonEmpty: true });
  return {
    policies: readPaths(issues, join(path, "policies"), o.policies, true),
    paths: readPaths(issues, join(path, "paths"), o.paths, true),
    exclude: readPaths(issues, join(path, "exclude"), o.exclude, false),
    ...(cluster === undefined ? {} : { cluster }),
  };
}

/**
 * What the checks that scan files share: `paths` (the repository's root when absent), the
 * globs of files under them not read, and their own config file, given as `{ config }` only
 * when set.
 */
function readScan(issues: IssueCollector, path: string, o: Record<string, unknown>) {
  const config = issues.readString(join(path, "config"), o.config, { nonEmpty: true });
  return {
    paths: o.paths === undefined ? ["."] : readPaths(issues, join(path, "paths"), o.paths, true),
    exclude: readPaths(issues, join(path, "exclude"), o.exclude, false),
    config: config === undefined ? {} : { config },
  };
}

function readDockerfile(
  issues: IssueCollector,
  path: string,
  value: unknown,
): CiConfig["dockerfile"] {
  const o = issues.readObject(path, value, [
    "paths",
    "exclude",
    "policies",
    "namespace",
    "config",
    "stages",
  ]);
  if (o === undefined) return undefined;
  const namespace = issues.readString(join(path, "namespace"), o.namespace, { nonEmpty: true });
  const stages = issues.readEnum(join(path, "stages"), o.stages, STAGE_SELECTIONS);
  const { paths, exclude, config } = readScan(issues, path, o);
  return {
    paths,
    exclude,
    policies: readPaths(issues, join(path, "policies"), o.policies, false),
    ...(namespace === undefined ? {} : { namespace }),
    ...(stages === undefined ? {} : { stages }),
    ...config,
  };
}

function readSecrets(issues: IssueCollector, path: string, value: unknown): CiConfig["secrets"] {
  const o = issues.readObject(path, value, [
    "paths",
    "exclude",
    "git",
    "images",
    "config",
    "baseline",
    "since",
    "range",
  ]);
  if (o === undefined) return undefined;
  const { paths, exclude, config } = readScan(issues, path, o);
  const git = issues.readBoolean(join(path, "git"), o.git) ?? false;
  const baseline = issues.readString(join(path, "baseline"), o.baseline, { nonEmpty: true });
  const since = readRef(issues, join(path, "since"), o.since);
  const range = readRef(issues, join(path, "range"), o.range);
  if (range !== undefined && !isRange(range))
    issues.error(join(path, "range"), "must be FROM..TO (two dots; TO defaults to HEAD)");
  if (since !== undefined && range !== undefined)
    issues.error(join(path, "range"), "cannot be used with `since`: give one of them");
  if ((since !== undefined || range !== undefined) && !git)
    issues.error(join(path, since === undefined ? "range" : "since"), "needs `git: true`");
  return {
    paths,
    exclude,
    git,
    images: readPaths(issues, join(path, "images"), o.images, false),
    ...config,
    ...(baseline === undefined ? {} : { baseline }),
    ...(since === undefined ? {} : { since }),
    ...(range === undefined ? {} : { range }),
  };
}

/** `FROM..TO` or `FROM..` (git refs never hold `..`, so the first `..` splits). */
function isRange(range: string): boolean {
  const at = range.indexOf("..");
  return at > 0 && !range.slice(at + 2).includes("..") && range[at + 2] !== ".";
}

/** A git ref as `customs.yaml` may give it: never one git could read as an option. */
function readRef(issues: IssueCollector, path: string, value: unknown): string | undefined {
  const ref = issues.readString(path, value, { nonEmpty: true });
  if (ref === undefined) return undefined;
  if (ref.startsWith("-")) issues.error(path, 'must not start with "-"');
  else if (/\s/.test(ref)) issues.error(path, "must not hold whitespace");
  return ref;
}

function readVulnerabilities(
  issues: IssueCollector,
  path: string,
  value: unknown,
): CiConfig["vulnerabilities"] {
  const o = issues.readObject(path, value, ["base", "new"]);
  if (o === undefined) return undefined;
  const base = issues.readString(join(path, "base"), o.base, { required: true, nonEmpty: true });
  const next = issues.readString(join(path, "new"), o.new, { required: true, nonEmpty: true });
  return base === undefined || next === undefined ? undefined : { base, new: next };
}

export type CiConfigResult =
  | { readonly ok: true; readonly config: CiConfig; readonly issues: readonly PolicyIssue[] }
  | { readonly ok: false; readonly issues: readonly PolicyIssue[] };

/** Validates a parsed `customs.yaml`; every problem is reported with its field path. */
export function validateCiConfig(doc: unknown): CiConfigResult {
  const issues = new IssueCollector();
  const o = issues.readObject("", doc, ["apiVersion", "kind", "failOn", "checks"]);
  if (o === undefined) return { ok: false, issues: issues.issues };
  if (o.apiVersion !== CI_API_VERSION) {
    issues.error("apiVersion", `must be ${CI_API_VERSION}`);
  }
  if (o.kind !== CI_KIND) issues.error("kind", `must be ${CI_KIND}`);
  const failOn = issues.readEnum("failOn", o.failOn, [...SEVERITIES, "none"] as const);
  const checks = issues.readObject("checks", o.checks ?? {}, [
    "manifests",
    "dockerfile",
    "secrets",
    "vulnerabilities",
  ]);
  const config: CiConfig = {
    ...(failOn === undefined ? {} : { failOn }),
    ...(checks?.manifests === undefined
      ? {}
      : { manifests: readManifests(issues, "checks.manifests", checks.manifests) }),
    ...(checks?.dockerfile === undefined
      ? {}
      : { dockerfile: readDockerfile(issues, "checks.dockerfile", checks.dockerfile) }),
    ...(checks?.secrets === undefined
      ? {}
      : { secrets: readSecrets(issues, "checks.secrets", checks.secrets) }),
    ...(checks?.vulnerabilities === undefined
      ? {}
      : {
          vulnerabilities: readVulnerabilities(
            issues,
            "checks.vulnerabilities",
            checks.vulnerabilities,
          ),
        }),
  };
  if (!issues.hasErrors && Object.keys(checks ?? {}).length === 0) {
    issues.error(
      "checks",
      "lists no check: give at least one of manifests, dockerfile, secrets, vulnerabilities",
    );
  }
  return issues.hasErrors
    ? { ok: false, issues: issues.issues }
    : { ok: true, config, issues: issues.issues };
}
