import type { Logger } from "pino";
import { type ControlPlaneClient, sleep } from "../../adapters/control-plane/index.js";
import {
  KubeClient,
  type KubeConnection,
  serviceAccountTokenSource,
} from "../../adapters/kube/index.js";
import { CustomsError, isCustomsError } from "../../core/errors.js";
import { Backoff } from "./backoff.js";
import { refusedBy } from "./refused.js";

export interface RegisterOptions {
  readonly client: ControlPlaneClient;
  readonly kube: KubeClient | undefined;
  readonly agentVersion: string;
  /** The cluster the saved bundle was delivered for, if one was read back. */
  readonly savedCluster: string | undefined;
  readonly clusterNameCheck: boolean;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

/**
 * `POST /api/v1/agent/register`, retried with backoff until it succeeds (undefined when
 * stopped first). With --cluster-name-check a token of another cluster than the saved
 * bundle's is fatal (USAGE): it would replace one cluster's policies with another's.
 */
export async function register(
  o: RegisterOptions,
): Promise<{ cluster: string; organization: string } | undefined> {
  const { client, logger, signal } = o;
  const backoff = new Backoff();
  const kubernetesVersion = await kubeVersion(o.kube);
  while (!signal.aborted) {
    try {
      const res = await client.call("POST", "/api/v1/agent/register", {
        body: { agentVersion: o.agentVersion, ...(kubernetesVersion ? { kubernetesVersion } : {}) },
        timeoutMs: 15_000,
        signal,
      });
      if (res.status >= 300) throw refusedBy("POST /api/v1/agent/register", res.status, res.body);
      const me = res.body as { cluster: string; organization: string };
      const saved = o.savedCluster;
      if (saved !== undefined && saved !== me.cluster) {
        const message = `the token belongs to cluster "${me.cluster}" but the saved policies are cluster "${saved}"'s`;
        if (o.clusterNameCheck)
          throw new CustomsError("USAGE", `${message} (--cluster-name-check)`);
        logger.warn({ cluster: me.cluster, saved }, message);
      }
      logger.info(me, "registered with the control plane");
      return me;
    } catch (e) {
      if (isCustomsError(e) && e.code === "USAGE") throw e;
      if (signal.aborted) return undefined;
      logger.warn(why(e), "control plane unreachable; enforcing the last policies");
      await sleep(backoff.fail(e), signal);
    }
  }
  return undefined;
}

/** A client for the cluster; in a pod the projected token is re-read per request (it rotates). */
export function kubeClient(connection: KubeConnection, inCluster: boolean): KubeClient {
  if (!inCluster) return new KubeClient(connection);
  return new KubeClient(connection, serviceAccountTokenSource(connection.token));
}

async function kubeVersion(kube: KubeClient | undefined): Promise<string | undefined> {
  try {
    const v = await kube?.get("/version");
    return typeof v?.gitVersion === "string" ? v.gitVersion : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Log fields of an error: the error itself, which pino serializes with its stack and cause,
 * and its code when it has one. Messages and stacks hold no token: the client never puts one
 * in an error.
 */
export function why(e: unknown): { err: unknown; code?: string } {
  return isCustomsError(e) ? { err: e, code: e.code } : { err: e };
}
