import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type DailySeries,
  PLOT,
  toAxisMax,
  toComplianceSummary,
  toCsvFileName,
  toDailySeries,
  toDayRange,
  toFailingWorkloads,
  toInsightEvents,
  toLines,
  toPercentText,
  toStackedBars,
} from "../../console/src/lib/insights.js";

describe("compliance answers", () => {
  it("reads groups keyed by text or by their fields, and the total", () => {
    const got = toComplianceSummary({
      groups: [
        { key: "prod", workloads: 4, failing: 1, warning: 1, compliantPercent: 75 },
        { key: { cluster: "dev", namespace: "web" }, workloads: 2, failing: 2, warning: 0 },
        { key: "old-policy", workloads: 0, failing: 0, warning: 0, policyDeleted: true },
      ],
      total: { workloads: 6, failing: 3, warning: 1, compliantPercent: 50 },
      asOf: "2026-12-07T05:00:00Z",
    });
    expect(got).toEqual({
      groups: [
        {
          label: "prod",
          deleted: false,
          workloads: 4,
          failing: 1,
          warning: 1,
          compliantPercent: 75,
        },
        {
          label: "dev/web",
          deleted: false,
          workloads: 2,
          failing: 2,
          warning: 0,
          compliantPercent: 0,
        },
        {
          label: "old-policy",
          deleted: true,
          workloads: 0,
          failing: 0,
          warning: 0,
          compliantPercent: 100,
        },
      ],
      total: { workloads: 6, failing: 3, warning: 1, compliantPercent: 50 },
      asOf: "2026-12-07T05:00:00Z",
    });
  });

  it.each<[unknown, number, number]>([
    [undefined, 0, 100],
    [{ groups: "nope" }, 0, 100],
    [{ groups: [{ key: "a", workloads: 3, failing: 1 }] }, 3, (100 * 2) / 3],
    [{ groups: [{ key: "a", workloads: -1, failing: "x" }] }, 0, 100],
  ])("%j: total workloads %d, %d %% compliant", (body, workloads, percent) => {
    const got = toComplianceSummary(body);
    expect(got.total.workloads).toBe(workloads);
    expect(got.total.compliantPercent).toBeCloseTo(percent);
  });

  it("reads failing workloads with their owner, images and failing results", () => {
    expect(
      toFailingWorkloads({
        items: [
          {
            cluster: "prod",
            namespace: "web",
            kind: "Deployment",
            name: "api",
            containers: [{ name: "app", image: "nginx:latest", type: "container" }],
            results: [
              {
                policy: "no-latest",
                result: "fail",
                code: "IMAGE_TAG_LATEST",
                message: "m",
                container: "app",
                image: "nginx:latest",
                policyDeleted: true,
              },
            ],
          },
          {
            cluster: "dev",
            owner: { namespace: "ns", kind: "Pod", name: "p" },
            failing: [{ policy: "x" }],
          },
        ],
      }),
    ).toEqual([
      {
        cluster: "prod",
        namespace: "web",
        kind: "Deployment",
        name: "api",
        images: ["nginx:latest"],
        results: [
          {
            policy: "no-latest",
            result: "fail",
            code: "IMAGE_TAG_LATEST",
            message: "m",
            container: "app",
            image: "nginx:latest",
            policyDeleted: true,
          },
        ],
      },
      {
        cluster: "dev",
        namespace: "ns",
        kind: "Pod",
        name: "p",
        images: [],
        results: [
          {
            policy: "x",
            result: "fail",
            code: "",
            message: "",
            container: "",
            image: "",
            policyDeleted: false,
          },
        ],
      },
    ]);
  });
});

