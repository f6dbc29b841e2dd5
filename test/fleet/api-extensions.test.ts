// biome-ignore-all lint/suspicious/noExplicitAny: JSON answers are checked field by field
/**
 * Extensions in the control plane (docs/policy-language.md, "Widening an allowlist"): the
 * parent must exist, be visible, extensible and agree at write time (422 at the field path);
 * a parent with extensions cannot be deleted or made non-extensible (409 naming them).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DIALECTS,
  named,
  policy,
  startTestControlPlane,
  type TestControlPlane,
} from "./api-harness.js";

describe.each(DIALECTS)("on %s", (dialect) => {
  let cp: TestControlPlane;
  let wsAdmin: string;
  const ORG = "/api/v1/organizations/default";
  const admin = (method: string, path: string, body?: unknown) =>
    cp.call(method, path, { token: cp.admin, body });
  const corp = (extra: Record<string, unknown> = {}) =>
    policy("corp", {
      recipe: "custom",
      extensible: true,
      input: { rules: [{ hostname: "registry.corp.example" }] },
      ...extra,
    });
  const ext = (name: string, extra: Record<string, unknown> = {}) =>
    policy(name, {
      workspace: "w1",
      extends: "corp",
      input: { rules: [{ hostname: "ghcr.io" }] },
      ...extra,
    });

  beforeAll(async () => {
    cp = await startTestControlPlane({ dialect });
    for (const w of ["w1", "w2"]) await admin("POST", `${ORG}/workspaces`, named(w));
    expect((await admin("POST", `${ORG}/policies`, corp())).status).toBe(201);
    await admin(
      "POST",
      `${ORG}/policies`,
      policy("w2-list", {
        workspace: "w2",
        recipe: "custom",
        extensible: true,
        input: { rules: [{ hostname: "a.example" }] },
      }),
    );
    await admin(
      "POST",
      `${ORG}/policies`,
      policy("closed", { recipe: "custom", input: { rules: [{ hostname: "a.example" }] } }),
    );
    const t = await admin("POST", `${ORG}/tokens`, {
      metadata: { name: "ws" },
      spec: { role: "workspace-admin", workspaces: ["w1"] },
    });
    wsAdmin = t.body.token;
  });
  afterAll(async () => cp?.close());

  const detailsOf = (r: any) => (r.body.error?.details ?? []).map((d: any) => d.path);

  it.each([
    ["a missing parent", ext("e1", { extends: "gone" }), ["spec.extends"]],
    ["a parent that is not extensible", ext("e2", { extends: "closed" }), ["spec.extends"]],
    [
      "another recipe",
      ext("e3", { recipe: "allowed-name-tag", input: { rules: [{ imageName: "a/*" }] } }),
      ["spec.recipe"],
    ],
    ["an organization-wide extension", ext("e4", { workspace: undefined }), ["spec.extends"]],
    ["an action of its own", ext("e5", { action: "warn" }), ["spec.action"]],
  ])("refuses an extension with %s: 422 at the field path", async (_what, body, paths) => {
    const r = await admin("POST", `${ORG}/policies`, body);
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(detailsOf(r)).toEqual(paths);
  });

  it("answers a parent the caller cannot see as missing", async () => {
    const r = await cp.call("POST", `${ORG}/policies`, {
      token: wsAdmin,
      body: ext("e6", { extends: "w2-list" }),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.body.error.details).toEqual([
      { path: "spec.extends", message: 'no policy "w2-list" in this organization' },
    ]);
  });

  it("a workspace admin extends the organization allowlist for its workspace; the parent then cannot be deleted or closed", async () => {
    const created = await cp.call("POST", `${ORG}/policies`, {
      token: wsAdmin,
      body: ext("team-w1"),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const current = await admin("GET", `${ORG}/policies/corp`);
    const headers = { "if-match": current.headers.get("etag") ?? "" };
    const del = await cp.call("DELETE", `${ORG}/policies/corp`, { token: cp.admin, headers });
    expect(del.status, JSON.stringify(del.body)).toBe(409);
    expect(del.body.error.message).toContain('extended by "team-w1"');
    const closed = await cp.call("PUT", `${ORG}/policies/corp`, {
      token: cp.admin,
      body: corp({ extensible: false }),
      headers,
    });
    expect(closed.status, JSON.stringify(closed.body)).toBe(409);
    expect(closed.body.error.message).toContain('extended by "team-w1"');
    // A change that keeps the extensions valid is fine.
    const wider = await cp.call("PUT", `${ORG}/policies/corp`, {
      token: cp.admin,
      body: corp({
        input: {
          rules: [{ hostname: "registry.corp.example" }, { hostname: "mirror.corp.example" }],
        },
      }),
      headers,
    });
    expect(wider.status, JSON.stringify(wider.body)).toBe(200);
  });

  it("previews an extension as its parent widened by it (the merged allowlist)", async () => {
    const r = await admin("POST", `${ORG}/policies/preview`, {
      policy: ext("pv-ext", { workspace: undefined, namespace: "shop" }),
      images: ["ghcr.io/acme/app:1", "registry.corp.example/app:1", "nginx"],
      namespace: { name: "shop" },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.valid, JSON.stringify(r.body.issues)).toBe(true);
    expect(r.body.namespace.applies).toBe(true);
    expect(r.body.results.map((x: any) => x.verdict)).toEqual(["allow", "allow", "deny"]);
    expect(r.body.results[2].violations[0].message).toContain(
      "; or, added by pv-ext (namespace shop): hostname ghcr.io",
    );
  });

  it("a preview of an extension without its parent gives the issue at spec.extends", async () => {
    const r = await admin("POST", `${ORG}/policies/preview`, {
      policy: ext("pv-orphan", { extends: "gone" }),
      images: ["nginx"],
    });
    expect(r.status).toBe(200);
    expect(r.body.valid).toBe(false);
    expect(r.body.issues.map((i: any) => i.path)).toEqual(["spec.extends"]);
  });
});
