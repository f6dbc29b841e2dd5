/**
 * The control plane's storage port: what the API needs from a database, nothing more. One
 * implementation (src/adapters/store) serves SQLite and PostgreSQL through one query layer.
 *
 * Every mutating method runs in one transaction with its audit entry and the organization's
 * revision bump, so a change, its audit record and its delivery can never disagree.
 */

import type { ClusterWorkload, InventoryReport } from "./inventory.js";

/** Who made a change, as recorded in the audit log (never a secret). */
export interface Actor {
  readonly token: string;
  readonly role: Role;
}

export type Role = "admin" | "organization-admin" | "workspace-admin" | "viewer" | "cluster-agent";

export interface ObjectMeta {
  readonly name: string;
  readonly uid: string;
  /** Decimal string; changes on every update. */
  readonly resourceVersion: string;
  readonly creationTimestamp: string;
  readonly updatedAt: string;
  readonly createdBy: string;
  readonly updatedBy: string;
}

export interface OrganizationRow {
  readonly metadata: ObjectMeta;
  readonly spec: { readonly description?: string };
  /** Bumped by every change inside the organization. */
  readonly revision: number;
}

export interface WorkspaceRow {
  readonly organization: string;
  readonly metadata: ObjectMeta;
  readonly spec: { readonly description?: string };
}

export interface ClusterRow {
  readonly organization: string;
  readonly metadata: ObjectMeta;
  readonly spec: { readonly description?: string };
  readonly status: ClusterStatus;
}

export interface ClusterStatus {
  readonly lastSeen?: string;
  readonly agentVersion?: string;
  readonly kubernetesVersion?: string;
  readonly deliveredRevision?: string;
  readonly appliedRevision?: string;
  /** The ETag of the bundle last delivered (200) or confirmed current (304). */
  readonly deliveredDigest?: string;
  /** The ETag of the bundle the agent last reported it verified and enforces. */
  readonly appliedDigest?: string;
}

/**
 * A key the control plane signs bundles with (docs/control-plane.md, Signed bundles). The
 * newest generation signs; older ones stay trusted by agents until `notAfter`.
 */
export interface BundleKeyRow {
  readonly generation: number;
  /** base64url sha256 of the public key (SPKI DER), shortened. */
  readonly id: string;
  readonly algorithm: "Ed25519";
  /** SPKI DER, base64. */
  readonly publicKey: string;
  /** PKCS#8 DER, base64. Never leaves the control plane. */
  readonly privateKey: string;
  readonly createdAt: string;
  /** Set when a newer key replaced it: agents stop trusting it then. */
  readonly notAfter: string | undefined;
  /** The previous generation's signature over this key (none for the first key). */
  readonly endorsement: string | undefined;
}

