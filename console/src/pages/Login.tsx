import { type FormEvent, useState } from "react";
import { ErrorBanner, TextField } from "../components/ui.js";
import { toToken } from "../lib/session.js";

export function Login(props: {
  onLogin: (token: string) => Promise<void>;
  error: Error | undefined;
  busy: boolean;
}) {
  const [token, setToken] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void props.onLogin(toToken(token));
  };
  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Customs</h1>
        <p className="muted">Image policies for every cluster. Sign in with an API token.</p>
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
