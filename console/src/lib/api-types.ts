/**
 * The control plane's API types, generated from its OpenAPI document (GET /api/v1/openapi.json,
 * whose schemas are src/core/schema's) by scripts/openapi-types.ts. Do not edit: run
 * `npm run openapi-types` (test/console/api-types.test.ts fails while this file is stale).
 */

export interface AdminTokenRequest {
  /** Ignored. */
  readonly apiVersion?: string;
  /** Ignored. */
  readonly kind?: string;
  readonly metadata: {
    readonly name: string;
    /** For PUT: the version read (or If-Match). */
    readonly resourceVersion?: string;
  };
  readonly spec?: {
    readonly role?: "admin";
    readonly description?: string;
  };
}

export interface AgentInstall {
  readonly namespace: string;
  readonly manifest: InstallFile;
  readonly values: InstallFile;
  readonly commands: {
    readonly kubectl: string;
    readonly helm: string;
  };
}

export interface AgentKeys {
  readonly keys: readonly PublishedKey[];
}

export interface AgentNamespaces {
  readonly namespaces: readonly {
    readonly name: string;
    readonly labels?: Readonly<Record<string, string>>;
  }[];
}

export interface AgentRegister {
  readonly agentVersion?: string;
  readonly kubernetesVersion?: string;
}

export interface AgentRegistered {
  readonly cluster: string;
  readonly organization: string;
}

export interface AgentReports {
  readonly appliedRevision?: number | string;
  /** The ETag of the bundle the agent verified and enforces. */
  readonly appliedDigest?: string;
  /** Each is checked on its own: a bad one is refused alone (`rejected`). */
  readonly violations?: readonly ViolationReport[];
}

export interface Attachment {
  readonly organization: string;
  readonly workspace: string;
  readonly cluster: string;
  readonly namespace: string;
  /** RFC 3339. */
  readonly attachedAt: string;
  /** The token that attached it. */
  readonly attachedBy: string;
}

export interface AuditEntry {
  readonly id: number;
  /** RFC 3339. */
  readonly time: string;
  readonly actor: {
    readonly token: string;
    readonly role: "admin" | "organization-admin" | "workspace-admin" | "viewer" | "cluster-agent";
  };
  readonly action:
    | "create"
    | "update"
    | "delete"
    | "attach"
    | "detach"
    | "reclaim"
    | "revoke"
    | "rotate"
    | "report";
  readonly kind: string;
  readonly name: string;
  readonly organization?: string;
  readonly workspace?: string;
  /** The object before the change (none for a creation). */
  readonly before?: unknown;
  /** The object after the change (none for a deletion). */
  readonly after?: unknown;
}

export interface AuditList {
  readonly items: readonly AuditEntry[];
  /** Pass as ?continue= for the next page; absent on the last. */
  readonly continue?: string;
}

export interface AuthMethods {
  readonly methods: readonly ("token" | "oidc")[];
  readonly oidc?: {
    readonly signInUrl: string;
  };
}

export interface Bundle {
  /** The organization's revision it was built at. */
  readonly revision: number;
  readonly cluster: string;
  readonly policies: readonly ImagePolicy[];
  readonly workspaces: readonly WorkspaceDocument[];
  /** ImagePolicyExceptions that can apply to the cluster (absent when none). */
  readonly exceptions?: readonly ImagePolicyException[];
  readonly signature: BundleSignature;
}

export interface BundleKeyList {
  readonly items: readonly PublishedKey[];
}

export interface BundleKeyRotate {
  /** How long agents keep trusting the previous key (default 86400). */
  readonly graceSeconds?: number;
}

export interface BundleSignature {
  readonly keyId: string;
  readonly organization: string;
  readonly etag: string;
  /** Ed25519 over the bundle statement, base64. */
  readonly value: string;
}

export interface Cluster {
  readonly metadata: ObjectMeta;
  readonly spec: DescriptionSpec;
  readonly status: ClusterStatus;
}

export interface ClusterCreated {
  readonly metadata: ObjectMeta;
  readonly spec: DescriptionSpec;
  readonly status: ClusterStatus;
  /** The agent's token: in this answer only, never again. */
  readonly agentToken: string;
  readonly install?: AgentInstall;
}

export interface ClusterList {
  readonly items: readonly Cluster[];
  /** Pass as ?continue= for the next page; absent on the last. */
  readonly continue?: string;
}

export interface ClusterStatus {
  /** When its agent was last heard from (RFC 3339). */
  readonly lastSeen?: string;
  readonly agentVersion?: string;
  readonly kubernetesVersion?: string;
  /** The organization's revision of the bundle delivered last. */
  readonly deliveredRevision?: string;
  /** The revision the agent reported it applied. */
  readonly appliedRevision?: string;
  /** The ETag of the bundle delivered (or confirmed) last. */
  readonly deliveredDigest?: string;
  /** The ETag of the bundle the agent verified and enforces. */
  readonly appliedDigest?: string;
  readonly phase: "pending" | "connected" | "disconnected";
  /** The agent verified and enforces the bundle delivered last. */
  readonly inSync: boolean;
}

export interface Compliance {
  readonly groupBy: "cluster" | "workspace" | "namespace" | "workload" | "policy";
  readonly groups: readonly ComplianceGroup[];
  readonly total: ComplianceCounts;
  /** RFC 3339: the oldest report the numbers come from (null: none). */
  readonly asOf: unknown;
}

export interface ComplianceCounts {
  readonly workloads: number;
  /** Workloads with a fail result. */
  readonly failing: number;
  /** Workloads with a warn result and no fail (compliant, with warnings). */
  readonly warning: number;
  /**
   * (workloads − failing) / workloads in percent, a number rounded down to 0.1 (100: nothing
   * fails).
   */
  readonly compliantPercent: unknown;
}

export interface ComplianceGroup {
  readonly cluster?: string;
  readonly workspace?: string;
  readonly namespace?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly policy?: string;
  /** The policy no longer exists. */
  readonly policyDeleted?: boolean;
  readonly workloads: number;
  /** Workloads with a fail result. */
  readonly failing: number;
  /** Workloads with a warn result and no fail (compliant, with warnings). */
  readonly warning: number;
  /**
   * (workloads − failing) / workloads in percent, a number rounded down to 0.1 (100: nothing
   * fails).
   */
  readonly compliantPercent: unknown;
}

