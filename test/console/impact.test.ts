import { describe, expect, it } from "vitest";
import type { ImpactBucket, ImpactSide } from "../../console/src/lib/api-types.js";
import {
  allowHeadline,
  byNamespace,
  denyHeadline,
  unknownClusters,
} from "../../console/src/lib/impact.js";

const bucket = (workloads: number, clusters: number, groups: ImpactBucket["groups"] = []) => ({
  workloads,
  clusters,
  groups,
  truncated: workloads > groups.length,
});
const EMPTY = bucket(0, 0);
const side = (over: Partial<ImpactSide>): ImpactSide => ({
  evaluated: 40,
  wouldDeny: EMPTY,
  wouldWarn: EMPTY,
  alreadyDenied: EMPTY,
  wouldAllow: EMPTY,
  ...over,
});

describe("impact answers in words", () => {
  it.each([
    [side({ wouldDeny: bucket(37, 4) }), "Would deny 37 workloads in 4 clusters"],
    [side({ wouldDeny: bucket(1, 1) }), "Would deny 1 workload in 1 cluster"],
    [side({}), "Would deny no workload (40 workloads checked)"],
    [
      side({ evaluated: 12_000, wouldDeny: bucket(10_500, 100) }),
      "Would deny 10,500 workloads in 100 clusters",
    ],
  ])("headline %#", (s, text) => {
    expect(denyHeadline(s)).toBe(text);
  });

  it("says what a delete would allow, and nothing when it allows nothing", () => {
    expect(allowHeadline(side({ wouldAllow: bucket(3, 1) }))).toBe(
      "Would allow 3 workloads denied now",
    );
    expect(allowHeadline(side({}))).toBeUndefined();
  });

  it("groups workloads under their cluster and namespace, in the server's order", () => {
    const g = (cluster: string, namespace: string, name: string) => ({
      cluster,
      namespace,
      owner: { kind: "Deployment", name },
      images: [`${name}:latest`],
      policies: ["p"],
      codes: ["IMAGE_TAG_LATEST"],
    });
    const groups = byNamespace(
      bucket(3, 2, [g("a", "web", "x"), g("a", "web", "y"), g("b", "web", "z")]),
    );
    expect(groups.map((x) => [x.key, x.workloads.map((w) => w.owner)])).toEqual([
      ["a/web", ["Deployment/x", "Deployment/y"]],
      ["b/web", ["Deployment/z"]],
    ]);
  });

  it("lists the clusters that sent no inventory", () => {
    const answer = {
      days: 7,
      changes: [],
      clusters: [
        { cluster: "a", status: "reported" as const, asOf: "2026-12-07T00:00:00Z" },
        { cluster: "b", status: "unknown" as const },
      ],
      inventory: side({}),
      admissions: side({}),
      admissionsComplete: true,
      notEvaluated: [],
    };
    expect(unknownClusters(answer)).toEqual(["b"]);
  });
});
