import { CustomsError } from "../../core/errors.js";
import type { FleetStore } from "../../core/fleet/store.js";
import { listAudit } from "./audit.js";
import { addBundleKey, listBundleKeys } from "./bundle-keys.js";
import {
  createCluster,
  deleteCluster,
  getCluster,
  listClusters,
  updateClusterStatus,
} from "./clusters.js";
import { type ConnectOptions, connect } from "./connect.js";
import type { StoreContext } from "./context.js";
import {
  allExceptions,
  createException,
  deleteException,
  getException,
  listExceptions,
  updateException,
} from "./exceptions.js";
import { toStoreError } from "./failures.js";
import { complianceHistory, inventoryClusters, listInventory, putInventory } from "./inventory.js";
import { migrate } from "./migrations.js";
import {
  attach,
  detach,
  listAttachments,
  listNamespaces,
  reclaim,
  replaceNamespaces,
} from "./namespaces.js";
import {
  createOrganization,
  deleteOrganization,
  getOrganization,
  listOrganizations,
  revisions,
  updateOrganization,
} from "./organizations.js";
import {
  allPolicies,
  createPolicy,
  deletePolicy,
  getPolicy,
  listPolicies,
  updatePolicy,
} from "./policies.js";
import {
  createSession,
  createSignIn,
  deleteSession,
  findSession,
  pruneSessions,
  takeSignIn,
  touchSession,
} from "./sessions.js";
import {
  createToken,
  findToken,
  isEmpty,
  listTokens,
  revokeToken,
  rotateToken,
  touchToken,
} from "./tokens.js";
import { parseStoreUrl } from "./url.js";
import {
  addViolations,
  countViolations,
  dailyViolations,
  listViolations,
  pruneViolations,
} from "./violations.js";
import {
  createWorkspace,
  deleteWorkspace,
  getWorkspace,
  listWorkspaces,
  updateWorkspace,
} from "./workspaces.js";

export interface StoreOptions extends ConnectOptions {
  /** The clock for timestamps (tests pin it). */
  readonly now?: () => Date;
}

/**
 * Opens the control plane's database and brings its schema up to date. `url` is a path,
 * `sqlite:PATH` (`sqlite::memory:` for a private in-memory database) or a
 * `postgres://`/`postgresql://` URL; anything else is STORE_URL_INVALID.
 */
export async function openStore(url: string, options: StoreOptions = {}): Promise<FleetStore> {
  const location = parseStoreUrl(url);
  let db: StoreContext["db"];
  try {
    db = connect(location, options);
  } catch (error) {
    // Only SQLite opens here (a folder that cannot be made, a file that cannot be opened);
    // its path holds no secret.
    const detail = error instanceof Error ? error.message : String(error);
    throw new CustomsError("STORE_UNAVAILABLE", `cannot open the database: ${detail}`);
  }
  const context: StoreContext = {
    db,
    dialect: location.dialect,
    now: options.now ?? (() => new Date()),
  };
  try {
    await migrate(db, location.dialect);
  } catch (error) {
    await db.destroy().catch(() => {});
    throw toStoreError(error);
  }
  return bind(context);
}

