/**
 * Waiting in tests. A test waits for an event: a promise the code resolves, an emitter, an
 * injected clock it steps (test/support/stepped-sleep.ts). Time passing is never the event: a
 * sleep long enough on one machine is too short on a busy one, and too long everywhere else.
 *
 * The one exception is a program the test started (a registry, an API server, `customs serve`
 * as a child process): it says nothing when it is ready, so it is asked again and again until
 * it answers or a deadline passes. This file holds the only timer-driven pause of the test
 * tree for that (test/test-hygiene.test.ts checks it).
 */

/**
 * Pauses between two looks at an external process. Only for harnesses (never imported by a
 * `*.test.ts` file, which uses `eventually` or an event).
 */
export function pause(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/**
 * Asks an external process until `check` returns a value other than undefined, and returns
 * it; fails after `timeoutMs` naming `what` and the last error `check` threw, if any.
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(intervalMs);
  }
}

/**
 * The event `promise` stands for, or a failure naming `what` after `timeoutMs`: a missing
 * event then reads as what was expected, not as the test's own timeout.
 */
export function within<T>(promise: Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * A condition over state that events change: `when(test)` resolves as soon as `test()` holds,
 * checked now and after each `changed()`. The code under test (or the test's fake server)
 * calls `changed()` where it records what the test waits for.
 */
export class Condition {
  readonly #waiters = new Set<{ test: () => boolean; resolve: () => void }>();

  changed(): void {
    for (const w of [...this.#waiters]) {
      if (!w.test()) continue;
      this.#waiters.delete(w);
      w.resolve();
    }
  }

  when(test: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (test()) return Promise.resolve();
    const waiter = { test, resolve: () => {} };
    const reached = new Promise<void>((resolve) => {
      waiter.resolve = resolve;
    });
    this.#waiters.add(waiter);
    return within(reached, what, timeoutMs).finally(() => this.#waiters.delete(waiter));
  }
}
