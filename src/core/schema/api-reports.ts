/**
 * What the control plane reports: the violations agents found (as they send them and as the
 * API lists them), their counts, and the audit log of every change.
 */
import type { AuditEntry, ViolationRecord } from "../fleet/store.js";
import { ACTIONS } from "../policy/index.js";
import { role } from "./api-records.js";
import { any, boolean, integer, list, named, object, str, string } from "./model.js";

const AUDIT_ACTIONS: Readonly<Record<AuditEntry["action"], true>> = {
  create: true,
  update: true,
  delete: true,
  attach: true,
  detach: true,
  reclaim: true,
  revoke: true,
  rotate: true,
  report: true,
};
const SOURCES: Readonly<Record<ViolationRecord["source"], true>> = { admission: true, audit: true };

const violationFields = {
  time: str("RFC 3339."),
  source: string({ enum: Object.keys(SOURCES) }),
  operation: str(),
  namespace: str(),
  kind: str(),
  name: str(),
  container: str(),
  image: str("As written in the workload."),
  normalizedImage: str(),
  policy: str(),
  action: string({ enum: ACTIONS }),
  code: str(),
  message: str(),
  outcome: string({
    enum: ["denied", "warned", "audited"],
    description:
      "What the admission did: denied, admitted with a warning, or admitted with an audit.",
  }),
  ownerKind: str("The top owner's kind (a Pod of a ReplicaSet of a Deployment: Deployment)."),
  ownerName: str(),
  count: integer({ minimum: 1, description: "How many times it happened on its UTC day." }),
  firstSeen: str("RFC 3339."),
};
const violationRequired = [
  "time",
  "source",
  "namespace",
  "kind",
  "name",
  "container",
  "image",
  "policy",
  "action",
  "code",
  "message",
];

/** A reported violation's required free-text fields (source and action are enums). */
export const VIOLATION_TEXT_FIELDS = violationRequired.filter(
  (f) => f !== "source" && f !== "action",
);
/** Where a violation was seen: refused at admission, or found by the agent's audit. */
export const VIOLATION_SOURCES = Object.keys(SOURCES);

/** One violation as an agent reports it (each checked on its own: `rejected`). */
export const VIOLATION_REPORT = named(
  "ViolationReport",
  object(violationFields, { required: violationRequired, open: true }),
);

export const VIOLATION = named(
  "Violation",
  object(
    {
      id: integer(),
      organization: str(),
      cluster: str(),
      ...violationFields,
      lastSeen: str("RFC 3339 (also `time`)."),
      policyDeleted: boolean({ description: "The policy no longer exists." }),
    },
    { required: ["organization", "cluster", ...violationRequired] },
  ),
);

export const INSIGHTS = named(
  "Insights",
  object(
    {
      groupBy: string({ enum: ["cluster", "namespace", "policy", "image"] }),
      items: list(
        named(
          "GroupCount",
          object(
            {
              key: str("The group: cluster, CLUSTER/NAMESPACE, policy or image."),
              count: integer(),
              deny: integer(),
              warn: integer(),
              audit: integer(),
              lastSeen: str("RFC 3339."),
              policyDeleted: boolean({
                description: "groupBy=policy: the policy no longer exists.",
              }),
            },
            { required: ["key", "count", "deny", "warn", "audit", "lastSeen"] },
          ),
        ),
      ),
    },
    { required: ["groupBy", "items"] },
  ),
);

export const AUDIT_ENTRY = named(
  "AuditEntry",
  object(
    {
      id: integer(),
      time: str("RFC 3339."),
      actor: object({ token: str(), role }, { required: ["token", "role"] }),
      action: string({ enum: Object.keys(AUDIT_ACTIONS) }),
      kind: str(),
      name: str(),
      organization: str(),
      workspace: str(),
      before: any({ description: "The object before the change (none for a creation)." }),
      after: any({ description: "The object after the change (none for a deletion)." }),
    },
    { required: ["id", "time", "actor", "action", "kind", "name"] },
  ),
);
