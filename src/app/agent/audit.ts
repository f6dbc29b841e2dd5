import type { KubeClient, KubeObject } from "../../adapters/kube/index.js";
import type { Evaluator } from "../../core/evaluate/index.js";
import { extractResources, readPullSecret } from "../../core/workload/index.js";
import { PullSecretIndex } from "../check/index.js";
import type { NamespaceDirectory } from "../webhook/index.js";
import { toViolationReports, type ViolationReport } from "./reports.js";

const PODS_PATH = "/api/v1/pods";
const SECRETS_PATH = "/api/v1/secrets";
const PAGE = 500;
/** The Secret types a pod can pull with (kubernetes.io/dockerconfigjson and the older one). */
const PULL_SECRET_TYPES = ["kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg"];

/** Every object of a list path, page by page. */
async function* listAll(client: KubeClient, path: string): AsyncGenerator<KubeObject> {
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
export async function listPullSecrets(client: KubeClient): Promise<PullSecretIndex> {
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

export interface AuditOptions {
  /**
   * Read the pull Secrets (`--read-pull-secrets`): require-pull-secret then also checks that a
   * secret a Pod names holds credentials for its image's registry. Off by default, because
   * it needs the right to list every Secret of the cluster.
   */
  readonly pullSecrets?: boolean;
}

/**
 * One audit pass: every Pod of the cluster, page by page, decided with the policies enforced
 * now. Pods are what runs, whatever created them, so they are the honest inventory; their
 * owners (Deployments and so on) are judged at admission. A Pod already carries its
 * ServiceAccount's imagePullSecrets (the API server merged them in when it was created).
 */
export async function auditPods(
  client: KubeClient,
  evaluator: Evaluator,
  namespaces: NamespaceDirectory,
  time: Date,
  options: AuditOptions = {},
): Promise<{ pods: number; reports: ViolationReport[] }> {
  const secrets = options.pullSecrets === true ? await listPullSecrets(client) : undefined;
  const reports: ViolationReport[] = [];
  let pods = 0;
  for await (const pod of listAll(client, PODS_PATH)) {
    pods++;
    const extracted = extractResources({ apiVersion: "v1", kind: "Pod", ...pod });
    for (const w of extracted.workloads) {
      const namespace = w.namespace || "default";
      const context =
        secrets === undefined ? w : { ...w, pullSecrets: secrets.factsFor({ ...w, namespace }) };
      const decision = evaluator.evaluate(namespaces.facts(namespace), w.containers, context);
      if (decision.violations.length === 0) continue;
      reports.push(
        ...toViolationReports(
          decision.violations,
          { kind: "Pod", namespace, name: w.name },
          "audit",
          time,
        ),
      );
    }
  }
  return { pods, reports };
}
