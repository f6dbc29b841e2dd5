import { toDurationMs, toExpiryMs } from "./duration.js";
import { type IssueCollector, join, typeName } from "./fields.js";
import { toBytes } from "./quantity.js";
import type { RegexEngine } from "./regex.js";
import { readRule } from "./rules.js";
import { readAuthorities } from "./supply-authorities.js";
import { readLabelRequirements, readMatchList, type SupplyReader } from "./supply-matchers.js";
import {
  type AllowlistEntry,
  MISSING_REPORT,
  SEVERITY_THRESHOLDS,
  type SupplyInput,
  type SupplyRecipe,
  TAG_HANDLINGS,
  type TagHandling,
} from "./supply-types.js";
import type { PolicyRule } from "./types.js";

/** The `spec.input` fields of each supply-chain recipe (besides `audit`). */
export const SUPPLY_INPUT_FIELDS: Readonly<Record<SupplyRecipe, readonly string[]>> = {
  "require-signature": ["authorities", "count", "requireTransparencyLog", "tagHandling"],
  "require-provenance": [
    "authorities",
    "builders",
    "sourceRepositories",
    "requireCommit",
    "requireSbom",
    "tagHandling",
  ],
  "require-labels": ["labels", "annotations"],
  "non-root-user": [],
  "max-image-age": ["maxAge"],
  "approved-base-images": ["rules"],
  "vulnerability-threshold": [
    "severity",
    "fixableOnly",
    "allowlist",
    "maxReportAge",
    "missingReport",
    "tagHandling",
  ],
  "max-image-size": ["maxSize"],
  "no-volumes": ["allowed"],
};

const P = "spec.input";

function readTagHandling(issues: IssueCollector, value: unknown): TagHandling | undefined {
  if (value === undefined || value === null) return undefined;
  return issues.readEnum(join(P, "tagHandling"), value, TAG_HANDLINGS);
}

function readDuration(
  issues: IssueCollector,
  path: string,
  value: unknown,
  required: boolean,
): { text: string; ms: number } | undefined {
  const s = issues.readString(path, value, { required });
  if (s === undefined) return undefined;
  const ms = toDurationMs(s);
  if (ms === undefined) {
    issues.error(
      path,
      `"${s}" is not a duration: write a whole number and s, m, h, d or w (90d, 720h)`,
    );
    return undefined;
  }
  return { text: s, ms };
}

function readSignature(r: SupplyReader, input: Record<string, unknown>): SupplyInput | undefined {
  const authorities = readAuthorities(r, join(P, "authorities"), input.authorities);
  let count = 1;
  if (input.count !== undefined && input.count !== null) {
    const c = input.count;
    if (typeof c !== "number" || !Number.isInteger(c) || c < 1) {
      r.issues.error(join(P, "count"), `expected a whole number of at least 1, got ${typeName(c)}`);
    } else if (authorities.length > 0 && c > authorities.length) {
      r.issues.error(
        join(P, "count"),
        `${c} signatures can never be had from ${authorities.length} authorities`,
      );
    } else count = c;
  }
  const tlog = r.issues.readBoolean(
    join(P, "requireTransparencyLog"),
    input.requireTransparencyLog,
  );
  return {
    recipe: "require-signature",
    authorities,
    count,
    requireTransparencyLog: tlog ?? false,
    tagHandling: readTagHandling(r.issues, input.tagHandling),
  };
}

function readProvenance(r: SupplyReader, input: Record<string, unknown>): SupplyInput {
  return {
    recipe: "require-provenance",
    authorities: readAuthorities(r, join(P, "authorities"), input.authorities),
    builders: readMatchList(r, join(P, "builders"), input.builders, false),
    sourceRepositories: readMatchList(
      r,
      join(P, "sourceRepositories"),
      input.sourceRepositories,
      false,
    ),
    requireCommit: r.issues.readBoolean(join(P, "requireCommit"), input.requireCommit) ?? false,
    requireSbom: r.issues.readBoolean(join(P, "requireSbom"), input.requireSbom) ?? false,
    tagHandling: readTagHandling(r.issues, input.tagHandling),
  };
}

function readLabels(r: SupplyReader, input: Record<string, unknown>): SupplyInput {
  const labels = readLabelRequirements(r, join(P, "labels"), input.labels);
  const annotations = readLabelRequirements(r, join(P, "annotations"), input.annotations);
  if (labels.length === 0 && annotations.length === 0 && !r.issues.hasErrors) {
    r.issues.error(P, "require-labels needs at least one entry in `labels` or `annotations`");
  }
  return { recipe: "require-labels", labels, annotations };
}

