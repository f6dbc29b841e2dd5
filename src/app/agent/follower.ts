import {
  type ControlPlaneClient,
  errorText,
  type Sleep,
  sleep as systemSleep,
} from "../../adapters/control-plane/index.js";
import { CustomsError } from "../../core/errors.js";
import { Backoff } from "./backoff.js";
import { type AppliedBundle, type PolicyBundle, parseBundle, verifyBundle } from "./bundle.js";
import { fetchKeys, KeyPins, signatureOf, verifyBundleSignature } from "./trust.js";

/** The id of the key the control plane signs with now, on every poll answer. */
export const BUNDLE_KEY_HEADER = "x-customs-bundle-key";

export const POLICIES_PATH = "/api/v1/agent/policies";
const MIN_POLL_MS = 1_000;

export interface FollowerEvents {
  /** A valid bundle arrived; it is the one to enforce from now on. */
  onBundle(applied: AppliedBundle): Promise<void>;
  /** A bundle was refused (AGENT_BUNDLE_INVALID); the previous set stays. */
  onInvalid(error: CustomsError, revision: unknown): void;
  /** A bundle whose signature did not verify (AGENT_BUNDLE_UNVERIFIED); the previous set stays. */
  onUnverified(error: CustomsError): void;
  /** The pinned keys changed (a rotation followed through its endorsement). */
  onPins(pins: KeyPins): Promise<void>;
  onError(e: unknown): void;
}

export interface FollowerOptions {
  readonly client: ControlPlaneClient;
  /** Seconds the control plane may hold a poll open (1–60). */
  readonly waitSeconds: number;
  /** The ETag of the bundle already enforced (e.g. read back from the state dir). */
  readonly etag: string | undefined;
  /** The key that signed the bundle already enforced. */
  readonly signedBy: string | undefined;
  /** The keys bundles must be signed with (pinned at registration). */
  readonly pins: KeyPins;
  /** Who the agent registered as: a bundle signed for another is refused. */
  readonly organization: string;
  readonly cluster: string;
  readonly events: FollowerEvents;
  readonly signal: AbortSignal;
  /** Waits between polls (default: real time). */
  readonly sleep?: Sleep;
  /** Milliseconds now, to time a poll (default: Date.now). */
  readonly now?: () => number;
}

/**
 * Long-polls the policy bundle with `If-None-Match`, forever. A 304 asks again at once; a 200
 * is validated and compiled before anything else sees it. A refused bundle's ETag is kept
 * too, so the next poll waits for a change instead of fetching the same bad bundle in a loop.
 */
export async function followPolicies(options: FollowerOptions): Promise<void> {
  const { client, events, signal, waitSeconds } = options;
  const sleep = options.sleep ?? systemSleep;
  const now = options.now ?? Date.now;
  const backoff = new Backoff();
  let etag = options.etag;
  let signedBy = options.signedBy;
  let pins = options.pins;
  /** Follows a rotation: keys the pinned ones endorse are added; true when one was. */
  const learnKeys = async (): Promise<boolean> => {
    const next = new KeyPins(pins.keys);
    if (!next.extend(await fetchKeys(client, signal))) return false;
    pins = next;
    await events.onPins(pins);
    return true;
  };
  while (!signal.aborted) {
    try {
      const asked = now();
      const res = await client.call("GET", `${POLICIES_PATH}?wait=${waitSeconds}`, {
        headers: etag === undefined ? {} : { "if-none-match": etag },
        // The poll is held open for waitSeconds; allow the answer some slack beyond it.
        timeoutMs: (waitSeconds + 15) * 1000,
        signal,
      });
      const activeKey = res.headers[BUNDLE_KEY_HEADER];
      if (res.status === 304) {
        backoff.succeed();
        // The control plane signs with a newer key than the enforced bundle's: learn it
        // through its endorsement, then ask for the bundle again (signed by it), so the
        // saved copy does not outlive the old key's grace period.
        if (typeof activeKey === "string" && activeKey !== signedBy) {
          if (pins.trusted(activeKey, new Date()) !== undefined || (await learnKeys()))
            etag = undefined;
        }
        // A control plane that answers "unchanged" at once (shutting down, or not holding
        // polls) must not be asked again in a tight loop.
        if (now() - asked < MIN_POLL_MS) await sleep(MIN_POLL_MS, signal);
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
      let bundle: PolicyBundle;
      const signature = signatureOf(res.body);
      try {
        bundle = parseBundle(res.body, "bundle");
        // A key not pinned yet may be a rotation's: learn it if a pinned key endorsed it.
        // Whatever the key list says, only the check below decides.
        if (signature !== undefined && pins.trusted(signature.keyId, new Date()) === undefined)
          await learnKeys().catch((e) => events.onError(e));
        verifyBundleSignature(
          bundle,
          signature,
          pins,
          { organization: options.organization, cluster: options.cluster },
          new Date(),
          "AGENT_BUNDLE_UNVERIFIED",
        );
      } catch (e) {
        if (e instanceof CustomsError && e.code === "AGENT_BUNDLE_INVALID") {
          etag = next;
          events.onInvalid(e, (res.body as { revision?: unknown } | undefined)?.revision);
          continue;
        }
        if (!(e instanceof CustomsError) || e.code !== "AGENT_BUNDLE_UNVERIFIED") throw e;
        // Not from the control plane the agent was installed for (or altered on the way):
        // nothing of it is used, its ETag is not adopted, and the next poll waits.
        events.onUnverified(e);
        await sleep(backoff.fail(e), signal);
        continue;
      }
      let applied: AppliedBundle;
      try {
        applied = verifyBundle(bundle, signature?.etag ?? next, "bundle", Date.now(), signature);
      } catch (e) {
        etag = next;
        const revision = (res.body as { revision?: unknown } | undefined)?.revision;
        if (e instanceof CustomsError) events.onInvalid(e, revision);
        else events.onInvalid(new CustomsError("AGENT_BUNDLE_INVALID", String(e)), revision);
        continue;
      }
      await events.onBundle(applied);
      etag = signature?.etag ?? next;
      signedBy = signature?.keyId;
    } catch (e) {
      if (signal.aborted) return;
      events.onError(e);
      await sleep(backoff.fail(e), signal);
    }
  }
}
