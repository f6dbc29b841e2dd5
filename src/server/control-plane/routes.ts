import type { Route } from "./router.js";
import { agentRoutes } from "./routes-agent.js";
import { authRoutes } from "./routes-auth.js";
import { exceptionRoutes } from "./routes-exceptions.js";
import { impactRoutes } from "./routes-impact.js";
import { organizationRoutes } from "./routes-organizations.js";
import { policyRoutes } from "./routes-policies.js";
import { recordRoutes } from "./routes-records.js";

/** Every API route; the OpenAPI document is built from this same list. */
export const allRoutes: readonly Route[] = [
  ...organizationRoutes,
  ...policyRoutes,
  ...exceptionRoutes,
  ...recordRoutes,
  ...agentRoutes,
  ...authRoutes,
  ...impactRoutes,
];
