import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withOpenApi } from "../../src/server/control-plane/openapi.js";
import { allRoutes } from "../../src/server/control-plane/routes.js";
import { policy, startTestControlPlane, type TestControlPlane } from "./api-harness.js";

let cp: TestControlPlane;
let site: string;
const ORG = "/api/v1/organizations/default";

beforeAll(async () => {
  // A console folder with a secret file beside it, which no URL may reach.
  site = mkdtempSync(join(tmpdir(), "customs-site-"));
  mkdirSync(join(site, "console", "assets"), { recursive: true });
  writeFileSync(join(site, "console", "index.html"), "<!doctype html><title>Customs</title>");
  writeFileSync(join(site, "console", "assets", "app-1234.js"), "console.log('hi')");
  writeFileSync(join(site, "console", "assets", "app-1234.css"), "body{}");
  writeFileSync(join(site, "secret.txt"), "TOP-SECRET");
  cp = await startTestControlPlane({ consoleDir: join(site, "console") });
});
afterAll(async () => {
  await cp?.close();
  rmSync(site, { recursive: true, force: true });
});

describe("console files", () => {
  it.each([
    ["/", "text/html; charset=utf-8", "<title>Customs"],
    ["/index.html", "text/html; charset=utf-8", "<title>Customs"],
    ["/assets/app-1234.js", "text/javascript; charset=utf-8", "console.log"],
    ["/assets/app-1234.css", "text/css; charset=utf-8", "body{}"],
    ["/workspaces/web/policies", "text/html; charset=utf-8", "<title>Customs"],
  ])("GET %s", async (path, type, text) => {
    const r = await cp.call("GET", path);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe(type);
    expect(String(r.body)).toContain(text);
    expect(r.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    // A generated localhost certificate: no HSTS pinning localhost in the browser.
    expect(r.headers.get("strict-transport-security")).toBeNull();
  });

  it.each([
    "/../secret.txt",
    "/%2e%2e/secret.txt",
    "/assets/..%2f..%2fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "/..%5csecret.txt",
    "/assets/%00../../secret.txt",
    "//secret.txt",
  ])("no way out of the folder: %s", async (path) => {
    const r = await cp.call("GET", path);
    expect(String(r.body)).not.toContain("TOP-SECRET");
  });

  it("POST outside the API is 405", async () => {
    expect((await cp.call("POST", "/index.html", { raw: "x" })).status).toBe(405);
  });
});

describe("OpenAPI document", () => {
  it("is served without a token and lists exactly the routed paths and methods", async () => {
    const r = await cp.call("GET", "/api/v1/openapi.json");
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe("3.1.0");
    const documented = Object.entries(r.body.paths as Record<string, object>).flatMap(
      ([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const routed = withOpenApi(allRoutes).map((route) => `${route.method} ${route.path}`);
    expect([...documented].sort()).toEqual([...routed].sort());
    for (const route of withOpenApi(allRoutes)) {
      // Every documented path really answers (not 404 for want of a route).
      const path = route.path.replace(/\{[a-z]+\}/g, "x");
      const answer = await cp.call(route.method, path, {
        token: cp.admin,
        raw: route.method === "GET" || route.method === "DELETE" ? undefined : "{}",
      });
      if (answer.status === 404) expect(answer.body.error.message).not.toMatch(/^no route/);
      expect(answer.status).not.toBe(405);
    }
  });
});

describe("OpenAPI document's parts", () => {
  it("every $ref resolves; writes document their bodies; successes are what routes answer", async () => {
    const doc = (await cp.call("GET", "/api/v1/openapi.json")).body;
    const refs = [
      ...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([A-Za-z]+)"/g),
    ];
    expect(refs.length).toBeGreaterThan(10);
    for (const [, name] of refs) expect(doc.components.schemas[name ?? ""]).toBeDefined();
    for (const route of withOpenApi(allRoutes)) {
      const op = doc.paths[route.path][route.method.toLowerCase()];
      // Attach, reclaim and rotate act on the object the path names, sign-out on the session
      // cookie: they take no body.
      const bodiless =
        /\/namespaces\/\{cluster\}\/\{namespace\}(\/reclaim)?$|\/rotate$|\/sign-out$/.test(
          route.path,
        );
      if ((route.method === "POST" || route.method === "PUT") && !bodiless) {
        expect(op.requestBody, `${route.method} ${route.path}`).toBeDefined();
      }
    }
    // Creating answers 201, previewing 200: as documented.
    const ws = await cp.call("POST", `${ORG}/workspaces`, {
      token: cp.admin,
      body: { metadata: { name: "doc" } },
    });
    expect(
      Object.keys(doc.paths[`/api/v1/organizations/{org}/workspaces`].post.responses),
    ).toContain(String(ws.status));
    const pv = await cp.call("POST", `${ORG}/policies/preview`, {
      token: cp.admin,
      body: { policy: policy("x", { recipe: "require-digest" }), images: [] },
    });
    expect(
      Object.keys(doc.paths[`/api/v1/organizations/{org}/policies/preview`].post.responses),
    ).toContain(String(pv.status));
  });
});

describe("health and metrics", () => {
  it("healthz, readyz and metrics answer", async () => {
    expect((await cp.call("GET", "/healthz")).status).toBe(200);
    expect((await cp.call("GET", "/readyz")).status).toBe(200);
    await cp.call("GET", "/api/v1/organizations", { token: cp.admin });
    const m = await cp.call("GET", "/metrics");
    expect(m.status).toBe(200);
    expect(m.body).toMatch(
      /customs_control_plane_requests_total\{route="\/api\/v1\/organizations",method="GET",code="200"\} \d+/,
    );
    expect(m.body).toContain("customs_control_plane_request_duration_seconds_bucket");
    expect(m.body).toContain("customs_control_plane_waiting_long_polls 0");
    expect(m.body).toContain("customs_control_plane_connected_agents 0");
  });
});

describe("policy preview", () => {
  it("validates and decides each image for the namespace", async () => {
    const r = await cp.call("POST", `${ORG}/policies/preview`, {
      token: cp.admin,
      body: {
        policy: policy("pv", {
          recipe: "custom",
          input: { rules: [{ hostname: "ghcr.io" }] },
        }),
        images: ["ghcr.io/acme/app:1", "nginx", "nginx:not a tag"],
        namespace: { name: "shop" },
      },
    });
    expect(r.status).toBe(200);
    expect(r.body.valid, JSON.stringify(r.body.issues)).toBe(true);
    expect(r.body.namespace.applies).toBe(true);
    const [ok, hub, bad] = r.body.results;
    expect(ok).toMatchObject({
      verdict: "allow",
      normalizedImage: "ghcr.io/acme/app:1",
      violations: [],
    });
    expect(hub.verdict).toBe("deny");
    expect(hub.normalizedImage).toBe("docker.io/library/nginx:latest");
    expect(hub.violations[0].code).toBe("IMAGE_NOT_ALLOWED");
    expect(bad.verdict).toBe("deny");
    expect(bad.normalizedImage).toBeUndefined();
  });

  it("an invalid policy gives its issues and no decisions", async () => {
    const r = await cp.call("POST", `${ORG}/policies/preview`, {
      token: cp.admin,
      body: { policy: policy("pv", { recipe: "nope" }), images: ["nginx"] },
    });
    expect(r.status).toBe(200);
    expect(r.body.valid).toBe(false);
    expect(r.body.issues[0].path).toBe("spec.recipe");
    expect(r.body.results).toEqual([]);
  });

  it("a namespace the policy's scope misses is reported as not applying", async () => {
    const r = await cp.call("POST", `${ORG}/policies/preview`, {
      token: cp.admin,
      body: {
        policy: policy("pv", { recipe: "block-latest-tag", namespace: "prod/shop" }),
        images: ["nginx:latest"],
        namespace: { cluster: "prod", name: "other" },
      },
    });
    expect(r.body.namespace.applies).toBe(false);
    expect(r.body.results[0].verdict).toBe("allow");
  });
});
