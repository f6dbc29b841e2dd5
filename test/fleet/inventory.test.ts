import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvCell, toCsv } from "../../src/core/fleet/csv.js";
import {
  aggregateCompliance,
  type ClusterWorkload,
  compliantPercent,
  failingWorkloads,
  type InventoryWorkload,
  namespaceCounts,
  validateInventoryReport,
} from "../../src/core/fleet/inventory.js";

function workload(
  name: string,
  results: InventoryWorkload["results"],
  namespace = "web",
): InventoryWorkload {
  return {
    namespace,
    kind: "Deployment",
    name,
    containers: [{ name: "app", image: "nginx:1", type: "container" }],
    results,
  };
}

const report = (workloads: unknown[]) => ({
  revision: 3,
  generatedAt: "2026-01-01T00:00:00Z",
  workloads,
});

describe("validateInventoryReport", () => {
  it("accepts a report as it is", () => {
    const r = report([workload("a", [{ policy: "p", result: "pass" }])]);
    const checked = validateInventoryReport(r);
    expect(checked).toEqual({ ok: true, report: r });
  });

  const good = workload("a", [{ policy: "p", result: "fail", code: "X", image: "nginx:1" }]);
  it.each([
    ["not an object", [], ""],
    ["an unknown top-level field", { ...report([]), extra: 1 }, "extra"],
    ["a negative revision", { ...report([]), revision: -1 }, "revision"],
    ["a revision that is text", { ...report([]), revision: "3" }, "revision"],
    ["a time that is not RFC 3339", { ...report([]), generatedAt: "yesterday" }, "generatedAt"],
    ["workloads that are not a list", { ...report([]), workloads: {} }, "workloads"],
    ["a workload that is not an object", report([good, 7]), "workloads[1]"],
    ["an unknown kind", report([good, { ...good, kind: "Service" }]), "workloads[1].kind"],
    ["an empty name", report([{ ...good, name: "" }]), "workloads[0].name"],
    ["an unknown workload field", report([{ ...good, labels: {} }]), "workloads[0].labels"],
    [
      "an image that is not a string",
      report([good, good, { ...good, containers: [{ name: "c", image: 5, type: "container" }] }]),
      "workloads[2].containers[0].image",
    ],
    [
      "a container type unknown",
      report([{ ...good, containers: [{ name: "c", image: "i", type: "sidecar" }] }]),
      "workloads[0].containers[0].type",
    ],
    [
      "a result unknown",
      report([{ ...good, results: [{ policy: "p", result: "maybe" }] }]),
      "workloads[0].results[0].result",
    ],
    [
      "a NUL in a message",
      report([{ ...good, results: [{ policy: "p", result: "fail", message: "a\u0000b" }] }]),
      "workloads[0].results[0].message",
    ],
    [
      "a string over 4096 characters",
      report([{ ...good, namespace: "n".repeat(4097) }]),
      "workloads[0].namespace",
    ],
  ])("refuses %s, naming the path", (_what, value, path) => {
    const checked = validateInventoryReport(value);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.limit).toBe(false);
    expect(checked.issues.map((i) => i.path)).toContain(path);
  });

  it("refuses more than 50,000 workloads as a limit, before reading any", () => {
    const checked = validateInventoryReport(report(new Array(50_001).fill(null)));
    expect(checked).toEqual({
      ok: false,
      limit: true,
      issues: [{ path: "workloads", message: "the report has 50001 workloads; at most 50000" }],
    });
  });

  it("lists at most 20 problems", () => {
    const checked = validateInventoryReport(report(new Array(100).fill({})));
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.issues.length).toBe(20);
  });
});

