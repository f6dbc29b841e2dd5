import { previewImpact } from "../../app/fleet/index.js";
import { ok, param } from "./replies.js";
import type { Route } from "./router.js";

export const impactRoutes: readonly Route[] = [
  {
    method: "POST",
    path: "/api/v1/organizations/{org}/impact",
    response: "ImpactResponse",
    summary:
      "What changes to policies and exceptions would deny among the running workloads and recent admissions (docs/impact.md)",
    body: "ImpactRequest",
    success: 200,
    roles: "who may make every change (as its create, update or delete)",
    handler: async (c) =>
      ok(await previewImpact(c.ctx, c.principal, param(c, "org"), await c.body())),
  },
];
