import { API_SCHEMAS, toComponents } from "../../core/schema/index.js";
import type { Route } from "./router.js";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ "application/json": { schema: ref(name) } });

function parameters(route: Route) {
  const inPath = [...route.path.matchAll(/\{([a-z]+)\}/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  const inQuery = (route.query ?? []).map((name) => ({
    name,
    in: "query",
    required: false,
    schema: name === "limit" || name === "wait" ? { type: "integer" } : { type: "string" },
  }));
  return [...inPath, ...inQuery];
}

/** The status a route answers on success. */
export function successOf(route: Route): number {
  return route.success ?? (route.method === "POST" ? 201 : route.method === "DELETE" ? 204 : 200);
}

function responses(route: Route) {
  const status = successOf(route);
  const success =
    status === 302
      ? { description: "Redirect (Location)" }
      : route.response === undefined
        ? { description: "Done; no body" }
        : { description: "OK", content: json(route.response) };
  const notModified =
    route.etag === true || route.conditional === true
      ? { "304": { description: "Not modified (If-None-Match)" } }
      : {};
  return {
    [String(status)]: success,
    ...notModified,
    default: { description: "Error", content: json("Error") },
  };
}

function operation(route: Route) {
  return {
    summary: route.summary,
    description: `Roles: ${route.roles}.`,
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c?: string) => (c ?? "").toUpperCase())}`,
    ...(route.public ? { security: [] } : {}),
    parameters: parameters(route),
    ...(route.body === undefined
      ? {}
      : { requestBody: { required: true, content: json(route.body) } }),
    responses: responses(route),
  };
}

/**
 * The OpenAPI 3.1 document of the API, built from the router's own list of routes; every
 * schema comes from core/schema (the ImagePolicy ones from the same descriptions as the CRD).
 */
export function buildOpenApi(routes: readonly Route[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Customs control plane",
      version,
      description: "Image policies for a fleet of clusters (docs/control-plane.md).",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "cst_<id>_<secret>" },
        session: {
          type: "apiKey",
          in: "cookie",
          name: "__Host-customs-session",
          description:
            "The console's session after signing in with OpenID Connect (docs/sso.md); writes also need X-CSRF-Token. Authorization: Bearer wins when both are sent.",
        },
      },
      schemas: toComponents(API_SCHEMAS),
    },
    paths,
  };
}

/** `GET /api/v1/openapi.json`, without a token; the document covers itself too. */
export function withOpenApi(routes: readonly Route[], version = "0.0.0"): readonly Route[] {
  let text: string | undefined;
  const self: Route = {
    method: "GET",
    path: "/api/v1/openapi.json",
    summary: "This OpenAPI 3.1 document",
    roles: "none (no token needed)",
    public: true,
    response: "OpenApiDocument",
    handler: async () => {
      text ??= JSON.stringify(buildOpenApi(all, version));
      return { status: 200, body: JSON.parse(text) };
    },
  };
  const all = [...routes, self];
  return all;
}
