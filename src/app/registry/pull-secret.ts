import { KubeClient, type KubeConnection, KubeError } from "../../adapters/kube/index.js";
import {
  type ServiceAccountState,
  toServiceAccountState,
} from "../../adapters/registry-bundle/index.js";
import { CustomsError } from "../../core/errors.js";

/** The state of a namespace that has no `default` ServiceAccount yet. */
const NONE: ServiceAccountState = { resourceVersion: undefined, imagePullSecrets: [] };

function hint(namespace: string): string {
  return (
    "check that the kubeconfig's user may read it, or let kubectl read it: " +
    `--service-account-file <(kubectl get serviceaccount default -n ${namespace} -o json)`
  );
}

/**
 * Reads the `default` ServiceAccount of a namespace through a kubeconfig's connection, for
 * `registry pull-secret --attach` to merge into. A missing ServiceAccount (a namespace the
 * controller has not reached yet) is an empty one; anything else that keeps us from seeing
 * the live list is an error, because guessing it would clobber it on apply.
 */
export async function readDefaultServiceAccount(
  connection: KubeConnection,
  namespace: string,
): Promise<ServiceAccountState> {
  const client = new KubeClient(connection);
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/default`;
  try {
    const object = await client.get(path);
    if (object === undefined) return NONE;
    const state = toServiceAccountState(object);
    if (typeof state === "string")
      throw new CustomsError("CLUSTER_READ_FAILED", `GET ${path}: ${state}`);
    return state;
  } catch (e) {
    // A KubeError is one too, but says less than CLUSTER_READ_FAILED with its hint.
    if (e instanceof CustomsError && !(e instanceof KubeError)) throw e;
    const denied = e instanceof KubeError && (e.status === 401 || e.status === 403);
    const message = e instanceof Error ? e.message : String(e);
    throw new CustomsError(
      "CLUSTER_READ_FAILED",
      `reading ServiceAccount ${namespace}/default: ${message}${denied ? `; ${hint(namespace)}` : ""}`,
    );
  } finally {
    client.close();
  }
}
