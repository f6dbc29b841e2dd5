/**
 * The agent's audit with --read-pull-secrets: require-pull-secret then checks that a secret a
 * running Pod names holds credentials for its image's registry. The Kubernetes API is played
 * by a list endpoint that pages its answers as the API server does (limit/continue), and
 * watches that stay open until the auditor stops.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/adapters/kube/index.js";
import { listPullSecrets } from "../../src/app/agent/audit.js";
import { type AuditKube, Auditor, type AuditPass } from "../../src/app/audit/index.js";
import { createEvaluator, toNamespaceFacts } from "../../src/core/evaluate/index.js";
import {
  compilePolicySet,
  type ImagePolicy,
  validateDocument,
} from "../../src/core/policy/index.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");

function pullSecret(namespace: string, name: string, hosts: string[]): KubeObject {
  const auths = Object.fromEntries(hosts.map((h) => [h, { auth: b64("user:pass") }]));
  return {
    metadata: { namespace, name },
    type: "kubernetes.io/dockerconfigjson",
    data: { ".dockerconfigjson": b64(JSON.stringify({ auths })) },
  } as unknown as KubeObject;
}

function pod(namespace: string, name: string, image: string, secrets: string[]): KubeObject {
  return {
    metadata: { namespace, name },
    spec: {
      imagePullSecrets: secrets.map((s) => ({ name: s })),
      containers: [{ name: "app", image }],
    },
  } as unknown as KubeObject;
}

/** A list endpoint over fixed objects, one item a page when asked for pages, recording every path asked. */
function cluster(objects: Record<string, KubeObject[]>) {
  const asked: string[] = [];
  const client = {
    async list(path: string) {
      asked.push(path);
      const url = new URL(path, "https://api.invalid");
      const key = `${url.pathname}${url.searchParams.has("fieldSelector") ? `?${url.searchParams.get("fieldSelector")}` : ""}`;
      const items = objects[key] ?? [];
      // Without `limit` the API server answers whole (the informers' lists).
      if (!url.searchParams.has("limit")) return { items, resourceVersion: "1" };
      const at = Number(url.searchParams.get("continue") ?? "0");
      const next = at + 1 < items.length ? { continue: String(at + 1) } : {};
      return { items: items.slice(at, at + 1), resourceVersion: "1", ...next };
    },
  };
  const kube: AuditKube = {
    list: client.list,
    get: async () => undefined,
    send: async () => ({ metadata: { name: "unused" } }),
    watch: (_path, _version, _onEvent, signal) =>
      new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        signal.addEventListener("abort", () => resolve(), { once: true });
      }),
  };
  return { client: kube, asked };
}

/** One audit pass over `client`, with or without the pull Secrets. */
async function auditOnce(client: AuditKube, pullSecrets: boolean): Promise<AuditPass> {
  let resolve: (p: AuditPass) => void = () => {};
  const passed = new Promise<AuditPass>((r) => {
    resolve = r;
  });
  const auditor = new Auditor({
    kube: client,
    namespaces,
    policies: () => ({ evaluator, revision: 1 }),
    policyReports: false,
    qps: 1_000,
    burst: 1_000,
    onPass: resolve,
    ...(pullSecrets
      ? {
          pullSecrets: async (kube: AuditKube) => {
            const index = await listPullSecrets(kube);
            return (w) => index.factsFor(w);
          },
        }
      : {}),
  });
  await auditor.start();
  const pass = await passed;
  await auditor.stop();
  return pass;
}

const policy = (() => {
  const r = validateDocument({
    apiVersion: "customs.dev/v1alpha1",
    kind: "ImagePolicy",
    metadata: { name: "private-needs-secret" },
    spec: {
      recipe: "require-pull-secret",
      input: { rules: [{ hostname: "registry.corp.example" }] },
    },
  });
  if (r.kind !== "ImagePolicy") throw new Error(JSON.stringify(r.issues));
  return r.policy as ImagePolicy;
})();
const evaluator = createEvaluator(compilePolicySet([policy], []));
const namespaces = { facts: (name: string) => toNamespaceFacts(name, {}) };

const objects = {
  "/api/v1/pods": [
    pod("team-a", "covered", "registry.corp.example/app:1", ["corp"]),
    pod("team-a", "wrong-secret", "registry.corp.example/app:1", ["ghcr"]),
    pod("team-a", "unknown-secret", "registry.corp.example/app:1", ["not-listed"]),
    pod("team-a", "no-secret", "registry.corp.example/app:1", []),
    pod("team-b", "other-namespace", "registry.corp.example/app:1", ["corp"]),
  ],
  "/api/v1/secrets?type=kubernetes.io/dockerconfigjson": [
    pullSecret("team-a", "corp", ["https://registry.corp.example"]),
    pullSecret("team-a", "ghcr", ["ghcr.io"]),
    pullSecret("team-b", "corp", ["ghcr.io"]),
  ],
};

const codesByPod = (pass: AuditPass) =>
  Object.fromEntries(
    pass.inventory.workloads.flatMap((w) =>
      w.results.filter((r) => r.result !== "pass").map((r) => [w.name, r.code]),
    ),
  );

describe("the agent's audit and pull Secrets", () => {
  it("with --read-pull-secrets, a named secret must hold credentials for the image's registry", async () => {
    const { client, asked } = cluster(objects);
    const pass = await auditOnce(client, true);
    expect(pass.workloads).toBe(5);
    expect(codesByPod(pass)).toEqual({
      "wrong-secret": "PULL_SECRET_NOT_FOR_REGISTRY",
      "no-secret": "PULL_SECRET_MISSING",
      // team-b's `corp` holds ghcr.io only: the namespace's own Secret counts, not team-a's.
      "other-namespace": "PULL_SECRET_NOT_FOR_REGISTRY",
    });
    // Both pull Secret types are listed, page by page, by field selector.
    const secretPaths = asked.filter((p) => p.startsWith("/api/v1/secrets"));
    expect(secretPaths.some((p) => p.includes("type%3Dkubernetes.io%2Fdockercfg"))).toBe(true);
    expect(secretPaths.filter((p) => p.includes("dockerconfigjson"))).toHaveLength(3);
  });

  it("without it, Secrets are never listed and a named secret counts by its name", async () => {
    const { client, asked } = cluster(objects);
    const pass = await auditOnce(client, false);
    expect(asked.filter((p) => p.startsWith("/api/v1/secrets"))).toEqual([]);
    expect(codesByPod(pass)).toEqual({ "no-secret": "PULL_SECRET_MISSING" });
  });
});
