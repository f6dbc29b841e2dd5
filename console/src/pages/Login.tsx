import { type FormEvent, useState } from "react";
import { ErrorBanner, TextField } from "../components/ui.js";
import { toToken } from "../lib/session.js";
import { signInError, ssoHref } from "../lib/sso.js";

export function Login(props: {
  onLogin: (token: string) => Promise<void>;
  error: Error | undefined;
  busy: boolean;
  /** The SSO sign-in route, when the control plane has OpenID Connect configured. */
  ssoUrl?: string | undefined;
}) {
  const [token, setToken] = useState("");
  // A failed SSO sign-in comes back as ?sign_in_error=CODE: shown once, then the URL is cleaned.
  const [ssoError] = useState(() => {
    const message = signInError(window.location.search);
    if (message !== undefined)
      window.history.replaceState(null, "", `${window.location.pathname}${window.location.hash}`);
    return message;
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void props.onLogin(toToken(token));
  };
  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Customs</h1>
        <p className="muted">
          Image policies for every cluster.{" "}
          {props.ssoUrl === undefined
            ? "Sign in with an API token."
            : "Sign in with your organization's identity provider, or with an API token."}
        </p>
        {ssoError === undefined ? null : (
          <div className="banner banner-error" role="alert">
            {ssoError}
          </div>
        )}
        {props.ssoUrl === undefined ? null : (
          <>
            <a className="button primary sso" href={ssoHref(props.ssoUrl, window.location.hash)}>
              Sign in with SSO
            </a>
            <p className="divider muted">or</p>
          </>
        )}
        <TextField
          label="API token"
          type="password"
          value={token}
          onChange={setToken}
          hint="A token such as cst_… printed by `customs serve control-plane` or created by an administrator. It is kept only in this browser tab."
          autoFocus
          required
        />
        <ErrorBanner error={props.error} />
        <button type="submit" className="primary" disabled={props.busy || toToken(token) === ""}>
          {props.busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
