/**
 * minimum-version in CEL: the engine's SemVer precedence (src/core/policy/version.ts) against a
 * minimum known when the policy is compiled. Over the fields `f` of a valid entry (images.ts):
 * f[4] is "t" + tag, or "" for a digest-only image (no version: fails). The tag is parsed with
 * `matches` (the same grammar as parseVersion), `split`, `substring` and `int`; the comparison
 * with the minimum's pre-release identifiers is written out one identifier at a time, since the
 * minimum is a constant (at most 128 characters, so at most 64 identifiers).
 */
import { parseVersion, type Version } from "../../core/policy/index.js";
import { celString } from "./cel.js";

const NUM = "(0|[1-9][0-9]{0,14})";
const ID = `(${NUM}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`;
const CORE_RE = `^${NUM}([.]${NUM}){0,2}$`;
const PRE_RE = `^${ID}([.]${ID})*$`;

/** `x` (an identifier) compared with the minimum's identifier `c`. */
function greater(x: string, c: number | string): string {
  return typeof c === "number"
    ? `(!${x}.matches('^[0-9]+$') || int(${x}) > ${c})`
    : `(!${x}.matches('^[0-9]+$') && ${x} > ${celString(c)})`;
}

function equal(x: string, c: number | string): string {
  return `${x} == ${celString(String(c))}`;
}

/** The tag's identifiers `ids` are at least the minimum's from index i on (all before equal). */
function preAtLeast(pre: readonly (number | string)[], i: number): string {
  if (i === pre.length) return "true";
  const c = pre[i] as number | string;
  const x = `ids[${i}]`;
  return `(size(ids) > ${i} && (${greater(x, c)} || (${equal(x, c)} && ${preAtLeast(pre, i + 1)})))`;
}

/** CEL: is the tag field `f[4]` a version at least `min`? */
export function versionAtLeast(min: Version): string {
  const s = "s";
  const dash = `${s}.indexOf('-')`;
  const core = `(${dash} >= 0 ? ${s}.substring(0, ${dash}) : ${s})`;
  const pre = `${s}.substring(${dash} + 1)`;
  const hasPre = `${dash} >= 0`;
  const valid = `${core}.matches(${celString(CORE_RE)}) && (!(${hasPre}) || ${pre}.matches(${celString(PRE_RE)}))`;
  const part = (i: number) => `(size(n) > ${i} ? int(n[${i}]) : 0)`;
  const preCmp =
    min.pre.length === 0
      ? `!(${hasPre})`
      : `(!(${hasPre}) || [${pre}.split('.')].all(ids, ${preAtLeast(min.pre, 0)}))`;
  const compare =
    `[${core}.split('.')].all(n, ${part(0)} > ${min.major} || (${part(0)} == ${min.major} && ` +
    `(${part(1)} > ${min.minor} || (${part(1)} == ${min.minor} && ` +
    `(${part(2)} > ${min.patch} || (${part(2)} == ${min.patch} && ${preCmp}))))))`;
  // `s` is the tag without a leading `v`; `&&` stops before `int` sees anything but digits.
  return `(f[4] != '' && [f[4].substring(1)].all(t, [t.startsWith('v') ? t.substring(1) : t].all(${s}, ${valid} && ${compare})))`;
}

/** The minimum of a rule, parsed (validation made sure it is a version). */
export function minimumOf(text: string | undefined): Version | undefined {
  return text === undefined ? undefined : parseVersion(text);
}
