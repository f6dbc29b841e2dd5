import { setTimeout as sleep } from "node:timers/promises";
import { budgetLeft } from "./budget.js";
import { type HttpResponse, isTransient } from "./transport.js";

/**
 * How hard to try. Attempts are bounded so that a failing registry costs a known time; a
 * `Retry-After` longer than `maxDelayMs` is not waited for at all (the caller gets
 * RATE_LIMITED at once rather than a CLI that sits silent for an hour).
 */
export interface RetryPolicy {
  /** Attempts in all, the first included (1 = no retries). */
  readonly maxAttempts: number;
  /** First backoff; doubled per attempt, with full jitter. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 20_000,
};

/**
 * 429 and the 5xx that mean "try again later". 501 and 505 are permanent: the registry does
 * not implement what we asked, retrying cannot change that.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/**
 * `Retry-After` (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date. Milliseconds to
 * wait, or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with full jitter (spreads clients that failed together). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: number): number {
  return Math.floor(random * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
}

/**
 * Runs `send` until it gives an answer that is not worth repeating, or attempts run out.
 * Returns the last answer; turning a status into an error is the caller's business. A wait
 * that would outlast the caller's time budget is not started: the answer in hand is returned
 * (a 429 stays RATE_LIMITED, a 503 a registry error) rather than becoming a timeout that
 * hides why the registry said no.
 */
export async function withRetries(
  send: () => Promise<HttpResponse>,
  policy: RetryPolicy,
  now: () => number,
): Promise<HttpResponse> {
  for (let attempt = 0; ; attempt++) {
    const last = attempt + 1 >= policy.maxAttempts;
    let res: HttpResponse;
    try {
      res = await send();
    } catch (error) {
      if (last || !isTransient(error)) throw error;
      const delay = backoffDelay(attempt, policy, Math.random());
      if (delay >= budgetLeft()) throw error;
      await sleep(delay);
      continue;
    }
    if (last || !isRetryableStatus(res.status)) return res;
    const header = res.headers["retry-after"];
    const asked = parseRetryAfter(Array.isArray(header) ? header[0] : header, now());
    if (asked !== undefined && asked > policy.maxDelayMs) return res;
    const delay = asked ?? backoffDelay(attempt, policy, Math.random());
    if (delay >= budgetLeft()) return res;
    await sleep(delay);
  }
}
