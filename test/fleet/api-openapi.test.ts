/**
 * The OpenAPI document says what the control plane answers: every route is called (on a
 * real control plane, SQLite) and each answer is checked against the schema its operation
 * declares, with ajv; refusals against `Error`. Request bodies that work are checked against
 * their declared schema too, so the document cannot drift from the server either way.
 */
import { Ajv, type ValidateFunction } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_SCHEMAS, toComponents } from "../../src/core/schema/index.js";
import { successOf, withOpenApi } from "../../src/server/control-plane/openapi.js";
import type { Route } from "../../src/server/control-plane/router.js";
import { allRoutes } from "../../src/server/control-plane/routes.js";
import {
  type Answer,
  type CallOptions,
  startTestControlPlane,
  type TestControlPlane,
} from "./api-harness.js";

let cp: TestControlPlane;
// biome-ignore lint/suspicious/noExplicitAny: the served document is walked freely
let doc: any;
const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<string, ValidateFunction>();
const routes = withOpenApi(allRoutes);
/** `METHOD /template` of each route answered as documented. */
const answered = new Set<string>();

function schemaOf(name: string): ValidateFunction {
  let v = validators.get(name);
  if (v === undefined) {
    v = ajv.getSchema(`api#/components/schemas/${name}`);
    if (v === undefined) throw new Error(`no component ${name}`);
    validators.set(name, v);
  }
  return v;
}

function routeOf(method: string, path: string): Route {
  const bare = `/api/v1${path.split("?")[0] ?? ""}`;
  const route = routes.find(
    (r) =>
      r.method === method && new RegExp(`^${r.path.replace(/\{[a-z]+\}/g, "[^/]+")}$`).test(bare),
  );
  if (route === undefined) throw new Error(`no route for ${method} ${path}`);
  return route;
}

/** Calls the API and checks the request and the answer against the operation's schemas. */
async function call(method: string, path: string, o: CallOptions = {}): Promise<Answer> {
  const route = routeOf(method, path);
  const r = await cp.call(method, `/api/v1${path}`, o);
  const op = doc.paths[route.path][method.toLowerCase()];
  const where = `${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`;
  if (r.status >= 400) {
    const v = schemaOf("Error");
    expect(v(r.body), `${where}\n${ajv.errorsText(v.errors)}`).toBe(true);
    return r;
  }
  expect(Object.keys(op.responses), where).toContain(String(r.status));
  const declared = op.responses[String(r.status)].content?.["application/json"]?.schema;
  if (declared === undefined) expect(r.body, where).toBeUndefined();
  else {
    const v = schemaOf(String(declared.$ref).split("/").pop() ?? "");
    expect(v(r.body), `${where}\n${ajv.errorsText(v.errors)}`).toBe(true);
  }
  if (route.body !== undefined && o.body !== undefined) {
    const v = schemaOf(route.body);
    expect(v(o.body), `request of ${where}\n${ajv.errorsText(v.errors)}`).toBe(true);
  }
  if (r.status < 300) answered.add(`${route.method} ${route.path}`);
  return r;
}

const ORG = "/organizations/acme";
const KEY =
  "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n";

beforeAll(async () => {
  cp = await startTestControlPlane({ now: () => new Date("2026-01-01T00:00:00Z") });
  doc = (await cp.call("GET", "/api/v1/openapi.json")).body;
  ajv.addSchema(doc, "api");
});
afterAll(async () => {
  await cp?.close();
});

