/**
 * The agent's audit with --read-pull-secrets: require-pull-secret then checks that a secret a
 * running Pod names holds credentials for its image's registry. The Kubernetes API is played
 * by a list endpoint that pages its answers as the API server does (limit/continue).
 */
import { describe, expect, it } from "vitest";
import type { KubeClient, KubeObject } from "../../src/adapters/kube/index.js";
import { auditPods } from "../../src/app/agent/audit.js";
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

/** A list endpoint over fixed objects, one item a page, recording every path asked. */
function cluster(objects: Record<string, KubeObject[]>) {
  const asked: string[] = [];
  const client = {
    async list(path: string) {
      asked.push(path);
      const url = new URL(path, "https://api.invalid");
      const key = `${url.pathname}${url.searchParams.has("fieldSelector") ? `?${url.searchParams.get("fieldSelector")}` : ""}`;
      const items = objects[key] ?? [];
      const at = Number(url.searchParams.get("continue") ?? "0");
      const next = at + 1 < items.length ? { continue: String(at + 1) } : {};
      return { items: items.slice(at, at + 1), resourceVersion: "1", ...next };
    },
  };
  return { client: client as unknown as KubeClient, asked };
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

const codesByPod = (reports: readonly { namespace: string; name: string; code: string }[]) =>
  Object.fromEntries(reports.map((r) => [r.name, r.code]));

describe("the agent's audit and pull Secrets", () => {
  it("with --read-pull-secrets, a named secret must hold credentials for the image's registry", async () => {
    const { client, asked } = cluster(objects);
    const { pods, reports } = await auditPods(client, evaluator, namespaces, new Date(0), {
      pullSecrets: true,
    });
    expect(pods).toBe(5);
    expect(codesByPod(reports)).toEqual({
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
    const { reports } = await auditPods(client, evaluator, namespaces, new Date(0));
    expect(asked.filter((p) => p.startsWith("/api/v1/secrets"))).toEqual([]);
    expect(codesByPod(reports)).toEqual({ "no-secret": "PULL_SECRET_MISSING" });
  });
});
