import type { KubeClient, KubeObject } from "../../adapters/kube/index.js";
import { readPullSecret } from "../../core/workload/index.js";
import { PullSecretIndex } from "../check/index.js";

const SECRETS_PATH = "/api/v1/secrets";
const PAGE = 500;
/** The Secret types a pod can pull with (kubernetes.io/dockerconfigjson and the older one). */
const PULL_SECRET_TYPES = ["kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg"];

/** Every object of a list path, page by page. */
async function* listAll(
  client: Pick<KubeClient, "list">,
  path: string,
): AsyncGenerator<KubeObject> {
  const join = path.includes("?") ? "&" : "?";
  let token: string | undefined;
  do {
    const query = `${join}limit=${PAGE}${token === undefined ? "" : `&continue=${encodeURIComponent(token)}`}`;
    const page = await client.list(`${path}${query}`);
    yield* page.items;
    token = page.continue;
  } while (token !== undefined);
}

/**
 * The registries each pull Secret of the cluster holds credentials for, by namespace and
 * name. Only the registry names are kept: the credentials are read (the API serves whole
 * Secrets) and dropped with each page.
 */
export async function listPullSecrets(client: Pick<KubeClient, "list">): Promise<PullSecretIndex> {
  const index = new PullSecretIndex("default");
  for (const type of PULL_SECRET_TYPES) {
    const path = `${SECRETS_PATH}?fieldSelector=${encodeURIComponent(`type=${type}`)}`;
    for await (const secret of listAll(client, path)) {
      const doc = readPullSecret({ apiVersion: "v1", kind: "Secret", ...secret });
      if (doc !== undefined) index.add([doc], []);
    }
  }
  return index;
}
