import { HttpError, toHttpError } from "./errors.js";

/** Bounds one exchange: its own deadline and the caller's signal, as one AbortSignal. */
export class Deadline {
  readonly signal: AbortSignal | undefined;
  private readonly controller: AbortController | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private expired = false;

  constructor(
    private readonly timeoutMs: number | undefined,
    private readonly outer: AbortSignal | undefined,
  ) {
    if (timeoutMs === undefined && outer === undefined) return;
    // Without a deadline the caller's signal serves as it is: nothing to combine.
    if (timeoutMs === undefined) {
      this.signal = outer;
      return;
    }
    const controller = new AbortController();
    this.controller = controller;
    this.signal = controller.signal;
    this.timer = setTimeout(() => {
      this.expired = true;
      controller.abort();
    }, timeoutMs);
    outer?.addEventListener("abort", this.forward, { once: true });
    if (outer?.aborted) controller.abort();
  }

  private readonly forward = () => this.controller?.abort();

  clear(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener("abort", this.forward);
  }

  /** Why the exchange failed: our deadline, the caller's abort, or what the socket said. */
  failure(error: unknown, what: string, timeouts: { connectMs: number; idleMs: number }) {
    if (error instanceof HttpError) return error;
    if (this.expired)
      return new HttpError("HTTP_TIMEOUT", what, `no complete answer within ${this.timeoutMs} ms`, {
        cause: error,
      });
    if (this.outer?.aborted)
      return new HttpError("HTTP_ABORTED", what, "aborted", { cause: error });
    return toHttpError(error, what, timeouts);
  }
}
