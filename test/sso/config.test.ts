import { describe, expect, it } from "vitest";
import { parseOidcConfig } from "../../src/core/oidc/config.js";
import { grantOf, groupsOf } from "../../src/core/oidc/roles.js";

const base = {
  issuer: "https://idp.example.com",
  clientID: "customs",
  clientSecretFile: "/etc/customs/oidc-secret",
  mappings: [{ group: "platform", role: "organization-admin" }],
};

describe("--oidc-config", () => {
  it("fills the defaults", () => {
    const c = parseOidcConfig(base);
    expect(c).toMatchObject({
      scopes: ["openid", "email", "profile"],
      groupsClaim: "groups",
      usernameClaim: "email",
      tokenAuthMethod: "client_secret_basic",
      organization: "default",
      idleTimeoutSeconds: 3600,
      absoluteTimeoutSeconds: 43200,
      redirectUrl: undefined,
    });
  });

  it.each([
    [
      "a client secret in the file",
      { clientSecret: "x" },
      /clientSecret: unknown field \(give clientSecretFile/,
    ],
    [
      "an http issuer elsewhere than loopback",
      { issuer: "http://idp.example.com" },
      /issuer: must be an https/,
    ],
    ["no mappings", { mappings: [] }, /mappings:/],
    [
      "a workspace admin without workspaces",
      { mappings: [{ group: "g", role: "workspace-admin" }] },
      /mappings\[0\]\.workspaces/,
    ],
    ["an unknown role", { mappings: [{ group: "g", role: "admin" }] }, /mappings\[0\]\.role/],
    [
      "a bad workspace name",
      { mappings: [{ group: "g", role: "viewer", workspaces: ["Team A"] }] },
      /workspaces/,
    ],
    ["idle longer than absolute", { idleTimeout: "9h", absoluteTimeout: "8h" }, /idleTimeout/],
    ["a bad duration", { idleTimeout: "soon" }, /idleTimeout: a duration/],
  ])("refuses %s", (_name, change, message) => {
    expect(() => parseOidcConfig({ ...base, ...change })).toThrow(message);
  });

  it("accepts a loopback http issuer (development) and durations in units", () => {
    const c = parseOidcConfig({
      ...base,
      issuer: "http://127.0.0.1:5556/dex",
      idleTimeout: "15m",
      absoluteTimeout: 7200,
    });
    expect(c.idleTimeoutSeconds).toBe(900);
    expect(c.absoluteTimeoutSeconds).toBe(7200);
  });
});

describe("groups to roles", () => {
  const mappings = parseOidcConfig({
    ...base,
    mappings: [
      { group: "platform", role: "organization-admin" },
      { group: "a-admins", role: "workspace-admin", workspaces: ["team-a"] },
      { group: "b-admins", role: "workspace-admin", workspaces: ["team-b"] },
      { group: "auditors", role: "viewer" },
      { group: "b-readers", role: "viewer", workspaces: ["team-b"] },
    ],
  }).mappings;

  it.each([
    [["platform", "a-admins"], { role: "organization-admin", workspaces: [] }],
    [["b-admins", "a-admins"], { role: "workspace-admin", workspaces: ["team-a", "team-b"] }],
    [["a-admins", "auditors"], { role: "workspace-admin", workspaces: ["team-a"] }],
    [["b-readers"], { role: "viewer", workspaces: ["team-b"] }],
    [["b-readers", "auditors"], { role: "viewer", workspaces: [] }],
    [["nobody"], undefined],
    [[], undefined],
  ])("%j gives %j", (groups, grant) => {
    expect(grantOf(mappings, groups)).toEqual(grant);
  });

  it("reads a list or a single string from the groups claim", () => {
    expect(groupsOf({ groups: ["a", 1, "b"] }, "groups")).toEqual(["a", "b"]);
    expect(groupsOf({ roles: "a" }, "roles")).toEqual(["a"]);
    expect(groupsOf({}, "groups")).toEqual([]);
  });
});
