import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { type Session, SessionContext } from "./components/context.js";
import { OrgSwitcher } from "./components/OrgSwitcher.js";
import { createClient } from "./lib/api.js";
import { createApi } from "./lib/resources.js";
import { parseRoute, type Route, toHash } from "./lib/route.js";
import { clearSession, loadSession, saveSession } from "./lib/session.js";
import { currentSession, type SsoSession, signInMethods, signOut } from "./lib/sso.js";
import { Audit } from "./pages/Audit.js";
import { Clusters } from "./pages/Clusters.js";
import { Exceptions } from "./pages/Exceptions.js";
import { Insights } from "./pages/Insights.js";
import { Login } from "./pages/Login.js";
import { Policies } from "./pages/Policies.js";
import { PolicyWizard } from "./pages/PolicyWizard.js";
import { Tokens } from "./pages/Tokens.js";
import { WorkspaceDetail } from "./pages/WorkspaceDetail.js";
import { Workspaces } from "./pages/Workspaces.js";

const NAV: readonly { page: Route["page"]; label: string; also: readonly Route["page"][] }[] = [
  { page: "policies", label: "Policies", also: ["policy-new", "policy-edit"] },
  { page: "exceptions", label: "Exceptions", also: [] },
  { page: "workspaces", label: "Workspaces", also: ["workspace"] },
  { page: "clusters", label: "Clusters", also: [] },
  { page: "insights", label: "Insights", also: [] },
  { page: "audit", label: "Audit log", also: [] },
  { page: "tokens", label: "Tokens", also: [] },
];

/** Tokens are managed by admins and organization admins only: others are not offered the page. */
function isShown(page: Route["page"], role: string): boolean {
  return page !== "tokens" || role === "admin" || role === "organization-admin";
}

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "policy-new":
      return <PolicyWizard key={toHash(route)} name={undefined} scope={route.scope} />;
    case "policy-edit":
      return <PolicyWizard key={route.name} name={route.name} />;
    case "workspaces":
      return <Workspaces />;
    case "workspace":
      return <WorkspaceDetail key={route.name} name={route.name} />;
    case "clusters":
      return <Clusters />;
    case "insights":
      return <Insights />;
    case "audit":
      return <Audit />;
    case "tokens":
      return <Tokens />;
    case "exceptions":
      return <Exceptions />;
    default:
      return <Policies key={toHash(route)} node={route.node} />;
  }
}

export function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [ssoUrl, setSsoUrl] = useState<string | undefined>(undefined);
  const [checking, setChecking] = useState(true);
  const sso = useRef<SsoSession | undefined>(undefined);
  const origin = window.location.origin;

  const logout = useCallback(() => {
    clearSession(window.sessionStorage);
    const ended = sso.current;
    sso.current = undefined;
    // The cookie session ends on the server too, so a copy of the cookie opens nothing.
    if (ended !== undefined) void signOut(origin, ended.csrfToken, (i, init) => fetch(i, init));
    setSession(undefined);
  }, [origin]);

  /** A session cookie set by the SSO sign-in: the console works with it, without a token. */
  const resume = useCallback(
    async (s: SsoSession) => {
      const client = createClient(origin, "", undefined, logout, s.csrfToken);
      const whoami = await createApi(client, "").whoami();
      sso.current = s;
      const org = s.organization || "default";
      setSession({
        api: createApi(client, org),
        whoami,
        organization: org,
        origin,
        sso: { username: s.username },
      });
    },
    [origin, logout],
  );

  const login = useCallback(
    async (token: string, organization = "") => {
      setBusy(true);
      setError(undefined);
      try {
        const client = createClient(origin, token, undefined, logout);
        const whoami = await createApi(client, "").whoami();
        // An admin token belongs to no organization: start in `default`, the one created first.
        const org = organization || whoami.organization || "default";
        saveSession(window.sessionStorage, token, org);
        setSession({ api: createApi(client, org), whoami, organization: org, origin });
      } catch (e) {
        setError(e instanceof Error ? e : new Error(String(e)));
        clearSession(window.sessionStorage);
      } finally {
        setBusy(false);
      }
    },
    [origin, logout],
  );

  useEffect(() => {
    const f = (i: string, init: RequestInit) => fetch(i, init);
    void signInMethods(origin, f).then((m) => setSsoUrl(m.oidc));
    const saved = loadSession(window.sessionStorage);
    if (saved.token !== "") {
      setChecking(false);
      void login(saved.token, saved.organization);
      return;
    }
    void (async () => {
      const current = await currentSession(origin, f);
      if (current !== undefined) await resume(current).catch(() => undefined);
      setChecking(false);
    })();
  }, [login, resume, origin]);

  // After a navigation, focus moves to the page (as a full page load would put it at the top),
  // so keyboard and screen-reader users start reading the new page, not the old link.
  const firstRoute = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every route change
  useEffect(() => {
    if (firstRoute.current) {
      firstRoute.current = false;
      return;
    }
    document.getElementById("content")?.focus({ preventScroll: true });
  }, [route]);

  const title = useMemo(
    () => NAV.find((n) => n.page === route.page || n.also.includes(route.page))?.label,
    [route],
  );
  useEffect(() => {
    document.title = title === undefined ? "Customs" : `${title} · Customs`;
  }, [title]);

  const switchOrg = (org: string) => {
    // Same token, another organization: a new session value re-mounts every page's data.
    const { token } = loadSession(window.sessionStorage);
    void login(token, org);
    window.location.hash = toHash({ page: "policies" });
  };

  if (session === undefined) {
    if (checking) return <main className="login" aria-busy="true" />;
    return <Login onLogin={(t) => login(t)} error={error} busy={busy} ssoUrl={ssoUrl} />;
  }
  return (
    <SessionContext.Provider value={session}>
      <a className="skip" href="#content">
        Skip to content
      </a>
      <div className="shell">
        <header className="topbar">
          <span className="brand">Customs</span>
          <OrgSwitcher onSwitch={switchOrg} />
          <span className="whoami">
            {session.sso === undefined ? (
              session.whoami.name || "token"
            ) : (
              <>
                Signed in as <strong>{session.sso.username}</strong>
              </>
            )}{" "}
            · <span className="role">{session.whoami.role}</span>
          </span>
          <button type="button" className="ghost" onClick={logout}>
            {session.sso === undefined ? "Log out" : "Sign out"}
          </button>
        </header>
        <nav className="sidenav" aria-label="Main">
          <ul>
            {NAV.filter((n) => isShown(n.page, session.whoami.role)).map((n) => {
              const current = n.page === route.page || n.also.includes(route.page);
              return (
                <li key={n.page}>
                  <a
                    href={toHash({ page: n.page } as Route)}
                    aria-current={current ? "page" : undefined}
                  >
                    {n.label}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
        <main id="content" className="content" tabIndex={-1}>
          <Page route={route} />
        </main>
      </div>
    </SessionContext.Provider>
  );
}
