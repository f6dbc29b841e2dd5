import { describe, expect, it } from "vitest";
import { toChanges } from "../../console/src/lib/diff.js";
import { toAge } from "../../console/src/lib/format.js";
import { toPreviewResult, toSampleImages } from "../../console/src/lib/preview.js";
import { parseRoute, type Route, toHash } from "../../console/src/lib/route.js";
import { clearSession, loadSession, saveSession, toToken } from "../../console/src/lib/session.js";

describe("preview answers", () => {
  it.each<[string, unknown, ReturnType<typeof toPreviewResult>]>([
    [
      "issues and results",
      {
        issues: [{ severity: "warning", path: "spec", message: "lint" }],
        results: [
          {
            image: "busybox",
            verdict: "deny",
            violations: [{ policy: "p", message: "not allowed" }],
          },
          { image: "ok", allowed: true },
        ],
      },
      {
        issues: [{ severity: "warning", path: "spec", message: "lint" }],
        decisions: [
          { image: "busybox", verdict: "deny", messages: ["p: not allowed"] },
          { image: "ok", verdict: "allow", messages: [] },
        ],
      },
    ],
    [
      "a 422 body",
      {
        error: {
          code: "POLICY_INVALID",
          details: [{ path: "spec.input.rules[0].port", message: "bad" }],
        },
      },
      {
        issues: [{ severity: "error", path: "spec.input.rules[0].port", message: "bad" }],
        decisions: [],
      },
    ],
    [
      "decisions keyed by image",
      { valid: true, images: { "nginx:latest": { decision: "warn", message: "tag latest" } } },
      {
        issues: [],
        decisions: [{ image: "nginx:latest", verdict: "warn", messages: ["tag latest"] }],
      },
    ],
    ["not an object", "oops", { issues: [], decisions: [] }],
  ])("%s", (_name, body, expected) => {
    expect(toPreviewResult(body)).toEqual(expected);
  });

  it("sample images: one per line, blanks and comments ignored", () => {
    expect(toSampleImages(" busybox \n\n# a comment\nnginx:latest\n")).toEqual([
      "busybox",
      "nginx:latest",
    ]);
  });
});

describe("audit diff", () => {
  it("lists changed leaves, not bookkeeping", () => {
    const before = {
      metadata: { name: "p", resourceVersion: "1" },
      spec: { action: "deny", input: { rules: [{ hostname: "a" }] } },
    };
    const after = {
      metadata: { name: "p", resourceVersion: "2" },
      spec: { action: "warn", input: { rules: [{ hostname: "a" }, { hostname: "b" }] } },
    };
    expect(toChanges(before, after)).toEqual([
      { path: "spec.action", before: '"deny"', after: '"warn"' },
      { path: "spec.input.rules[1].hostname", before: undefined, after: '"b"' },
    ]);
    expect(toChanges(null, { a: [] })).toEqual([{ path: "a", before: undefined, after: "[]" }]);
  });
});

describe("routes", () => {
  it.each<[string, Route]>([
    ["", { page: "policies" }],
    ["#/policies/new", { page: "policy-new" }],
    ["#/policies/a.b/edit", { page: "policy-edit", name: "a.b" }],
    ["#/workspaces/team-a", { page: "workspace", name: "team-a" }],
    ["#/clusters", { page: "clusters" }],
    ["#/insights", { page: "insights" }],
    ["#/audit", { page: "audit" }],
    ["#/nowhere", { page: "policies" }],
    ["#/workspaces/%E0%A4%A", { page: "workspace", name: "%E0%A4%A" }],
  ])("%s", (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
    if (hash !== "" && hash !== "#/nowhere") expect(parseRoute(toHash(route))).toEqual(route);
  });
});

describe("session", () => {
  it("keeps the token and organization, and forgets them", () => {
    const m = new Map<string, string>();
    const store = {
      getItem: (k: string) => m.get(k) ?? null,
      setItem: (k: string, v: string) => void m.set(k, v),
      removeItem: (k: string) => void m.delete(k),
    };
    expect(loadSession(store)).toEqual({ token: "", organization: "" });
    saveSession(store, "cst_a_b", "acme");
    expect(loadSession(store)).toEqual({ token: "cst_a_b", organization: "acme" });
    clearSession(store);
    expect(m.size).toBe(0);
  });

  it.each([
    ["  cst_a_b\n", "cst_a_b"],
    ["Bearer cst_a_b", "cst_a_b"],
    ["bearer   cst_a_b ", "cst_a_b"],
  ])("token %j", (pasted, token) => {
    expect(toToken(pasted)).toBe(token);
  });

  it("ages", () => {
    const now = Date.parse("2026-01-01T01:00:00Z");
    expect(
      ["2026-01-01T00:59:30Z", "2026-01-01T00:30:00Z", undefined, "x"].map((t) => toAge(t, now)),
    ).toEqual(["30 s ago", "30 min ago", "never", "x"]);
  });
});

describe("preview answers of the control plane", () => {
  it("audit-only violations read as audited; a scope that does not apply is said", () => {
    const body = {
      valid: true,
      issues: [],
      namespace: { name: "default", applies: false, reason: "outside the workspace" },
      results: [
        {
          image: "nginx:latest",
          verdict: "allow",
          violations: [{ code: "TAG_LATEST", action: "audit", message: "latest" }],
        },
      ],
    };
    expect(toPreviewResult(body)).toEqual({
      issues: [],
      decisions: [{ image: "nginx:latest", verdict: "audit", messages: ["latest"] }],
      notApplied: "The policy does not apply to namespace default: outside the workspace.",
    });
  });
});
