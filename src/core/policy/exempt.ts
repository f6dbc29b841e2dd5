/**
 * `spec.input.exemptImages`, taken by every recipe: images a policy does not check (it passes
 * them). It is how Gatekeeper's `exemptImages` parameter is written in Customs. Patterns match
 * the whole normalized image with its implied tag, as `exemptKey` spells it; `*` is any run
 * of characters and nothing else is special (pattern.ts: never a regular expression).
 */
import type { ImageParts } from "../reference/index.js";
import { type IssueCollector, join } from "./fields.js";
import {
  checkPattern,
  compilePattern,
  MAX_PATTERN_LENGTH,
  matchPattern,
  type Pattern,
} from "./pattern.js";

export const MAX_EXEMPT_IMAGES = 1000;

/** The characters of a normalized image (reference grammar), and `*`. */
const EXEMPT_CHARS = /^[A-Za-z0-9._\-/:@[\]*]+$/;

const PATH = "spec.input.exemptImages";

/** Reads `exemptImages`: undefined when absent, every problem at its path. */
export function readExemptImages(
  issues: IssueCollector,
  value: unknown,
): readonly string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const raw = issues.readList(PATH, value);
  if (raw === undefined) return undefined;
  if (raw.length > MAX_EXEMPT_IMAGES) {
    issues.error(PATH, `has ${raw.length} entries; at most ${MAX_EXEMPT_IMAGES} are allowed`);
    return undefined;
  }
  const out: string[] = [];
  raw.forEach((entry, i) => {
    const at = join(PATH, i);
    const s = issues.readString(at, entry, { required: true, nonEmpty: true });
    if (s === undefined) return;
    if (s.length > MAX_PATTERN_LENGTH) {
      issues.error(at, `is ${s.length} characters long; at most ${MAX_PATTERN_LENGTH} are allowed`);
    } else if (!EXEMPT_CHARS.test(s)) {
      issues.error(
        at,
        `"${s}" can never match: a normalized image holds only letters, digits, '.', '_', '-', '/', ':', '@', '[', ']' (and '*' in a pattern)`,
      );
    } else out.push(s);
  });
  return out;
}

/**
 * The string exemptImages match: `host[:port]/name[:tag][@digest]`, host lowercase and Docker
 * Hub's aliases folded into docker.io (the matching parts, so a rule and an exemption see
 * the same image), `latest` implied when there is neither tag nor digest:
 * `docker.io/library/busybox:latest`, `host:5000/a/b:v1@sha256:…`, `host/a@sha256:…`.
 */
export function exemptKey(p: ImageParts): string {
  const host = p.port === "" ? p.hostname : `${p.hostname}:${p.port}`;
  const tag = p.tag === "" ? "" : `:${p.tag}`;
  const digest = p.digest === "" ? "" : `@${p.digest}`;
  return `${host}/${p.imageName}${tag}${digest}`;
}

export function compileExempt(patterns: readonly string[] | undefined): readonly Pattern[] {
  return (patterns ?? []).map((p) => compilePattern(p));
}

/** The index of the first exemptImages entry that matches, or -1. */
export function exemptIndex(exempt: readonly Pattern[], parts: ImageParts): number {
  if (exempt.length === 0) return -1;
  const key = exemptKey(parts);
  return exempt.findIndex((p) => matchPattern(p, key));
}

/** require-pull-policy's `immutableTags`: tag patterns (at least one when given). */
export function readImmutableTags(
  issues: IssueCollector,
  value: unknown,
): readonly string[] | undefined {
  const path = "spec.input.immutableTags";
  const raw = issues.readList(path, value);
  if (raw === undefined) return undefined;
  if (raw.length > MAX_EXEMPT_IMAGES) {
    issues.error(path, `has ${raw.length} entries; at most ${MAX_EXEMPT_IMAGES} are allowed`);
    return undefined;
  }
  const out: string[] = [];
  raw.forEach((entry, i) => {
    const at = join(path, i);
    const s = issues.readString(at, entry, { required: true, nonEmpty: true });
    if (s === undefined) return;
    const problem = checkPattern("tag", s);
    if (problem !== undefined) issues.error(at, problem);
    else out.push(s);
  });
  return out;
}
