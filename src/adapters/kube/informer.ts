import { type KubeClient, KubeError, type KubeObject } from "./client.js";

export interface Informer {
  /** Resolves after the first full list. */
  readonly synced: Promise<void>;
  items(): KubeObject[];
  stop(): void;
}

/**
 * List, then watch, forever: keeps a copy of every object of one resource and calls
 * `onChange` after each change. A 410 Gone (history compacted) or any error re-lists after
 * a backoff, so the copy converges on the server's state.
 */
export function startInformer(
  client: KubeClient,
  path: string,
  onChange: (items: KubeObject[]) => void,
  onError: (e: unknown) => void,
): Informer {
  const objects = new Map<string, KubeObject>();
  const controller = new AbortController();
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => {
    markSynced = resolve;
  });
  const items = () => [...objects.values()];
  const run = async () => {
    let backoff = 500;
    while (!controller.signal.aborted) {
      try {
        const list = await client.list(path);
        objects.clear();
        for (const o of list.items) objects.set(o.metadata.name, o);
        onChange(items());
        markSynced();
        backoff = 500;
        let resourceVersion = list.resourceVersion;
        for (;;) {
          let gone = false;
          await client.watch(
            path,
            resourceVersion,
            (e) => {
              if (e.type === "ERROR") {
                gone = e.object.code === 410;
                if (!gone)
                  onError(
                    new KubeError(
                      `watch ${path}: ${JSON.stringify(e.object).slice(0, 200)}`,
                      e.object.code ?? 0,
                    ),
                  );
                return;
              }
              resourceVersion = e.object.metadata.resourceVersion ?? resourceVersion;
              if (e.type === "BOOKMARK") return;
              if (e.type === "DELETED") objects.delete(e.object.metadata.name);
              else objects.set(e.object.metadata.name, e.object);
              onChange(items());
            },
            controller.signal,
          );
          if (gone || controller.signal.aborted) break;
        }
      } catch (e) {
        if (controller.signal.aborted) return;
        onError(e);
        await new Promise((r) => setTimeout(r, backoff).unref());
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  };
  void run();
  return { synced, items, stop: () => controller.abort() };
}
