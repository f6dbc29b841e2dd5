import { readFileSync } from "node:fs";
import {
  type Informer,
  KubeClient,
  type KubeConnection,
  type KubeObject,
  SERVICE_ACCOUNT_TOKEN_FILE,
  startInformer,
} from "../adapters/kube/index.js";
import { re2Engine } from "../adapters/re2/index.js";
import { createEvaluator, type Evaluator } from "../core/evaluate/index.js";
import {
  compilePolicySet,
  type ImagePolicy,
  type PolicyIssue,
  validateDocument,
  type Workspace,
} from "../core/policy/index.js";
import type { NamespaceCache } from "./namespaces.js";

export const IMAGE_POLICIES_PATH = "/apis/customs.dev/v1alpha1/imagepolicies";
export const WORKSPACES_PATH = "/apis/customs.dev/v1alpha1/workspaces";
export const NAMESPACES_PATH = "/api/v1/namespaces";

export interface ClusterSourceEvents {
  onPolicies(evaluator: Evaluator, count: { policies: number; workspaces: number }): void;
  onInvalid(name: string, issues: readonly PolicyIssue[]): void;
  onError(e: unknown): void;
}

export interface ClusterSource {
  readonly synced: Promise<void>;
  stop(): void;
}

function validated(objects: KubeObject[], events: ClusterSourceEvents) {
  const policies: ImagePolicy[] = [];
  const workspaces: Workspace[] = [];
  for (const o of objects) {
    const origin = { source: `${o.kind ?? "object"}/${o.metadata.name}`, index: 0 };
    const r = validateDocument(o, origin, { regex: re2Engine, now: Date.now() });
    if (r.kind === "ImagePolicy") policies.push(r.policy);
    else if (r.kind === "Workspace") workspaces.push(r.workspace);
    else events.onInvalid(o.metadata.name, r.issues);
  }
  return { policies, workspaces };
}

/**
 * ImagePolicies and Workspaces from the cluster's CRDs, namespace labels from a watch of
 * Namespaces. A new evaluator is compiled on every change. An object the CRD schema let
 * through but validation refuses is reported (never silently dropped) and left out.
 */
export function startClusterSource(
  connection: KubeConnection,
  namespaces: NamespaceCache | undefined,
  events: ClusterSourceEvents,
  watchPolicies = true,
): ClusterSource {
  // Projected service account tokens rotate: read the file on each request when in a pod.
  const tokenSource = () => {
    try {
      return readFileSync(SERVICE_ACCOUNT_TOKEN_FILE, "utf8").trim();
    } catch {
      return connection.token;
    }
  };
  const client = new KubeClient(
    connection,
    connection.token && !connection.cert ? tokenSource : undefined,
  );
  const informers: Informer[] = [];
  if (watchPolicies) {
    let policyObjects: KubeObject[] = [];
    let workspaceObjects: KubeObject[] = [];
    let ready = 0;
    const rebuild = () => {
      if (ready < 2) return;
      const withKind = (kind: string) => (o: KubeObject) => ({
        apiVersion: "customs.dev/v1alpha1",
        ...o,
        kind,
      });
      const { policies, workspaces } = validated(
        [
          ...policyObjects.map(withKind("ImagePolicy")),
          ...workspaceObjects.map(withKind("Workspace")),
        ],
        events,
      );
      events.onPolicies(createEvaluator(compilePolicySet(policies, workspaces, re2Engine)), {
        policies: policies.length,
        workspaces: workspaces.length,
      });
    };
    const first = { policies: true, workspaces: true };
    informers.push(
      startInformer(
        client,
        IMAGE_POLICIES_PATH,
        (items) => {
          policyObjects = items;
          if (first.policies) ready++;
          first.policies = false;
          rebuild();
        },
        events.onError,
      ),
      startInformer(
        client,
        WORKSPACES_PATH,
        (items) => {
          workspaceObjects = items;
          if (first.workspaces) ready++;
          first.workspaces = false;
          rebuild();
        },
        events.onError,
      ),
    );
  }
  if (namespaces !== undefined) {
    const known = new Set<string>();
    informers.push(
      startInformer(
        client,
        NAMESPACES_PATH,
        (items) => {
          const now = new Set<string>();
          for (const ns of items) {
            now.add(ns.metadata.name);
            namespaces.set(ns.metadata.name, ns.metadata.labels ?? {});
          }
          for (const name of known) if (!now.has(name)) namespaces.delete(name);
          known.clear();
          for (const name of now) known.add(name);
        },
        events.onError,
      ),
    );
  }
  return {
    synced: Promise.all(informers.map((i) => i.synced)).then(() => undefined),
    stop() {
      for (const i of informers) i.stop();
      client.close();
    },
  };
}