/** A namespace a cluster's agent reported. */
export interface NamespaceRow {
  readonly organization: string;
  readonly cluster: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** A namespace attached to a workspace; it may not have been reported (yet). */
export interface AttachmentRow {
  readonly organization: string;
  readonly workspace: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly attachedAt: string;
  readonly attachedBy: string;
}

export interface PolicyRow {
  readonly organization: string;
  readonly metadata: ObjectMeta;
  /** The ImagePolicy document as the user wrote it (validated before it is stored). */
  readonly document: Readonly<Record<string, unknown>>;
  /** Denormalized from the document, for filtering and authorization. */
  readonly scope:
    | { readonly kind: "organization" }
    | { readonly kind: "workspace"; readonly workspace: string }
    | { readonly kind: "namespace"; readonly cluster?: string; readonly namespace: string };
}

/**
 * A stored ImagePolicyException: the same shape as a policy row (the document as written, its
 * scope denormalized), in a table of its own.
 */
export type ExceptionRow = PolicyRow;

export interface TokenRow {
  /** Public part of the token (`cst_<id>_<secret>`), used to look it up. */
  readonly id: string;
  readonly organization: string | undefined;
  readonly name: string;
  readonly role: Role;
  /** For workspace-admin and viewer: the workspaces it is limited to (empty: none/all per role). */
  readonly workspaces: readonly string[];
  /** For cluster-agent. */
  readonly cluster: string | undefined;
  /** sha256 of the secret, hex. */
  readonly secretHash: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly revokedAt: string | undefined;
  /** When it last authenticated (kept to the minute); undefined: never, or not yet recorded. */
  readonly lastUsedAt?: string | undefined;
}

/**
 * A console session made by signing in with OpenID Connect (docs/sso.md). The cookie holds
 * a random id; only its sha256 is stored, so a copy of the database opens no session.
 */
export interface SessionRow {
  /** sha256 (hex) of the id in the cookie. */
  readonly idHash: string;
  readonly organization: string;
  /** The provider's `sub` and the name shown and audited (the configured claim). */
  readonly subject: string;
  readonly username: string;
  /** The groups of the ID token; roles are mapped from them on every request. */
  readonly groups: readonly string[];
  /** The token writes must carry in `X-CSRF-Token` (double submit, docs/sso.md). */
  readonly csrfToken: string;
  readonly createdAt: string;
  /** Kept to the minute, for the idle timeout. */
  readonly lastSeenAt: string;
  /** The absolute end of the session. */
  readonly expiresAt: string;
}

/** A sign-in under way: what the provider's answer is checked against (used once). */
export interface SignInRow {
  /** sha256 (hex) of the id in the browser's sign-in cookie. */
  readonly idHash: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** The console route to return to (a `#/…` fragment). */
  readonly returnTo: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export interface ViolationRecord {
  readonly id?: number;
  readonly organization: string;
  readonly cluster: string;
  readonly time: string;
  readonly source: "admission" | "audit";
  readonly operation?: string;
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly container: string;
  readonly image: string;
  readonly normalizedImage?: string;
  readonly policy: string;
  readonly action: "deny" | "warn" | "audit";
  readonly code: string;
  readonly message: string;
  /**
   * What the admission did (docs/control-plane.md, Events): denied, warned (admitted with a
   * warning) or audited (admitted; an audit-action violation). Absent in records sent by
   * older agents: the store derives it from the action then.
   */
  readonly outcome?: ViolationOutcome;
  /** The top owner (a retried Pod of a ReplicaSet is its Deployment); default kind/name. */
  readonly ownerKind?: string;
  readonly ownerName?: string;
  /** How many times this (deduplicated) event happened on its UTC day; 1 when sent. */
  readonly count?: number;
  /** First and last time of the day it happened (lastSeen is also `time`). */
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  /** Set on read: the policy no longer exists in the organization. */
  readonly policyDeleted?: boolean;
}

export type ViolationOutcome = "denied" | "warned" | "audited";

/** A cluster's last inventory report, without its workloads. */
export interface InventoryClusterRow {
  readonly cluster: string;
  readonly revision: number;
  readonly generatedAt: string;
  readonly receivedAt: string;
  readonly workloads: number;
  readonly failing: number;
  readonly warning: number;
}

/**
 * Which inventory to read: clusters and namespaces by name (any of them), and `workspaces`:
 * only namespaces attached to one of those (workspace roles; empty: nothing).
 */
export interface InventoryFilter {
  readonly clusters?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly workspaces?: readonly string[];
}

/** One day of the compliance history of one (cluster, namespace, policy); policy "" = all. */
export interface ComplianceDayRow {
  readonly day: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly policy: string;
  readonly workloads: number;
  readonly failing: number;
  readonly warning: number;
}

/** Events of one UTC day in one group (a cluster or a policy). */
export interface DailyCount {
  readonly day: string;
  readonly key: string;
  readonly count: number;
  readonly denied: number;
  readonly warned: number;
  readonly audited: number;
}

export interface AuditEntry {
  readonly id: number;
  readonly time: string;
  readonly actor: Actor;
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
  readonly organization: string | undefined;
  readonly workspace: string | undefined;
  readonly before: unknown;
  readonly after: unknown;
}

/** `{items, continue}` pages; `after` is the opaque cursor's decoded key. */
export interface Page<T> {
  readonly items: readonly T[];
  /** The key to continue after, when more items may follow. */
  readonly next: string | undefined;
}

export interface PageRequest {
  readonly limit: number;
  readonly after: string | undefined;
}

/** `expected` is the resourceVersion the caller read; a mismatch is STORE_CONFLICT. */
export type Precondition = { readonly resourceVersion: string };

export interface GroupCount {
  readonly key: string;
  readonly count: number;
  readonly deny: number;
  readonly warn: number;
  readonly audit: number;
  readonly lastSeen: string;
}

export interface ViolationFilter {
  readonly cluster?: string;
  readonly namespace?: string;
  readonly policy?: string;
  readonly image?: string;
  readonly since?: string;
  /** Restrict to namespaces attached to these workspaces (workspace roles). */
  readonly workspaces?: readonly string[];
}

/**
 * `workspace`/`workspaces`: policies scoped to one of those workspaces, or to a namespace
 * attached to one of them (what a workspace role may see); an empty `workspaces` matches none.
 */
export interface PolicyFilter {
  readonly scope?: PolicyRow["scope"]["kind"];
  readonly workspace?: string;
  readonly workspaces?: readonly string[];
  /**
   * What a workspace-limited caller of these workspaces may see: organization-wide policies,
   * and those the `workspaces` rule above matches. Filtering in the query (not after paging)
   * keeps every page's `next` key the name of a policy the caller was shown.
   */
  readonly visibleTo?: readonly string[];
}

/**
 * Errors: every method throws CustomsError with STORE_NOT_FOUND, STORE_ALREADY_EXISTS,
 * STORE_CONFLICT (stale resourceVersion; message names the current one), STORE_ATTACHED
 * (namespace attached to another workspace), STORE_UNAVAILABLE (database down or busy).
 */
export interface FleetStore {
  readonly dialect: "sqlite" | "postgres";
  close(): Promise<void>;

