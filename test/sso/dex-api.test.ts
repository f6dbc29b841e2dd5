import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_SCHEMAS, toComponents } from "../../src/core/schema/index.js";
import { dexSkipReason } from "../support/dex.js";
import { type Answer, call, cookiesOf, type SsoWorld, startSsoWorld } from "./flow.js";

const skip = dexSkipReason();
if (skip !== undefined) console.log(`skipped: sign-in with Dex: ${skip}`);

const ORG = "/api/v1/organizations/default";

/** The session answer as the OpenAPI document declares it (test/fleet/api-openapi checks the rest). */
const isSession = new Ajv({ strict: false })
  .addSchema({ components: { schemas: toComponents(API_SCHEMAS) } }, "api")
  .getSchema("api#/components/schemas/Session");

function policy(name: string, workspace: string) {
  return {
    apiVersion: "customs.dev/v1alpha1",
    kind: "ImagePolicy",
    metadata: { name },
    spec: { recipe: "block-latest-tag", workspace },
  };
}

/**
 * Sign-in with OpenID Connect against a real Dex (docs/sso.md): the code flow with PKCE, the
 * groups mapped to roles, the cookie session on the API, its CSRF check, sign-out and expiry.
 */
describe.skipIf(skip !== undefined)("sign-in with Dex, through the API", () => {
  let w: SsoWorld;
  const api = (
    method: string,
    path: string,
    o: {
      session?: string;
      token?: string;
      csrf?: string;
      origin?: string;
      ifMatch?: string;
      body?: unknown;
    } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (o.session !== undefined) headers.cookie = `__Host-customs-session=${o.session}`;
    if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
    if (o.csrf !== undefined) headers["x-csrf-token"] = o.csrf;
    if (o.origin !== undefined) headers.origin = o.origin;
    if (o.ifMatch !== undefined) headers["if-match"] = `"${o.ifMatch}"`;
    if (o.body !== undefined) headers["content-type"] = "application/json";
    return call(w.pki.caPem, `${w.url}${path}`, {
      method,
      headers,
      ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
    });
  };
  const signedIn = async (email: string, password: string) => {
    const r = await w.signIn(email, password);
    expect(r.answer.status, r.answer.text).toBe(302);
    const session = r.session ?? "";
    const info = (await api("GET", "/api/v1/auth/session", { session })).json();
    expect(isSession?.(info), JSON.stringify(isSession?.errors)).toBe(true);
    return { session, csrf: String(info.csrfToken), info };
  };

  beforeAll(async () => {
    w = await startSsoWorld({ idleTimeout: "30m", absoluteTimeout: "8h" });
    for (const name of ["team-a", "team-b"]) {
      const r = await api("POST", `${ORG}/workspaces`, {
        token: w.admin,
        body: { metadata: { name } },
      });
      expect(r.status).toBe(201);
    }
  }, 60_000);
  afterAll(async () => {
    await w?.close();
  });

  it("says how to sign in", async () => {
    const r = await api("GET", "/api/v1/auth");
    expect(r.json()).toEqual({
      methods: ["token", "oidc"],
      oidc: { signInUrl: "/api/v1/auth/oidc/sign-in" },
    });
  });

  it("sends the browser to the provider with PKCE S256, state and nonce, and a Lax sign-in cookie", async () => {
    const r = await api("GET", "/api/v1/auth/oidc/sign-in?return=%23%2Fworkspaces");
    expect(r.status).toBe(302);
    const to = new URL(String(r.headers.location));
    expect(to.origin + to.pathname).toBe(`${w.dex.issuer}/auth`);
    const q = to.searchParams;
    expect(q.get("response_type")).toBe("code");
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("nonce")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("scope")).toBe("openid email profile groups");
    const set = String(r.headers["set-cookie"]);
    expect(set).toMatch(
      /^__Host-customs-sign-in=[A-Za-z0-9_-]+; Path=\/; Secure; HttpOnly; SameSite=Lax; Max-Age=600/,
    );
  });

  it("signs alice in as admin of team-a: a Strict, HttpOnly, Secure __Host- session cookie", async () => {
    const r = await w.signIn("alice@example.com", "alice-pw-1", "#/policies?workspace=team-a");
    expect(r.answer.status).toBe(302);
    expect(r.answer.headers.location).toBe("/#/policies?workspace=team-a");
    const lines = r.answer.headers["set-cookie"] as string[];
    const session = lines.find((l) => l.startsWith("__Host-customs-session=")) ?? "";
    expect(session).toMatch(/; Path=\/; Secure; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    expect(lines.some((l) => /^__Host-customs-sign-in=; .*Max-Age=0$/.test(l))).toBe(true);
    const who = (await api("GET", "/api/v1/whoami", { session: r.session ?? "" })).json();
    expect(who).toEqual({
      token: "oidc:alice@example.com",
      role: "workspace-admin",
      organization: "default",
      workspaces: ["team-a"],
    });
    const info = (await api("GET", "/api/v1/auth/session", { session: r.session ?? "" })).json();
    expect(info).toMatchObject({
      username: "alice@example.com",
      role: "workspace-admin",
      workspaces: ["team-a"],
      groups: ["team-a-admins"],
    });
    expect(info.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("maps several groups to the highest role: bob is admin of team-b (viewer of it too)", async () => {
    const { info } = await signedIn("bob@example.com", "bob-pw-2");
    expect(info).toMatchObject({ role: "workspace-admin", workspaces: ["team-b"] });
  });

  it("refuses a person whose groups give no role (back to the console with NO_ROLE)", async () => {
    const r = await w.signIn("carol@example.com", "carol-pw-3");
    expect(r.answer.status).toBe(302);
    expect(r.answer.headers.location).toBe("/?sign_in_error=NO_ROLE");
    expect(r.session).toBeUndefined();
  });

  it("uses each sign-in once: a replayed callback, another browser, a forged state are refused", async () => {
    const r = await w.signIn("alice@example.com", "alice-pw-1");
    expect(r.answer.status).toBe(302);
    const again = await call(w.pki.caPem, r.callback, {
      headers: { cookie: `__Host-customs-sign-in=${r.signInCookie}` },
    });
    expect(again.headers.location).toBe("/?sign_in_error=SIGN_IN_INVALID");
    const noCookie = await call(w.pki.caPem, r.callback);
    expect(noCookie.headers.location).toBe("/?sign_in_error=SIGN_IN_INVALID");
    // A fresh sign-in of this browser, answered with another state: refused, and used up.
    const start = await api("GET", "/api/v1/auth/oidc/sign-in");
    const cookie = cookiesOf(start)["__Host-customs-sign-in"];
    const forged = await call(
      w.pki.caPem,
      `${w.url}/api/v1/auth/oidc/callback?code=x&state=not-the-state`,
      { headers: { cookie: `__Host-customs-sign-in=${cookie}` } },
    );
    expect(forged.headers.location).toBe("/?sign_in_error=SIGN_IN_INVALID");
  });

  it("keeps each person to their workspace through the API with the cookie session", async () => {
    const alice = await signedIn("alice@example.com", "alice-pw-1");
    const bob = await signedIn("bob@example.com", "bob-pw-2");
    const mine = await api("POST", `${ORG}/policies`, {
      session: alice.session,
      csrf: alice.csrf,
      body: policy("a-latest", "team-a"),
    });
    expect(mine.status, mine.text).toBe(201);
    expect(mine.json().metadata.createdBy).toBe("oidc:alice@example.com");
    const theirs = await api("POST", `${ORG}/policies`, {
      session: alice.session,
      csrf: alice.csrf,
      body: policy("a-in-b", "team-b"),
    });
    expect(theirs.status).toBe(403);
    const b = await api("POST", `${ORG}/policies`, {
      session: bob.session,
      csrf: bob.csrf,
      body: policy("b-latest", "team-b"),
    });
    expect(b.status).toBe(201);
    // Bob neither sees nor changes alice's policy.
    expect((await api("GET", `${ORG}/policies/a-latest`, { session: bob.session })).status).toBe(
      404,
    );
    const del = await api("DELETE", `${ORG}/policies/a-latest`, {
      session: bob.session,
      csrf: bob.csrf,
      ifMatch: "1",
    });
    expect(del.status).toBe(404);
    const names = (await api("GET", `${ORG}/policies`, { session: alice.session }))
      .json()
      .items.map((p: { metadata: { name: string } }) => p.metadata.name);
    expect(names).toEqual(["a-latest"]);
  });

  it("refuses a write with the cookie but without the CSRF token, with a wrong one, or from another origin", async () => {
    const alice = await signedIn("alice@example.com", "alice-pw-1");
    const body = policy("csrf-probe", "team-a");
    const none = await api("POST", `${ORG}/policies`, { session: alice.session, body });
    expect(none.status).toBe(403);
    expect(none.json().error.code).toBe("CSRF_REFUSED");
    const wrong = await api("POST", `${ORG}/policies`, {
      session: alice.session,
      csrf: "x".repeat(43),
      body,
    });
    expect(wrong.json().error.code).toBe("CSRF_REFUSED");
    const elsewhere = await api("POST", `${ORG}/policies`, {
      session: alice.session,
      csrf: alice.csrf,
      origin: "https://evil.example",
      body,
    });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.json().error.message).toMatch(/evil\.example/);
    const same = await api("POST", `${ORG}/policies`, {
      session: alice.session,
      csrf: alice.csrf,
      origin: w.url,
      body,
    });
    expect(same.status).toBe(201);
    // Another session's token is not this session's.
    const bob = await signedIn("bob@example.com", "bob-pw-2");
    const crossed = await api("DELETE", `${ORG}/policies/csrf-probe`, {
      session: alice.session,
      csrf: bob.csrf,
      ifMatch: "1",
    });
    expect(crossed.json().error.code).toBe("CSRF_REFUSED");
  });

  it("lets Authorization: Bearer win over the cookie (and needs no CSRF token then)", async () => {
    const alice = await signedIn("alice@example.com", "alice-pw-1");
    const who = await api("GET", "/api/v1/whoami", { session: alice.session, token: w.admin });
    expect(who.json().role).toBe("admin");
    const r = await api("POST", `${ORG}/policies`, {
      session: alice.session,
      token: w.admin,
      body: policy("by-token", "team-b"),
    });
    expect(r.status).toBe(201);
  });

  it("signs out: needs the CSRF token, ends the session on the server, clears the cookie", async () => {
    const alice = await signedIn("alice@example.com", "alice-pw-1");
    const refused = await api("POST", "/api/v1/auth/sign-out", { session: alice.session });
    expect(refused.status).toBe(403);
    expect((await api("GET", "/api/v1/whoami", { session: alice.session })).status).toBe(200);
    const out = await api("POST", "/api/v1/auth/sign-out", {
      session: alice.session,
      csrf: alice.csrf,
    });
    expect(out.status).toBe(204);
    expect(cookiesOf(out)["__Host-customs-session"]).toBe("");
    // The cookie, replayed from a copy, opens nothing any more.
    const after = await api("GET", "/api/v1/whoami", { session: alice.session });
    expect(after.status).toBe(401);
    expect(await w.store.findSession("nothing")).toBeUndefined();
  });

  it("ends a session idle for longer than the idle timeout, and any at its absolute end", async () => {
    const alice = await signedIn("alice@example.com", "alice-pw-1");
    w.advance(29 * 60_000);
    expect((await api("GET", "/api/v1/whoami", { session: alice.session })).status).toBe(200);
    w.advance(29 * 60_000); // used 29 minutes ago: still alive
    expect((await api("GET", "/api/v1/whoami", { session: alice.session })).status).toBe(200);
    w.advance(31 * 60_000);
    const idle = await api("GET", "/api/v1/whoami", { session: alice.session });
    expect(idle.status).toBe(401);
    expect(idle.json().error.message).toMatch(/idle/);
    w.advance(-89 * 60_000);

    const bob = await signedIn("bob@example.com", "bob-pw-2");
    for (let i = 0; i < 16; i++) {
      w.advance(29 * 60_000); // 7 h 44 min in all, never idle for long
      expect((await api("GET", "/api/v1/whoami", { session: bob.session })).status).toBe(200);
    }
    w.advance(20 * 60_000);
    const ended = await api("GET", "/api/v1/whoami", { session: bob.session });
    expect(ended.status).toBe(401);
    expect(ended.json().error.message).toMatch(/expired/);
    w.advance(-(16 * 29 + 20) * 60_000);
  });

  it("answers an unknown session cookie 401 (the console then shows its sign-in page)", async () => {
    const r = await api("GET", "/api/v1/whoami", { session: "A".repeat(43) });
    expect(r.status).toBe(401);
    const s = await api("GET", "/api/v1/auth/session");
    expect(s.status).toBe(401);
  });
});
