/**
 * ImagePolicyException (customs.dev/v1alpha1), described once like ImagePolicy: the CRD's
 * openAPIV3Schema and the control plane's OpenAPI component come from here. What no schema
 * can say stays in the validator (EXCEPTION_SCHEMA_GAPS).
 */
import { EXCEPTION_WORKLOAD_KINDS } from "../policy/index.js";
import { type CelRule, list, object, type Schema, string } from "./model.js";
import { DNS_LABEL, DNS_SUBDOMAIN, labelSelector, namespaceRef } from "./policy-parts.js";
import { RESOURCE_STATUS } from "./resources.js";

const SUBDOMAIN_BODY = DNS_SUBDOMAIN.slice(1, -1);
const DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}";
const EXPIRES = `^${DATE}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2}))?$`;

const specRules: CelRule[] = [
  {
    rule: "!(has(self.workspace) && has(self.namespace))",
    message: "set at most one of `workspace` and `namespace` (the exception's scope)",
  },
  {
    rule: "has(self.images) || has(self.workloads)",
    message: "set `images` and/or `workloads`: an exception must say what it covers",
  },
  {
    rule: "size(self.policies) > 0",
    message: 'name at least one policy, or ["*"] for every policy',
    fieldPath: ".policies",
  },
  {
    rule: "!('*' in self.policies) || size(self.policies) == 1",
    message: '"*" already means every policy: list it alone',
    fieldPath: ".policies",
  },
  {
    rule: "!has(self.images) || size(self.images) > 0",
    message: "an empty list covers nothing: remove it or add entries",
    fieldPath: ".images",
  },
  {
    rule: "!has(self.workloads) || size(self.workloads) > 0",
    message: "an empty list covers nothing: remove it or add entries",
    fieldPath: ".workloads",
  },
];

export const IMAGE_POLICY_EXCEPTION_SPEC: Schema = object(
  {
    policies: list(
      string({
        description: 'A policy name, or "*" for every policy.',
        pattern: `^(\\*|${SUBDOMAIN_BODY})$`,
        maxLength: 253,
      }),
      { description: "The policies this exception relaxes.", maxItems: 1000 },
    ),
    workspace: string({
      description: "Scope: every namespace of this workspace.",
      pattern: DNS_LABEL,
      maxLength: 63,
    }),
    namespace: namespaceRef("Scope: one namespace (NAME or CLUSTER/NAME)."),
    namespaceSelector: labelSelector,
    images: list(
      string({
        description:
          "A pattern (* = any run of characters) on the normalized image with its tag, e.g. docker.io/library/busybox:*.",
        pattern: "^[^\\s]+$",
        minLength: 1,
        maxLength: 512,
      }),
      { maxItems: 1000 },
    ),
    workloads: list(
      object(
        {
          kind: string({
            description: "The workload's kind (any when absent).",
            enum: EXCEPTION_WORKLOAD_KINDS,
          }),
          name: string({
            description: "A pattern on the workload's name.",
            minLength: 1,
            maxLength: 512,
          }),
        },
        { required: ["name"] },
      ),
      { maxItems: 1000 },
    ),
    reason: string({ description: "Why the exception exists.", minLength: 1, maxLength: 4096 }),
    owner: string({ description: "Who answers for it.", minLength: 1, maxLength: 4096 }),
    expires: string({
      description: "YYYY-MM-DD (valid through that day, UTC) or an RFC 3339 date-time.",
      pattern: EXPIRES,
      maxLength: 64,
    }),
  },
  {
    description:
      "Which violations of which policies are exempted, where, why, by whom, until when.",
    required: ["policies", "reason", "owner", "expires"],
    rules: specRules,
  },
);

export const IMAGE_POLICY_EXCEPTION_SCHEMA: Schema = object(
  {
    metadata: object({
      name: string({
        description: "Lowercase RFC 1123 subdomain.",
        pattern: DNS_SUBDOMAIN,
        maxLength: 253,
      }),
    }),
    spec: IMAGE_POLICY_EXCEPTION_SPEC,
    status: RESOURCE_STATUS,
  },
  { required: ["spec"] },
);

/** What the validator refuses and the exception's schema cannot say. */
export const EXCEPTION_SCHEMA_GAPS = {
  image:
    "an image pattern without `*` must be a normalized image with its tag (docker.io/library/busybox:1.36), or it never matches",
  date: "`expires` must be a real date (the schema checks its shape)",
  policyTwice: "a policy listed twice",
} as const;
