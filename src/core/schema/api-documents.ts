/**
 * ImagePolicy and Workspace documents as the control plane's API takes and answers them:
 * the resources of core/schema/resources.ts (the CRDs' own descriptions) with the `apiVersion`
 * and `kind` the API server checks by itself and the object metadata the validator accepts.
 */
import { API_VERSION, METADATA_FIELDS } from "../policy/index.js";
import {
  any,
  extend,
  integer,
  list,
  map,
  named,
  type ObjectSchema,
  object,
  type Schema,
  string,
} from "./model.js";
import {
  IMAGE_POLICY_SCHEMA,
  IMAGE_POLICY_SPEC,
  WORKSPACE_SCHEMA,
  WORKSPACE_SPEC,
} from "./resources.js";

const text = (description?: string) => string(description === undefined ? {} : { description });
const labels = (description: string) => map(string({ maxLength: 63 }), { description });

/** The control plane's bookkeeping in `metadata` (it drops them from a document sent back). */
export const SERVER_METADATA = {
  uid: text("Set by the control plane (or the API server): the object's identity."),
  resourceVersion: text("Changes on every update: send it back in If-Match."),
  creationTimestamp: text("RFC 3339."),
  updatedAt: text("RFC 3339; set by the control plane."),
  createdBy: text("The token that created it; set by the control plane."),
  updatedBy: text("The token that changed it last; set by the control plane."),
};

/**
 * Every field of Kubernetes' ObjectMeta, which the validator accepts as is (a document read
 * from a cluster carries them), and the control plane's own.
 */
const OBJECT_META: Readonly<Record<string, Schema>> = {
  namespace: text("Ignored: ImagePolicy and Workspace are cluster-scoped."),
  labels: labels("Kept with the document."),
  annotations: map(string(), { description: "Kept with the document." }),
  generation: integer(),
  deletionTimestamp: text(),
  deletionGracePeriodSeconds: integer(),
  managedFields: list(any()),
  finalizers: list(string()),
  ownerReferences: list(any()),
  generateName: text(),
  selfLink: text(),
  ...SERVER_METADATA,
};

/** The metadata of a document: the CRD's `name`, and the rest of ObjectMeta. */
export function documentMetadata(resource: Schema, component: string): ObjectSchema {
  const crd = resource.kind === "object" ? resource.properties.metadata : undefined;
  if (crd?.kind !== "object") throw new Error("a resource schema has metadata");
  const known = [...Object.keys(crd.properties), ...Object.keys(OBJECT_META)];
  const missing = METADATA_FIELDS.filter((f) => !known.includes(f));
  if (missing.length > 0) throw new Error(`metadata fields without a schema: ${missing}`);
  return named(component, extend(crd, OBJECT_META, { required: ["name"] }));
}

export function document(
  resource: Schema,
  kind: string,
  spec: Schema,
  metadata: ObjectSchema,
): ObjectSchema {
  if (resource.kind !== "object") throw new Error("a resource schema is an object");
  const { component: _named, ...rest } = resource;
  return {
    ...rest,
    properties: {
      apiVersion: string({ enum: [API_VERSION] }),
      kind: string({ enum: [kind] }),
      ...resource.properties,
      metadata,
      spec,
    },
    required: ["apiVersion", "kind", "metadata", ...(resource.required ?? [])],
  };
}

const POLICY_METADATA = documentMetadata(IMAGE_POLICY_SCHEMA, "ImagePolicyMetadata");

export const IMAGE_POLICY_SPEC_SCHEMA = named("ImagePolicySpec", IMAGE_POLICY_SPEC);

export const IMAGE_POLICY = named(
  "ImagePolicy",
  extend(
    document(IMAGE_POLICY_SCHEMA, "ImagePolicy", IMAGE_POLICY_SPEC_SCHEMA, POLICY_METADATA),
    {},
    { description: "An ImagePolicy of the policy language (docs/policy-language.md)." },
  ),
);

export const WORKSPACE_DOCUMENT = named(
  "WorkspaceDocument",
  extend(
    document(
      WORKSPACE_SCHEMA,
      "Workspace",
      named("WorkspaceDocumentSpec", WORKSPACE_SPEC),
      documentMetadata(WORKSPACE_SCHEMA, "WorkspaceDocumentMetadata"),
    ),
    {},
    {
      description:
        "A Workspace of the policy language (kind Workspace; docs/policy-language.md): in a bundle, the namespaces of one cluster attached to it.",
    },
  ),
);

/** A stored policy as the API answers it: the document, with the control plane's metadata. */
export const POLICY = named(
  "Policy",
  extend(
    IMAGE_POLICY,
    {
      metadata: named(
        "PolicyMetadata",
        extend(POLICY_METADATA, {}, { required: Object.keys(SERVER_METADATA) }),
      ),
    },
    { description: "An ImagePolicy stored in the control plane, with its bookkeeping." },
  ),
);

/** Created or replaced: the policy, and the validator's lint warnings. */
export const POLICY_WRITTEN = named(
  "PolicyWritten",
  extend(
    POLICY,
    {
      warnings: list(
        object(
          { code: string(), path: string(), message: string() },
          { required: ["code", "path", "message"] },
        ),
      ),
    },
    { required: ["warnings"] },
  ),
);