describe("the OpenAPI document's schemas", () => {
  it("are core/schema's, every one named once, every reference resolving", () => {
    expect(doc.components.schemas).toEqual(toComponents(API_SCHEMAS));
    for (const [, name] of JSON.stringify(doc).matchAll(/"#\/components\/schemas\/([A-Za-z]+)"/g)) {
      expect(doc.components.schemas[name ?? ""], name).toBeDefined();
    }
    // No bare `{type: object}` is left where the API has a shape to say.
    expect(doc.components.schemas.ImagePolicySpec.properties.recipe.enum).toContain("custom");
    expect(doc.components.schemas.ImagePolicy.additionalProperties).toBe(false);
    // The checks below check something: a wrong answer fails them.
    expect(schemaOf("Organization")({ metadata: { name: "a" }, spec: {} })).toBe(false);
    expect(schemaOf("Whoami")({ token: "t", role: "root", workspaces: [] })).toBe(false);
    expect(schemaOf("Whoami")({ token: "t", role: "viewer", workspaces: [], extra: 1 })).toBe(
      false,
    );
  });

  it("every route that answers a body names its schema, every write its request body", () => {
    for (const route of routes) {
      const op = doc.paths[route.path][route.method.toLowerCase()];
      const status = successOf(route);
      const answer = op.responses[String(status)];
      if (status !== 204 && status !== 302) {
        expect(answer.content, `${route.method} ${route.path}`).toBeDefined();
      }
      expect(op.responses.default.content["application/json"].schema.$ref).toBe(
        "#/components/schemas/Error",
      );
    }
  });
});

