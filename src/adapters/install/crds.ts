/**
 * CustomResourceDefinitions for ImagePolicy and Workspace. Their schemas are generated from
 * core/schema, the one description of both resources, so `kubectl apply` refuses what
 * `customs policy validate` refuses; what no schema can say is refused by Customs' own
 * admission check of these resources, and a policy that still gets in is marked Ready False
 * in its status by the webhook that reads it.
 */

import {
  IMAGE_POLICY_EXCEPTION_SCHEMA,
  IMAGE_POLICY_SCHEMA,
  toOpenApiV3,
  WORKSPACE_SCHEMA,
} from "../../core/schema/index.js";

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
            // An extension's recipe and action are its parent's: this column names it.
            { name: "Extends", type: "string", jsonPath: ".spec.extends", priority: 1 },
            {
              name: "Ready",
              type: "string",
              jsonPath: '.status.conditions[?(@.type=="Ready")].status',
            },
          ],
          // Customs writes status.conditions (Ready, or Invalid with the field path).
          subresources: { status: {} },
          schema: { openAPIV3Schema: toOpenApiV3(IMAGE_POLICY_SCHEMA) },
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
          schema: { openAPIV3Schema: toOpenApiV3(WORKSPACE_SCHEMA) },
        },
      ],
    },
  };
}

/**
 * ImagePolicyException: cluster-scoped like ImagePolicy (an exception may name any
 * namespace, and who may write one is decided by RBAC on this one resource). EXPIRES is a
 * column, so `kubectl get ipolex` shows what is about to lapse.
 */
export function buildImagePolicyExceptionCrd(): Record<string, unknown> {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "imagepolicyexceptions.customs.dev" },
    spec: {
      group: "customs.dev",
      scope: "Cluster",
      names: {
        kind: "ImagePolicyException",
        listKind: "ImagePolicyExceptionList",
        plural: "imagepolicyexceptions",
        singular: "imagepolicyexception",
        shortNames: ["ipolex"],
      },
      versions: [
        {
          name: "v1alpha1",
          served: true,
          storage: true,
          additionalPrinterColumns: [
            { name: "Policies", type: "string", jsonPath: ".spec.policies" },
            { name: "Workspace", type: "string", jsonPath: ".spec.workspace" },
            { name: "Namespace", type: "string", jsonPath: ".spec.namespace" },
            { name: "Owner", type: "string", jsonPath: ".spec.owner" },
            { name: "Expires", type: "string", jsonPath: ".spec.expires" },
            {
              name: "Ready",
              type: "string",
              jsonPath: '.status.conditions[?(@.type=="Ready")].status',
            },
          ],
          subresources: { status: {} },
          schema: { openAPIV3Schema: toOpenApiV3(IMAGE_POLICY_EXCEPTION_SCHEMA) },
        },
      ],
    },
  };
}
