/**
 * Reading a token request: who asks (Basic credentials, an OAuth2 form, a refresh token or
 * nobody), for which service and scopes, and whether a refresh token is wanted.
 */
export interface TokenRequest {
  readonly method: "GET" | "POST";
  readonly query: URLSearchParams;
  /** The `application/x-www-form-urlencoded` body of a POST. */
  readonly form: URLSearchParams | undefined;
  readonly authorization: string | undefined;
  /** The client's address, for rate limiting and logs. */
  readonly client: string;
}

interface Common {
  readonly service: string;
  readonly scopes: readonly string[];
  readonly offline: boolean;
  readonly flow: "get" | "oauth-password" | "oauth-refresh";
}

export type Caller =
  | (Common & { readonly kind: "anonymous" })
  | (Common & { readonly kind: "password"; readonly account: string; readonly secret: string })
  | (Common & { readonly kind: "refresh"; readonly refreshToken: string })
  | { readonly kind: "invalid"; readonly reason: string };

/** Scopes may repeat (`scope=a&scope=b`) and each may hold several, space-separated (OAuth2). */
const scopesOf = (p: URLSearchParams) =>
  p
    .getAll("scope")
    .flatMap((s) => s.split(" "))
    .filter((s) => s !== "");

function basic(authorization: string): { account: string; secret: string } | undefined {
  if (!/^basic /i.test(authorization)) return undefined;
  const text = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon <= 0) return undefined;
  return { account: text.slice(0, colon), secret: text.slice(colon + 1) };
}

export function readCaller(req: TokenRequest): Caller {
  if (req.method === "GET") {
    const common: Common = {
      service: req.query.get("service") ?? "",
      scopes: scopesOf(req.query),
      offline: req.query.get("offline_token") === "true",
      flow: "get",
    };
    if (req.authorization === undefined) return { ...common, kind: "anonymous" };
    const credentials = basic(req.authorization);
    if (credentials === undefined) return { kind: "invalid", reason: "expected Basic credentials" };
    return { ...common, kind: "password", ...credentials };
  }
  const form = req.form ?? new URLSearchParams();
  const base = {
    service: form.get("service") ?? "",
    scopes: scopesOf(form),
    offline: form.get("access_type") === "offline",
  };
  const grant = form.get("grant_type");
  if (grant === "password") {
    const account = form.get("username") ?? "";
    const secret = form.get("password") ?? "";
    if (account === "" || secret === "")
      return { kind: "invalid", reason: "username and password are required" };
    return { ...base, flow: "oauth-password", kind: "password", account, secret };
  }
  if (grant === "refresh_token") {
    const refreshToken = form.get("refresh_token") ?? "";
    if (refreshToken === "") return { kind: "invalid", reason: "refresh_token is required" };
    return { ...base, flow: "oauth-refresh", kind: "refresh", refreshToken };
  }
  return { kind: "invalid", reason: "grant_type must be password or refresh_token" };
}