export interface CompliancePoint {
  /** YYYY-MM-DD (UTC). */
  readonly day: string;
  readonly workloads: number;
  /** Workloads with a fail result. */
  readonly failing: number;
  /** Workloads with a warn result and no fail (compliant, with warnings). */
  readonly warning: number;
  /**
   * (workloads − failing) / workloads in percent, a number rounded down to 0.1 (100: nothing
   * fails).
   */
  readonly compliantPercent: unknown;
}

export interface ComplianceTrend {
  readonly by: "cluster" | "policy";
  readonly days: number;
  readonly series: readonly {
    readonly key: string;
    readonly policyDeleted?: boolean;
    readonly points: readonly CompliancePoint[];
  }[];
  readonly total: readonly CompliancePoint[];
}

export interface DailyCount {
  /** YYYY-MM-DD (UTC). */
  readonly day: string;
  readonly count: number;
  readonly denied: number;
  readonly warned: number;
  readonly audited: number;
}

export interface DescriptionSpec {
  readonly description?: string;
}

export interface Error {
  readonly error: {
    /** Stable; docs/control-plane.md lists them. */
    readonly code: string;
    /** For people: what is wrong and what to do. */
    readonly message: string;
    /** One entry per field at fault. */
    readonly details?: readonly IssueDetail[];
  };
}

/** An ImagePolicyException stored in the control plane, with its bookkeeping. */
export interface Exception {
  readonly apiVersion: "customs.dev/v1alpha1";
  readonly kind: "ImagePolicyException";
  readonly metadata: ExceptionMetadata;
  readonly spec: ImagePolicyExceptionSpec;
  readonly status?: ImagePolicyStatus;
}

export interface ExceptionList {
  readonly items: readonly Exception[];
  /** Pass as ?continue= for the next page; absent on the last. */
  readonly continue?: string;
}

export interface ExceptionMetadata {
  /** Lowercase RFC 1123 subdomain. */
  readonly name: string;
  /** Ignored: ImagePolicy and Workspace are cluster-scoped. */
  readonly namespace?: string;
  /** Kept with the document. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Kept with the document. */
  readonly annotations?: Readonly<Record<string, string>>;
  readonly generation?: number;
  readonly deletionTimestamp?: string;
  readonly deletionGracePeriodSeconds?: number;
  readonly managedFields?: readonly unknown[];
  readonly finalizers?: readonly string[];
  readonly ownerReferences?: readonly unknown[];
  readonly generateName?: string;
  readonly selfLink?: string;
  /** Set by the control plane (or the API server): the object's identity. */
  readonly uid: string;
  /** Changes on every update: send it back in If-Match. */
  readonly resourceVersion: string;
  /** RFC 3339. */
  readonly creationTimestamp: string;
  /** RFC 3339; set by the control plane. */
  readonly updatedAt: string;
  /** The token that created it; set by the control plane. */
  readonly createdBy: string;
  /** The token that changed it last; set by the control plane. */
  readonly updatedBy: string;
}

/** An ImagePolicyException stored in the control plane, with its bookkeeping. */
export interface ExceptionWritten {
  readonly apiVersion: "customs.dev/v1alpha1";
  readonly kind: "ImagePolicyException";
  readonly metadata: ExceptionMetadata;
  readonly spec: ImagePolicyExceptionSpec;
  readonly status?: ImagePolicyStatus;
  readonly warnings: readonly {
    readonly code: string;
    readonly path: string;
    readonly message: string;
  }[];
}

export interface FailingWorkload {
  readonly cluster: string;
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly containers: readonly {
    readonly name: string;
    /** As written in the workload. */
    readonly image: string;
    readonly type: "container" | "initContainer" | "ephemeralContainer";
  }[];
  readonly results: readonly {
    readonly policy: string;
    readonly result: string;
    readonly code?: string;
    readonly message?: string;
    readonly container?: string;
    readonly image?: string;
    readonly policyDeleted?: boolean;
  }[];
}

export interface FailingWorkloadList {
  readonly items: readonly FailingWorkload[];
  /** Pass as ?continue= for the next page; absent on the last. */
  readonly continue?: string;
}

export interface GroupCount {
  /** The group: cluster, CLUSTER/NAMESPACE, policy or image. */
  readonly key: string;
  readonly count: number;
  readonly deny: number;
  readonly warn: number;
  readonly audit: number;
  /** RFC 3339. */
  readonly lastSeen: string;
  /** groupBy=policy: the policy no longer exists. */
  readonly policyDeleted?: boolean;
}

/** An ImagePolicy of the policy language (docs/policy-language.md). */
export interface ImagePolicy {
  readonly apiVersion: "customs.dev/v1alpha1";
  readonly kind: "ImagePolicy";
  readonly metadata: ImagePolicyMetadata;
  readonly spec: ImagePolicySpec;
  readonly status?: ImagePolicyStatus;
}

/** An ImagePolicyException (docs/policy-language.md, Exceptions). */
export interface ImagePolicyException {
  readonly apiVersion: "customs.dev/v1alpha1";
  readonly kind: "ImagePolicyException";
  readonly metadata: ImagePolicyExceptionMetadata;
  readonly spec: ImagePolicyExceptionSpec;
  readonly status?: ImagePolicyStatus;
}

