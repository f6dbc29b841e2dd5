/**
 * Kyverno and Gatekeeper match image strings AS WRITTEN (Gatekeeper `startswith(image, repo)`, Kyverno
 * wildcards and CEL `startsWith`); Customs matches the parts of the normalized reference. These
 * functions read what a raw prefix or pattern means and give the Customs rules for it, in the
 * safe direction (docs/import.md, "Image strings"):
 * - an allowlist admits no more than the author meant: `myregistry.io` is the host
 *   myregistry.io, not `myregistry.io.evil.com`; `ubuntu` is the image ubuntu, not
 *   `ubuntumalicious`;
 * - a blocklist blocks at least what the source blocks, and also the spellings that slip past a
 *   raw prefix (`K8S.GCR.IO/x`, `k8s.gcr.io:443/x`).
 */

import { checkPattern } from "../policy/index.js";
import { parseNormalized, splitHostPort, toImageParts } from "../reference/index.js";
import { type ImportedRule, ok, refuse, type Translated } from "./types.js";

/**
 * A rule whose field can never match is refused rather than written: Customs would reject
 * the policy (a source string with a space, an uppercase path, a '?').
 */
function checked(source: string, rules: Translated<ImportedRule[]>): Translated<ImportedRule[]> {
  if (!rules.ok) return rules;
  for (const rule of rules.value) {
    for (const part of ["hostname", "port", "imageName", "tag"] as const) {
      const value = rule[part];
      const problem = value === undefined ? undefined : checkPattern(part, value);
      if (problem !== undefined) return refuse(`"${source}": ${problem}`);
    }
  }
  return rules;
}

/** The characters of a normalized image and '*', as `exemptImages` takes them. */
const EXEMPT_CHARS = /^[A-Za-z0-9._\-/:@[\]*]+$/;

export type ListMode = "allow" | "block";

const DOCKER_HUB = "docker.io";
const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set([
  "docker.io",
  "index.docker.io",
  "registry-1.docker.io",
]);

/**
 * distribution/reference's rule for the first path component: it is a registry host when it
 * holds a '.' or a ':', is `localhost`, or has an uppercase letter.
 */
function looksLikeHost(component: string): boolean {
  return (
    component.includes(".") ||
    component.includes(":") ||
    component === "localhost" ||
    component.toLowerCase() !== component
  );
}

/** The rules for the repository part `rest` of a raw prefix (after the host, if any). */
function pathRules(rest: string, mode: ListMode, base: ImportedRule): Translated<ImportedRule[]> {
  if (rest === "") return ok([{ ...base }]);
  if (rest.includes("*")) return refuse(`"${rest}": a '*' inside a prefix is not a wildcard here`);
  const colon = rest.indexOf(":");
  if (colon !== -1) {
    // A prefix that reaches into the tag: the repository is then written in full.
    const name = rest.slice(0, colon);
    const tag = rest.slice(colon + 1);
    if (name.toLowerCase() !== name)
      return refuse(`"${name}" has uppercase letters: no image name does`);
    return ok([{ ...base, imageName: name, tag: `${tag}*` }]);
  }
  if (rest.toLowerCase() !== rest)
    return refuse(`"${rest}" has uppercase letters: no image name does`);
  if (rest.endsWith("/")) return ok([{ ...base, imageName: `${rest}*` }]);
  // `team/app` as a raw prefix also admits `team/app-evil`: an allowlist keeps the
  // repository and what lies under it; a blocklist keeps the raw prefix (blocks more).
  if (mode === "block") return ok([{ ...base, imageName: `${rest}*` }]);
  return ok([
    { ...base, imageName: rest },
    { ...base, imageName: `${rest}/*` },
  ]);
}

/**
 * Rules for a raw string prefix (Gatekeeper `repos`, a Kyverno `X*` pattern, CEL
 * `startsWith('X')`).
 */
export function prefixRules(prefix: string, mode: ListMode): Translated<ImportedRule[]> {
  return checked(prefix, rawPrefixRules(prefix, mode));
}

