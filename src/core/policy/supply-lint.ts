import type { LintCode } from "../errors.js";
import { type IssueCollector, join } from "./fields.js";
import type { ImagePolicy } from "./types.js";

/** Allowlist entries expiring within this window are flagged, so they are renewed in time. */
export const EXPIRY_WARNING_MS = 14 * 86_400_000;

/**
 * Lint of supply-chain policies that needs the time (core has no clock, so the caller passes
 * it; without it these checks are skipped).
 */
export function lintSupply(
  issues: IssueCollector,
  policy: ImagePolicy,
  now: number | undefined,
): void {
  const input = policy.supply;
  if (input?.recipe !== "vulnerability-threshold" || now === undefined) return;
  const warn = (path: string, code: LintCode, message: string) => issues.warn(path, code, message);
  input.allowlist.forEach((entry, i) => {
    const at = join(join("spec.input.allowlist", i), "expires");
    if (entry.expiresAt <= now) {
      warn(
        at,
        "LINT_ALLOWLIST_EXPIRED",
        `the entry for ${entry.id} expired (${entry.expires}): it no longer hides any finding; renew or remove it`,
      );
    } else if (entry.expiresAt - now <= EXPIRY_WARNING_MS) {
      const days = Math.ceil((entry.expiresAt - now) / 86_400_000);
      warn(
        at,
        "LINT_ALLOWLIST_EXPIRING",
        `the entry for ${entry.id} expires in ${days} day(s) (${entry.expires})`,
      );
    }
  });
}
