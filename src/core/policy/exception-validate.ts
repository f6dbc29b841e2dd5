import type { LintCode } from "../errors.js";
import { parseNormalized, toNormalizedString } from "../reference/index.js";
import { WORKLOAD_KINDS } from "../workload/index.js";
import { toExpiryMs } from "./duration.js";
import {
  ALL_POLICIES,
  EXCEPTION_KIND,
  type ImagePolicyException,
  type WorkloadMatch,
} from "./exception-types.js";
import { type IssueCollector, join } from "./fields.js";
import { MAX_PATTERN_LENGTH, printable } from "./pattern.js";
import { isDnsSubdomain, readLabelSelector } from "./selector.js";
import { EXPIRY_WARNING_MS } from "./supply-lint.js";
import type { DocumentOrigin, PolicyScope } from "./types.js";

/** The workload kinds an exception may name (those that run pods; spec: Decisions). */
export const EXCEPTION_WORKLOAD_KINDS: readonly string[] = WORKLOAD_KINDS;

export const EXCEPTION_SPEC_FIELDS: readonly string[] = [
  "policies",
  "workspace",
  "namespace",
  "namespaceSelector",
  "images",
  "workloads",
  "reason",
  "owner",
  "expires",
];

/** What validateDocument shares with this validator (its readers of metadata and scope). */
export interface DocumentReaders {
  readonly name: (issues: IssueCollector, doc: Record<string, unknown>) => string | undefined;
  readonly scope: (
    issues: IssueCollector,
    spec: Record<string, unknown>,
  ) => PolicyScope | undefined;
}

function readPolicies(issues: IssueCollector, value: unknown): string[] | undefined {
  const path = "spec.policies";
  const raw = issues.readList(path, value);
  if (value === undefined || value === null || raw?.length === 0) {
    issues.error(path, 'name at least one policy, or ["*"] for every policy');
    return undefined;
  }
  if (raw === undefined) return undefined;
  const names: string[] = [];
  raw.forEach((v, i) => {
    const at = join(path, i);
    const s = issues.readString(at, v, { required: true, nonEmpty: true });
    if (s === undefined) return;
    if (s !== ALL_POLICIES && !isDnsSubdomain(s)) {
      issues.error(
        at,
        `"${printable(s)}" is not a policy name (lowercase RFC 1123 subdomain) or "*"`,
      );
      return;
    }
    if (names.includes(s)) issues.error(at, `"${s}" is listed twice`);
    names.push(s);
  });
  if (names.includes(ALL_POLICIES) && names.length > 1) {
    issues.error(path, '"*" already means every policy: list it alone');
  }
  return names;
}

/**
 * An image pattern is matched on the whole normalized image with its implied tag
 * (`docker.io/library/busybox:1.36`). A pattern without `*` that is not in that form could
 * never match, which is an error (a silent no-op would let its author believe it works).
 */
function readImagePattern(issues: IssueCollector, at: string, value: unknown): string | undefined {
  const s = issues.readString(at, value, { required: true, nonEmpty: true });
  if (s === undefined) return undefined;
  if (s.length > MAX_PATTERN_LENGTH) {
    issues.error(at, `a pattern is at most ${MAX_PATTERN_LENGTH} characters`);
    return undefined;
  }
  if (/\s/.test(s)) {
    issues.error(at, `"${printable(s)}" holds whitespace, which no image has`);
    return undefined;
  }
  if (!s.includes("*")) {
    const parsed = parseNormalized(s);
    const normalized = parsed.ok
      ? toNormalizedString(
          parsed.ref.tag === undefined && parsed.ref.digest === undefined
            ? { ...parsed.ref, tag: "latest" }
            : parsed.ref,
        )
      : undefined;
    if (normalized !== s) {
      const hint = normalized === undefined ? "" : `: write "${normalized}"`;
      issues.error(
        at,
        `"${printable(s)}" is not a normalized image with its tag, so it never matches${hint} (or use * for any run of characters)`,
      );
      return undefined;
    }
  }
  return s;
}

function readWorkload(
  issues: IssueCollector,
  at: string,
  value: unknown,
): WorkloadMatch | undefined {
  const o = issues.readObject(at, value, ["kind", "name"]);
  if (o === undefined) return undefined;
  const kind =
    o.kind === undefined || o.kind === null
      ? undefined
      : issues.readEnum(join(at, "kind"), o.kind, EXCEPTION_WORKLOAD_KINDS);
  const name = issues.readString(join(at, "name"), o.name, { required: true, nonEmpty: true });
  if (name !== undefined && name.length > MAX_PATTERN_LENGTH) {
    issues.error(join(at, "name"), `a pattern is at most ${MAX_PATTERN_LENGTH} characters`);
    return undefined;
  }
  if (name === undefined || (o.kind !== undefined && o.kind !== null && kind === undefined)) {
    return undefined;
  }
  return kind === undefined ? { name } : { kind, name };
}

