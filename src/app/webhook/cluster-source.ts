import {
  type Informer,
  KubeClient,
  type KubeConnection,
  KubeError,
  type KubeObject,
  serviceAccountTokenSource,
  startInformer,
} from "../../adapters/kube/index.js";
import { re2Engine } from "../../adapters/re2/index.js";
import { createEvaluator, type Evaluator } from "../../core/evaluate/index.js";
import {
  checkExtensions,
  compilePolicySet,
  EXCEPTION_KIND,
  type ImagePolicy,
  type ImagePolicyException,
  type PolicyIssue,
  validateDocument,
  type Workspace,
} from "../../core/policy/index.js";
import type { NamespaceCache } from "./namespaces.js";

export const IMAGE_POLICIES_PATH = "/apis/customs.dev/v1alpha1/imagepolicies";
export const WORKSPACES_PATH = "/apis/customs.dev/v1alpha1/workspaces";
export const EXCEPTIONS_PATH = "/apis/customs.dev/v1alpha1/imagepolicyexceptions";
export const NAMESPACES_PATH = "/api/v1/namespaces";

export interface ClusterSourceEvents {
  /** `invalid`: the names of the objects left out, every time (not only the new ones). */
  onPolicies(
    evaluator: Evaluator,
    count: {
      policies: number;
      workspaces: number;
      exceptions?: number;
      invalid: readonly string[];
    },
  ): void;
  onInvalid(name: string, issues: readonly PolicyIssue[]): void;
  onError(e: unknown): void;
}

export interface ClusterSource {
  readonly synced: Promise<void>;
  stop(): void;
}

/** Validates the objects of the cluster, each alone and then as a set (extensions). */
export function validated(
  objects: KubeObject[],
  events: Pick<ClusterSourceEvents, "onInvalid">,
  status?: StatusWriter,
) {
  const policies: ImagePolicy[] = [];
  const workspaces: Workspace[] = [];
  const exceptions: ImagePolicyException[] = [];
  const invalid: string[] = [];
  const results: { o: KubeObject; issues: readonly PolicyIssue[] | undefined }[] = [];
  for (const o of objects) {
    const origin = { source: `${o.kind ?? "object"}/${o.metadata.name}`, index: 0 };
    const r = validateDocument(o, origin, { regex: re2Engine, now: Date.now() });
    if (r.kind === "ImagePolicy") policies.push(r.policy);
    else if (r.kind === "Workspace") workspaces.push(r.workspace);
    else if (r.kind === EXCEPTION_KIND) exceptions.push(r.exception);
    else {
      invalid.push(`${o.kind}/${o.metadata.name}`);
      events.onInvalid(o.metadata.name, r.issues);
    }
    if (o.kind === "ImagePolicy" || o.kind === EXCEPTION_KIND)
      results.push({ o, issues: r.kind === "invalid" ? r.issues : undefined });
  }
  // An extension whose parent is missing, not extensible or of another recipe is left out
  // like any invalid policy (which only narrows what is allowed), and says why in its status.
  const refused = new Map<string, PolicyIssue[]>();
  for (const i of checkExtensions(policies).issues) {
    const list = refused.get(i.policy) ?? [];
    list.push({ severity: "error", code: "POLICY_INVALID", path: i.path, message: i.message });
    refused.set(i.policy, list);
  }
  for (const [name, issues] of refused) {
    invalid.push(`ImagePolicy/${name}`);
    events.onInvalid(name, issues);
  }
  for (const { o, issues } of results) status?.(o, issues ?? refused.get(o.metadata.name));
  return {
    policies: policies.filter((p) => !refused.has(p.name)),
    workspaces,
    exceptions,
    invalid,
  };
}

export type StatusWriter = (o: KubeObject, issues: readonly PolicyIssue[] | undefined) => void;

/**
 * Writes each ImagePolicy's Ready condition when it differs from what the object holds: a
 * user who runs `kubectl get ipol` sees which policies are in force and, for those left
 * out, the field to fix. Our own write comes back as a watch event; it then matches, so
 * nothing is written again. A conflict (the object changed meanwhile) is left to the next
 * event, which brings the new version.
 */