export interface ImagePolicyExceptionMetadata {
  /** Lowercase RFC 1123 subdomain. */
  readonly name: string;
  /** Ignored: ImagePolicy and Workspace are cluster-scoped. */
  readonly namespace?: string;
  /** Kept with the document. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Kept with the document. */
  readonly annotations?: Readonly<Record<string, string>>;
  readonly generation?: number;
  readonly deletionTimestamp?: string;
  readonly deletionGracePeriodSeconds?: number;
  readonly managedFields?: readonly unknown[];
  readonly finalizers?: readonly string[];
  readonly ownerReferences?: readonly unknown[];
  readonly generateName?: string;
  readonly selfLink?: string;
  /** Set by the control plane (or the API server): the object's identity. */
  readonly uid?: string;
  /** Changes on every update: send it back in If-Match. */
  readonly resourceVersion?: string;
  /** RFC 3339. */
  readonly creationTimestamp?: string;
  /** RFC 3339; set by the control plane. */
  readonly updatedAt?: string;
  /** The token that created it; set by the control plane. */
  readonly createdBy?: string;
  /** The token that changed it last; set by the control plane. */
  readonly updatedBy?: string;
}

/** Which violations of which policies are exempted, where, why, by whom, until when. */
export interface ImagePolicyExceptionSpec {
  /** The policies this exception relaxes. */
  readonly policies: readonly string[];
  /** Scope: every namespace of this workspace. */
  readonly workspace?: string;
  /** Scope: one namespace (NAME or CLUSTER/NAME). */
  readonly namespace?: string;
  /** A Kubernetes LabelSelector over namespace labels, ANDed with the scope. */
  readonly namespaceSelector?: {
    readonly matchLabels?: Readonly<Record<string, string>>;
    readonly matchExpressions?: readonly {
      /** Label key. */
      readonly key: string;
      /** In, NotIn, Exists or DoesNotExist. */
      readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
      readonly values?: readonly string[];
    }[];
  };
  readonly images?: readonly string[];
  readonly workloads?: readonly {
    /** The workload's kind (any when absent). */
    readonly kind?:
      | "Pod"
      | "Deployment"
      | "ReplicaSet"
      | "StatefulSet"
      | "DaemonSet"
      | "Job"
      | "ReplicationController"
      | "CronJob"
      | "PodTemplate";
    /** A pattern on the workload's name. */
    readonly name: string;
  }[];
  /** Why the exception exists. */
  readonly reason: string;
  /** Who answers for it. */
  readonly owner: string;
  /** YYYY-MM-DD (valid through that day, UTC) or an RFC 3339 date-time. */
  readonly expires: string;
}

export interface ImagePolicyMetadata {
  /** Lowercase RFC 1123 subdomain. */
  readonly name: string;
  /** Ignored: ImagePolicy and Workspace are cluster-scoped. */
  readonly namespace?: string;
  /** Kept with the document. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Kept with the document. */
  readonly annotations?: Readonly<Record<string, string>>;
  readonly generation?: number;
  readonly deletionTimestamp?: string;
  readonly deletionGracePeriodSeconds?: number;
  readonly managedFields?: readonly unknown[];
  readonly finalizers?: readonly string[];
  readonly ownerReferences?: readonly unknown[];
  readonly generateName?: string;
  readonly selfLink?: string;
  /** Set by the control plane (or the API server): the object's identity. */
  readonly uid?: string;
  /** Changes on every update: send it back in If-Match. */
  readonly resourceVersion?: string;
  /** RFC 3339. */
  readonly creationTimestamp?: string;
  /** RFC 3339; set by the control plane. */
  readonly updatedAt?: string;
  /** The token that created it; set by the control plane. */
  readonly createdBy?: string;
  /** The token that changed it last; set by the control plane. */
  readonly updatedBy?: string;
}

/** What an ImagePolicy checks, where, and what a failure does. */
export interface ImagePolicySpec {
  /** Scope: every namespace of this workspace. */
  readonly workspace?: string;
  /** Scope: one namespace (NAME or CLUSTER/NAME). */
  readonly namespace?: string;
  /** A Kubernetes LabelSelector over namespace labels, ANDed with the scope. */
  readonly namespaceSelector?: {
    readonly matchLabels?: Readonly<Record<string, string>>;
    readonly matchExpressions?: readonly {
      /** Label key. */
      readonly key: string;
      /** In, NotIn, Exists or DoesNotExist. */
      readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
      readonly values?: readonly string[];
    }[];
  };
  /** deny (default), warn or audit. */
  readonly action?: "deny" | "warn" | "audit";
  /** Let the /mutate webhook pin this policy's images to digests. */
  readonly pinDigests?: boolean;
  /** What the policy checks (an extension may leave it out: its parent's). */
  readonly recipe?:
    | "require-digest"
    | "block-latest-tag"
    | "allowed-name-tag"
    | "custom"
    | "blocked-images"
    | "require-pull-policy"
    | "require-pull-secret"
    | "minimum-version"
    | "require-signature"
    | "require-provenance"
    | "require-labels"
    | "non-root-user"
    | "max-image-age"
    | "approved-base-images"
    | "vulnerability-threshold"
    | "max-image-size"
    | "no-volumes";
  /** An allowlist that narrower scopes may add rules to (spec.extends). */
  readonly extensible?: boolean;
  /** The extensible allowlist this policy adds its rules to. */
  readonly extends?: string;
  /** The recipe's input; each recipe takes only its own fields. */
  readonly input?: {
    /** true means action audit. */
    readonly audit?: boolean;
    /**
     * Images this policy does not check: patterns (`*` = any run) on the normalized image with its
     * implied tag, e.g. docker.io/library/nginx:*.
     */
    readonly exemptImages?: readonly string[];
    readonly rules?: readonly {
      /** Registry host pattern (`*` matches any run); compared case-insensitively. */
      readonly hostname?: string;
      /** Port pattern, e.g. "5000": digits and `*`. */
      readonly port?: number | string;
      /** Repository path pattern, e.g. `team/*` or `library/busybox`. */
      readonly imageName?: string;
      /**
       * Tag pattern: `{value, negate}`, a string for short (`tag: "v*"`), or several: a list or
       * `{values, negate}`.
       */
      readonly tag?: string | readonly string[] | TagPattern;
      readonly requireDigest?: boolean;
      /** minimum-version: the lowest version allowed, e.g. v1.11.2 (SemVer, optional v). */
      readonly minVersion?: string;
    }[];
    readonly authorities?: readonly {
      /** Names the authority in messages; unique in the list. */
      readonly name: string;
      readonly key?: {
        /** A PEM public key. */
        readonly pem?: string;
        readonly secretRef?: {
          /** Secret name. */
          readonly name: string;
          /** Secret namespace (default: the webhook's). */
          readonly namespace?: string;
          /** Key in the Secret. */
          readonly key?: string;
        };
      };
      readonly keyless?: {
        /** OIDC issuer, exactly. */
        readonly issuer?: string;
        /** OIDC issuer, RE2. */
        readonly issuerRegExp?: string;
        /** Certificate subject, exactly. */
        readonly subject?: string;
        /** Certificate subject, RE2. */
        readonly subjectRegExp?: string;
        /** `public-good` or a trusted_root.json path. */
        readonly trustedRoot?: string;
      };
    }[];
    readonly count?: number;
    readonly requireTransparencyLog?: boolean;
    /** pin or refuse: what to do with an image named by tag (unset: the default). */
    readonly tagHandling?: "pin" | "refuse";
    readonly builders?: readonly (string | RegExpMatch)[];
    readonly sourceRepositories?: readonly (string | RegExpMatch)[];
    readonly requireCommit?: boolean;
    readonly requireSbom?: boolean;
    readonly labels?: readonly {
      /** Label or annotation key. */
      readonly key: string;
      /** Value (exact, or a glob with `*`). */
      readonly value?: string;
      /** Value, RE2. */
      readonly valueRegExp?: string;
    }[];
    readonly annotations?: readonly {
      /** Label or annotation key. */
      readonly key: string;
      /** Value (exact, or a glob with `*`). */
      readonly value?: string;
      /** Value, RE2. */
      readonly valueRegExp?: string;
    }[];
    /** e.g. 90d */
    readonly maxAge?: string;
    readonly severity?: "critical" | "high" | "medium" | "low";
    readonly fixableOnly?: boolean;
    readonly allowlist?: readonly {
      /** A CVE, GHSA or scanner ID. */
      readonly id: string;
      /** 2026-12-31 or a date-time. */
      readonly expires: string;
      readonly reason?: string;
    }[];
    /** How old a report may be, e.g. 7d. */
    readonly maxReportAge?: string;
    readonly missingReport?: "deny" | "warn" | "allow";
    readonly immutableTags?: readonly string[];
    /** The largest image allowed: bytes, or a quantity such as 500Mi, 1Gi, 800M. */
    readonly maxSize?: number | string;
    /** Volume paths the image may declare. */
    readonly allowed?: readonly string[];
  };
}