function rawPrefixRules(prefix: string, mode: ListMode): Translated<ImportedRule[]> {
  if (prefix.includes("@")) return refuse(`prefix "${prefix}" reaches into a digest`);
  if (prefix === "") return ok([{ imageName: "*" }]);
  const slash = prefix.indexOf("/");
  const first = slash === -1 ? prefix : prefix.slice(0, slash);
  if (slash === -1) {
    if (first.includes(":")) {
      // `ubuntu:20` without a '/': a Docker Hub name with a tag prefix.
      return pathRules(`library/${prefix}`, mode, { hostname: DOCKER_HUB });
    }
    if (looksLikeHost(first)) {
      // `myregistry.io` as a raw prefix also admits myregistry.io.evil.com: an allowlist
      // keeps the host; a blocklist blocks every host the raw prefix would.
      const host = first.toLowerCase();
      return ok([{ hostname: mode === "allow" ? host : `${host}*` }]);
    }
    if (first.toLowerCase() !== first) return refuse(`"${first}" has uppercase letters`);
    // A bare Docker Hub name: the allowlist keeps that official image (not `ubuntumalicious`);
    // in a blocklist, imageName also matches the short name, so `nginx*` blocks every
    // spelling the raw prefix blocks (nginx, nginx:1, nginx-x, nginx/x).
    return ok([
      mode === "allow"
        ? { hostname: DOCKER_HUB, imageName: `library/${first}` }
        : { hostname: DOCKER_HUB, imageName: `${first}*` },
    ]);
  }
  const rest = prefix.slice(slash + 1);
  if (!looksLikeHost(first)) return pathRules(prefix, mode, { hostname: DOCKER_HUB });
  const { host, port } = splitHostPort(first);
  const hostname = host.toLowerCase();
  if (DOCKER_HUB_ALIASES.has(hostname)) {
    const path =
      rest !== "" && !rest.includes("/") && !rest.endsWith("/") ? `library/${rest}` : rest;
    return pathRules(path, mode, { hostname: DOCKER_HUB });
  }
  const base: ImportedRule = port === "" ? { hostname } : { hostname, port };
  return pathRules(rest, mode, base);
}

/** The rule for one image written in full (Gatekeeper v2 exact entries, Kyverno patterns without '*'). */
export function exactRule(image: string): Translated<ImportedRule> {
  const parsed = parseNormalized(image);
  if (!parsed.ok) return refuse(`"${image}" is not an image reference: ${parsed.message}`);
  if (parsed.ref.digest !== undefined) {
    return refuse(
      `"${image}" names a digest; a rule cannot name one digest (pin it with exemptImages)`,
    );
  }
  const parts = toImageParts(parsed.ref);
  const rule: ImportedRule = { hostname: parts.hostname };
  if (parts.port !== "") rule.port = parts.port;
  rule.imageName = parts.imageName;
  rule.tag = parts.tag;
  return ok(rule);
}

/**
 * A Kyverno wildcard pattern on the image as written (`*` any run, `?` one character), one
 * alternative of a `|` list: either a whole image, or a prefix followed by `*`.
 */
export function globRules(pattern: string, mode: ListMode): Translated<ImportedRule[]> {
  const p = pattern.trim();
  if (p.includes("?")) return refuse(`pattern "${p}": '?' is not translated`);
  const star = p.indexOf("*");
  if (star === -1) {
    const rule = exactRule(p);
    return rule.ok ? ok([rule.value]) : rule;
  }
  if (star !== p.length - 1) return refuse(`pattern "${p}" has a '*' before its end`);
  return prefixRules(p.slice(0, -1), mode);
}

/**
 * The normalized form of a raw image prefix, for `exemptImages` (which match the normalized
 * image with its implied tag). Exemptions relax a policy, so the result exempts no image the
 * source would not: `my-image-*` is Docker Hub's `docker.io/library/my-image-*`.
 */
function normalizedPrefix(prefix: string): string {
  const slash = prefix.indexOf("/");
  if (slash === -1) return `${DOCKER_HUB}/library/${prefix}`;
  const first = prefix.slice(0, slash);
  if (!looksLikeHost(first)) return `${DOCKER_HUB}/${prefix}`;
  const rest = prefix.slice(slash + 1);
  const { host, port } = splitHostPort(first);
  const hostname = host.toLowerCase();
  if (DOCKER_HUB_ALIASES.has(hostname)) {
    return rest.includes("/") ? `${DOCKER_HUB}/${rest}` : `${DOCKER_HUB}/library/${rest}`;
  }
  return `${port === "" ? hostname : `${hostname}:${port}`}/${rest}`;
}

/** Gatekeeper's `exemptImages` entry (exact, or a prefix ending in `*`) as a Customs pattern. */
export function exemptPattern(entry: string): Translated<string> {
  if (entry.endsWith("*")) {
    const prefix = entry.slice(0, -1);
    if (prefix.includes("*"))
      return refuse(`exemptImages "${entry}": only a trailing '*' is a wildcard`);
    if (prefix === "") return refuse(`exemptImages "${entry}" exempts every image`);
    const pattern = `${normalizedPrefix(prefix)}*`;
    if (!EXEMPT_CHARS.test(pattern))
      return refuse(`exemptImages "${entry}" can never match an image`);
    return ok(pattern);
  }
  const parsed = parseNormalized(entry);
  if (!parsed.ok)
    return refuse(`exemptImages "${entry}" is not an image reference: ${parsed.message}`);
  const parts = toImageParts(parsed.ref);
  const host = parts.port === "" ? parts.hostname : `${parts.hostname}:${parts.port}`;
  const tag = parts.tag === "" ? "" : `:${parts.tag}`;
  const digest = parts.digest === "" ? "" : `@${parts.digest}`;
  return ok(`${host}/${parts.imageName}${tag}${digest}`);
}
