import {
  agentKeys,
  agentOf,
  listBundleKeys,
  pollPolicies,
  registerAgent,
  reportInventory,
  reportNamespaces,
  reportViolations,
  rotateBundleKey,
} from "../../app/fleet/index.js";
import { INVENTORY_LIMITS } from "../../core/fleet/inventory.js";
import { noContent, ok } from "./replies.js";
import type { Reply, Route } from "./router.js";

const AGENT = "cluster-agent (its own cluster)";
/** The id of the key the control plane signs with now (docs/control-plane.md). */
export const BUNDLE_KEY_HEADER = "x-customs-bundle-key";

export const agentRoutes: readonly Route[] = [
  {
    method: "POST",
    path: "/api/v1/agent/register",
    response: "AgentRegistered",
    summary: "An agent announces itself: {agentVersion, kubernetesVersion?}",
    body: "AgentRegister",
    success: 200,
    roles: AGENT,
    handler: async (c) => ok(await registerAgent(c.ctx, c.principal, await c.body())),
  },
  {
    method: "PUT",
    path: "/api/v1/agent/namespaces",
    response: "NamespacesReported",
    summary: "The cluster's full set of namespaces: {namespaces:[{name, labels}]}",
    body: "AgentNamespaces",
    roles: AGENT,
    handler: async (c) => ok(await reportNamespaces(c.ctx, c.principal, await c.body())),
  },
  {
    method: "PUT",
    path: "/api/v1/agent/inventory",
    summary:
      "The cluster's whole inventory (every running workload by owner, with its results); replaces the previous one",
    body: "InventoryReport",
    success: 204,
    roles: AGENT,
    // The report is checked field by field by its own validator (up to 50,000 workloads:
    // beyond the list bound of stored documents), with errors naming each path.
    checkedByRecord: true,
    maxBodyBytes: INVENTORY_LIMITS.maxBodyBytes,
    handler: async (c) => {
      await reportInventory(c.ctx, c.principal, await c.body());
      return noContent;
    },
  },
  {
    method: "GET",
    path: "/api/v1/agent/policies",
    response: "Bundle",
    conditional: true,
    summary: "Long poll for the cluster's bundle (If-None-Match, ?wait=SECONDS up to 60)",
    roles: AGENT,
    query: ["wait"],
    handler: async (c): Promise<Reply> => {
      const inm = c.headers["if-none-match"];
      const delivered = await pollPolicies(
        c.ctx,
        c.principal,
        typeof inm === "string" ? inm : undefined,
        c.query.get("wait") ?? undefined,
        c.signal,
      );
      // The active key's id rides on every answer: an agent whose bundle was signed by an
      // older key fetches the keys and asks for a bundle signed by the new one.
      const active = await c.ctx.signer.activeKeyId();
      if (delivered === undefined) return { status: 304, headers: { [BUNDLE_KEY_HEADER]: active } };
      const signature = await c.ctx.signer.sign(agentOf(c.principal).org, delivered);
      return {
        status: 200,
        body: { ...delivered.bundle, signature },
        headers: { etag: delivered.etag, [BUNDLE_KEY_HEADER]: signature.keyId },
      };
    },
  },
  {
    method: "GET",
    path: "/api/v1/agent/keys",
    response: "AgentKeys",
    summary:
      "The public keys bundles are signed with, each newer one endorsed by the one before (agents pin them)",
    roles: AGENT,
    handler: async (c) => ok(await agentKeys(c.ctx.signer, c.principal)),
  },
  {
    method: "GET",
    path: "/api/v1/bundle-keys",
    response: "BundleKeyList",
    summary: "The bundle signing keys (public halves), oldest generation first",
    roles: "admin",
    handler: async (c) => ok(await listBundleKeys(c.ctx.signer, c.principal)),
  },
  {
    method: "POST",
    path: "/api/v1/bundle-keys/rotate",
    response: "BundleKeyList",
    summary:
      "Replace the bundle signing key; the previous one stays trusted for graceSeconds (default 86400)",
    body: "BundleKeyRotate",
    success: 200,
    roles: "admin",
    handler: async (c) =>
      ok(await rotateBundleKey(c.ctx.signer, c.principal, await c.body(), c.ctx.now())),
  },
  {
    method: "POST",
    path: "/api/v1/agent/reports",
    response: "ReportsAccepted",
    summary:
      "Violations found by the agent, and the revision it applied; bad records are refused one by one",
    body: "AgentReports",
    success: 200,
    checkedByRecord: true,
    roles: AGENT,
    handler: async (c) => ok(await reportViolations(c.ctx, c.principal, await c.body())),
  },
];
