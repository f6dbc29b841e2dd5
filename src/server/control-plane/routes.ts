import type { Route } from "./router.js";
import { agentRoutes } from "./routes-agent.js";
import { organizationRoutes } from "./routes-organizations.js";
import { policyRoutes } from "./routes-policies.js";

/** Every API route; the OpenAPI document is built from this same list. */
export const allRoutes: readonly Route[] = [...organizationRoutes, ...policyRoutes, ...agentRoutes];
