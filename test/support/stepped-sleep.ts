import { within } from "./wait.js";

/** A sleep the code under test asked for, held until the test wakes it. */
export interface AskedSleep {
  readonly ms: number;
  /** Ends the sleep: the code goes on to its next step. */
  wake(): void;
}

/**
 * An injected sleep (the agent's loops take one) that only the test ends. Each call is an
 * event: `next()` resolves when the code asks to wait, so the test sees every turn of a loop
 * in order, and proves that nothing happened in a turn by the turn ending (the next sleep)
 * before it. An aborted signal ends a sleep at once, as the real one does.
 */
export class SteppedSleep {
  /** Every wait asked so far, in milliseconds, in order. */
  readonly asked: number[] = [];
  readonly #unseen: AskedSleep[] = [];
  readonly #takers: ((s: AskedSleep) => void)[] = [];

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    this.asked.push(ms);
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const end = () => {
        signal?.removeEventListener("abort", end);
        resolve();
      };
      signal?.addEventListener("abort", end, { once: true });
      const sleep: AskedSleep = { ms, wake: end };
      const taker = this.#takers.shift();
      if (taker === undefined) this.#unseen.push(sleep);
      else taker(sleep);
    });
  };

  /** The next sleep asked for (one asked before this call and not yet taken counts). */
  next(what = "sleep", timeoutMs = 10_000): Promise<AskedSleep> {
    const unseen = this.#unseen.shift();
    if (unseen !== undefined) return Promise.resolve(unseen);
    let taker: (s: AskedSleep) => void = () => {};
    const asked = new Promise<AskedSleep>((resolve) => {
      taker = resolve;
    });
    this.#takers.push(taker);
    return within(asked, `${what} asked`, timeoutMs).finally(() => {
      const at = this.#takers.indexOf(taker);
      if (at >= 0) this.#takers.splice(at, 1);
    });
  }
}
