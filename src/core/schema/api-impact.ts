/**
 * `POST /api/v1/organizations/{org}/impact` (docs/impact.md): the changes to preview, and
 * what they would do to the running workloads and to the admissions of the last days.
 */
import { any, boolean, integer, list, named, object, str, string } from "./model.js";

const KINDS = ["ImagePolicy", "ImagePolicyException"];

export const IMPACT_REQUEST = named(
  "ImpactRequest",
  object(
    {
      changes: list(
        named(
          "ImpactChange",
          object(
            {
              op: string({
                enum: ["create", "update", "delete", "apply"],
                description: "apply: create when the name is free, update when it exists.",
              }),
              kind: string({ enum: KINDS }),
              document: any({
                description:
                  "The candidate ImagePolicy or ImagePolicyException (create, update, apply).",
              }),
              name: str("The name (delete; else taken from document.metadata.name)."),
            },
            { required: ["op", "kind"] },
          ),
        ),
        { minItems: 1, maxItems: 50 },
      ),
      days: integer({
        minimum: 1,
        maximum: 30,
        description: "The admissions window in days (default 7).",
      }),
    },
    { required: ["changes"] },
  ),
);

const GROUP = named(
  "ImpactGroup",
  object(
    {
      cluster: str(),
      namespace: str(),
      owner: object({ kind: str(), name: str() }, { required: ["kind", "name"] }),
      images: list(string()),
      policies: list(string(), {
        description: "The policies that deny or warn after the change (before it for wouldAllow).",
      }),
      codes: list(string()),
      records: integer({ description: "Admissions only: violation records in the window." }),
    },
    { required: ["cluster", "namespace", "owner", "images", "policies", "codes"] },
  ),
);

const BUCKET = named(
  "ImpactBucket",
  object(
    {
      workloads: integer(),
      clusters: integer(),
      groups: list(GROUP),
      truncated: boolean({ description: "More workloads than groups listed." }),
    },
    { required: ["workloads", "clusters", "groups", "truncated"] },
  ),
);

const SIDE = named(
  "ImpactSide",
  object(
    {
      evaluated: integer({ description: "Workloads decided (those the caller can see)." }),
      wouldDeny: BUCKET,
      wouldWarn: BUCKET,
      alreadyDenied: BUCKET,
      wouldAllow: BUCKET,
    },
    { required: ["evaluated", "wouldDeny", "wouldWarn", "alreadyDenied", "wouldAllow"] },
  ),
);

export const IMPACT_RESPONSE = named(
  "ImpactResponse",
  object(
    {
      days: integer(),
      changes: list(
        object(
          {
            op: string({ enum: ["create", "update", "delete"] }),
            kind: string({ enum: KINDS }),
            name: str(),
          },
          { required: ["op", "kind", "name"] },
        ),
      ),
      clusters: list(
        object(
          {
            cluster: str(),
            status: string({ enum: ["reported", "unknown"] }),
            asOf: str("RFC 3339: when the cluster's inventory was made."),
          },
          { required: ["cluster", "status"] },
        ),
      ),
      inventory: SIDE,
      admissions: SIDE,
      admissionsComplete: boolean(),
      notEvaluated: list(string()),
    },
    {
      required: [
        "days",
        "changes",
        "clusters",
        "inventory",
        "admissions",
        "admissionsComplete",
        "notEvaluated",
      ],
    },
  ),
);
