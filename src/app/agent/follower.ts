import { CustomsError } from "../../core/errors.js";
import { Backoff } from "./backoff.js";
import { type AppliedBundle, parseBundle, verifyBundle } from "./bundle.js";
import { type ControlPlaneClient, errorText, sleep } from "./client.js";

export const POLICIES_PATH = "/api/v1/agent/policies";
const MIN_POLL_MS = 1_000;

export interface FollowerEvents {
  /** A valid bundle arrived; it is the one to enforce from now on. */
  onBundle(applied: AppliedBundle): Promise<void>;
  /** A bundle was refused (AGENT_BUNDLE_INVALID); the previous set stays. */
  onInvalid(error: CustomsError, revision: unknown): void;
  onError(e: unknown): void;
}

export interface FollowerOptions {
  readonly client: ControlPlaneClient;
  /** Seconds the control plane may hold a poll open (1–60). */
  readonly waitSeconds: number;
  /** The ETag of the bundle already enforced (e.g. read back from the state dir). */
  readonly etag: string | undefined;
  readonly events: FollowerEvents;
  readonly signal: AbortSignal;
}

/**
 * Long-polls the policy bundle with `If-None-Match`, forever. A 304 asks again at once; a 200
 * is validated and compiled before anything else sees it. A refused bundle's ETag is kept
 * too, so the next poll waits for a change instead of fetching the same bad bundle in a loop.
 */
export async function followPolicies(options: FollowerOptions): Promise<void> {
  const { client, events, signal, waitSeconds } = options;
  const backoff = new Backoff();
  let etag = options.etag;
  while (!signal.aborted) {
    try {
      const asked = Date.now();
      const res = await client.call("GET", `${POLICIES_PATH}?wait=${waitSeconds}`, {
        headers: etag === undefined ? {} : { "if-none-match": etag },
        // The poll is held open for waitSeconds; allow the answer some slack beyond it.
        timeoutMs: (waitSeconds + 15) * 1000,
        signal,
      });
      if (res.status === 304) {
        backoff.succeed();
        // A control plane that answers "unchanged" at once (shutting down, or not holding
        // polls) must not be asked again in a tight loop.
        if (Date.now() - asked < MIN_POLL_MS) await sleep(MIN_POLL_MS, signal);
        continue;
      }
      if (res.status !== 200) {
        throw new CustomsError(
          "AGENT_CONTROL_PLANE_UNREACHABLE",
          `GET ${POLICIES_PATH}: ${res.status} ${errorText(res.body)}`,
        );
      }
      const header = res.headers.etag;
      const next = typeof header === "string" ? header : undefined;
      backoff.succeed();
      let applied: AppliedBundle;
      try {
        applied = verifyBundle(parseBundle(res.body, "bundle"), next, "bundle");
      } catch (e) {
        etag = next;
        const revision = (res.body as { revision?: unknown } | undefined)?.revision;
        if (e instanceof CustomsError) events.onInvalid(e, revision);
        else events.onInvalid(new CustomsError("AGENT_BUNDLE_INVALID", String(e)), revision);
        continue;
      }
      await events.onBundle(applied);
      etag = next;
    } catch (e) {
      if (signal.aborted) return;
      events.onError(e);
      await sleep(backoff.fail(e), signal);
    }
  }
}
