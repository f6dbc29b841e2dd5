/**
 * Versions for `minimum-version`: Semantic Versioning 2.0.0 precedence (semver.org, §11), on
 * tags as registries hold them. Decisions (docs/policy-language.md, "minimum-version"):
 * an optional leading `v`; `1.2` and `1` stand for `1.2.0` and `1.0.0`; a pre-release after
 * `-` as SemVer has it; no build metadata (a tag cannot hold `+`); numeric identifiers without
 * leading zeros, as SemVer requires, and of at most 15 digits (exact as JavaScript numbers).
 * Anything else (`latest`, `stable`, `1.2.3.4`, `v01`) is no version.
 */

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Pre-release identifiers: numbers for numeric ones, strings for the others. */
  readonly pre: readonly (number | string)[];
}

const NUMERIC = /^(0|[1-9][0-9]{0,14})$/;
const IDENTIFIER = /^[0-9A-Za-z-]+$/;

export function parseVersion(text: string): Version | undefined {
  const s = text.startsWith("v") ? text.slice(1) : text;
  const dash = s.indexOf("-");
  const core = dash < 0 ? s : s.slice(0, dash);
  const numbers = core.split(".");
  if (numbers.length > 3 || !numbers.every((n) => NUMERIC.test(n))) return undefined;
  const pre: (number | string)[] = [];
  if (dash >= 0) {
    for (const id of s.slice(dash + 1).split(".")) {
      if (!IDENTIFIER.test(id)) return undefined;
      if (/^[0-9]+$/.test(id)) {
        if (!NUMERIC.test(id)) return undefined;
        pre.push(Number(id));
      } else pre.push(id);
    }
  }
  const [major = 0, minor = 0, patch = 0] = numbers.map(Number);
  return { major, minor, patch, pre };
}

function compareIdentifiers(a: number | string, b: number | string): number {
  if (typeof a === "number" && typeof b === "number") return Math.sign(a - b);
  // Numeric identifiers have lower precedence than alphanumeric ones (§11.4.3).
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** SemVer precedence: negative when a < b, 0 when equal, positive when a > b. */
export function compareVersions(a: Version, b: Version): number {
  const core =
    Math.sign(a.major - b.major) || Math.sign(a.minor - b.minor) || Math.sign(a.patch - b.patch);
  if (core !== 0) return core;
  // A version without a pre-release outranks one with (§11.3: 1.0.0-alpha < 1.0.0).
  if (a.pre.length === 0 || b.pre.length === 0) return Math.sign(b.pre.length - a.pre.length);
  const n = Math.min(a.pre.length, b.pre.length);
  for (let i = 0; i < n; i++) {
    const c = compareIdentifiers(a.pre[i] as number | string, b.pre[i] as number | string);
    if (c !== 0) return c;
  }
  return Math.sign(a.pre.length - b.pre.length);
}

export function formatVersion(v: Version): string {
  const pre = v.pre.length === 0 ? "" : `-${v.pre.join(".")}`;
  return `${v.major}.${v.minor}.${v.patch}${pre}`;
}