export interface ImagePolicyStatus {
  readonly conditions?: readonly {
    readonly type: string;
    readonly status: "True" | "False" | "Unknown";
    readonly reason?: string;
    readonly message?: string;
    readonly lastTransitionTime?: string;
    readonly observedGeneration?: number;
  }[];
}

export interface Insights {
  readonly groupBy: "cluster" | "namespace" | "policy" | "image";
  readonly items: readonly GroupCount[];
}

export interface InstallFile {
  readonly filename: string;
  /** It holds the token: keep it secret. */
  readonly yaml: string;
}

export interface InventoryReport {
  /** The bundle revision the results were computed with. */
  readonly revision: number;
  /** RFC 3339. */
  readonly generatedAt: string;
  /** The whole cluster: replaces the previous report. */
  readonly workloads: readonly InventoryWorkload[];
}

export interface InventoryResult {
  /** ImagePolicy name. */
  readonly policy: string;
  /**
   * fail: a deny violation; warn: a warn or audit violation; pass: applies, nothing violated; skip:
   * could not decide.
   */
  readonly result: "pass" | "fail" | "warn" | "skip";
  readonly code?: string;
  readonly message?: string;
  readonly container?: string;
  readonly image?: string;
}

export interface InventoryWorkload {
  readonly namespace: string;
  /** The top owner's kind; bare Pods are Pod. */
  readonly kind:
    | "Deployment"
    | "StatefulSet"
    | "DaemonSet"
    | "CronJob"
    | "Job"
    | "Pod"
    | "ReplicaSet"
    | "ReplicationController";
  readonly name: string;
  readonly containers: readonly {
    readonly name: string;
    /** As written in the workload. */
    readonly image: string;
    readonly type: "container" | "initContainer" | "ephemeralContainer";
  }[];
  /** One per policy that applies to the namespace. */
  readonly results: readonly InventoryResult[];
}

export interface IssueDetail {
  /** The field, e.g. spec.input.rules[0].port. */
  readonly path: string;
  readonly message: string;
}

export interface Named {
  /** Ignored. */
  readonly apiVersion?: string;
  /** Ignored. */
  readonly kind?: string;
  readonly metadata: {
    readonly name: string;
    /** For PUT: the version read (or If-Match). */
    readonly resourceVersion?: string;
  };
  readonly spec?: {
    readonly description?: string;
  };
}

export interface NamespacesReported {
  /** The set differed from the one reported before. */
  readonly changed: boolean;
}

export interface ObjectMeta {
  readonly name: string;
  readonly uid: string;
  /** Changes on every update: send it back in If-Match. */
  readonly resourceVersion: string;
  /** RFC 3339. */
  readonly creationTimestamp: string;
  /** RFC 3339. */
  readonly updatedAt: string;
  /** The token that created it. */
  readonly createdBy: string;
  /** The token that changed it last. */
  readonly updatedBy: string;
}

export interface OpenApiDocument {
  readonly openapi: string;
}

export interface Organization {
  readonly metadata: ObjectMeta;
  readonly spec: DescriptionSpec;
  readonly status: {
    /** Bumped by every change inside the organization. */
    readonly revision: number;
  };
}

export interface OrganizationList {
  readonly items: readonly Organization[];
  /** Pass as ?continue= for the next page; absent on the last. */
  readonly continue?: string;
}

/** An ImagePolicy stored in the control plane, with its bookkeeping. */
export interface Policy {
  readonly apiVersion: "customs.dev/v1alpha1";
  readonly kind: "ImagePolicy";
  readonly metadata: PolicyMetadata;
  readonly spec: ImagePolicySpec;
  readonly status?: ImagePolicyStatus;
}

