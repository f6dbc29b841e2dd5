import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The time budget of the work in progress, as an instant of `Date.now()`. Callers set it
 * once around a whole fetch (`withTimeBudget`); every exchange, retry and backoff of the
 * client inside reads it, so that a command or an admission review that must answer within
 * N ms never leaves a request (or a retry of it) running past N ms. Without it, racing the
 * fetch against a timer answered in time but left the socket open until the client's own
 * timeout (30 s): `customs check --facts-timeout 2000` exited after 33 s.
 */
const budget = new AsyncLocalStorage<number>();

/** Runs `work` with every registry request it makes bounded by `ms` from now (nested: the tighter). */
export function withTimeBudget<T>(ms: number, work: () => Promise<T>): Promise<T> {
  const end = Date.now() + Math.max(0, ms);
  const outer = budget.getStore();
  return budget.run(outer === undefined ? end : Math.min(outer, end), work);
}

/** Milliseconds left of the current budget; Infinity outside any. */
export function budgetLeft(): number {
  const end = budget.getStore();
  return end === undefined ? Number.POSITIVE_INFINITY : end - Date.now();
}