  /** Revisions of every organization, for delivery caches of other replicas. */
  revisions(): Promise<ReadonlyMap<string, number>>;

  listOrganizations(page: PageRequest, only?: readonly string[]): Promise<Page<OrganizationRow>>;
  getOrganization(name: string): Promise<OrganizationRow>;
  createOrganization(
    actor: Actor,
    name: string,
    spec: OrganizationRow["spec"],
  ): Promise<OrganizationRow>;
  updateOrganization(
    actor: Actor,
    name: string,
    spec: OrganizationRow["spec"],
    pre: Precondition,
  ): Promise<OrganizationRow>;
  /** Deletes everything inside it too (workspaces, clusters, policies, tokens, violations). */
  deleteOrganization(actor: Actor, name: string, pre: Precondition): Promise<void>;

  listWorkspaces(
    org: string,
    page: PageRequest,
    only?: readonly string[],
  ): Promise<Page<WorkspaceRow>>;
  getWorkspace(org: string, name: string): Promise<WorkspaceRow>;
  createWorkspace(
    actor: Actor,
    org: string,
    name: string,
    spec: WorkspaceRow["spec"],
  ): Promise<WorkspaceRow>;
  updateWorkspace(
    actor: Actor,
    org: string,
    name: string,
    spec: WorkspaceRow["spec"],
    pre: Precondition,
  ): Promise<WorkspaceRow>;
  /** Refused with STORE_CONFLICT while policies are scoped to it; detaches its namespaces. */
  deleteWorkspace(actor: Actor, org: string, name: string, pre: Precondition): Promise<void>;

  listAttachments(
    org: string,
    filter: { workspace?: string; cluster?: string },
  ): Promise<readonly AttachmentRow[]>;
  attach(
    actor: Actor,
    org: string,
    workspace: string,
    cluster: string,
    namespace: string,
  ): Promise<AttachmentRow>;
  /**
   * Moves the namespace's attachment to `workspace` (attaches it when it is attached nowhere);
   * audited once for each workspace concerned, so both admins see it in their audit log.
   */
  reclaim(
    actor: Actor,
    org: string,
    workspace: string,
    cluster: string,
    namespace: string,
  ): Promise<AttachmentRow>;
  detach(
    actor: Actor,
    org: string,
    workspace: string,
    cluster: string,
    namespace: string,
  ): Promise<void>;

  listClusters(org: string, page: PageRequest): Promise<Page<ClusterRow>>;
  getCluster(org: string, name: string): Promise<ClusterRow>;
  createCluster(
    actor: Actor,
    org: string,
    name: string,
    spec: ClusterRow["spec"],
  ): Promise<ClusterRow>;
  deleteCluster(actor: Actor, org: string, name: string, pre: Precondition): Promise<void>;
  /** Agent heartbeat/status; not audited, does not bump the revision. */
  updateClusterStatus(org: string, name: string, status: ClusterStatus): Promise<void>;

  listNamespaces(org: string, cluster?: string): Promise<readonly NamespaceRow[]>;
  /** Replaces the cluster's reported set; returns whether it changed (audited and revision bumped only then). */
  replaceNamespaces(
    actor: Actor,
    org: string,
    cluster: string,
    namespaces: readonly { name: string; labels: Readonly<Record<string, string>> }[],
  ): Promise<boolean>;

  listPolicies(org: string, page: PageRequest, filter?: PolicyFilter): Promise<Page<PolicyRow>>;
  /** Every policy of an organization, for delivery (no paging). */
  allPolicies(org: string): Promise<readonly PolicyRow[]>;
  getPolicy(org: string, name: string): Promise<PolicyRow>;
  createPolicy(
    actor: Actor,
    org: string,
    document: Readonly<Record<string, unknown>>,
    scope: PolicyRow["scope"],
  ): Promise<PolicyRow>;
  updatePolicy(
    actor: Actor,
    org: string,
    document: Readonly<Record<string, unknown>>,
    scope: PolicyRow["scope"],
    pre: Precondition,
  ): Promise<PolicyRow>;
  deletePolicy(actor: Actor, org: string, name: string, pre: Precondition): Promise<void>;

