import { DEFAULT_WATCH_BACKOFF, type WatchBackoff, watchBackoffDelay } from "./backoff.js";
import { type KubeClient, KubeError, type KubeObject } from "./client.js";

export interface Informer {
  /** Resolves after the first full list. */
  readonly synced: Promise<void>;
  items(): KubeObject[];
  stop(): void;
}

export interface InformerOptions {
  readonly backoff?: WatchBackoff;
  /** A watch that stayed up this long shows the server is healthy again: failures start over. */
  readonly resetAfterMs?: number;
  /** Milliseconds, monotonic enough to time a watch. */
  readonly now?: () => number;
  /** In [0, 1), for the jitter. */
  readonly random?: () => number;
  /** Waits `ms`, or less when `signal` aborts. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * The key of an object in the copy: its name by default (cluster-scoped resources); a list
   * of namespaced objects across namespaces needs `namespace/name`.
   */
  readonly key?: (o: KubeObject) => string;
}

/** `namespace/name`: the key of namespaced objects listed across namespaces. */
export function namespacedKey(o: KubeObject): string {
  const namespace = (o.metadata as { namespace?: string }).namespace ?? "";
  return `${namespace}/${o.metadata.name}`;
}

/** A watch that ends this soon with no event was cut, not timed out by the server. */
const SHORT_WATCH_MS = 1_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener("abort", done, { once: true });
  });
}

/** How one watch ended. */
type WatchEnd =
  | { kind: "closed"; events: number }
  | { kind: "gone" }
  | { kind: "failed"; error: unknown };

/**
 * List, then watch, forever: keeps a copy of every object of one resource and calls
 * `onChange` after each change.
 *
 * - A watch the server closes (they time out by design) is opened again at once from the
 *   last resourceVersion seen.
 * - 410 Gone (that version was compacted away) lists again at once, so the copy converges
 *   on the server's state.
 * - A failed list or watch, an ERROR event, a watch cut within a second with no event, and a
 *   410 on the first watch after a list all wait a jittered, growing delay (backoff.ts)
 *   before the next try; a watch that stayed up `resetAfterMs` starts the delays over.
 */
export function startInformer(
  client: Pick<KubeClient, "list" | "watch">,
  path: string,
  onChange: (items: KubeObject[]) => void,
  onError: (e: unknown) => void,
  options: InformerOptions = {},
): Informer {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const wait = options.sleep ?? sleep;
  const backoff = options.backoff ?? DEFAULT_WATCH_BACKOFF;
  const resetAfterMs = options.resetAfterMs ?? 30_000;
  const keyOf = options.key ?? ((o: KubeObject) => o.metadata.name);
  const objects = new Map<string, KubeObject>();
  const controller = new AbortController();
  const { signal } = controller;
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => {
    markSynced = resolve;
  });
  const items = () => [...objects.values()];
  let failures = 0;
  let resourceVersion: string | undefined;

  const fail = async (e: unknown) => {
    onError(e);
    await wait(watchBackoffDelay(failures++, random, backoff), signal);
  };

  const list = async () => {
    const listed = await client.list(path);
    objects.clear();
    for (const o of listed.items) objects.set(keyOf(o), o);
    onChange(items());
    markSynced();
    resourceVersion = listed.resourceVersion;
  };

  const watch = async (from: string): Promise<WatchEnd> => {
    let events = 0;
    let end: WatchEnd | undefined;
    try {
      await client.watch(
        path,
        from,
        (e) => {
          events++;
          if (e.type === "ERROR") {
            end ??=
              e.object.code === 410
                ? { kind: "gone" }
                : {
                    kind: "failed",
                    error: new KubeError(
                      `watch ${path}: ${JSON.stringify(e.object).slice(0, 200)}`,
                      e.object.code ?? 0,
                    ),
                  };
            return;
          }
          resourceVersion = e.object.metadata.resourceVersion ?? resourceVersion;
          if (e.type === "BOOKMARK") return;
          if (e.type === "DELETED") objects.delete(keyOf(e.object));
          else objects.set(keyOf(e.object), e.object);
          onChange(items());
        },
        signal,
      );
    } catch (error) {
      end ??=
        error instanceof KubeError && error.status === 410
          ? { kind: "gone" }
          : { kind: "failed", error };
    }
    return end ?? { kind: "closed", events };
  };

  const run = async () => {
    while (!signal.aborted) {
      const firstAfterList = resourceVersion === undefined;
      if (firstAfterList) {
        try {
          await list();
        } catch (e) {
          if (!signal.aborted) await fail(e);
          continue;
        }
      }
      const started = now();
      const end = await watch(resourceVersion as string);
      if (signal.aborted) return;
      await after(end, now() - started, firstAfterList);
    }
  };

  const after = async (end: WatchEnd, upMs: number, firstAfterList: boolean) => {
    if (upMs >= resetAfterMs) failures = 0;
    if (end.kind === "gone") {
      resourceVersion = undefined;
      // Gone right after a list: listing again at once would only repeat it.
      if (firstAfterList && upMs < resetAfterMs)
        await fail(new KubeError(`watch ${path}: 410 Gone right after a list`, 410));
    } else if (end.kind === "failed") await fail(end.error);
    else if (end.events === 0 && upMs < SHORT_WATCH_MS)
      await fail(new Error(`watch ${path}: closed after ${upMs} ms without an event`));
  };

  void run();
  return { synced, items, stop: () => controller.abort() };
}
