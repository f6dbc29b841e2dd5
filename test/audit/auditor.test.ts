import { afterEach, describe, expect, it } from "vitest";
import {
  Auditor,
  type AuditorOptions,
  type AuditPass,
  rateLimited,
  TokenBucket,
} from "../../src/app/audit/index.js";
import { NamespaceCache } from "../../src/app/webhook/index.js";
import { createEvaluator, type Evaluator } from "../../src/core/evaluate/index.js";
import { compileDocs, policyDoc } from "../support/policies.js";
import { within } from "../support/wait.js";
import { FakeKube, SteppedClock } from "./fake-kube.js";

const DEPLOYMENTS = "/apis/apps/v1/deployments";
const REPLICASETS = "/apis/apps/v1/replicasets";
const PODS = "/api/v1/pods";
const DIGEST = `sha256:${"a".repeat(64)}`;

function deployment(name: string, image: string, namespace = "team-a") {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, uid: `uid-${name}` },
    spec: { template: { spec: { containers: [{ name: "app", image }] } } },
  };
}

function pod(name: string, image: string, owner?: { kind: string; name: string }, hash?: string) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "team-a",
      ...(hash === undefined ? {} : { labels: { "pod-template-hash": hash } }),
      ...(owner === undefined ? {} : { ownerReferences: [{ ...owner, controller: true }] }),
    },
    spec: { containers: [{ name: "app", image }] },
  };
}

const digestPolicy = () =>
  createEvaluator(compileDocs(policyDoc("digest", { recipe: "require-digest" })));

interface Harness {
  kube: FakeKube;
  auditor: Auditor;
  passes: AuditPass[];
  next(): Promise<AuditPass>;
  setPolicies(e: Evaluator): void;
}

const running: Auditor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

function harness(options: Partial<AuditorOptions> = {}): Harness {
  const clock = options.clock ?? new SteppedClock();
  const kube = new FakeKube(clock);
  let evaluator = digestPolicy();
  const passes: AuditPass[] = [];
  let waiting: ((p: AuditPass) => void) | undefined;
  const auditor = new Auditor({
    kube,
    namespaces: new NamespaceCache(undefined),
    policies: () => ({ evaluator, revision: 7 }),
    policyReports: true,
    clock,
    qps: 1_000,
    burst: 1_000,
    debounceMs: 0,
    onPass: (p) => {
      passes.push(p);
      waiting?.(p);
      waiting = undefined;
    },
    ...options,
  });
  running.push(auditor);
  return {
    kube,
    auditor,
    passes,
    next: () =>
      within(
        new Promise<AuditPass>((resolve) => {
          waiting = resolve;
        }),
        "an audit pass",
      ),
    setPolicies: (e) => {
      evaluator = e;
    },
  };
}

const resultsOf = (kube: FakeKube, key: string) =>
  (kube.reports.get(key)?.results as { policy: string; result: string }[] | undefined)?.map(
    (r) => `${r.policy}:${r.result}`,
  );

