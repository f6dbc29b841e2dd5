/**
 * `customs registry pull-secret --attach | kubectl apply -f -` against a real API server and
 * the real kubectl (docs/registry.md, "Pull from it"). A ServiceAccount's imagePullSecrets is
 * an atomic list, so applying a ServiceAccount that names only the new secret drops the
 * others; --attach reads the live list and prints it merged, with the resourceVersion it read.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customs } from "../support/cli.js";
import {
  type Cluster,
  eventually,
  type KubectlResult,
  kubeAvailability,
  startCluster,
} from "./cluster.js";

const { skipReason } = kubeAvailability();
if (skipReason !== undefined) console.warn(`skipping the pull-secret e2e suite: ${skipReason}`);

function ok(result: KubectlResult): string {
  if (result.code !== 0) throw new Error(`kubectl failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

describe.skipIf(skipReason !== undefined)("pull-secret --attach on a real cluster", () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ log: (line) => console.log(`[cluster] ${line}`) });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  /** A namespace whose default ServiceAccount (made by the controller) names `mirror`. */
  async function namespaceWithMirror(namespace: string): Promise<void> {
    ok(await cluster.kubectl(["create", "namespace", namespace]));
    await eventually(`ServiceAccount ${namespace}/default`, async () => {
      const r = await cluster.kubectl(["get", "serviceaccount", "default", "-n", namespace]);
      return r.code === 0 ? true : undefined;
    });
    const patch = JSON.stringify({ imagePullSecrets: [{ name: "mirror" }] });
    ok(await cluster.kubectl(["patch", "serviceaccount", "default", "-n", namespace, "-p", patch]));
  }

  async function pullSecrets(namespace: string): Promise<string[]> {
    const sa = JSON.parse(
      ok(
        await cluster.kubectl(["get", "serviceaccount", "default", "-n", namespace, "-o", "json"]),
      ),
    ) as { imagePullSecrets?: { name: string }[] };
    return (sa.imagePullSecrets ?? []).map((entry) => entry.name);
  }

  function attach(namespace: string): string {
    const r = customs([
      "registry",
      "pull-secret",
      "--server",
      "registry.example.com",
      "--username",
      "puller",
      "--password",
      "p",
      "--namespace",
      namespace,
      "--attach",
      "--kubeconfig",
      cluster.kubeconfig,
    ]);
    if (r.status !== 0) throw new Error(`customs failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  }

  it("premise: kubectl apply replaces a ServiceAccount's imagePullSecrets whole", async () => {
    await namespaceWithMirror("premise");
    const naive = `apiVersion: v1
kind: ServiceAccount
metadata: { name: default, namespace: premise }
imagePullSecrets: [{ name: regcred }]
`;
    ok(await cluster.kubectl(["apply", "-f", "-"], { input: naive }));
    expect(await pullSecrets("premise")).toEqual(["regcred"]);
  });

  it("keeps the other pull secrets, and applying it twice changes nothing", async () => {
    await namespaceWithMirror("team-a");
    ok(await cluster.kubectl(["apply", "-f", "-"], { input: attach("team-a") }));
    expect(await pullSecrets("team-a")).toEqual(["mirror", "regcred"]);
    ok(await cluster.kubectl(["get", "secret", "regcred", "-n", "team-a"]));

    ok(await cluster.kubectl(["apply", "-f", "-"], { input: attach("team-a") }));
    expect(await pullSecrets("team-a")).toEqual(["mirror", "regcred"]);
  });

  it("fails the apply, not someone else's entry, when the ServiceAccount changed since", async () => {
    await namespaceWithMirror("team-b");
    const printed = attach("team-b");
    const late = JSON.stringify({ imagePullSecrets: [{ name: "mirror" }, { name: "late" }] });
    ok(await cluster.kubectl(["patch", "serviceaccount", "default", "-n", "team-b", "-p", late]));

    const r = await cluster.kubectl(["apply", "-f", "-"], { input: printed });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/modified|conflict/i);
    expect(await pullSecrets("team-b")).toEqual(["mirror", "late"]);

    ok(await cluster.kubectl(["apply", "-f", "-"], { input: attach("team-b") }));
    expect(await pullSecrets("team-b")).toEqual(["mirror", "late", "regcred"]);
  });
});