function statusWriter(client: KubeClient, onError: (e: unknown) => void): StatusWriter {
  return (o, issues) => {
    const want = readyCondition(o, issues);
    const conditions = ((o.status as { conditions?: unknown[] } | undefined)?.conditions ??
      []) as Record<string, unknown>[];
    const ready = conditions.find((c) => c.type === "Ready");
    if (
      ready !== undefined &&
      ready.status === want.status &&
      ready.reason === want.reason &&
      ready.message === want.message &&
      ready.observedGeneration === want.observedGeneration
    ) {
      return;
    }
    const next = {
      ...o,
      status: {
        ...(o.status as object | undefined),
        conditions: [
          ...conditions.filter((c) => c.type !== "Ready"),
          {
            ...want,
            // The time of the last change of status, not of every write.
            lastTransitionTime:
              ready?.status === want.status && typeof ready.lastTransitionTime === "string"
                ? ready.lastTransitionTime
                : new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
          },
        ],
      },
    };
    const base = o.kind === EXCEPTION_KIND ? EXCEPTIONS_PATH : IMAGE_POLICIES_PATH;
    const path = `${base}/${encodeURIComponent(o.metadata.name)}/status`;
    client.send("PUT", path, next).catch((e: unknown) => {
      if (!(e instanceof KubeError && (e.status === 409 || e.status === 404))) onError(e);
    });
  };
}

/** Ready True, or Ready False with reason Invalid and every error with its field path. */
export function readyCondition(
  o: KubeObject,
  issues: readonly PolicyIssue[] | undefined,
): {
  type: "Ready";
  status: "True" | "False";
  reason: string;
  message: string;
  observedGeneration?: number;
} {
  const generation = (o.metadata as { generation?: unknown }).generation;
  const observed = typeof generation === "number" ? { observedGeneration: generation } : {};
  if (issues === undefined) {
    return { type: "Ready", status: "True", reason: "Valid", message: "in force", ...observed };
  }
  const errors = issues.filter((i) => i.severity === "error");
  const message = `left out: ${errors.map((i) => `${i.path || "(document)"}: ${i.message}`).join("; ")}`;
  return {
    type: "Ready",
    status: "False",
    reason: "Invalid",
    message: message.length > 4096 ? `${message.slice(0, 4095)}…` : message,
    ...observed,
  };
}

/**
 * A cluster installed before ImagePolicyExceptions existed has no such resource (Helm does
 * not add CRDs on upgrade): its list answers 404, which means no exception exists, so the
 * policies load without any (stricter, never looser). The watch keeps failing and retrying
 * with backoff, reported through onError, and picks exceptions up once the CRD is installed.
 */
function withoutMissingResource(client: KubeClient): Pick<KubeClient, "list" | "watch"> {
  return {
    list: async (path) => {
      try {
        return await client.list(path);
      } catch (e) {
        if (e instanceof KubeError && e.status === 404) return { items: [], resourceVersion: "" };
        throw e;
      }
    },
    watch: (path, from, onEvent, signal) => client.watch(path, from, onEvent, signal),
  };
}

/**
 * ImagePolicies and Workspaces from the cluster's CRDs, namespace labels from a watch of
 * Namespaces. A new evaluator is compiled on every change. An object the CRD schema and the
 * admission check let through (written before they existed, or while the webhook was
 * down) but validation refuses is reported, never silently dropped: logged, counted, and
 * with `writeStatus`, marked Ready False with the reason in its status; it is left out.
 */
export function startClusterSource(
  connection: KubeConnection,
  namespaces: NamespaceCache | undefined,
  events: ClusterSourceEvents,
  watchPolicies = true,
  options: { writeStatus?: boolean } = {},
): ClusterSource {
  // Projected service account tokens rotate: read the file on each request when in a pod.
  const client = new KubeClient(
    connection,
    connection.token && !connection.cert ? serviceAccountTokenSource(connection.token) : undefined,
  );
  const informers: Informer[] = [];
  const status = options.writeStatus ? statusWriter(client, events.onError) : undefined;
  if (watchPolicies) {
    let policyObjects: KubeObject[] = [];
    let workspaceObjects: KubeObject[] = [];
    let exceptionObjects: KubeObject[] = [];
    let ready = 0;
    const rebuild = () => {
      if (ready < 3) return;
      const withKind = (kind: string) => (o: KubeObject) => ({
        apiVersion: "customs.dev/v1alpha1",
        ...o,
        kind,
      });
      const { policies, workspaces, exceptions, invalid } = validated(
        [
          ...policyObjects.map(withKind("ImagePolicy")),
          ...workspaceObjects.map(withKind("Workspace")),
          ...exceptionObjects.map(withKind(EXCEPTION_KIND)),
        ],
        events,
        status,
      );
      const set = compilePolicySet(policies, workspaces, re2Engine, exceptions);
      events.onPolicies(createEvaluator(set, undefined, { now: Date.now }), {
        policies: policies.length,
        workspaces: workspaces.length,
        exceptions: exceptions.length,
        invalid,
      });
    };
    const first = { policies: true, workspaces: true, exceptions: true };
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
      startInformer(
        withoutMissingResource(client),
        EXCEPTIONS_PATH,
        (items) => {
          exceptionObjects = items;
          if (first.exceptions) ready++;
          first.exceptions = false;
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
