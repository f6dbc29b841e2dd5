import cluster from "node:cluster";

/** Whether this process is the first one (not a worker forked by `superviseWorkers`). */
export function isPrimaryProcess(): boolean {
  return cluster.isPrimary;
}

/**
 * Node runs JavaScript on one core: more cores means more processes on one port. The primary
 * forks `count` workers (each runs the whole server), replaces one that dies, and on SIGTERM
 * stops them all and leaves with the last.
 */
export function superviseWorkers(count: number): void {
  let stopping = false;
  for (let i = 0; i < count; i++) cluster.fork();
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGTERM");
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  cluster.on("exit", () => {
    if (!stopping) cluster.fork();
    else if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
}