  /** ImagePolicyExceptions: stored, audited and seen like policies. */
  listExceptions(
    org: string,
    page: PageRequest,
    filter?: Pick<PolicyFilter, "visibleTo">,
  ): Promise<Page<ExceptionRow>>;
  /** Every exception of an organization, for delivery (no paging). */
  allExceptions(org: string): Promise<readonly ExceptionRow[]>;
  getException(org: string, name: string): Promise<ExceptionRow>;
  createException(
    actor: Actor,
    org: string,
    document: Readonly<Record<string, unknown>>,
    scope: ExceptionRow["scope"],
  ): Promise<ExceptionRow>;
  updateException(
    actor: Actor,
    org: string,
    document: Readonly<Record<string, unknown>>,
    scope: ExceptionRow["scope"],
    pre: Precondition,
  ): Promise<ExceptionRow>;
  deleteException(actor: Actor, org: string, name: string, pre: Precondition): Promise<void>;

  /** Tokens: `findToken` by id for authentication; secrets only as hashes. */
  findToken(id: string): Promise<TokenRow | undefined>;
  /** An organization's tokens, or (undefined) the tokens of no organization: `admin` ones. */
  listTokens(org: string | undefined): Promise<readonly TokenRow[]>;
  createToken(actor: Actor, token: TokenRow): Promise<TokenRow>;
  /**
   * Revokes the live token of that name. Revoking the last live `admin` token is
   * STORE_LAST_ADMIN: nobody could manage the control plane any more.
   */
  revokeToken(actor: Actor, org: string | undefined, name: string): Promise<void>;
  /**
   * Replaces the live token of that name by `next` (a new id and secret hash, same name, role
   * and reach) in one transaction: the old one is revoked as the new one appears.
   */
  rotateToken(
    actor: Actor,
    org: string | undefined,
    name: string,
    next: { id: string; secretHash: string; createdAt: string; createdBy: string },
  ): Promise<TokenRow>;
  /** Records a use of the token (not audited, no revision). */
  touchToken(id: string, time: string): Promise<void>;
  /** True when no token exists at all (first start: bootstrap). */
  isEmpty(): Promise<boolean>;

  /** Every bundle signing key, oldest generation first. */
  listBundleKeys(): Promise<readonly BundleKeyRow[]>;
  /**
   * Adds the next generation's key; the keys without `notAfter` get `retireAt`. Audited
   * when `actor` is given (a rotation; the first key is made at start). A generation that
   * exists already (another replica was first) is STORE_ALREADY_EXISTS.
   */
  addBundleKey(
    actor: Actor | undefined,
    key: BundleKeyRow,
    retireAt: string | undefined,
  ): Promise<void>;

  addViolations(records: readonly ViolationRecord[]): Promise<void>;
  listViolations(
    org: string,
    filter: ViolationFilter,
    page: PageRequest,
  ): Promise<Page<ViolationRecord>>;
  countViolations(
    org: string,
    groupBy: "cluster" | "namespace" | "policy" | "image",
    filter: ViolationFilter,
  ): Promise<readonly GroupCount[]>;
  /** Drops violation records older than `before` (retention). */
  pruneViolations(before: string): Promise<number>;
  /** Events per UTC day since `since` (a day, YYYY-MM-DD), by cluster or policy (sums of counts). */
  dailyViolations(
    org: string,
    by: "cluster" | "policy",
    since: string,
    filter: ViolationFilter,
  ): Promise<readonly DailyCount[]>;

  /**
   * Replaces the cluster's inventory by `report` in one transaction (a snapshot, never
   * merged), and upserts the day's compliance history from it. Not audited, no revision.
   */
  putInventory(org: string, cluster: string, report: InventoryReport): Promise<void>;
  /** The workloads of the organization's last reports. */
  listInventory(org: string, filter?: InventoryFilter): Promise<readonly ClusterWorkload[]>;
  /** The clusters that reported an inventory, by name. */
  inventoryClusters(org: string): Promise<readonly InventoryClusterRow[]>;
  /** The compliance history since `since` (YYYY-MM-DD); namespaces limited by the filter. */
  complianceHistory(
    org: string,
    since: string,
    filter?: InventoryFilter,
  ): Promise<readonly ComplianceDayRow[]>;

  listAudit(
    org: string,
    page: PageRequest,
    filter?: { workspaces?: readonly string[] },
  ): Promise<Page<AuditEntry>>;

  /** Sign-in sessions (not audited: they change nothing people manage). */
  createSession(session: SessionRow): Promise<void>;
  findSession(idHash: string): Promise<SessionRow | undefined>;
  touchSession(idHash: string, time: string): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  /** Records a sign-in under way. */
  createSignIn(signIn: SignInRow): Promise<void>;
  /** Removes and returns it: each is used at most once, even by two replicas at once. */
  takeSignIn(idHash: string): Promise<SignInRow | undefined>;
  /** Drops sessions and sign-ins whose absolute end is before `before`. */
  pruneSessions(before: string): Promise<number>;
}