describe("the background audit", () => {
  it("a refused Deployment fails in its namespace's PolicyReport; fixed, it passes; deleted, its report goes", async () => {
    const h = harness();
    h.kube.put(DEPLOYMENTS, deployment("web", "nginx:1.27"));
    const first = h.next();
    await h.auditor.start();
    const pass = await first;
    expect(pass.workloads).toBe(1);
    expect(resultsOf(h.kube, "team-a/customs-deployment-web")).toEqual(["digest:fail"]);
    const report = h.kube.reports.get("team-a/customs-deployment-web");
    expect(report?.metadata.labels?.["app.kubernetes.io/managed-by"]).toBe("customs");
    expect(report?.scope).toMatchObject({ kind: "Deployment", name: "web", uid: "uid-web" });
    expect(pass.inventory).toMatchObject({
      revision: 7,
      workloads: [
        {
          namespace: "team-a",
          kind: "Deployment",
          name: "web",
          containers: [{ name: "app", image: "nginx:1.27", type: "container" }],
          results: [{ policy: "digest", result: "fail", code: "DIGEST_REQUIRED" }],
        },
      ],
    });

    const fixed = h.next();
    h.kube.put(DEPLOYMENTS, deployment("web", `nginx:1.27@${DIGEST}`));
    await fixed;
    expect(resultsOf(h.kube, "team-a/customs-deployment-web")).toEqual(["digest:pass"]);

    const gone = h.next();
    h.kube.remove(DEPLOYMENTS, "team-a", "web");
    const after = await gone;
    expect(h.kube.reports.has("team-a/customs-deployment-web")).toBe(false);
    expect(after.reports?.deleted).toBe(1);
    expect(after.inventory.workloads).toEqual([]);
  });

  it("a policy change re-evaluates every workload", async () => {
    const h = harness();
    h.kube.put(DEPLOYMENTS, deployment("web", `corp.example/web:1@${DIGEST}`));
    const first = h.next();
    await h.auditor.start();
    await first;
    expect(resultsOf(h.kube, "team-a/customs-deployment-web")).toEqual(["digest:pass"]);
    h.setPolicies(
      createEvaluator(
        compileDocs(
          policyDoc("digest", { recipe: "require-digest" }),
          policyDoc("no-corp", {
            recipe: "blocked-images",
            input: { rules: [{ imageName: "web" }] },
          }),
        ),
      ),
    );
    const next = h.next();
    h.auditor.policiesChanged();
    const pass = await next;
    expect(pass.changed).toBe(true);
    expect(resultsOf(h.kube, "team-a/customs-deployment-web")).toEqual([
      "digest:pass",
      "no-corp:fail",
    ]);
  });

  it("judges Pods through their owners, bare Pods as themselves; writes only what changed", async () => {
    const h = harness();
    h.kube.put(DEPLOYMENTS, deployment("web", "nginx:1"));
    h.kube.put(REPLICASETS, {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: "web-5d8",
        namespace: "team-a",
        labels: { "pod-template-hash": "5d8" },
        ownerReferences: [{ kind: "Deployment", name: "web", controller: true }],
      },
      spec: { template: { spec: { containers: [{ name: "app", image: "nginx:1" }] } } },
    } as never);
    h.kube.put(PODS, pod("web-5d8-a", "nginx:1", { kind: "ReplicaSet", name: "web-5d8" }, "5d8"));
    h.kube.put(PODS, pod("web-5d8-b", "nginx:1", { kind: "ReplicaSet", name: "web-5d8" }, "5d8"));
    h.kube.put(PODS, pod("debug", "busybox"));
    h.kube.put(PODS, pod("rc-1", "old:1", { kind: "ReplicationController", name: "legacy" }));
    h.kube.put(PODS, pod("rc-2", "old:1", { kind: "ReplicationController", name: "legacy" }));
    const first = h.next();
    await h.auditor.start();
    const pass = await first;
    expect(pass.inventory.workloads.map((w) => `${w.kind}/${w.name}`).sort()).toEqual([
      "Deployment/web",
      "Pod/debug",
      "ReplicationController/legacy",
    ]);
    expect([...h.kube.reports.keys()].sort()).toEqual([
      "team-a/customs-deployment-web",
      "team-a/customs-pod-debug",
      "team-a/customs-replicationcontroller-legacy",
    ]);
    const writes = h.kube.requests.filter((r) => r.method !== "GET" && r.method !== "WATCH");
    expect(writes).toHaveLength(3);

    // The same state again: nothing is written, and the inventory is unchanged.
    await h.auditor.runNow();
    const again = h.passes.at(-1);
    expect(again?.changed).toBe(false);
    expect(again?.reports).toMatchObject({ created: 0, updated: 0, deleted: 0, unchanged: 3 });
    expect(h.kube.requests.filter((r) => r.method !== "GET" && r.method !== "WATCH")).toHaveLength(
      3,
    );
  });

  it("an orphaned Job of a deleted CronJob is judged once, as the Job", async () => {
    const h = harness();
    h.kube.put("/apis/batch/v1/jobs", {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name: "backup-1",
        namespace: "team-a",
        ownerReferences: [{ kind: "CronJob", name: "backup", controller: true }],
      },
      spec: { template: { spec: { containers: [{ name: "b", image: "busybox:1" }] } } },
    } as never);
    h.kube.put(PODS, pod("backup-1-x", "busybox:1", { kind: "Job", name: "backup-1" }));
    const first = h.next();
    await h.auditor.start();
    const pass = await first;
    expect(pass.inventory.workloads.map((w) => `${w.kind}/${w.name}`)).toEqual(["Job/backup-1"]);
  });

  it("never replaces or deletes a report it did not write", async () => {
    const h = harness();
    const theirs = {
      apiVersion: "wgpolicyk8s.io/v1alpha2",
      kind: "PolicyReport",
      metadata: {
        name: "customs-deployment-web",
        namespace: "team-a",
        labels: { owner: "kyverno" },
      },
      results: [],
    };
    const other = { ...theirs, metadata: { ...theirs.metadata, name: "kyverno-x" } };
    h.kube.reports.set("team-a/customs-deployment-web", theirs as never);
    h.kube.reports.set("team-a/kyverno-x", other as never);
    h.kube.put(DEPLOYMENTS, deployment("web", "nginx:1"));
    const first = h.next();
    await h.auditor.start();
    const pass = await first;
    expect(pass.reports?.failed.map((f) => f.key)).toEqual(["team-a/customs-deployment-web"]);
    expect(h.kube.reports.get("team-a/customs-deployment-web")).toBe(theirs);
    expect(h.kube.reports.get("team-a/kyverno-x")).toBe(other);
  });

  it("a report changed by hand since it was read is read again and replaced (409)", async () => {
    const h = harness();
    h.kube.put(DEPLOYMENTS, deployment("web", "nginx:1"));
    const first = h.next();
    await h.auditor.start();
    await first;
    const key = "team-a/customs-deployment-web";
    const mine = h.kube.reports.get(key);
    if (mine === undefined) throw new Error("no report");
    h.kube.reports.set(key, { ...mine, metadata: { ...mine.metadata, resourceVersion: "edited" } });
    const fixed = h.next();
    h.kube.put(DEPLOYMENTS, deployment("web", `nginx:1@${DIGEST}`));
    const pass = await fixed;
    expect(pass.reports).toMatchObject({ updated: 1, failed: [] });
    expect(resultsOf(h.kube, key)).toEqual(["digest:pass"]);
  });

  it("--no-policy-reports: the inventory only, no report written", async () => {
    const h = harness({ policyReports: false });
    h.kube.put(DEPLOYMENTS, deployment("web", "nginx:1"));
    const first = h.next();
    await h.auditor.start();
    const pass = await first;
    expect(pass.reports).toBeUndefined();
    expect(pass.inventory.workloads).toHaveLength(1);
    expect(h.kube.reports.size).toBe(0);
  });

  it("without the PolicyReport CRD, still hands over the inventory and says why", async () => {
    const errors: unknown[] = [];
    const h = harness({ onError: (e) => errors.push(e) });
    h.kube.reportsMissing = true;
    h.kube.put(DEPLOYMENTS, deployment("web", "nginx:1"));
    const first = h.next();
    await h.auditor.start();
    const pass = await first;
    expect(pass.reports).toBeUndefined();
    expect(pass.inventory.workloads).toHaveLength(1);
    expect(String(errors[0])).toContain("404");
  });

  it("holds the API request rate to --audit-qps, burst included", async () => {
    const clock = new SteppedClock();
    const h = harness({ qps: 5, burst: 10, clock });
    for (let i = 0; i < 40; i++) h.kube.put(DEPLOYMENTS, deployment(`web-${i}`, "nginx:1"));
    const first = h.next();
    await h.auditor.start();
    await first;
    const times = h.kube.requests.map((r) => r.at);
    // 7 lists, 7 watches, a report list and 40 creates: far more than the burst.
    expect(times.length).toBeGreaterThan(50);
    const start = times[0] as number;
    for (const [i, at] of times.entries()) {
      // By `at`, at most burst + qps × elapsed seconds requests have been made.
      expect(i + 1).toBeLessThanOrEqual(10 + Math.floor(((at - start) / 1000) * 5) + 1);
    }
    expect((times.at(-1) as number) - start).toBeGreaterThanOrEqual(
      ((times.length - 10) / 5) * 1000 - 1000,
    );
  });

  it.each([
    [1, 7],
    [3, 2],
    [100, 0],
  ])("--audit-batch %i: 7 workloads yield to admission %i times", async (chunk, yields) => {
    let yielded = 0;
    const h = harness({
      chunk,
      yieldNow: async () => {
        yielded++;
      },
    });
    for (let i = 0; i < 7; i++) h.kube.put(DEPLOYMENTS, deployment(`web-${i}`, "nginx:1"));
    const first = h.next();
    await h.auditor.start();
    expect((await first).workloads).toBe(7);
    expect(yielded).toBe(yields);
  });
});

describe("TokenBucket", () => {
  it("serves `burst` at once, then `rate` a second", async () => {
    const clock = new SteppedClock();
    const bucket = new TokenBucket(2, 3, clock);
    const at: number[] = [];
    const calls = rateLimited(
      {
        list: async () => {
          at.push(clock.now());
          return { items: [], resourceVersion: "1" };
        },
        get: async () => undefined,
        send: async () => ({ metadata: { name: "x" } }),
        watch: async () => {},
      },
      bucket,
      new AbortController().signal,
    );
    for (let i = 0; i < 7; i++) await calls.list("/x");
    const start = at[0] as number;
    expect(at.map((t) => t - start)).toEqual([0, 0, 0, 500, 1000, 1500, 2000]);
  });
});