export interface PolicyIssue {
  readonly severity: "error" | "warning";
  readonly code: string;
  readonly path: string;
  readonly message: string;
}

export interface PolicyList {
  readonly items: readonly Policy[];
  /** Pass as ?continue= for the next page; absent on the last. */
  readonly continue?: string;
}

export interface PolicyMetadata {
  /** Lowercase RFC 1123 subdomain. */
  readonly name: string;
  /** Ignored: ImagePolicy and Workspace are cluster-scoped. */
  readonly namespace?: string;
  /** Kept with the document. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Kept with the document. */
  readonly annotations?: Readonly<Record<string, string>>;
  readonly generation?: number;
  readonly deletionTimestamp?: string;
  readonly deletionGracePeriodSeconds?: number;
  readonly managedFields?: readonly unknown[];
  readonly finalizers?: readonly string[];
  readonly ownerReferences?: readonly unknown[];
  readonly generateName?: string;
  readonly selfLink?: string;
  /** Set by the control plane (or the API server): the object's identity. */
  readonly uid: string;
  /** Changes on every update: send it back in If-Match. */
  readonly resourceVersion: string;
  /** RFC 3339. */
  readonly creationTimestamp: string;
  /** RFC 3339; set by the control plane. */
  readonly updatedAt: string;
  /** The token that created it; set by the control plane. */
  readonly createdBy: string;
  /** The token that changed it last; set by the control plane. */
  readonly updatedBy: string;
}

/** An ImagePolicy stored in the control plane, with its bookkeeping. */
export interface PolicyWritten {
  readonly apiVersion: "customs.dev/v1alpha1";
  readonly kind: "ImagePolicy";
  readonly metadata: PolicyMetadata;
  readonly spec: ImagePolicySpec;
  readonly status?: ImagePolicyStatus;
  readonly warnings: readonly {
    readonly code: string;
    readonly path: string;
    readonly message: string;
  }[];
}

