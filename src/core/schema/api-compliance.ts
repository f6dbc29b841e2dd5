/**
 * The fleet's state (docs/control-plane.md, Inventory and compliance): the inventory agents
 * send, current compliance, its daily trend, and events per day.
 */
import {
  COMPLIANCE_GROUP_BY,
  INVENTORY_KINDS,
  INVENTORY_LIMITS,
  WORKLOAD_RESULTS,
} from "../fleet/inventory.js";
import { paged } from "./api-records.js";
import { any, boolean, integer, list, named, object, str, string } from "./model.js";

const bounded = (description?: string) =>
  string({
    ...(description === undefined ? {} : { description }),
    minLength: 1,
    maxLength: INVENTORY_LIMITS.maxString,
  });
const optionalText = string({ maxLength: INVENTORY_LIMITS.maxString });

const CONTAINER = object(
  {
    name: bounded(),
    image: bounded("As written in the workload."),
    type: string({ enum: ["container", "initContainer", "ephemeralContainer"] }),
  },
  { required: ["name", "image", "type"] },
);

const RESULT = named(
  "InventoryResult",
  object(
    {
      policy: bounded("ImagePolicy name."),
      result: string({
        enum: WORKLOAD_RESULTS,
        description:
          "fail: a deny violation; warn: a warn or audit violation; pass: applies, nothing violated; skip: could not decide.",
      }),
      code: optionalText,
      message: optionalText,
      container: optionalText,
      image: optionalText,
    },
    { required: ["policy", "result"] },
  ),
);

const WORKLOAD = named(
  "InventoryWorkload",
  object(
    {
      namespace: bounded(),
      kind: string({
        enum: INVENTORY_KINDS,
        description: "The top owner's kind; bare Pods are Pod.",
      }),
      name: bounded(),
      containers: list(CONTAINER, { maxItems: INVENTORY_LIMITS.maxContainers }),
      results: list(RESULT, {
        maxItems: INVENTORY_LIMITS.maxResults,
        description: "One per policy that applies to the namespace.",
      }),
    },
    { required: ["namespace", "kind", "name", "containers", "results"] },
  ),
);

export const INVENTORY_REPORT = named(
  "InventoryReport",
  object(
    {
      revision: integer({
        minimum: 0,
        description: "The bundle revision the results were computed with.",
      }),
      generatedAt: str("RFC 3339."),
      workloads: list(WORKLOAD, {
        maxItems: INVENTORY_LIMITS.maxWorkloads,
        description: "The whole cluster: replaces the previous report.",
      }),
    },
    { required: ["revision", "generatedAt", "workloads"] },
  ),
);

const percent = any({
  description:
    "(workloads − failing) / workloads in percent, a number rounded down to 0.1 (100: nothing fails).",
});

const COUNTS = {
  workloads: integer(),
  failing: integer({ description: "Workloads with a fail result." }),
  warning: integer({
    description: "Workloads with a warn result and no fail (compliant, with warnings).",
  }),
  compliantPercent: percent,
};
const COUNTS_REQUIRED = ["workloads", "failing", "warning", "compliantPercent"];

export const COMPLIANCE = named(
  "Compliance",
  object(
    {
      groupBy: string({ enum: COMPLIANCE_GROUP_BY }),
      groups: list(
        named(
          "ComplianceGroup",
          object(
            {
              cluster: str(),
              workspace: str(),
              namespace: str(),
              kind: str(),
              name: str(),
              policy: str(),
              policyDeleted: boolean({ description: "The policy no longer exists." }),
              ...COUNTS,
            },
            { required: COUNTS_REQUIRED },
          ),
        ),
      ),
      total: named("ComplianceCounts", object(COUNTS, { required: COUNTS_REQUIRED })),
      asOf: any({ description: "RFC 3339: the oldest report the numbers come from (null: none)." }),
    },
    { required: ["groupBy", "groups", "total", "asOf"] },
  ),
);

export const FAILING_WORKLOADS = paged(
  "FailingWorkloadList",
  named(
    "FailingWorkload",
    object(
      {
        cluster: str(),
        namespace: str(),
        kind: str(),
        name: str(),
        containers: list(CONTAINER),
        results: list(
          object(
            {
              policy: str(),
              result: str(),
              code: str(),
              message: str(),
              container: str(),
              image: str(),
              policyDeleted: boolean(),
            },
            { required: ["policy", "result"] },
          ),
        ),
      },
      { required: ["cluster", "namespace", "kind", "name", "containers", "results"] },
    ),
  ),
);

const TREND_POINT = named(
  "CompliancePoint",
  object({ day: str("YYYY-MM-DD (UTC)."), ...COUNTS }, { required: ["day", ...COUNTS_REQUIRED] }),
);

export const COMPLIANCE_TREND = named(
  "ComplianceTrend",
  object(
    {
      by: string({ enum: ["cluster", "policy"] }),
      days: integer(),
      series: list(
        object(
          { key: str(), policyDeleted: boolean(), points: list(TREND_POINT) },
          { required: ["key", "points"] },
        ),
      ),
      total: list(TREND_POINT),
    },
    { required: ["by", "days", "series", "total"] },
  ),
);

export const VIOLATIONS_DAILY = named(
  "ViolationsDaily",
  object(
    {
      by: string({ enum: ["cluster", "policy"] }),
      days: integer(),
      series: list(
        object(
          {
            key: str(),
            policyDeleted: boolean(),
            points: list(
              named(
                "DailyCount",
                object(
                  {
                    day: str("YYYY-MM-DD (UTC)."),
                    count: integer(),
                    denied: integer(),
                    warned: integer(),
                    audited: integer(),
                  },
                  { required: ["day", "count", "denied", "warned", "audited"] },
                ),
              ),
            ),
          },
          { required: ["key", "points"] },
        ),
      ),
    },
    { required: ["by", "days", "series"] },
  ),
);