describe("daily series", () => {
  const expected: DailySeries = {
    days: ["2026-12-05", "2026-12-06", "2026-12-07"],
    series: [
      { key: "dev", values: [0, 2, 0] },
      { key: "prod", values: [1, 0, 3] },
    ],
  };
  it.each<[string, unknown]>([
    [
      "days and values",
      {
        days: ["2026-12-05", "2026-12-06", "2026-12-07"],
        series: [
          { key: "prod", values: [1, 0, 3] },
          { key: "dev", values: [0, 2, 0] },
        ],
      },
    ],
    [
      "points per series, a missing day is zero",
      {
        days: ["2026-12-05", "2026-12-06", "2026-12-07"],
        series: [
          {
            key: "prod",
            points: [
              { day: "2026-12-05", count: 1 },
              { day: "2026-12-07", count: 3 },
            ],
          },
          { key: "dev", points: [{ day: "2026-12-06", value: 2 }] },
        ],
      },
    ],
    [
      "the control plane's daily counts (count beside denied, warned, audited)",
      {
        by: "cluster",
        days: 3,
        series: [
          {
            key: "prod",
            points: [
              { day: "2026-12-05", count: 1, denied: 1, warned: 0, audited: 0 },
              { day: "2026-12-06", count: 0, denied: 0, warned: 0, audited: 0 },
              { day: "2026-12-07", count: 3, denied: 2, warned: 1, audited: 0 },
            ],
          },
          {
            key: "dev",
            points: [{ day: "2026-12-06", count: 2, denied: 2, warned: 0, audited: 0 }],
          },
        ],
      },
    ],
    [
      "flat items, days taken from them",
      {
        items: [
          { day: "2026-12-07", key: "prod", count: 3 },
          { day: "2026-12-05", key: "prod", count: 1 },
          { day: "2026-12-06", key: "dev", count: 2 },
        ],
      },
    ],
  ])("%s", (_, body) => {
    expect(toDailySeries(body)).toEqual(expected);
  });

  it("reads the compliance trend's percentages and marks deleted policies", () => {
    const got = toDailySeries({
      by: "policy",
      series: [
        {
          key: "gone",
          policyDeleted: true,
          points: [
            { day: "2026-12-07", workloads: 4, failing: 1, warning: 0, compliantPercent: 75 },
          ],
        },
      ],
      total: [],
    });
    expect(got).toEqual({
      days: ["2026-12-07"],
      series: [{ key: "gone", values: [75] }],
      deleted: ["gone"],
    });
  });

  it("reads nothing from nonsense", () => {
    expect(toDailySeries("x")).toEqual({ days: [], series: [] });
  });
});

describe("events", () => {
  it("reads a deduplicated row, and fills outcome and owner for older records", () => {
    const [deduped, older] = toInsightEvents({
      items: [
        {
          id: 7,
          cluster: "prod",
          namespace: "web",
          source: "admission",
          outcome: "denied",
          kind: "ReplicaSet",
          name: "api-5d4f",
          ownerKind: "Deployment",
          ownerName: "api",
          policy: "gone",
          policyDeleted: true,
          action: "deny",
          count: 17,
          firstSeen: "2026-12-07T01:00:00Z",
          lastSeen: "2026-12-07T02:00:00Z",
        },
        { cluster: "dev", kind: "Pod", name: "p", action: "warn", time: "2026-12-06T00:00:00Z" },
      ],
    });
    expect(deduped).toMatchObject({
      id: "7",
      outcome: "denied",
      ownerKind: "Deployment",
      ownerName: "api",
      policyDeleted: true,
      count: 17,
    });
    expect(older).toMatchObject({
      id: "1",
      source: "admission",
      outcome: "warned",
      ownerKind: "Pod",
      ownerName: "p",
      count: 1,
      firstSeen: "2026-12-06T00:00:00Z",
      lastSeen: "2026-12-06T00:00:00Z",
    });
  });
});