function readPatterns<T>(
  issues: IssueCollector,
  path: string,
  value: unknown,
  read: (issues: IssueCollector, at: string, v: unknown) => T | undefined,
): T[] {
  const out: T[] = [];
  const raw = issues.readList(path, value);
  if (raw?.length === 0)
    issues.error(path, "an empty list covers nothing: remove it or add entries");
  raw?.forEach((v, i) => {
    const r = read(issues, join(path, i), v);
    if (r !== undefined) out.push(r);
  });
  return out;
}

function daysIn(year: number, month: number): number {
  return (Date.UTC(year, month, 1) - Date.UTC(year, month - 1, 1)) / 86_400_000;
}

/**
 * An expiry that names a real day: Date.parse rolls `2027-02-30` over to March 2nd, and an
 * exception must end on the day its author wrote.
 */
function toRealExpiryMs(text: string): number | undefined {
  const at = toExpiryMs(text);
  if (at === undefined) return undefined;
  const day = text.slice(0, 10);
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  // Date.UTC is arithmetic on the calendar, not a clock: it rolls an impossible day over.
  const t = Date.UTC(y, m - 1, d);
  return Date.UTC(y, m - 1, 1) + (d - 1) * 86_400_000 === t && d <= daysIn(y, m) ? at : undefined;
}

/** Validates the ImagePolicyException `doc` (kind already checked): every problem with its path. */
export function validateException(
  issues: IssueCollector,
  doc: Record<string, unknown>,
  origin: DocumentOrigin | undefined,
  readers: DocumentReaders,
): ImagePolicyException | undefined {
  const name = readers.name(issues, doc);
  const spec = issues.readObject("spec", doc.spec, EXCEPTION_SPEC_FIELDS);
  if (spec === undefined) return undefined;
  const policies = readPolicies(issues, spec.policies);
  const scope = readers.scope(issues, spec);
  const namespaceSelector = readLabelSelector(
    issues,
    "spec.namespaceSelector",
    spec.namespaceSelector,
  );
  const images = readPatterns(issues, "spec.images", spec.images, readImagePattern);
  const workloads = readPatterns(issues, "spec.workloads", spec.workloads, readWorkload);
  const hasImages = spec.images !== undefined && spec.images !== null;
  const hasWorkloads = spec.workloads !== undefined && spec.workloads !== null;
  if (!hasImages && !hasWorkloads) {
    issues.error(
      "spec",
      'set `images` and/or `workloads`: an exception must say what it covers (images: ["*"] for everything in its scope)',
    );
  }
  const reason = issues.readString("spec.reason", spec.reason, { required: true, nonEmpty: true });
  const owner = issues.readString("spec.owner", spec.owner, { required: true, nonEmpty: true });
  const expires = issues.readString("spec.expires", spec.expires, { required: true });
  const expiresAt = expires === undefined ? undefined : toRealExpiryMs(expires);
  if (expires !== undefined && expiresAt === undefined) {
    issues.error(
      "spec.expires",
      `"${printable(expires)}" is not a date (2027-01-31, valid through that day UTC) or an RFC 3339 date-time (2027-01-31T12:00:00Z)`,
    );
  }
  if (
    name === undefined ||
    policies === undefined ||
    scope === undefined ||
    reason === undefined ||
    owner === undefined ||
    expires === undefined ||
    expiresAt === undefined
  ) {
    return undefined;
  }
  return {
    name,
    policies,
    scope,
    namespaceSelector,
    images,
    workloads,
    reason,
    owner,
    expires,
    expiresAt,
    origin,
  };
}

/** Lint that needs the time: an exception about to expire, or expired (and so inert). */
export function lintException(
  issues: IssueCollector,
  exception: ImagePolicyException,
  now: number | undefined,
): void {
  const warn = (code: LintCode, message: string) => issues.warn("spec.expires", code, message);
  if (now === undefined) return;
  if (exception.expiresAt <= now) {
    warn(
      "LINT_EXCEPTION_EXPIRED",
      `${EXCEPTION_KIND} "${exception.name}" expired (${exception.expires}): it exempts nothing any more; renew or remove it`,
    );
  } else if (exception.expiresAt - now <= EXPIRY_WARNING_MS) {
    const days = Math.ceil((exception.expiresAt - now) / 86_400_000);
    warn(
      "LINT_EXCEPTION_EXPIRING",
      `${EXCEPTION_KIND} "${exception.name}" expires in ${days} day(s) (${exception.expires}); after that the violations it exempts count again`,
    );
  }
}

/**
 * Lint of exceptions against the policies loaded with them: a name that is not loaded is a
 * warning, not an error, because policies and exceptions may be loaded separately.
 */
export function lintExceptionPolicies(
  exception: ImagePolicyException,
  policyNames: ReadonlySet<string>,
): { path: string; code: LintCode; message: string }[] {
  const out: { path: string; code: LintCode; message: string }[] = [];
  exception.policies.forEach((p, i) => {
    if (p === ALL_POLICIES || policyNames.has(p)) return;
    out.push({
      path: join("spec.policies", i),
      code: "LINT_EXCEPTION_POLICY_UNKNOWN",
      message: `no loaded ImagePolicy is named "${p}": this entry relaxes nothing here`,
    });
  });
  return out;
}
