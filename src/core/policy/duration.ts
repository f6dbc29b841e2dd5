/**
 * Durations of the policy language: a whole number and a unit, `30m`, `720h`, `90d`, `2w`.
 * No months or years: their length varies, and an age limit must mean one thing.
 */
const UNITS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Milliseconds, or undefined when the text is not a duration. */
export function toDurationMs(text: string): number | undefined {
  const m = /^([1-9][0-9]{0,8})([smhdw])$/.exec(text);
  if (m === null) return undefined;
  return Number(m[1]) * (UNITS[m[2] as string] as number);
}

/** An age in words for messages: `400 days`, `5 hours`. */
export function describeAge(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  if (days >= 2) return `${days} days`;
  const hours = Math.floor(ms / 3_600_000);
  if (hours >= 2) return `${hours} hours`;
  return `${Math.max(0, Math.floor(ms / 60_000))} minutes`;
}

/**
 * A date or date-time of an allowlist entry. A bare date (`2026-12-31`) is valid through that
 * whole day (UTC), so the entry stops applying at the next midnight UTC.
 */
export function toExpiryMs(text: string): number | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const t = Date.parse(`${text}T00:00:00Z`);
    return Number.isNaN(t) ? undefined : t + 86_400_000;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    return undefined;
  }
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}