function bind(c: StoreContext): FleetStore {
  return {
    dialect: c.dialect,
    close: () => c.db.destroy(),
    revisions: () => revisions(c),
    listOrganizations: (page, only) => listOrganizations(c, page, only),
    getOrganization: (name) => getOrganization(c, name),
    createOrganization: (actor, name, spec) => createOrganization(c, actor, name, spec),
    updateOrganization: (actor, name, spec, pre) => updateOrganization(c, actor, name, spec, pre),
    deleteOrganization: (actor, name, pre) => deleteOrganization(c, actor, name, pre),
    listWorkspaces: (org, page, only) => listWorkspaces(c, org, page, only),
    getWorkspace: (org, name) => getWorkspace(c, org, name),
    createWorkspace: (actor, org, name, spec) => createWorkspace(c, actor, org, name, spec),
    updateWorkspace: (actor, org, name, spec, pre) =>
      updateWorkspace(c, actor, org, name, spec, pre),
    deleteWorkspace: (actor, org, name, pre) => deleteWorkspace(c, actor, org, name, pre),
    listAttachments: (org, filter) => listAttachments(c, org, filter),
    attach: (actor, org, ws, cluster, ns) => attach(c, actor, org, ws, cluster, ns),
    reclaim: (actor, org, ws, cluster, ns) => reclaim(c, actor, org, ws, cluster, ns),
    detach: (actor, org, ws, cluster, ns) => detach(c, actor, org, ws, cluster, ns),
    listClusters: (org, page) => listClusters(c, org, page),
    getCluster: (org, name) => getCluster(c, org, name),
    createCluster: (actor, org, name, spec) => createCluster(c, actor, org, name, spec),
    deleteCluster: (actor, org, name, pre) => deleteCluster(c, actor, org, name, pre),
    updateClusterStatus: (org, name, status) => updateClusterStatus(c, org, name, status),
    listNamespaces: (org, cluster) => listNamespaces(c, org, cluster),
    replaceNamespaces: (actor, org, cluster, namespaces) =>
      replaceNamespaces(c, actor, org, cluster, namespaces),
    listPolicies: (org, page, filter) => listPolicies(c, org, page, filter),
    allPolicies: (org) => allPolicies(c, org),
    getPolicy: (org, name) => getPolicy(c, org, name),
    createPolicy: (actor, org, document, scope) => createPolicy(c, actor, org, document, scope),
    updatePolicy: (actor, org, document, scope, pre) =>
      updatePolicy(c, actor, org, document, scope, pre),
    deletePolicy: (actor, org, name, pre) => deletePolicy(c, actor, org, name, pre),
    listExceptions: (org, page, filter) => listExceptions(c, org, page, filter),
    allExceptions: (org) => allExceptions(c, org),
    getException: (org, name) => getException(c, org, name),
    createException: (actor, org, document, scope) =>
      createException(c, actor, org, document, scope),
    updateException: (actor, org, document, scope, pre) =>
      updateException(c, actor, org, document, scope, pre),
    deleteException: (actor, org, name, pre) => deleteException(c, actor, org, name, pre),
    findToken: (id) => findToken(c, id),
    listTokens: (org) => listTokens(c, org),
    createToken: (actor, token) => createToken(c, actor, token),
    revokeToken: (actor, org, name) => revokeToken(c, actor, org, name),
    rotateToken: (actor, org, name, next) => rotateToken(c, actor, org, name, next),
    touchToken: (id, time) => touchToken(c, id, time),
    isEmpty: () => isEmpty(c),
    listBundleKeys: () => listBundleKeys(c),
    addBundleKey: (actor, key, retireAt) => addBundleKey(c, actor, key, retireAt),
    addViolations: (records) => addViolations(c, records),
    listViolations: (org, filter, page) => listViolations(c, org, filter, page),
    countViolations: (org, groupBy, filter) => countViolations(c, org, groupBy, filter),
    pruneViolations: (before) => pruneViolations(c, before),
    dailyViolations: (org, by, since, filter) => dailyViolations(c, org, by, since, filter),
    putInventory: (org, cluster, report) => putInventory(c, org, cluster, report),
    listInventory: (org, filter) => listInventory(c, org, filter),
    inventoryClusters: (org) => inventoryClusters(c, org),
    complianceHistory: (org, since, filter) => complianceHistory(c, org, since, filter),
    listAudit: (org, page, filter) => listAudit(c, org, page, filter),
    createSession: (session) => createSession(c, session),
    findSession: (idHash) => findSession(c, idHash),
    touchSession: (idHash, time) => touchSession(c, idHash, time),
    deleteSession: (idHash) => deleteSession(c, idHash),
    createSignIn: (signIn) => createSignIn(c, signIn),
    takeSignIn: (idHash) => takeSignIn(c, idHash),
    pruneSessions: (before) => pruneSessions(c, before),
  };
}
