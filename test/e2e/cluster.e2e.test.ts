/**
 * Proves the e2e harness (test/e2e/cluster.ts): a real API server stores objects, the real
 * controller manager turns a Deployment into a ReplicaSet and Pods, and the real admission
 * chain enforces a ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Cluster,
  eventually,
  type KubectlResult,
  kubeAvailability,
  startCluster,
} from "./cluster.js";

const { skipReason } = kubeAvailability();
if (skipReason !== undefined) console.warn(`skipping the Kubernetes e2e suite: ${skipReason}`);

function ok(result: KubectlResult): string {
  if (result.code !== 0) throw new Error(`kubectl failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

const POLICY = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: deny-busybox
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["pods"]
  validations:
  - expression: "object.spec.containers.all(c, c.image != 'busybox')"
    message: "customs-e2e: busybox is not allowed here"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: deny-busybox
spec:
  policyName: deny-busybox
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: x
`;

describe.skipIf(skipReason !== undefined)("a real control plane", () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ log: (line) => console.log(`[cluster] ${line}`) });
    console.log(`[cluster] Kubernetes ${cluster.version} up in ${cluster.startupMs} ms`);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it("serves the API with the built version", async () => {
    const version = JSON.parse(ok(await cluster.kubectl(["version", "-o", "json"])));
    expect(version.serverVersion.gitVersion).toBe(cluster.version);
    expect(version.clientVersion.gitVersion).toBe(cluster.version);
    const resources = ok(
      await cluster.kubectl(["api-resources", "--api-group=admissionregistration.k8s.io"]),
    );
    expect(resources).toContain("validatingadmissionpolicies");
  });

  it("runs controllers: a Deployment gets a ReplicaSet and a Pod", async () => {
    ok(await cluster.kubectl(["create", "namespace", "x"]));
    ok(await cluster.kubectl(["create", "deployment", "web", "--image=nginx", "-n", "x"]));
    const replicaSet = await eventually("a ReplicaSet of web", async () => {
      const out = ok(
        await cluster.kubectl(["get", "rs", "-n", "x", "-l", "app=web", "-o", "name"]),
      );
      return out.trim() === "" ? undefined : out.trim();
    });
    expect(replicaSet).toMatch(/^replicaset\.apps\/web-/);
    const pod = await eventually("a Pod of web", async () => {
      const out = ok(
        await cluster.kubectl(["get", "pods", "-n", "x", "-l", "app=web", "-o", "json"]),
      );
      return JSON.parse(out).items[0];
    });
    expect(pod.spec.containers[0].image).toBe("nginx");
    // No scheduler and no kubelet: the Pod waits forever.
    expect(pod.status.phase).toBe("Pending");
  });

  it("enforces a ValidatingAdmissionPolicy", async () => {
    ok(await cluster.kubectl(["apply", "-f", "-"], { input: POLICY }));
    // A new policy takes effect once the API server's informers have seen it (about a
    // second): ask with server-side dry runs until it answers.
    await eventually("the policy to be enforced", async () => {
      const dryRun = await cluster.kubectl([
        "run",
        "probe",
        "--image=busybox",
        "-n",
        "x",
        "--dry-run=server",
      ]);
      return dryRun.code !== 0 ? dryRun : undefined;
    });

    const denied = await cluster.kubectl(["run", "b", "--image=busybox", "-n", "x"]);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain("customs-e2e: busybox is not allowed here");
    expect(denied.stderr).toContain("ValidatingAdmissionPolicy 'deny-busybox'");

    ok(await cluster.kubectl(["run", "n", "--image=nginx", "-n", "x"]));
    const pods = ok(await cluster.kubectl(["get", "pods", "-n", "x", "-o", "name"]));
    expect(pods).toContain("pod/n");
    expect(pods).not.toContain("pod/b");
  });
});
