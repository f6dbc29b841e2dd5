import { describe, expect, it } from "vitest";
import { createClient, type Fetch } from "../../console/src/lib/api.js";
import { currentSession, signInError, signInMethods, ssoHref } from "../../console/src/lib/sso.js";

/** A fetch that records requests and answers from a table. */
function fake(answers: Record<string, { status: number; body: unknown }>) {
  const seen: { url: string; init: RequestInit }[] = [];
  const f: Fetch = async (url, init) => {
    seen.push({ url, init });
    const a = answers[new URL(url).pathname] ?? { status: 404, body: {} };
    return new Response(JSON.stringify(a.body), { status: a.status });
  };
  return { f, seen };
}

describe("the console's SSO helpers", () => {
  it("offers SSO only when the control plane says so", async () => {
    const on = fake({
      "/api/v1/auth": { status: 200, body: { oidc: { signInUrl: "/api/v1/auth/oidc/sign-in" } } },
    });
    expect(await signInMethods("https://cp", on.f)).toEqual({ oidc: "/api/v1/auth/oidc/sign-in" });
    const off = fake({ "/api/v1/auth": { status: 200, body: { methods: ["token"] } } });
    expect(await signInMethods("https://cp", off.f)).toEqual({ oidc: undefined });
    // An absolute URL elsewhere is not followed.
    const odd = fake({
      "/api/v1/auth": { status: 200, body: { oidc: { signInUrl: "https://evil/x" } } },
    });
    expect(await signInMethods("https://cp", odd.f)).toEqual({ oidc: undefined });
  });

  it("reads the cookie session, or none on 401", async () => {
    const body = {
      username: "alice@example.com",
      role: "viewer",
      organization: "default",
      workspaces: [],
      csrfToken: "t",
      expiresAt: "x",
    };
    expect(
      (
        await currentSession(
          "https://cp",
          fake({ "/api/v1/auth/session": { status: 200, body } }).f,
        )
      )?.csrfToken,
    ).toBe("t");
    expect(await currentSession("https://cp", fake({}).f)).toBeUndefined();
  });

  it("returns to the page the sign-in started from", () => {
    expect(ssoHref("/api/v1/auth/oidc/sign-in", "#/workspaces/team-a")).toBe(
      "/api/v1/auth/oidc/sign-in?return=%23%2Fworkspaces%2Fteam-a",
    );
    expect(ssoHref("/s", "")).toBe("/s?return=%23%2F");
  });

  it("explains ?sign_in_error codes", () => {
    expect(signInError("?sign_in_error=NO_ROLE")).toMatch(/none of your groups/);
    expect(signInError("?sign_in_error=<NEW_CODE>")).toBe("Signing in failed (NEW_CODE).");
    expect(signInError("")).toBeUndefined();
  });

  it("sends the CSRF token with changes only, and only without a token", async () => {
    const { f, seen } = fake({ "/api/v1/x": { status: 200, body: {} } });
    const client = createClient("https://cp", "", f, () => {}, "csrf-1");
    await client.request("/x");
    await client.request("/x", { method: "POST", body: {} });
    const headers = seen.map((s) => (s.init.headers as Record<string, string>)["x-csrf-token"]);
    expect(headers).toEqual([undefined, "csrf-1"]);
    const withToken = fake({ "/api/v1/x": { status: 200, body: {} } });
    await createClient("https://cp", "cst_1_x", withToken.f, () => {}, "csrf-1").request("/x", {
      method: "DELETE",
    });
    expect(
      (withToken.seen[0]?.init.headers as Record<string, string>)["x-csrf-token"],
    ).toBeUndefined();
  });
});