function readAllowlist(issues: IssueCollector, path: string, value: unknown): AllowlistEntry[] {
  const out: AllowlistEntry[] = [];
  issues.readList(path, value)?.forEach((entry, i) => {
    const at = join(path, i);
    const o = issues.readObject(at, entry, ["id", "expires", "reason"]);
    if (o === undefined) return;
    const id = issues.readString(join(at, "id"), o.id, { required: true, nonEmpty: true });
    // YAML reads an unquoted 2026-12-31 as a string with the yaml package's core schema.
    const expires = issues.readString(join(at, "expires"), o.expires, { required: true });
    const reason = issues.readString(join(at, "reason"), o.reason);
    if (expires === undefined || id === undefined) return;
    const expiresAt = toExpiryMs(expires);
    if (expiresAt === undefined) {
      issues.error(
        join(at, "expires"),
        `"${expires}" is not a date (2026-12-31) or date-time (2026-12-31T12:00:00Z)`,
      );
      return;
    }
    out.push({ id, expires, expiresAt, reason });
  });
  return out;
}

function readVulnerability(
  issues: IssueCollector,
  input: Record<string, unknown>,
): SupplyInput | undefined {
  const present = input.severity !== undefined && input.severity !== null;
  if (!present) issues.error(join(P, "severity"), "is required (critical, high, medium or low)");
  const severity = present
    ? issues.readEnum(join(P, "severity"), input.severity, SEVERITY_THRESHOLDS)
    : undefined;
  const age = readDuration(issues, join(P, "maxReportAge"), input.maxReportAge, false);
  const missing =
    input.missingReport === undefined || input.missingReport === null
      ? "deny"
      : issues.readEnum(join(P, "missingReport"), input.missingReport, MISSING_REPORT);
  const allowlist = readAllowlist(issues, join(P, "allowlist"), input.allowlist);
  const fixableOnly = issues.readBoolean(join(P, "fixableOnly"), input.fixableOnly) ?? false;
  if (severity === undefined || missing === undefined) return undefined;
  return {
    recipe: "vulnerability-threshold",
    severity,
    fixableOnly,
    allowlist,
    maxReportAge: age?.text,
    maxReportAgeMs: age?.ms,
    missingReport: missing,
    tagHandling: readTagHandling(issues, input.tagHandling),
  };
}

function readBaseImages(issues: IssueCollector, input: Record<string, unknown>): SupplyInput {
  const rules: PolicyRule[] = [];
  const raw = issues.readList(join(P, "rules"), input.rules);
  if (raw === undefined || raw.length === 0) {
    issues.error(join(P, "rules"), "approved-base-images needs at least one rule");
  }
  raw?.forEach((v, i) => {
    const rule = readRule(issues, join(join(P, "rules"), i), v, [
      "hostname",
      "port",
      "imageName",
      "tag",
    ]);
    if (rule !== undefined) rules.push(rule);
  });
  return { recipe: "approved-base-images", rules };
}

function readMaxSize(issues: IssueCollector, value: unknown): SupplyInput | undefined {
  const path = join(P, "maxSize");
  if (value === undefined || value === null) {
    issues.error(path, "is required: a size such as 500Mi, 1Gi, 800M or a number of bytes");
    return undefined;
  }
  const text =
    typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? String(value) : value;
  if (typeof text !== "string") {
    issues.error(
      path,
      `expected a size (a string such as 500Mi, or a number), got ${typeName(value)}`,
    );
    return undefined;
  }
  const bytes = toBytes(text);
  if (bytes === undefined) {
    issues.error(
      path,
      `"${text}" is not a size: write a number of bytes or a Kubernetes quantity (500Mi, 1Gi, 800M)`,
    );
    return undefined;
  }
  return { recipe: "max-image-size", maxSize: text, maxBytes: bytes };
}

function readNoVolumes(issues: IssueCollector, value: unknown): SupplyInput {
  const path = join(P, "allowed");
  const allowed: string[] = [];
  issues.readList(path, value)?.forEach((v, i) => {
    const s = issues.readString(join(path, i), v, { required: true, nonEmpty: true });
    if (s === undefined) return;
    if (!s.startsWith("/") || s.length > 4096) {
      issues.error(
        join(path, i),
        `"${s}" is not a volume path: an absolute path of at most 4096 characters`,
      );
    } else allowed.push(s);
  });
  return { recipe: "no-volumes", allowed };
}

/** Validates the `spec.input` of a supply-chain recipe (unknown fields already refused). */
export function readSupplyInput(
  issues: IssueCollector,
  recipe: SupplyRecipe,
  input: Record<string, unknown>,
  regex: RegexEngine | undefined,
): SupplyInput | undefined {
  const r: SupplyReader = { issues, regex };
  switch (recipe) {
    case "require-signature":
      return readSignature(r, input);
    case "require-provenance":
      return readProvenance(r, input);
    case "require-labels":
      return readLabels(r, input);
    case "non-root-user":
      return { recipe };
    case "max-image-age": {
      const age = readDuration(issues, join(P, "maxAge"), input.maxAge, true);
      return age === undefined ? undefined : { recipe, maxAge: age.text, maxAgeMs: age.ms };
    }
    case "approved-base-images":
      return readBaseImages(issues, input);
    case "vulnerability-threshold":
      return readVulnerability(issues, input);
    case "max-image-size":
      return readMaxSize(issues, input.maxSize);
    case "no-volumes":
      return readNoVolumes(issues, input.allowed);
  }
}
