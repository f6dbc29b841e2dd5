import { describe, expect, it } from "vitest";
import { admissionReports, aggregateReports, outcomeOf } from "../../src/app/agent/reports.js";
import { handleAdmission } from "../../src/app/webhook/admission.js";
import { NamespaceCache } from "../../src/app/webhook/namespaces.js";
import { createEvaluator } from "../../src/core/evaluate/index.js";
import { workloadOwner } from "../../src/core/workload/index.js";
import { pod, review } from "../support/admission.js";
import { compileDocs } from "../support/policies.js";
import { corpOnly } from "./support.js";

const evaluator = createEvaluator(compileDocs(corpOnly()));
const TIME = new Date("2026-03-04T05:06:07Z");

/** A Pod as the ReplicaSet controller of Deployment `web` creates it. */
function replicaPod(n: number) {
  const p = pod("", ["busybox"]);
  const metadata = {
    generateName: "web-5d8f7c9b4-",
    namespace: "team-a",
    labels: { app: "web", "pod-template-hash": "5d8f7c9b4" },
    ownerReferences: [
      {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        name: "web-5d8f7c9b4",
        controller: true,
        uid: `u${n}`,
      },
    ],
  };
  return { ...p, metadata };
}

function decide(body: unknown) {
  return handleAdmission(JSON.stringify(body), evaluator, new NamespaceCache());
}

describe("admission events", () => {
  it("take the outcome from the response actually sent: an UPDATE admitted with a warning is warned", () => {
    const old = pod("web-1", ["busybox"]);
    const updated = { ...old, metadata: { ...(old.metadata as object), labels: { v: "2" } } };
    const outcome = decide(review(updated, { operation: "UPDATE", oldObject: old }));
    expect(outcome.response?.allowed).toBe(true);
    expect(outcome.response?.warnings?.length).toBeGreaterThan(0);
    const reports = admissionReports(outcome, TIME);
    expect(reports.map((r) => [r.action, r.outcome])).toEqual([["deny", "warned"]]);

    const created = decide(review(pod("web-2", ["busybox"])));
    expect(created.response?.allowed).toBe(false);
    expect(admissionReports(created, TIME).map((r) => r.outcome)).toEqual(["denied"]);
  });

  it.each([
    [false, "deny", "denied"],
    [false, "warn", "denied"],
    [true, "warn", "warned"],
    [true, "deny", "warned"],
    [true, "audit", "audited"],
  ] as const)("allowed=%s with a %s violation is %s", (allowed, action, expected) => {
    expect(outcomeOf(allowed, action)).toBe(expected);
  });

  it("name the owner Deployment, and 17 retried Pods of a ReplicaSet are one record counted 17", () => {
    const reports = Array.from({ length: 17 }, (_, n) =>
      admissionReports(decide(review(replicaPod(n))), new Date(TIME.getTime() + n * 1000)),
    ).flat();
    expect(reports).toHaveLength(17);
    const merged = aggregateReports(reports);
    expect(merged).toEqual([
      expect.objectContaining({
        outcome: "denied",
        ownerKind: "Deployment",
        ownerName: "web",
        count: 17,
        firstSeen: "2026-03-04T05:06:07.000Z",
        time: "2026-03-04T05:06:23.000Z",
      }),
    ]);
  });
});

describe("workloadOwner", () => {
  const ref = (kind: string, name: string, controller = true) => ({ kind, name, controller });
  it.each([
    [
      "a Pod of a Deployment's ReplicaSet",
      "Pod",
      {
        name: "web-abc-x",
        labels: { "pod-template-hash": "abc" },
        ownerReferences: [ref("ReplicaSet", "web-abc")],
      },
      { kind: "Deployment", name: "web" },
    ],
    [
      "a Pod of a ReplicaSet whose name does not end in the hash",
      "Pod",
      {
        name: "x",
        labels: { "pod-template-hash": "abc" },
        ownerReferences: [ref("ReplicaSet", "plain")],
      },
      { kind: "ReplicaSet", name: "plain" },
    ],
    [
      "a Pod of a ReplicaSet without the hash label",
      "Pod",
      { name: "x", ownerReferences: [ref("ReplicaSet", "web-abc")] },
      { kind: "ReplicaSet", name: "web-abc" },
    ],
    [
      "a ReplicaSet of a Deployment",
      "ReplicaSet",
      { name: "web-abc", ownerReferences: [ref("Deployment", "web")] },
      { kind: "Deployment", name: "web" },
    ],
    [
      "a Job of a CronJob",
      "Job",
      { name: "nightly-2900", ownerReferences: [ref("CronJob", "nightly")] },
      { kind: "CronJob", name: "nightly" },
    ],
    [
      "a Pod of a StatefulSet",
      "Pod",
      { name: "db-0", ownerReferences: [ref("StatefulSet", "db")] },
      { kind: "StatefulSet", name: "db" },
    ],
    [
      "a Pod whose only owner is no controller",
      "Pod",
      { name: "solo", ownerReferences: [ref("ConfigMap", "c", false)] },
      { kind: "Pod", name: "solo" },
    ],
    ["a bare Pod", "Pod", { name: "solo" }, { kind: "Pod", name: "solo" }],
    [
      "a Pod known by generateName only",
      "Pod",
      { generateName: "solo-" },
      { kind: "Pod", name: "solo-" },
    ],
  ])("%s", (_what, kind, metadata, expected) => {
    expect(workloadOwner(kind, { metadata })).toEqual(expected);
  });

  it("follows a Pod's Job to its CronJob when the Jobs are known", () => {
    const metadata = {
      name: "nightly-2900-x",
      namespace: "ops",
      ownerReferences: [ref("Job", "nightly-2900")],
    };
    const jobs = (ns: string, job: string) =>
      ns === "ops" && job === "nightly-2900" ? { kind: "CronJob", name: "nightly" } : undefined;
    expect(workloadOwner("Pod", { metadata }, jobs)).toEqual({ kind: "CronJob", name: "nightly" });
    expect(workloadOwner("Pod", { metadata })).toEqual({ kind: "Job", name: "nightly-2900" });
  });
});
