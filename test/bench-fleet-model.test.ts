/**
 * The fleet benchmark's model (bench/fleet-model.ts): its figures are only meaningful if the
 * fleet is the one its results describe, and its "which agents must get this change" answer
 * agrees with the attachments it builds. Every generated policy must be one the control plane
 * accepts (the same validation as `customs policy validate`).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  affectedClusters,
  attachments,
  changeMark,
  type FleetSize,
  policyDocument,
  policySeeds,
} from "../bench/fleet-model.js";
import { validateDocument } from "../src/core/policy/index.js";

const FULL: FleetSize = {
  clusters: 1000,
  namespacesPerCluster: 10,
  workspaces: 500,
  policies: 5000,
};

describe("the benchmark fleet", () => {
  it("is the size the results describe", () => {
    const all = attachments(FULL);
    expect(all).toHaveLength(10_000);
    expect(new Set(all.map((a) => `${a.cluster}/${a.namespace}`)).size).toBe(10_000);
    expect(new Set(all.map((a) => a.workspace)).size).toBe(500);
    const seeds = policySeeds(FULL);
    const kinds = (kind: string) => seeds.filter((s) => s.scope.kind === kind).length;
    expect([kinds("organization"), kinds("namespace"), kinds("workspace")]).toEqual([
      50, 500, 4450,
    ]);
    expect(new Set(seeds.map((s) => s.name)).size).toBe(5000);
  });

  it("spreads each workspace over 20 clusters, and each cluster over 10 workspaces", () => {
    for (const w of ["ws-000", "ws-123", "ws-499"]) {
      expect(affectedClusters(FULL, { kind: "workspace", workspace: w })).toHaveLength(20);
    }
    const perCluster = new Map<string, Set<string>>();
    for (const a of attachments(FULL)) {
      perCluster.set(a.cluster, (perCluster.get(a.cluster) ?? new Set()).add(a.workspace));
    }
    expect([...perCluster.values()].every((s) => s.size === 10)).toBe(true);
  });

  it("names as affected exactly the clusters with a namespace in the workspace", () => {
    const size = fc.record({
      clusters: fc.integer({ min: 1, max: 60 }),
      namespacesPerCluster: fc.integer({ min: 1, max: 12 }),
      workspaces: fc.integer({ min: 1, max: 40 }),
      policies: fc.constant(10),
    });
    fc.assert(
      fc.property(size, fc.nat(), (s, pick) => {
        const all = attachments(s);
        const workspace = (all[pick % all.length] as { workspace: string }).workspace;
        const expected = [
          ...new Set(all.filter((a) => a.workspace === workspace).map((a) => a.cluster)),
        ];
        expect(affectedClusters(s, { kind: "workspace", workspace })).toEqual(expected);
      }),
    );
  });

  it("generates only valid policies, with and without a change mark", () => {
    const seeds = policySeeds(FULL);
    for (const seed of [...seeds.slice(0, 60), ...seeds.slice(540, 560), ...seeds.slice(-20)]) {
      for (const mark of [undefined, 7]) {
        const doc = policyDocument(seed, mark);
        const result = validateDocument(doc);
        expect(
          result.issues.filter((i) => i.severity === "error"),
          seed.name,
        ).toEqual([]);
        expect(result.kind).toBe("ImagePolicy");
        expect(JSON.stringify(doc).includes(changeMark(7))).toBe(mark === 7);
      }
    }
  });
});
