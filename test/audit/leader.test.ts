import { afterEach, describe, expect, it } from "vitest";
import { KubeError, LeaseLock, podIdentity } from "../../src/adapters/kube/index.js";
import {
  type AuditKube,
  Auditor,
  type AuditPass,
  LeaderElection,
} from "../../src/app/audit/index.js";
import { NamespaceCache } from "../../src/app/webhook/index.js";
import { auditLeaseOf } from "../../src/cli/commands/serve.js";
import { createEvaluator } from "../../src/core/evaluate/index.js";
import { compileDocs, policyDoc } from "../support/policies.js";
import { within } from "../support/wait.js";
import { FakeKube, SteppedClock } from "./fake-kube.js";

const DEPLOYMENTS = "/apis/apps/v1/deployments";
const LEASE = "kube-system/customs-audit";

function deployment(name: string, image: string) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "team-a", uid: `uid-${name}` },
    spec: { template: { spec: { containers: [{ name: "app", image }] } } },
  };
}

/** Time the test moves by hand, for the Lease and the election. */
const time = { t: 1_800_000_000_000 };
const manual = { now: () => time.t, sleep: () => Promise.resolve() };

function lock(kube: FakeKube | AuditKube, identity: string) {
  return new LeaseLock(kube, {
    namespace: "kube-system",
    name: "customs-audit",
    identity,
    durationSeconds: 30,
    now: manual.now,
  });
}

/** The API server as one replica sees it: every PolicyReport write it makes is counted. */
function counted(kube: FakeKube) {
  const writes: string[] = [];
  const view: AuditKube = {
    list: (...a) => kube.list(...a),
    get: (...a) => kube.get(...a),
    watch: (...a) => kube.watch(...a),
    send: (method, path, body) => {
      if (path.includes("policyreports")) writes.push(`${method} ${path}`);
      return kube.send(method, path, body);
    },
  };
  return { view, writes };
}

const running: Auditor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

function replica(kube: FakeKube, identity: string) {
  const { view, writes } = counted(kube);
  const passes: AuditPass[] = [];
  let waiting: ((p: AuditPass) => void) | undefined;
  let auditor: Auditor | undefined;
  const election = new LeaderElection({
    lock: lock(view, identity),
    clock: manual,
    onChange: (leading) => {
      if (leading) auditor?.changed();
    },
  });
  const clock = new SteppedClock();
  auditor = new Auditor({
    kube: view,
    namespaces: new NamespaceCache(undefined),
    policies: () => ({
      evaluator: createEvaluator(compileDocs(policyDoc("digest", { recipe: "require-digest" }))),
      revision: 1,
    }),
    policyReports: true,
    clock,
    qps: 1_000,
    burst: 1_000,
    debounceMs: 0,
    leader: election,
    onPass: (p) => {
      passes.push(p);
      waiting?.(p);
      waiting = undefined;
    },
  });
  running.push(auditor);
  const next = () =>
    within(
      new Promise<AuditPass>((resolve) => {
        waiting = resolve;
      }),
      `an audit pass by ${identity}`,
    );
  return { auditor, election, writes, passes, next };
}