describe("every answer matches its declared schema", () => {
  it("organizations, workspaces, clusters, agents, policies, records, tokens, keys", async () => {
    const admin = cp.admin;
    const as = (token: string) => ({ token });
    await call("GET", "/openapi.json");
    await call("GET", "/auth");
    await call("GET", "/auth/session");
    await call("GET", "/whoami", as(admin));

    await call("POST", "/organizations", {
      token: admin,
      body: { metadata: { name: "acme" }, spec: { description: "Acme" } },
    });
    await call("GET", "/organizations", as(admin));
    const org = await call("GET", ORG, as(admin));
    await call("PUT", ORG, {
      token: admin,
      body: {
        metadata: { name: "acme", resourceVersion: org.body.metadata.resourceVersion },
        spec: { description: "Acme Inc." },
      },
    });
    await call("POST", `${ORG}/workspaces`, { token: admin, body: { metadata: { name: "web" } } });
    await call("POST", `${ORG}/workspaces`, { token: admin, body: { metadata: { name: "ops" } } });
    await call("GET", `${ORG}/workspaces`, as(admin));
    const ws = await call("GET", `${ORG}/workspaces/web`, as(admin));
    await call("PUT", `${ORG}/workspaces/web`, {
      token: admin,
      headers: { "if-match": `"${ws.body.metadata.resourceVersion}"` },
      body: { metadata: { name: "web" }, spec: { description: "The web team" } },
    });

    const cluster = await call("POST", `${ORG}/clusters`, {
      token: admin,
      body: { metadata: { name: "c1" } },
    });
    const agent = cluster.body.agentToken as string;
    await call("POST", "/agent/register", {
      token: agent,
      body: { agentVersion: "1.0.0", kubernetesVersion: "v1.37.1" },
    });
    await call("PUT", "/agent/namespaces", {
      token: agent,
      body: {
        namespaces: [
          { name: "shop", labels: { "customs.dev/workspace": "web" } },
          { name: "tools" },
        ],
      },
    });
    await call("GET", `${ORG}/clusters`, as(admin));
    await call("GET", `${ORG}/clusters/c1`, as(admin));
    await call("GET", `${ORG}/clusters/c1/namespaces`, as(admin));
    await call("PUT", `${ORG}/workspaces/web/namespaces/c1/shop`, { token: admin, body: {} });
    await call("PUT", `${ORG}/workspaces/ops/namespaces/c1/tools`, { token: admin, body: {} });
    await call("POST", `${ORG}/workspaces/web/namespaces/c1/tools/reclaim`, { token: admin });
    await call("GET", `${ORG}/workspaces/web/namespaces`, as(admin));

    const lint = {
      apiVersion: "customs.dev/v1alpha1",
      kind: "ImagePolicy",
      metadata: { name: "no-busybox", labels: { team: "web" } },
      spec: {
        workspace: "web",
        recipe: "custom",
        input: { rules: [{ imageName: "busybox", tag: { value: "v*" } }] },
      },
    };
    const written = await call("POST", `${ORG}/policies`, { token: admin, body: lint });
    expect(written.body.warnings.length).toBeGreaterThan(0);
    const signed = {
      apiVersion: "customs.dev/v1alpha1",
      kind: "ImagePolicy",
      metadata: { name: "signed" },
      spec: {
        recipe: "require-signature",
        input: { authorities: [{ name: "ci", key: { pem: KEY } }], tagHandling: "pin" },
      },
    };
    await call("POST", `${ORG}/policies`, { token: admin, body: signed });
    await call("GET", `${ORG}/policies?scope=workspace`, as(admin));
    const got = await call("GET", `${ORG}/policies/no-busybox`, as(admin));
    // What a client read, it may send back unchanged.
    await call("PUT", `${ORG}/policies/no-busybox`, { token: admin, body: got.body });
    await call("POST", `${ORG}/policies/preview`, {
      token: admin,
      body: {
        policy: lint,
        images: ["busybox", "registry.example/app:v1", "Not An Image"],
        namespace: { cluster: "c1", name: "shop", labels: {} },
      },
    });
    const invalid = await call("POST", `${ORG}/policies/preview`, {
      token: admin,
      body: { policy: { ...lint, spec: { recipe: "custom" } }, images: [] },
    });
    expect(invalid.body.valid).toBe(false);

    const bundle = await call("GET", "/agent/policies?wait=0", as(agent));
    expect(bundle.body.policies.length).toBe(2);
    await call("GET", "/agent/policies?wait=1", {
      token: agent,
      headers: { "if-none-match": bundle.headers.get("etag") ?? "" },
    });
    await call("GET", "/agent/keys", as(agent));
    const violation = (n: number) => ({
      time: "2026-01-01T00:00:00Z",
      source: "admission",
      operation: "CREATE",
      namespace: "shop",
      kind: "Pod",
      name: `app-${n}`,
      container: "app",
      image: "busybox",
      normalizedImage: "docker.io/library/busybox:latest",
      policy: "no-busybox",
      action: "deny",
      code: "IMAGE_NOT_ALLOWED",
      message: "not allowed",
    });
    const reports = await cp.call("POST", "/api/v1/agent/reports", {
      token: agent,
      body: {
        appliedRevision: 3,
        appliedDigest: bundle.headers.get("etag"),
        violations: [violation(1), { ...violation(2), action: "explode" }],
      },
    });
    expect(reports.body.rejected.length).toBe(1);
    await call("POST", "/agent/reports", {
      token: agent,
      body: { appliedRevision: "4", violations: [violation(3)] },
    });
    await call("PUT", "/agent/inventory", {
      token: agent,
      body: {
        revision: 4,
        generatedAt: "2026-01-01T00:00:00Z",
        workloads: [
          {
            namespace: "shop",
            kind: "Deployment",
            name: "app",
            containers: [{ name: "app", image: "busybox", type: "container" }],
            results: [
              {
                policy: "no-busybox",
                result: "fail",
                code: "IMAGE_NOT_ALLOWED",
                message: "not allowed",
                container: "app",
                image: "busybox",
              },
            ],
          },
        ],
      },
    });
    await call("GET", `${ORG}/compliance?groupBy=policy`, as(admin));
    await call("GET", `${ORG}/compliance/failing?limit=5`, as(admin));
    await call("GET", `${ORG}/compliance/trend?days=7&by=policy`, as(admin));
    await call("GET", `${ORG}/violations/daily?days=7&by=policy`, as(admin));
    await call("GET", `${ORG}/insights?groupBy=namespace`, as(admin));
    await call("GET", `${ORG}/insights/violations?limit=1`, as(admin));
    await call("GET", `${ORG}/audit?limit=5`, as(admin));

    const exception = {
      apiVersion: "customs.dev/v1alpha1",
      kind: "ImagePolicyException",
      metadata: { name: "legacy" },
      spec: {
        policies: ["no-busybox"],
        images: ["docker.io/library/busybox:*"],
        reason: "vendor image",
        owner: "team@example.com",
        expires: "2999-01-31",
      },
    };
    await call("POST", `${ORG}/exceptions`, { token: admin, body: exception });
    await call("GET", `${ORG}/exceptions`, as(admin));
    const gotException = await call("GET", `${ORG}/exceptions/legacy`, as(admin));
    await call("PUT", `${ORG}/exceptions/legacy`, { token: admin, body: gotException.body });
    const withExceptions = await call("GET", "/agent/policies?wait=0", as(agent));
    expect(withExceptions.body.exceptions.length).toBe(1);
    const latest = await call("GET", `${ORG}/exceptions/legacy`, as(admin));
    await call("DELETE", `${ORG}/exceptions/legacy`, {
      token: admin,
      headers: { "if-match": `"${latest.body.metadata.resourceVersion}"` },
    });

    const viewer = await call("POST", `${ORG}/tokens`, {
      token: admin,
      body: { metadata: { name: "ci" }, spec: { role: "viewer", workspaces: ["web"] } },
    });
    await call("GET", "/whoami", as(viewer.body.token));
    await call("GET", `${ORG}/tokens`, as(admin));
    await call("POST", `${ORG}/tokens/ci/rotate`, as(admin));
    await call("DELETE", `${ORG}/tokens/ci`, as(admin));
    await call("POST", "/tokens", {
      token: admin,
      body: { metadata: { name: "second" }, spec: { role: "admin" } },
    });
    await call("GET", "/tokens", as(admin));
    await call("POST", "/tokens/second/rotate", as(admin));
    await call("DELETE", "/tokens/second", as(admin));
    await call("GET", "/bundle-keys", as(admin));
    await call("POST", "/bundle-keys/rotate", { token: admin, body: { graceSeconds: 60 } });

    const current = await call("GET", `${ORG}/policies/signed`, as(admin));
    await call("DELETE", `${ORG}/policies/signed`, {
      token: admin,
      headers: { "if-match": `"${current.body.metadata.resourceVersion}"` },
    });
    await call("DELETE", `${ORG}/workspaces/web/namespaces/c1/tools`, as(admin));
    const c1 = await call("GET", `${ORG}/clusters/c1`, as(admin));
    await call("DELETE", `${ORG}/clusters/c1`, {
      token: admin,
      headers: { "if-match": `"${c1.body.metadata.resourceVersion}"` },
    });
    const ops = await call("GET", `${ORG}/workspaces/ops`, as(admin));
    await call("DELETE", `${ORG}/workspaces/ops`, {
      token: admin,
      headers: { "if-match": `"${ops.body.metadata.resourceVersion}"` },
    });
    const last = await call("GET", ORG, as(admin));
    await call("DELETE", ORG, {
      token: admin,
      headers: { "if-match": `"${last.body.metadata.resourceVersion}"` },
    });
    await call("POST", "/auth/sign-out", {});

    // Routes only a browser signing in with an OpenID provider reaches (test/sso checks them).
    const browser = [
      "GET /api/v1/auth/oidc/sign-in",
      "GET /api/v1/auth/oidc/callback",
      "GET /api/v1/auth/session",
      "POST /api/v1/auth/sign-out",
    ];
    const missing = routes.map((r) => `${r.method} ${r.path}`).filter((r) => !answered.has(r));
    expect(missing.sort()).toEqual(browser.sort());
  });

  it("refusals are `{error: {code, message, details?}}`", async () => {
    const r = await call("POST", "/organizations", {
      token: cp.admin,
      body: { metadata: { name: "Bad Name" }, spec: { x: 1 } },
    });
    expect(r.status).toBe(422);
    expect(r.body.error.details.length).toBe(2);
    expect((await call("GET", "/organizations", { token: "cst_nope_nope" })).status).toBe(401);
  });
});