/** The policy need not be valid: an invalid one is answered with its issues, not refused. */
export interface PreviewRequest {
  readonly policy: ImagePolicy;
  readonly images: readonly string[];
  readonly namespace?: {
    readonly name: string;
    readonly cluster?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
}

export interface PreviewResponse {
  readonly valid: boolean;
  readonly issues: readonly PolicyIssue[];
  readonly namespace?: {
    readonly name: string;
    readonly cluster?: string;
    /** Would the policy apply to this namespace? */
    readonly applies: boolean;
    /** Why (not), in words. */
    readonly reason: string;
  };
  readonly results: readonly PreviewResult[];
}

export interface PreviewResult {
  readonly image: string;
  /** Absent when the image is no valid reference. */
  readonly normalizedImage?: string;
  readonly verdict: "allow" | "warn" | "deny";
  readonly violations: readonly {
    readonly code: string;
    readonly action: "deny" | "warn" | "audit";
    readonly message: string;
  }[];
}

export interface PublishedKey {
  readonly id: string;
  readonly generation: number;
  readonly algorithm: "Ed25519";
  /** SPKI DER, base64. */
  readonly publicKey: string;
  readonly createdAt: string;
  /** Agents stop trusting it then (set when a newer key replaced it). */
  readonly notAfter?: string;
  /** The previous generation's signature over this key. */
  readonly endorsement?: string;
}

export interface RegExpMatch {
  /** An RE2 expression (matches the whole value). */
  readonly regExp: string;
}

export interface ReportedNamespace {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly workspace?: string;
}

export interface ReportedNamespaceList {
  readonly items: readonly ReportedNamespace[];
}

export interface ReportsAccepted {
  readonly accepted: number;
  readonly rejected?: readonly {
    readonly index: number;
    readonly details: readonly IssueDetail[];
  }[];
}

export interface Session {
  readonly username: string;
  /** The provider's `sub`. */
  readonly subject: string;
  readonly organization: string;
  readonly role: "admin" | "organization-admin" | "workspace-admin" | "viewer" | "cluster-agent";
  readonly workspaces: readonly string[];
  readonly groups: readonly string[];
  /** Send it as X-CSRF-Token with every change. */
  readonly csrfToken: string;
  /** RFC 3339: the absolute end. */
  readonly expiresAt: string;
  /** RFC 3339: the end unless the session is used before. */
  readonly idleExpiresAt: string;
}

export interface TagPattern {
  readonly value?: string;
  readonly values?: readonly string[];
  /** true: the rule matches tags that match none of the patterns. */
  readonly negate?: boolean;
}

/** An API token as listed: never its secret. */
export interface Token {
  readonly metadata: {
    readonly name: string;
    readonly id: string;
    readonly creationTimestamp: string;
    readonly createdBy: string;
  };
  readonly spec: {
    readonly role: "admin" | "organization-admin" | "workspace-admin" | "viewer" | "cluster-agent";
    readonly workspaces: readonly string[];
    /** For cluster-agent tokens. */
    readonly cluster?: string;
  };
  readonly status: {
    readonly revoked: boolean;
    readonly revokedAt?: string;
    /** Kept to the minute. */
    readonly lastUsedAt?: string;
  };
}

/** An API token as listed: never its secret. */
export interface TokenCreated {
  readonly metadata: {
    readonly name: string;
    readonly id: string;
    readonly creationTimestamp: string;
    readonly createdBy: string;
  };
  readonly spec: {
    readonly role: "admin" | "organization-admin" | "workspace-admin" | "viewer" | "cluster-agent";
    readonly workspaces: readonly string[];
    /** For cluster-agent tokens. */
    readonly cluster?: string;
  };
  readonly status: {
    readonly revoked: boolean;
    readonly revokedAt?: string;
    /** Kept to the minute. */
    readonly lastUsedAt?: string;
  };
  /** cst_<id>_<secret>: in this answer only, never again. */
  readonly token: string;
}

export interface TokenList {
  readonly items: readonly Token[];
}

export interface TokenRequest {
  /** Ignored. */
  readonly apiVersion?: string;
  /** Ignored. */
  readonly kind?: string;
  readonly metadata: {
    readonly name: string;
    /** For PUT: the version read (or If-Match). */
    readonly resourceVersion?: string;
  };
  readonly spec: {
    readonly role: "organization-admin" | "workspace-admin" | "viewer";
    /** workspace-admin: at least one; viewer: none means all. */
    readonly workspaces?: readonly string[];
    readonly description?: string;
  };
}

export interface Violation {
  readonly id?: number;
  readonly organization: string;
  readonly cluster: string;
  /** RFC 3339. */
  readonly time: string;
  readonly source: "admission" | "audit";
  readonly operation?: string;
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly container: string;
  /** As written in the workload. */
  readonly image: string;
  readonly normalizedImage?: string;
  readonly policy: string;
  readonly action: "deny" | "warn" | "audit";
  readonly code: string;
  readonly message: string;
  /** What the admission did: denied, admitted with a warning, or admitted with an audit. */
  readonly outcome?: "denied" | "warned" | "audited";
  /** The top owner's kind (a Pod of a ReplicaSet of a Deployment: Deployment). */
  readonly ownerKind?: string;
  readonly ownerName?: string;
  /** How many times it happened on its UTC day. */
  readonly count?: number;
  /** RFC 3339. */
  readonly firstSeen?: string;
  /** RFC 3339 (also `time`). */
  readonly lastSeen?: string;
  /** The policy no longer exists. */
  readonly policyDeleted?: boolean;
}

export interface ViolationList {
  readonly items: readonly Violation[];
  /** Pass as ?continue= for the next page; absent on the last. */
  readonly continue?: string;
}

export interface ViolationReport {
  /** RFC 3339. */
  readonly time: string;
  readonly source: "admission" | "audit";
  readonly operation?: string;
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly container: string;
  /** As written in the workload. */
  readonly image: string;
  readonly normalizedImage?: string;
  readonly policy: string;
  readonly action: "deny" | "warn" | "audit";
  readonly code: string;
  readonly message: string;
  /** What the admission did: denied, admitted with a warning, or admitted with an audit. */
  readonly outcome?: "denied" | "warned" | "audited";
  /** The top owner's kind (a Pod of a ReplicaSet of a Deployment: Deployment). */
  readonly ownerKind?: string;
  readonly ownerName?: string;
  /** How many times it happened on its UTC day. */
  readonly count?: number;
  /** RFC 3339. */
  readonly firstSeen?: string;
}

export interface ViolationsDaily {
  readonly by: "cluster" | "policy";
  readonly days: number;
  readonly series: readonly {
    readonly key: string;
    readonly policyDeleted?: boolean;
    readonly points: readonly DailyCount[];
  }[];
}

export interface Whoami {
  /** The token's name (or the signed-in user's). */
  readonly token: string;
  readonly role: "admin" | "organization-admin" | "workspace-admin" | "viewer" | "cluster-agent";
  /** None for admin tokens. */
  readonly organization?: string;
  readonly workspaces: readonly string[];
  /** For cluster-agent tokens. */
  readonly cluster?: string;
}

export interface Workspace {
  readonly metadata: ObjectMeta;
  readonly spec: DescriptionSpec;
}

/**
 * A Workspace of the policy language (kind Workspace; docs/policy-language.md): in a bundle, the
 * namespaces of one cluster attached to it.
 */
export interface WorkspaceDocument {
  readonly apiVersion: "customs.dev/v1alpha1";
  readonly kind: "Workspace";
  readonly metadata: WorkspaceDocumentMetadata;
  readonly spec?: WorkspaceDocumentSpec;
}

export interface WorkspaceDocumentMetadata {
  /** Lowercase RFC 1123 label (it is also a label value). */
  readonly name: string;
  /** Ignored: ImagePolicy and Workspace are cluster-scoped. */
  readonly namespace?: string;
  /** Kept with the document. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Kept with the document. */
  readonly annotations?: Readonly<Record<string, string>>;
  readonly generation?: number;
  readonly deletionTimestamp?: string;
  readonly deletionGracePeriodSeconds?: number;
  readonly managedFields?: readonly unknown[];
  readonly finalizers?: readonly string[];
  readonly ownerReferences?: readonly unknown[];
  readonly generateName?: string;
  readonly selfLink?: string;
  /** Set by the control plane (or the API server): the object's identity. */
  readonly uid?: string;
  /** Changes on every update: send it back in If-Match. */
  readonly resourceVersion?: string;
  /** RFC 3339. */
  readonly creationTimestamp?: string;
  /** RFC 3339; set by the control plane. */
  readonly updatedAt?: string;
  /** The token that created it; set by the control plane. */
  readonly createdBy?: string;
  /** The token that changed it last; set by the control plane. */
  readonly updatedBy?: string;
}

/** The namespaces of the workspace (besides those labelled with its name). */
export interface WorkspaceDocumentSpec {
  readonly namespaces?: readonly string[];
}

export interface WorkspaceList {
  readonly items: readonly Workspace[];
  /** Pass as ?continue= for the next page; absent on the last. */
  readonly continue?: string;
}

export interface WorkspaceNamespace {
  readonly cluster: string;
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** The cluster's agent reported this namespace. */
  readonly reported: boolean;
  /** RFC 3339. */
  readonly attachedAt: string;
  /** The token that attached it. */
  readonly attachedBy: string;
}

export interface WorkspaceNamespaceList {
  readonly items: readonly WorkspaceNamespace[];
}

/** Every operation (`METHOD /path`): its request body and its answer on success. */
export interface ApiOperations {
  /** List the organizations the caller can see */
  readonly "GET /api/v1/organizations": {
    readonly body: undefined;
    readonly response: OrganizationList;
  };
  /** Create an organization */
  readonly "POST /api/v1/organizations": {
    readonly body: Named;
    readonly response: Organization;
  };
  /** Read one organization */
  readonly "GET /api/v1/organizations/{org}": {
    readonly body: undefined;
    readonly response: Organization;
  };
  /** Change an organization's description */
  readonly "PUT /api/v1/organizations/{org}": {
    readonly body: Named;
    readonly response: Organization;
  };
  /** Delete an organization and everything in it */
  readonly "DELETE /api/v1/organizations/{org}": {
    readonly body: undefined;
    readonly response: undefined;
  };
  /** List the workspaces the caller can see */
  readonly "GET /api/v1/organizations/{org}/workspaces": {
    readonly body: undefined;
    readonly response: WorkspaceList;
  };
  /** Create a workspace */
  readonly "POST /api/v1/organizations/{org}/workspaces": {
    readonly body: Named;
    readonly response: Workspace;
  };
  /** Read one workspace */
  readonly "GET /api/v1/organizations/{org}/workspaces/{workspace}": {
    readonly body: undefined;
    readonly response: Workspace;
  };
  /** Change a workspace's description */
  readonly "PUT /api/v1/organizations/{org}/workspaces/{workspace}": {
    readonly body: Named;
    readonly response: Workspace;
  };
  /** Delete a workspace (refused while policies are scoped to it) */
  readonly "DELETE /api/v1/organizations/{org}/workspaces/{workspace}": {
    readonly body: undefined;
    readonly response: undefined;
  };
  /** List the namespaces attached to a workspace */
  readonly "GET /api/v1/organizations/{org}/workspaces/{workspace}/namespaces": {
    readonly body: undefined;
    readonly response: WorkspaceNamespaceList;
  };
  /** Attach a namespace of a cluster to the workspace (system namespaces: organization admins) */
  readonly "PUT /api/v1/organizations/{org}/workspaces/{workspace}/namespaces/{cluster}/{namespace}": {
    readonly body: undefined;
    readonly response: Attachment;
  };
  /** Detach a namespace from the workspace */
  readonly "DELETE /api/v1/organizations/{org}/workspaces/{workspace}/namespaces/{cluster}/{namespace}": {
    readonly body: undefined;
    readonly response: undefined;
  };
  /** Move a namespace attached to another workspace into this one (audited for both) */
  readonly "POST /api/v1/organizations/{org}/workspaces/{workspace}/namespaces/{cluster}/{namespace}/reclaim": {
    readonly body: undefined;
    readonly response: Attachment;
  };
  /** List clusters with their agents' status */
  readonly "GET /api/v1/organizations/{org}/clusters": {
    readonly body: undefined;
    readonly response: ClusterList;
  };
  /**
   * Register a cluster; the answer holds its agent token, once, and `install`: the agent's manifest
   * (kubectl apply) and Helm values, ready to use
   */
  readonly "POST /api/v1/organizations/{org}/clusters": {
    readonly body: Named;
    readonly response: ClusterCreated;
  };
  /** Read one cluster with its agent's status */
  readonly "GET /api/v1/organizations/{org}/clusters/{cluster}": {
    readonly body: undefined;
    readonly response: Cluster;
  };
  /** Delete a cluster and revoke its agent token */
  readonly "DELETE /api/v1/organizations/{org}/clusters/{cluster}": {
    readonly body: undefined;
    readonly response: undefined;
  };
  /** List the namespaces a cluster's agent reported */
  readonly "GET /api/v1/organizations/{org}/clusters/{cluster}/namespaces": {
    readonly body: undefined;
    readonly response: ReportedNamespaceList;
  };
  /** List ImagePolicies (?scope=organization|workspace|namespace, ?workspace=NAME) */
  readonly "GET /api/v1/organizations/{org}/policies": {
    readonly body: undefined;
    readonly response: PolicyList;
  };
  /** Create an ImagePolicy (validated as by customs policy validate) */
  readonly "POST /api/v1/organizations/{org}/policies": {
    readonly body: ImagePolicy;
    readonly response: PolicyWritten;
  };
  /** Read one ImagePolicy */
  readonly "GET /api/v1/organizations/{org}/policies/{name}": {
    readonly body: undefined;
    readonly response: Policy;
  };
  /** Replace an ImagePolicy */
  readonly "PUT /api/v1/organizations/{org}/policies/{name}": {
    readonly body: ImagePolicy;
    readonly response: PolicyWritten;
  };
  /** Delete an ImagePolicy */
  readonly "DELETE /api/v1/organizations/{org}/policies/{name}": {
    readonly body: undefined;
    readonly response: undefined;
  };
  /** List ImagePolicyExceptions */
  readonly "GET /api/v1/organizations/{org}/exceptions": {
    readonly body: undefined;
    readonly response: ExceptionList;
  };
  /** Create an ImagePolicyException (validated as by customs policy validate) */
  readonly "POST /api/v1/organizations/{org}/exceptions": {
    readonly body: ImagePolicyException;
    readonly response: ExceptionWritten;
  };
  /** Read one ImagePolicyException */
  readonly "GET /api/v1/organizations/{org}/exceptions/{name}": {
    readonly body: undefined;
    readonly response: Exception;
  };
  /** Replace an ImagePolicyException */
  readonly "PUT /api/v1/organizations/{org}/exceptions/{name}": {
    readonly body: ImagePolicyException;
    readonly response: ExceptionWritten;
  };
  /** Delete an ImagePolicyException */
  readonly "DELETE /api/v1/organizations/{org}/exceptions/{name}": {
    readonly body: undefined;
    readonly response: undefined;
  };
  /** The caller's token name, role, organization and workspaces */
  readonly "GET /api/v1/whoami": {
    readonly body: undefined;
    readonly response: Whoami;
  };
  /** Validate a policy and decide sample images: {policy, images, namespace?} */
  readonly "POST /api/v1/organizations/{org}/policies/preview": {
    readonly body: PreviewRequest;
    readonly response: PreviewResponse;
  };
  /** Violation counts (?groupBy=cluster|namespace|policy|image, ?since=RFC3339) */
  readonly "GET /api/v1/organizations/{org}/insights": {
    readonly body: undefined;
    readonly response: Insights;
  };
  /** Violation records, newest first */
  readonly "GET /api/v1/organizations/{org}/insights/violations": {
    readonly body: undefined;
    readonly response: ViolationList;
  };
  /** Events per UTC day by cluster or policy (?days=30&by=cluster|policy), counts summed */
  readonly "GET /api/v1/organizations/{org}/violations/daily": {
    readonly body: undefined;
    readonly response: ViolationsDaily;
  };
  /**
   * Current compliance from the clusters' inventories
   * (?groupBy=cluster|workspace|namespace|workload|policy)
   */
  readonly "GET /api/v1/organizations/{org}/compliance": {
    readonly body: undefined;
    readonly response: Compliance;
  };
  /** Running workloads that fail a policy now, with their failing results */
  readonly "GET /api/v1/organizations/{org}/compliance/failing": {
    readonly body: undefined;
    readonly response: FailingWorkloadList;
  };
  /** Daily compliance (?days=30&by=cluster|policy), from each day's last reports */
  readonly "GET /api/v1/organizations/{org}/compliance/trend": {
    readonly body: undefined;
    readonly response: ComplianceTrend;
  };
  /** The audit log, newest first */
  readonly "GET /api/v1/organizations/{org}/audit": {
    readonly body: undefined;
    readonly response: AuditList;
  };
  /** List API tokens (names and roles; never secrets) */
  readonly "GET /api/v1/organizations/{org}/tokens": {
    readonly body: undefined;
    readonly response: TokenList;
  };
  /** Create a token {metadata:{name}, spec:{role, workspaces?}}; the answer holds it, once */
  readonly "POST /api/v1/organizations/{org}/tokens": {
    readonly body: TokenRequest;
    readonly response: TokenCreated;
  };
  /** Revoke a token */
  readonly "DELETE /api/v1/organizations/{org}/tokens/{name}": {
    readonly body: undefined;
    readonly response: undefined;
  };
  /** Replace a token's secret (same name, role and reach); the answer holds it, once */
  readonly "POST /api/v1/organizations/{org}/tokens/{name}/rotate": {
    readonly body: undefined;
    readonly response: TokenCreated;
  };
  /** List admin tokens (tokens of no organization; never secrets) */
  readonly "GET /api/v1/tokens": {
    readonly body: undefined;
    readonly response: TokenList;
  };
  /** Create an admin token {metadata:{name}, spec:{role: admin}}; the answer holds it, once */
  readonly "POST /api/v1/tokens": {
    readonly body: AdminTokenRequest;
    readonly response: TokenCreated;
  };
  /** Revoke an admin token (never the last live one: 409 LAST_ADMIN_TOKEN) */
  readonly "DELETE /api/v1/tokens/{name}": {
    readonly body: undefined;
    readonly response: undefined;
  };
  /** Replace an admin token's secret; the answer holds the new token, once */
  readonly "POST /api/v1/tokens/{name}/rotate": {
    readonly body: undefined;
    readonly response: TokenCreated;
  };
  /** An agent announces itself: {agentVersion, kubernetesVersion?} */
  readonly "POST /api/v1/agent/register": {
    readonly body: AgentRegister;
    readonly response: AgentRegistered;
  };
  /** The cluster's full set of namespaces: {namespaces:[{name, labels}]} */
  readonly "PUT /api/v1/agent/namespaces": {
    readonly body: AgentNamespaces;
    readonly response: NamespacesReported;
  };
  /**
   * The cluster's whole inventory (every running workload by owner, with its results); replaces the
   * previous one
   */
  readonly "PUT /api/v1/agent/inventory": {
    readonly body: InventoryReport;
    readonly response: undefined;
  };
  /** Long poll for the cluster's bundle (If-None-Match, ?wait=SECONDS up to 60) */
  readonly "GET /api/v1/agent/policies": {
    readonly body: undefined;
    readonly response: Bundle;
  };
  /**
   * The public keys bundles are signed with, each newer one endorsed by the one before (agents pin
   * them)
   */
  readonly "GET /api/v1/agent/keys": {
    readonly body: undefined;
    readonly response: AgentKeys;
  };
  /** The bundle signing keys (public halves), oldest generation first */
  readonly "GET /api/v1/bundle-keys": {
    readonly body: undefined;
    readonly response: BundleKeyList;
  };
  /**
   * Replace the bundle signing key; the previous one stays trusted for graceSeconds (default 86400)
   */
  readonly "POST /api/v1/bundle-keys/rotate": {
    readonly body: BundleKeyRotate;
    readonly response: BundleKeyList;
  };
  /**
   * Violations found by the agent, and the revision it applied; bad records are refused one by one
   */
  readonly "POST /api/v1/agent/reports": {
    readonly body: AgentReports;
    readonly response: ReportsAccepted;
  };
  /** How to sign in: {methods: [token, oidc?], oidc?: {signInUrl}} */
  readonly "GET /api/v1/auth": {
    readonly body: undefined;
    readonly response: AuthMethods;
  };
  /**
   * Start signing in: redirects the browser to the OpenID Provider (code flow, PKCE S256, state,
   * nonce); ?return=#/route
   */
  readonly "GET /api/v1/auth/oidc/sign-in": {
    readonly body: undefined;
    readonly response: undefined;
  };
  /**
   * The provider's redirect: checks state, exchanges the code, verifies the ID token, sets the
   * session cookie and returns to the console
   */
  readonly "GET /api/v1/auth/oidc/callback": {
    readonly body: undefined;
    readonly response: undefined;
  };
  /**
   * The cookie session: who is signed in, role, workspaces, the CSRF token writes carry, when it
   * ends
   */
  readonly "GET /api/v1/auth/session": {
    readonly body: undefined;
    readonly response: Session;
  };
  /** Sign out: ends the cookie session on the server and clears the cookie (needs X-CSRF-Token) */
  readonly "POST /api/v1/auth/sign-out": {
    readonly body: undefined;
    readonly response: undefined;
  };
  /** This OpenAPI 3.1 document */
  readonly "GET /api/v1/openapi.json": {
    readonly body: undefined;
    readonly response: OpenApiDocument;
  };
}

export type RequestBodyOf<K extends keyof ApiOperations> = ApiOperations[K]["body"];
export type ResponseOf<K extends keyof ApiOperations> = ApiOperations[K]["response"];