describe("aggregateCompliance", () => {
  const rows: ClusterWorkload[] = [
    { cluster: "c1", workload: workload("ok", [{ policy: "p1", result: "pass" }]) },
    {
      cluster: "c1",
      workload: workload("bad", [
        { policy: "p1", result: "fail" },
        { policy: "p2", result: "warn" },
      ]),
    },
    { cluster: "c2", workload: workload("warned", [{ policy: "p2", result: "warn" }], "api") },
    { cluster: "c2", workload: workload("unjudged", [{ policy: "p1", result: "skip" }], "api") },
  ];

  it("counts a workload failing when any result fails, warning when it only warns", () => {
    expect(aggregateCompliance(rows, "cluster")).toEqual({
      groups: [
        { cluster: "c1", workloads: 2, failing: 1, warning: 0, compliantPercent: 50 },
        { cluster: "c2", workloads: 2, failing: 0, warning: 1, compliantPercent: 100 },
      ],
      total: { workloads: 4, failing: 1, warning: 1, compliantPercent: 75 },
    });
  });

  it("by policy counts each workload under every policy with a result, by that policy's result", () => {
    expect(aggregateCompliance(rows, "policy").groups).toEqual([
      { policy: "p1", workloads: 3, failing: 1, warning: 0, compliantPercent: 66.6 },
      { policy: "p2", workloads: 2, failing: 0, warning: 2, compliantPercent: 100 },
    ]);
  });

  it("by workspace leaves out namespaces attached to none; by workload keys each owner", () => {
    const ws = aggregateCompliance(rows, "workspace", (c, n) =>
      c === "c1" && n === "web" ? "payments" : undefined,
    );
    expect(ws.groups).toEqual([
      { workspace: "payments", workloads: 2, failing: 1, warning: 0, compliantPercent: 50 },
    ]);
    expect(ws.total.workloads).toBe(4);
    expect(aggregateCompliance(rows, "workload").groups[0]).toEqual({
      cluster: "c1",
      namespace: "web",
      kind: "Deployment",
      name: "bad",
      workloads: 1,
      failing: 1,
      warning: 0,
      compliantPercent: 0,
    });
  });

  it("never reads 100% while something fails", () => {
    expect(compliantPercent(10_000, 1)).toBe(99.9);
    expect(compliantPercent(0, 0)).toBe(100);
  });

  const result = fc.record({
    policy: fc.constantFrom("p1", "p2", "p3"),
    result: fc.constantFrom("pass", "fail", "warn", "skip"),
  });
  const row = fc.record({
    cluster: fc.constantFrom("a", "b", "c"),
    workload: fc.record({
      namespace: fc.constantFrom("x", "y"),
      kind: fc.constant("Pod"),
      name: fc.string({ maxLength: 3 }),
      containers: fc.constant([]),
      results: fc.array(result, { maxLength: 4 }),
    }),
  }) as fc.Arbitrary<ClusterWorkload>;

  it("groups by cluster and namespace partition the total; failing lists exactly the failing (property)", () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 40 }), (list) => {
        const total = aggregateCompliance(list, "cluster").total;
        for (const by of ["cluster", "namespace", "workload"] as const) {
          const groups = aggregateCompliance(list, by).groups;
          expect(groups.reduce((s, g) => s + g.workloads, 0)).toBe(total.workloads);
          expect(groups.reduce((s, g) => s + g.failing, 0)).toBe(total.failing);
          expect(groups.reduce((s, g) => s + g.warning, 0)).toBe(total.warning);
        }
        expect(failingWorkloads(list).length).toBe(total.failing);
        expect(total.failing + total.warning).toBeLessThanOrEqual(total.workloads);
        // The daily history's "" rows sum to the same total.
        const all = namespaceCounts(list.map((r) => r.workload)).filter((c) => c.policy === "");
        expect(all.reduce((s, c) => s + c.failing, 0)).toBe(total.failing);
      }),
    );
  });
});

describe("CSV export", () => {
  it.each([
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ['=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ["+1", "'+1"],
    ["-cmd", "'-cmd"],
    ["@SUM(A1)", "'@SUM(A1)"],
    [-3, "-3"],
    [true, "true"],
    [undefined, ""],
  ] as const)("writes %j as %s", (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it("ends every line with CRLF", () => {
    expect(toCsv(["a", "b"], [[1, "x"]])).toBe("a,b\r\n1,x\r\n");
  });

  it("never starts a cell with a formula character, whatever the text (property)", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const cell = csvCell(s);
        const inner = cell.startsWith('"') ? cell.slice(1) : cell;
        expect(["=", "+", "-", "@"]).not.toContain(inner.charAt(0));
      }),
    );
  });
});
