import type { KubeClient } from "../../adapters/kube/index.js";
import type { Evaluator } from "../../core/evaluate/index.js";
import { extractResources } from "../../core/workload/index.js";
import type { NamespaceDirectory } from "../webhook/index.js";
import { toViolationReports, type ViolationReport } from "./reports.js";

const PODS_PATH = "/api/v1/pods";
const PAGE = 500;

/**
 * One audit pass: every Pod of the cluster, page by page, decided with the policies enforced
 * now. Pods are what runs, whatever created them, so they are the honest inventory; their
 * owners (Deployments and so on) are judged at admission.
 */
export async function auditPods(
  client: KubeClient,
  evaluator: Evaluator,
  namespaces: NamespaceDirectory,
  time: Date,
): Promise<{ pods: number; reports: ViolationReport[] }> {
  const reports: ViolationReport[] = [];
  let pods = 0;
  let token: string | undefined;
  do {
    const query = `?limit=${PAGE}${token === undefined ? "" : `&continue=${encodeURIComponent(token)}`}`;
    const page = await client.list(`${PODS_PATH}${query}`);
    for (const pod of page.items) {
      pods++;
      const extracted = extractResources({ apiVersion: "v1", kind: "Pod", ...pod });
      for (const w of extracted.workloads) {
        const namespace = w.namespace || "default";
        const decision = evaluator.evaluate(namespaces.facts(namespace), w.containers, w);
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
    token = page.continue;
  } while (token !== undefined);
  return { pods, reports };
}