describe("the audit's leader election (coordination.k8s.io Lease customs-audit)", () => {
  it("two replicas: only the leader audits and writes; when it stops, the other takes over", async () => {
    const kube = new FakeKube(new SteppedClock());
    kube.put(DEPLOYMENTS, deployment("web", "nginx:1.27"));
    const a = replica(kube, "customs-webhook-a");
    const b = replica(kube, "customs-webhook-b");
    expect(await a.election.step()).toBe(true);
    expect(await b.election.step()).toBe(false);
    expect(kube.leases.get(LEASE)?.spec).toMatchObject({
      holderIdentity: "customs-webhook-a",
      leaseDurationSeconds: 30,
    });
    const firstA = a.next();
    await Promise.all([a.auditor.start(), b.auditor.start()]);
    await firstA;
    await b.auditor.runNow();
    expect(a.writes).toEqual([
      "POST /apis/wgpolicyk8s.io/v1alpha2/namespaces/team-a/policyreports",
    ]);
    expect(b.writes).toEqual([]);
    expect(b.passes).toEqual([]);

    // Renewed within its duration, the Lease stays with a.
    time.t += 10_000;
    expect(await a.election.step()).toBe(true);
    time.t += 25_000;
    expect(await b.election.step()).toBe(false);

    // a dies (no more renewals, no release): 30 s after b last saw the Lease change, b takes it.
    await a.auditor.stop();
    time.t += 29_000;
    expect(await b.election.step()).toBe(false);
    time.t += 1_000;
    const firstB = b.next();
    expect(await b.election.step()).toBe(true);
    await firstB;
    expect(kube.leases.get(LEASE)?.spec).toMatchObject({
      holderIdentity: "customs-webhook-b",
      leaseTransitions: 1,
    });
    const fixed = b.next();
    kube.put(DEPLOYMENTS, deployment("web", `nginx@sha256:${"a".repeat(64)}`));
    await fixed;
    expect(b.writes).toEqual([
      "PUT /apis/wgpolicyk8s.io/v1alpha2/namespaces/team-a/policyreports/customs-deployment-web",
    ]);
    expect(
      (kube.reports.get("team-a/customs-deployment-web")?.results as { result: string }[])[0]
        ?.result,
    ).toBe("pass");
  });

  it("a leader that stops gives the Lease up: the other takes it at its next try", async () => {
    const kube = new FakeKube(new SteppedClock());
    const a = new LeaderElection({ lock: lock(kube, "a"), clock: manual });
    const b = new LeaderElection({ lock: lock(kube, "b"), clock: manual });
    expect(await a.step()).toBe(true);
    expect(await b.step()).toBe(false);
    await a.stop();
    expect(a.isLeader()).toBe(false);
    expect(kube.leases.get(LEASE)?.spec).toMatchObject({ holderIdentity: "" });
    expect(await b.step()).toBe(true);
    expect(kube.leases.get(LEASE)?.spec).toMatchObject({ holderIdentity: "b" });
  });

  it("two candidates creating the Lease at once: exactly one holds it", async () => {
    const kube = new FakeKube(new SteppedClock());
    const got = await Promise.all([
      lock(kube, "x").tryAcquireOrRenew(),
      lock(kube, "y").tryAcquireOrRenew(),
    ]);
    expect(got.filter(Boolean)).toHaveLength(1);
  });

  it("a leader whose renewals fail stops leading before the Lease can expire for the others", async () => {
    let fail = false;
    const changes: boolean[] = [];
    const election = new LeaderElection({
      lock: {
        tryAcquireOrRenew: async () => {
          if (fail) throw new KubeError("GET lease: connection refused", 0);
          return true;
        },
      },
      clock: manual,
      onChange: (leading) => changes.push(leading),
    });
    expect(await election.step()).toBe(true);
    fail = true;
    time.t += 10_000;
    expect(await election.step()).toBe(true);
    time.t += 9_999;
    expect(election.isLeader()).toBe(true);
    time.t += 1;
    // 20 s without a renewal: 10 s before another replica may take the 30 s Lease.
    expect(election.isLeader()).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it("the Lease is written with resourceVersion: a stale replace is a conflict, not a win", async () => {
    const kube = new FakeKube(new SteppedClock());
    expect(await lock(kube, "x").tryAcquireOrRenew()).toBe(true);
    const stale = kube.leases.get(LEASE);
    expect(await lock(kube, "x").tryAcquireOrRenew()).toBe(true);
    await expect(
      kube.send(
        "PUT",
        "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/customs-audit",
        stale,
      ),
    ).rejects.toMatchObject({ status: 409 });
  });
});

describe("where the Lease lives and who holds it", () => {
  it("POD_NAME and POD_NAMESPACE when set", () => {
    expect(
      podIdentity({ POD_NAME: "customs-webhook-7f9c-x2", POD_NAMESPACE: "customs-system" }),
    ).toEqual({
      identity: "customs-webhook-7f9c-x2",
      namespace: "customs-system",
    });
  });

  it("outside a pod, with no namespace, no election (and it is logged)", () => {
    const logged: string[] = [];
    const logger = { info: (_o: object, msg: string) => logged.push(msg) };
    expect(auditLeaseOf({ identity: "laptop", namespace: undefined }, logger)).toEqual({});
    expect(logged).toHaveLength(1);
    expect(auditLeaseOf({ identity: "p", namespace: "ns" }, logger)).toEqual({
      lease: { identity: "p", namespace: "ns" },
    });
  });
});
