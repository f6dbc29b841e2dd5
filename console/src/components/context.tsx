import { createContext, useContext } from "react";
import type { Api, Whoami } from "../lib/resources.js";

export interface Session {
  readonly api: Api;
  readonly whoami: Whoami;
  readonly organization: string;
  /** The control plane's URL, for the agent command shown when a cluster is added. */
  readonly origin: string;
  /** Signed in with SSO: who (the token sign-in has none). */
  readonly sso?: { readonly username: string };
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (s === undefined) throw new Error("useSession outside SessionContext");
  return s;
}

/** Roles that may change things in the organization (the server decides; this hides buttons). */
export function canWrite(role: string): boolean {
  return role === "admin" || role === "organization-admin" || role === "workspace-admin";
}
