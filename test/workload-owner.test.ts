import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type OwnedObject, resolveOwner } from "../src/core/workload/index.js";

const rs = (name: string) => ({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  name,
  controller: true,
});

describe("resolveOwner (the contract's owner resolution)", () => {
  const cronJobs: Record<string, string> = { "backup-28391040": "backup" };
  const cases: [string, OwnedObject, { kind: string; name: string }][] = [
    [
      "a Deployment's Pod: ReplicaSet <deployment>-<pod-template-hash>",
      {
        kind: "Pod",
        name: "web-7d4b9c-x2x",
        labels: { "pod-template-hash": "7d4b9c" },
        ownerReferences: [rs("web-7d4b9c")],
      },
      { kind: "Deployment", name: "web" },
    ],
    [
      "a Deployment whose name has dashes",
      {
        kind: "Pod",
        name: "api-v2-5f6-abc",
        labels: { "pod-template-hash": "5f6" },
        ownerReferences: [rs("api-v2-5f6")],
      },
      { kind: "Deployment", name: "api-v2" },
    ],
    [
      "a ReplicaSet whose name does not end with the hash stays a ReplicaSet",
      {
        kind: "Pod",
        name: "p",
        labels: { "pod-template-hash": "abc" },
        ownerReferences: [rs("standalone")],
      },
      { kind: "ReplicaSet", name: "standalone" },
    ],
    [
      "a ReplicaSet's Pod without the hash label stays the ReplicaSet's",
      { kind: "Pod", name: "p", ownerReferences: [rs("web-7d4b9c")] },
      { kind: "ReplicaSet", name: "web-7d4b9c" },
    ],
    [
      "a ReplicaSet named exactly -<hash> is not a Deployment's",
      { kind: "Pod", name: "p", labels: { "pod-template-hash": "x" }, ownerReferences: [rs("-x")] },
      { kind: "ReplicaSet", name: "-x" },
    ],
    [
      "a ReplicaSet itself, controlled by its Deployment",
      {
        kind: "ReplicaSet",
        name: "web-7d4b9c",
        labels: { "pod-template-hash": "7d4b9c" },
        ownerReferences: [{ kind: "Deployment", name: "web", controller: true }],
      },
      { kind: "Deployment", name: "web" },
    ],
    [
      "a CronJob's Job's Pod",
      {
        kind: "Pod",
        name: "backup-28391040-q",
        ownerReferences: [{ kind: "Job", name: "backup-28391040", controller: true }],
      },
      { kind: "CronJob", name: "backup" },
    ],
    [
      "a Job no CronJob owns",
      {
        kind: "Pod",
        name: "migrate-q",
        ownerReferences: [{ kind: "Job", name: "migrate", controller: true }],
      },
      { kind: "Job", name: "migrate" },
    ],
    [
      "a StatefulSet's Pod",
      {
        kind: "Pod",
        name: "db-0",
        ownerReferences: [{ kind: "StatefulSet", name: "db", controller: true }],
      },
      { kind: "StatefulSet", name: "db" },
    ],
    [
      "a DaemonSet's Pod",
      {
        kind: "Pod",
        name: "agent-x",
        ownerReferences: [{ kind: "DaemonSet", name: "agent", controller: true }],
      },
      { kind: "DaemonSet", name: "agent" },
    ],
    [
      "a ReplicationController's Pod",
      {
        kind: "Pod",
        name: "old-x",
        ownerReferences: [{ kind: "ReplicationController", name: "old", controller: true }],
      },
      { kind: "ReplicationController", name: "old" },
    ],
    ["a bare Pod", { kind: "Pod", name: "debug" }, { kind: "Pod", name: "debug" }],
    [
      "an owner that is not the controller does not count",
      { kind: "Pod", name: "p", ownerReferences: [{ kind: "StatefulSet", name: "db" }] },
      { kind: "Pod", name: "p" },
    ],
    [
      "a controller of a kind with no pod template Customs reads: the Pod itself",
      {
        kind: "Pod",
        name: "p",
        ownerReferences: [{ kind: "Rollout", name: "r", controller: true }],
      },
      { kind: "Pod", name: "p" },
    ],
    [
      "a Job itself, controlled by a CronJob",
      {
        kind: "Job",
        name: "backup-1",
        ownerReferences: [{ kind: "CronJob", name: "backup", controller: true }],
      },
      { kind: "CronJob", name: "backup" },
    ],
  ];
  it.each(cases)("%s", (_, object, owner) => {
    expect(resolveOwner(object, (job) => cronJobs[job])).toEqual(owner);
  });

  it("a Pod of a Deployment's ReplicaSet resolves to the ReplicaSet's name minus the hash, for any names", () => {
    const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
    fc.assert(
      fc.property(label, fc.stringMatching(/^[a-z0-9]{1,10}$/), (deployment, hash) => {
        const owner = resolveOwner({
          kind: "Pod",
          name: `${deployment}-${hash}-zzz`,
          labels: { "pod-template-hash": hash },
          ownerReferences: [rs(`${deployment}-${hash}`)],
        });
        expect(owner).toEqual({ kind: "Deployment", name: deployment });
      }),
    );
  });
});
