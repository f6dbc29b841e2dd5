/**
 * What a cluster's agent sends the control plane and receives from it (docs/agent.md): its
 * registration, namespaces, the signed policy bundle, the keys it pins, its reports.
 */

import { IMAGE_POLICY, WORKSPACE_DOCUMENT } from "./api-documents.js";
import { IMAGE_POLICY_EXCEPTION } from "./api-exceptions.js";
import { ISSUE_DETAIL } from "./api-messages.js";
import { workspaceName } from "./api-records.js";
import { VIOLATION_REPORT } from "./api-reports.js";
import { boolean, integer, intOrString, list, map, named, object, str, string } from "./model.js";

const version = string({ maxLength: 256 });

export const AGENT_REGISTER = named(
  "AgentRegister",
  object({ agentVersion: version, kubernetesVersion: version }, { open: true }),
);

export const AGENT_REGISTERED = named(
  "AgentRegistered",
  object({ cluster: str(), organization: str() }, { required: ["cluster", "organization"] }),
);

export const AGENT_NAMESPACES = named(
  "AgentNamespaces",
  object(
    {
      namespaces: list(
        object({ name: workspaceName, labels: map(string()) }, { required: ["name"], open: true }),
      ),
    },
    { required: ["namespaces"], open: true },
  ),
);

export const NAMESPACES_REPORTED = named(
  "NamespacesReported",
  object(
    { changed: boolean({ description: "The set differed from the one reported before." }) },
    { required: ["changed"] },
  ),
);

export const PUBLISHED_KEY = named(
  "PublishedKey",
  object(
    {
      id: str(),
      generation: integer(),
      algorithm: string({ enum: ["Ed25519"] }),
      publicKey: str("SPKI DER, base64."),
      createdAt: str(),
      notAfter: str("Agents stop trusting it then (set when a newer key replaced it)."),
      endorsement: str("The previous generation's signature over this key."),
    },
    { required: ["id", "generation", "algorithm", "publicKey", "createdAt"] },
  ),
);

export const AGENT_KEYS = named(
  "AgentKeys",
  object({ keys: list(PUBLISHED_KEY) }, { required: ["keys"] }),
);

export const BUNDLE_KEY_ROTATE = named(
  "BundleKeyRotate",
  object(
    {
      graceSeconds: integer({
        minimum: 0,
        maximum: 7_776_000,
        description: "How long agents keep trusting the previous key (default 86400).",
      }),
    },
    { open: true },
  ),
);

export const BUNDLE = named(
  "Bundle",
  object(
    {
      revision: integer({ description: "The organization's revision it was built at." }),
      cluster: str(),
      policies: list(IMAGE_POLICY),
      workspaces: list(WORKSPACE_DOCUMENT),
      exceptions: list(IMAGE_POLICY_EXCEPTION, {
        description: "ImagePolicyExceptions that can apply to the cluster (absent when none).",
      }),
      signature: named(
        "BundleSignature",
        object(
          {
            keyId: str(),
            organization: str(),
            etag: str(),
            value: str("Ed25519 over the bundle statement, base64."),
          },
          { required: ["keyId", "organization", "etag", "value"] },
        ),
      ),
    },
    { required: ["revision", "cluster", "policies", "workspaces", "signature"] },
  ),
);

export const AGENT_REPORTS = named(
  "AgentReports",
  object(
    {
      appliedRevision: intOrString({ maxLength: 64 }),
      appliedDigest: str("The ETag of the bundle the agent verified and enforces."),
      violations: list(VIOLATION_REPORT, {
        maxItems: 1000,
        description: "Each is checked on its own: a bad one is refused alone (`rejected`).",
      }),
    },
    { open: true },
  ),
);

export const REPORTS_ACCEPTED = named(
  "ReportsAccepted",
  object(
    {
      accepted: integer(),
      rejected: list(
        object(
          { index: integer(), details: list(ISSUE_DETAIL) },
          { required: ["index", "details"] },
        ),
      ),
    },
    { required: ["accepted"] },
  ),
);
