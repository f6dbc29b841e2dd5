/**
 * The corpus test's model of the API server (test/support/crd-schema.ts: ajv and
 * @bufbuild/cel over the CRD's openAPIV3Schema) against the API server itself: every document
 * of the corpus is created with a server-side dry run and strict field validation (what
 * `kubectl apply` asks for) on a real kube-apiserver holding the generated CRDs, and its
 * verdict must be the model's. So the in-process corpus, which holds the schema and the
 * validator together, speaks for Kubernetes.
 */
import { request } from "node:https";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildImagePolicyCrd, buildWorkspaceCrd } from "../../src/adapters/install/index.js";
import { crdChecker } from "../support/crd-schema.js";
import {
  type Case,
  mutations,
  policy,
  policyName,
  repositoryCases,
  spec,
  TABLE,
} from "../support/policy-corpus.js";
import { type Cluster, kubeAvailability, startCluster } from "./cluster.js";

const { skipReason } = kubeAvailability();
if (skipReason !== undefined) console.warn(`skipping the policy schema e2e: ${skipReason}`);

const model = {
  ImagePolicy: crdChecker(buildImagePolicyCrd()),
  Workspace: crdChecker(buildWorkspaceCrd()),
};

/** The API server's verdict: a dry-run create with strict field validation. */
function create(
  cluster: Cluster,
  doc: Record<string, unknown>,
): Promise<{ status: number; body: string }> {
  const plural = doc.kind === "Workspace" ? "workspaces" : "imagepolicies";
  const url = new URL(
    `/apis/customs.dev/v1alpha1/${plural}?dryRun=All&fieldValidation=Strict`,
    cluster.server,
  );
  const text = JSON.stringify(doc);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: "POST",
        ca: cluster.caPem,
        headers: {
          authorization: `Bearer ${cluster.token}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(text),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}

/** A few at a time: the API server is one process on a small machine. */
async function eachLimited<T>(items: readonly T[], limit: number, f: (t: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await f(items[next++] as T);
    }),
  );
}

describe.skipIf(skipReason !== undefined)("the model of the API server's schema check", () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ controllerManager: false });
    const crds = {
      apiVersion: "v1",
      kind: "List",
      items: [buildImagePolicyCrd(), buildWorkspaceCrd()],
    };
    const applied = await cluster.kubectl(["apply", "-f", "-"], { input: JSON.stringify(crds) });
    if (applied.code !== 0) throw new Error(`the CRDs were refused: ${applied.stderr}`);
    const ready = await cluster.kubectl([
      "wait",
      "--for=condition=Established",
      "crd/imagepolicies.customs.dev",
      "crd/workspaces.customs.dev",
      "--timeout=60s",
    ]);
    if (ready.code !== 0) throw new Error(ready.stderr);
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it("answers every document of the corpus as the API server does", async () => {
    const generated = fc
      .sample(fc.tuple(spec, policyName), { numRuns: 300, seed: 20260101 })
      .map(([s, name], i): Case => ({ name: `generated ${i}`, doc: policy(s, name) }));
    const cases = [...TABLE, ...mutations(), ...repositoryCases(), ...generated];
    const disagree: string[] = [];
    let accepted = 0;
    await eachLimited(cases, 8, async (c) => {
      const answer = await create(cluster, c.doc);
      if (answer.status >= 500 || answer.status === 0) {
        disagree.push(`${c.name}: the API server failed (${answer.status}): ${answer.body}`);
        return;
      }
      const server = answer.status < 300;
      if (server) accepted++;
      const check = c.doc.kind === "Workspace" ? model.Workspace : model.ImagePolicy;
      const modelled = check(c.doc);
      if (modelled.ok !== server) {
        disagree.push(
          `${c.name}: API server ${server ? "accepts" : `refuses (${answer.body.slice(0, 300)})`}, model ${modelled.ok ? "accepts" : `refuses (${modelled.errors.join("; ")})`}`,
        );
      }
    });
    expect(disagree).toEqual([]);
    // Both verdicts occur often enough for the comparison to mean something.
    expect(accepted).toBeGreaterThan(cases.length / 10);
    expect(cases.length - accepted).toBeGreaterThan(cases.length / 10);
  }, 600_000);
});
