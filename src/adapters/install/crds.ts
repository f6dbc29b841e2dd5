/**
 * CustomResourceDefinitions for ImagePolicy and Workspace, with OpenAPI schemas and CEL rules
 * that refuse at `kubectl apply` what `customs policy validate` refuses (the same character
 * sets, required rules, one scope, port with hostname). The webhook validates again when it
 * loads them, so a schema gap can never let a broken policy through silently.
 */

import { SUPPLY_RECIPES } from "../../core/policy/index.js";

const DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
const NAMESPACE_REF = "^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

const str = (description: string, extra: Record<string, unknown> = {}) => ({
  type: "string",
  description,
  ...extra,
});

const labelSelector = {
  type: "object",
  description: "A Kubernetes LabelSelector over namespace labels, ANDed with the scope.",
  properties: {
    matchLabels: { type: "object", additionalProperties: { type: "string", maxLength: 63 } },
    matchExpressions: {
      type: "array",
      maxItems: 64,
      items: {
        type: "object",
        required: ["key", "operator"],
        properties: {
          key: str("Label key.", { maxLength: 317 }),
          operator: str("In, NotIn, Exists or DoesNotExist.", {
            enum: ["In", "NotIn", "Exists", "DoesNotExist"],
          }),
          values: { type: "array", maxItems: 256, items: { type: "string", maxLength: 63 } },
        },
        "x-kubernetes-validations": [
          {
            rule: "self.operator in ['In', 'NotIn'] ? has(self.values) && size(self.values) > 0 : !has(self.values) || size(self.values) == 0",
            message: "In and NotIn need values; Exists and DoesNotExist take none",
          },
        ],
      },
    },
  },
};

const rule = {
  type: "object",
  properties: {
    hostname: str("Registry host pattern (`*` matches any run); compared case-insensitively.", {
      maxLength: 512,
      pattern: "^[A-Za-z0-9.\\-\\[\\]:*]+$",
    }),
    port: { "x-kubernetes-int-or-string": true, description: 'Port pattern, e.g. "5000".' },
    imageName: str("Repository path pattern, e.g. `team/*` or `library/busybox`.", {
      maxLength: 512,
      pattern: "^[a-z0-9._\\-/*]+$",
    }),
    tag: {
      type: "object",
      properties: {
        value: str("Tag pattern.", { maxLength: 512, pattern: "^[A-Za-z0-9_.\\-*]+$" }),
        negate: { type: "boolean" },
      },
    },
    requireDigest: { type: "boolean" },
  },
  "x-kubernetes-validations": [
    {
      rule: "!has(self.port) || has(self.hostname)",
      message: "a port needs a hostname in the same rule",
    },
  ],
};

const RULE_RECIPES = ["allowed-name-tag", "custom", "blocked-images"];

export function buildImagePolicyCrd(): Record<string, unknown> {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "imagepolicies.customs.dev" },
    spec: {
      group: "customs.dev",
      scope: "Cluster",
      names: {
        kind: "ImagePolicy",
        listKind: "ImagePolicyList",
        plural: "imagepolicies",
        singular: "imagepolicy",
        shortNames: ["ipol"],
      },
      versions: [
        {
          name: "v1alpha1",
          served: true,
          storage: true,
          additionalPrinterColumns: [
            { name: "Recipe", type: "string", jsonPath: ".spec.recipe" },
            { name: "Action", type: "string", jsonPath: ".spec.action" },
            { name: "Workspace", type: "string", jsonPath: ".spec.workspace" },
            { name: "Namespace", type: "string", jsonPath: ".spec.namespace" },
          ],
          schema: {
            openAPIV3Schema: {
              type: "object",
              required: ["spec"],
              properties: {
                spec: {
                  type: "object",
                  required: ["recipe"],
                  properties: {
                    workspace: str("Scope: every namespace of this workspace.", {
                      pattern: DNS_LABEL,
                    }),
                    namespace: str("Scope: one namespace (NAME or CLUSTER/NAME).", {
                      pattern: NAMESPACE_REF,
                      maxLength: 317,
                    }),
                    namespaceSelector: labelSelector,
                    action: str("deny (default), warn or audit.", {
                      enum: ["deny", "warn", "audit"],
                    }),
                    pinDigests: {
                      type: "boolean",
                      description: "Let the /mutate webhook pin this policy's images to digests.",
                    },
                    recipe: str("What the policy checks.", {
                      enum: [
                        "require-digest",
                        "block-latest-tag",
                        ...RULE_RECIPES,
                        ...SUPPLY_RECIPES,
                      ],
                    }),
                    input: {
                      type: "object",
                      // Supply-chain inputs (authorities, allowlists, …) are kept as written and
                      // validated field by field by Customs when it loads the policy: a policy
                      // it refuses is logged and reported, never applied half-read.
                      "x-kubernetes-preserve-unknown-fields": true,
                      properties: {
                        audit: { type: "boolean", description: "true means action audit." },
                        rules: { type: "array", maxItems: 1000, items: rule },
                      },
                    },
                  },
                  "x-kubernetes-validations": [
                    {
                      rule: "!(has(self.workspace) && has(self.namespace))",
                      message: "set at most one of workspace and namespace",
                    },
                    {
                      rule: `self.recipe in ${JSON.stringify([...RULE_RECIPES, "approved-base-images"]).replaceAll('"', "'")} ? has(self.input) && has(self.input.rules) && size(self.input.rules) > 0 : !has(self.input) || !has(self.input.rules)`,
                      message:
                        "allowed-name-tag, custom, blocked-images and approved-base-images need at least one rule; the other recipes take none",
                    },
                    {
                      rule: "self.recipe != 'allowed-name-tag' || !has(self.input) || !has(self.input.rules) || self.input.rules.all(r, !has(r.hostname) && !has(r.port) && !has(r.requireDigest))",
                      message: "allowed-name-tag rules take only imageName and tag",
                    },
                    {
                      rule: "self.recipe != 'blocked-images' || !has(self.input) || !has(self.input.rules) || self.input.rules.all(r, !has(r.requireDigest))",
                      message: "blocked-images rules take no requireDigest",
                    },
                    {
                      rule: "!(has(self.input) && has(self.input.audit) && self.input.audit && has(self.action) && self.action != 'audit')",
                      message: "input.audit: true means action audit; remove one of them",
                    },
                  ],
                },
              },
            },
          },
        },
      ],
    },
  };
}

export function buildWorkspaceCrd(): Record<string, unknown> {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "workspaces.customs.dev" },
    spec: {
      group: "customs.dev",
      scope: "Cluster",
      names: {
        kind: "Workspace",
        listKind: "WorkspaceList",
        plural: "workspaces",
        singular: "workspace",
        shortNames: ["ws"],
      },
      versions: [
        {
          name: "v1alpha1",
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                metadata: {
                  type: "object",
                  properties: { name: { type: "string", pattern: DNS_LABEL } },
                },
                spec: {
                  type: "object",
                  properties: {
                    namespaces: {
                      type: "array",
                      maxItems: 10_000,
                      items: { type: "string", pattern: NAMESPACE_REF, maxLength: 317 },
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}
