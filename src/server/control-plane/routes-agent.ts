import {
  pollPolicies,
  registerAgent,
  reportNamespaces,
  reportViolations,
} from "../../app/fleet/agent.js";
import { ok } from "./replies.js";
import type { Route } from "./router.js";

const AGENT = "cluster-agent (its own cluster)";

export const agentRoutes: readonly Route[] = [
  {
    method: "POST",
    path: "/api/v1/agent/register",
    summary: "An agent announces itself: {agentVersion, kubernetesVersion?}",
    body: "AgentRegister",
    success: 200,
    roles: AGENT,
    handler: async (c) => ok(await registerAgent(c.ctx, c.principal, await c.body())),
  },
  {
    method: "PUT",
    path: "/api/v1/agent/namespaces",
    summary: "The cluster's full set of namespaces: {namespaces:[{name, labels}]}",
    body: "AgentNamespaces",
    roles: AGENT,
    handler: async (c) => ok(await reportNamespaces(c.ctx, c.principal, await c.body())),
  },
  {
    method: "GET",
    path: "/api/v1/agent/policies",
    summary: "Long poll for the cluster's bundle (If-None-Match, ?wait=SECONDS up to 60)",
    roles: AGENT,
    query: ["wait"],
    handler: async (c) => {
      const inm = c.headers["if-none-match"];
      const delivered = await pollPolicies(
        c.ctx,
        c.principal,
        typeof inm === "string" ? inm : undefined,
        c.query.get("wait") ?? undefined,
        c.signal,
      );
      if (delivered === undefined) return { status: 304 };
      return { status: 200, body: delivered.bundle, headers: { etag: delivered.etag } };
    },
  },
  {
    method: "POST",
    path: "/api/v1/agent/reports",
    summary:
      "Violations found by the agent, and the revision it applied; bad records are refused one by one",
    body: "AgentReports",
    success: 200,
    checkedByRecord: true,
    roles: AGENT,
    handler: async (c) => ok(await reportViolations(c.ctx, c.principal, await c.body())),
  },
];