describe("plot geometry", () => {
  it.each<[number, number]>([
    [0, 1],
    [1, 1],
    [3, 5],
    [7, 10],
    [11, 20],
    [120, 200],
    [501, 1000],
  ])("axis maximum of %d is %d", (max, axis) => {
    expect(toAxisMax(max)).toBe(axis);
  });

  it.each<[number, string]>([
    [100, "100 %"],
    [0, "0 %"],
    [66.666, "66.7 %"],
    [99.96, "100 %"],
  ])("%d reads %s", (p, t) => {
    expect(toPercentText(p)).toBe(t);
  });

  const seriesArb = fc
    .tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 4 }))
    .chain(([days, keys]) =>
      fc.record({
        days: fc.constant(
          Array.from({ length: days }, (_, i) => `2026-12-${String(i + 1).padStart(2, "0")}`),
        ),
        series: fc.tuple(
          ...Array.from({ length: keys }, (_, k) =>
            fc
              .array(fc.integer({ min: 0, max: 50 }), { minLength: days, maxLength: days })
              .map((values) => ({ key: `k${k}`, values })),
          ),
        ),
      }),
    );

  it("stacks one bar per non-zero value, touching, inside the plot, proportional to the value", () => {
    fc.assert(
      fc.property(seriesArb, (data) => {
        const { bars, max } = toStackedBars(data);
        const nonZero = data.series.flatMap((s) => s.values.filter((v) => v > 0));
        expect(bars.length).toBe(nonZero.length);
        const inner = PLOT.height - PLOT.top - PLOT.bottom;
        data.days.forEach((day) => {
          const column = bars.filter((b) => b.day === day);
          let base = PLOT.height - PLOT.bottom;
          for (const b of column) {
            expect(b.y + b.height).toBeCloseTo(base);
            expect(b.height).toBeCloseTo((b.value / max) * inner);
            base = b.y;
          }
          expect(base).toBeGreaterThanOrEqual(PLOT.top - 1e-9);
        });
      }),
    );
  });

  it("draws a point a day per line, 100 % at the top and 0 % on the axis", () => {
    const [line] = toLines({ days: ["a", "b"], series: [{ key: "prod", values: [100, 0] }] });
    expect(line?.points.map((p) => p.y)).toEqual([PLOT.top, PLOT.height - PLOT.bottom]);
    expect(line?.points[0]?.x).toBeLessThan(line?.points[1]?.x ?? 0);
  });

  it("breaks a line where a day has no value, never drawing it as 0 %", () => {
    const trend = toDailySeries(
      {
        series: [
          {
            key: "prod",
            points: [
              { day: "2026-12-05", compliantPercent: 50 },
              { day: "2026-12-07", compliantPercent: 75 },
            ],
          },
        ],
      },
      toDayRange("2026-12-07", 4),
      "gap",
    );
    expect(trend.days).toEqual(["2026-12-04", "2026-12-05", "2026-12-06", "2026-12-07"]);
    expect(trend.series[0]?.values).toEqual([null, 50, null, 75]);
    const [line] = toLines(trend);
    expect(line?.points.map((p) => p.value)).toEqual([50, 75]);
    expect(line?.segments.map((seg) => seg.map((p) => p.day))).toEqual([
      ["2026-12-05"],
      ["2026-12-07"],
    ]);
  });

  it.each<[string, number, string[]]>([
    ["2026-12-07", 3, ["2026-12-05", "2026-12-06", "2026-12-07"]],
    ["2026-03-01", 2, ["2026-02-28", "2026-03-01"]],
    ["2026-12-07", 0, []],
    ["not a day", 3, []],
  ])("up to %s, %d days", (today, days, range) => {
    expect(toDayRange(today, days)).toEqual(range);
  });

  it("sorts events newest first", () => {
    const got = toInsightEvents({
      items: [
        { id: 1, lastSeen: "2026-12-05T00:00:00Z" },
        { id: 2, lastSeen: "2026-12-07T00:00:00Z" },
        { id: 3, time: "2026-12-06T00:00:00Z" },
      ],
    });
    expect(got.map((e) => e.id)).toEqual(["2", "3", "1"]);
  });

  it("names CSV files after what they hold", () => {
    expect(toCsvFileName("compliance by cluster", "2026-12-07")).toBe(
      "customs-compliance-by-cluster-2026-12-07.csv",
    );
  });
});
