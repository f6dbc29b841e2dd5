/** Request body schemas of the OpenAPI document, by the name routes give in `body`. */

const NAME = { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 63 };
const LABELS = { type: "object", additionalProperties: { type: "string" } };

const named = (spec: Record<string, unknown>) => ({
  type: "object",
  required: ["metadata"],
  properties: {
    metadata: {
      type: "object",
      required: ["name"],
      properties: { name: NAME, resourceVersion: { type: "string" } },
    },
    spec: { type: "object", properties: spec, additionalProperties: false },
  },
});

export const SCHEMAS: Readonly<Record<string, unknown>> = {
  Error: {
    type: "object",
    required: ["error"],
    properties: {
      error: {
        type: "object",
        required: ["code", "message"],
        properties: {
          code: { type: "string" },
          message: { type: "string" },
          details: {
            type: "array",
            items: {
              type: "object",
              properties: { path: { type: "string" }, message: { type: "string" } },
            },
          },
        },
      },
    },
  },
  Named: named({ description: { type: "string", maxLength: 1000 } }),
  TokenRequest: named({
    role: { enum: ["organization-admin", "workspace-admin", "viewer"] },
    workspaces: { type: "array", items: NAME },
    description: { type: "string", maxLength: 1000 },
  }),
  AdminTokenRequest: named({
    role: { const: "admin" },
    description: { type: "string", maxLength: 1000 },
  }),
  ImagePolicy: {
    type: "object",
    description: "An ImagePolicy of the policy language (docs/policy-language.md)",
    required: ["apiVersion", "kind", "metadata", "spec"],
    properties: {
      apiVersion: { const: "customs.dev/v1alpha1" },
      kind: { const: "ImagePolicy" },
      metadata: { type: "object" },
      spec: { type: "object" },
    },
  },
  PreviewRequest: {
    type: "object",
    required: ["policy", "images"],
    properties: {
      policy: { $ref: "#/components/schemas/ImagePolicy" },
      images: { type: "array", items: { type: "string" }, maxItems: 100 },
      namespace: {
        type: "object",
        required: ["name"],
        properties: { name: NAME, cluster: { type: "string" }, labels: LABELS },
      },
    },
  },
  AgentRegister: {
    type: "object",
    properties: { agentVersion: { type: "string" }, kubernetesVersion: { type: "string" } },
  },
  AgentNamespaces: {
    type: "object",
    required: ["namespaces"],
    properties: {
      namespaces: {
        type: "array",
        items: {
          type: "object",
          required: ["name"],
          properties: { name: NAME, labels: LABELS },
        },
      },
    },
  },
  BundleKeyRotate: {
    type: "object",
    properties: { graceSeconds: { type: "integer", minimum: 0, maximum: 7_776_000 } },
  },
  AgentReports: {
    type: "object",
    properties: {
      appliedRevision: { type: ["string", "integer"] },
      appliedDigest: {
        type: "string",
        description: "the ETag of the bundle the agent verified and enforces",
      },
      violations: { type: "array", maxItems: 1000, items: { type: "object" } },
    },
  },
};
