/**
 * The credentials of a kubeconfig user: token, token file, basic auth, client certificate,
 * impersonation, exec plugin. Also the file reading both clusters and users need.
 */
import { readFileSync } from "node:fs";
import { CustomsError } from "../../core/errors.js";
import {
  bearer,
  type CredentialSource,
  type KubeCredentials,
  staticCredentials,
  tokenFileCredentials,
  withHeaders,
} from "./credentials.js";
import {
  EXEC_API_VERSIONS,
  type ExecApiVersion,
  type ExecClusterInfo,
  type ExecOptions,
  execCredentials,
} from "./exec.js";
import {
  type KubeconfigCluster,
  type KubeconfigUser,
  type Origin,
  resolveCommand,
  resolvePath,
} from "./kubeconfig.js";

export function read(file: string, field: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new CustomsError(
      "KUBECONFIG_INVALID",
      `${file}: ${field} ${path}: ${(e as Error).message}`,
      field,
    );
  }
}

/** A `-data` field (base64) or the file named by its sibling; both at once is kubectl's error too. */
export function fileOrData<T extends object>(
  entry: Origin<T>,
  kind: "cluster" | "user",
  field: keyof T & string,
): string | undefined {
  const values = entry.value as Record<string, string | undefined>;
  const file = values[field];
  const data = values[`${field}-data`];
  const at = `${kind} "${entry.name}"`;
  if (file && data)
    throw new CustomsError(
      "KUBECONFIG_INVALID",
      `${entry.file}: ${at} sets both ${field} and ${field}-data: keep one`,
      field,
    );
  if (data) return Buffer.from(data, "base64").toString("utf8");
  return file ? read(entry.file, `${at} ${field}`, resolvePath(file, entry.file)) : undefined;
}

export function unsupported(entry: Origin<unknown>, kind: string, problem: string): CustomsError {
  return new CustomsError(
    "KUBECONFIG_UNSUPPORTED",
    `${entry.file}: ${kind} "${entry.name}": ${problem}`,
  );
}

/** Impersonation headers (`as`, `as-groups`, …), as kubectl sends them. */
function impersonation(user: KubeconfigUser): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  if (user.as) headers["impersonate-user"] = user.as;
  if (user["as-uid"]) headers["impersonate-uid"] = user["as-uid"];
  if (user["as-groups"]?.length) headers["impersonate-group"] = [...user["as-groups"]];
  for (const [k, v] of Object.entries(user["as-user-extra"] ?? {}))
    headers[`impersonate-extra-${encodeURIComponent(k)}`] = [...v];
  return headers;
}

function execPlugin(
  user: Origin<KubeconfigUser>,
  cluster: Origin<KubeconfigCluster>,
  server: string,
  ca: string | undefined,
  options: ExecOptions | undefined,
): CredentialSource {
  const exec = user.value.exec ?? {};
  const at = `user "${user.name}" in ${user.file}`;
  const bad = (problem: string, field: string) =>
    new CustomsError(
      "KUBECONFIG_INVALID",
      `${user.file}: user "${user.name}": exec.${field} ${problem}`,
      `exec.${field}`,
    );
  if (!exec.command) throw bad("is missing", "command");
  if (!EXEC_API_VERSIONS.includes(exec.apiVersion as ExecApiVersion))
    throw bad(
      `${exec.apiVersion === undefined ? "is missing" : `"${exec.apiVersion}" is not supported`}: use ${EXEC_API_VERSIONS.join(" or ")}`,
      "apiVersion",
    );
  // v1beta1 defaults to IfAvailable; v1 makes the author choose (clientcmd's defaulting).
  const mode =
    exec.interactiveMode ||
    (exec.apiVersion === "client.authentication.k8s.io/v1beta1" ? "IfAvailable" : undefined);
  if (mode === undefined) throw bad("is missing (Never, IfAvailable or Always)", "interactiveMode");
  if (!["Never", "IfAvailable", "Always"].includes(mode))
    throw bad(`"${mode}" is not Never, IfAvailable or Always`, "interactiveMode");
  if (mode === "Always")
    throw unsupported(
      user,
      "user",
      "exec.interactiveMode is Always, but Customs runs without a terminal to answer a plugin's prompts: use a plugin mode that needs none (Never or IfAvailable), e.g. a cached login or a service principal",
    );
  const extension = cluster.value.extensions?.find(
    (e) => e.name === "client.authentication.k8s.io/exec",
  )?.extension;
  const info: ExecClusterInfo = {
    server,
    ...(cluster.value["tls-server-name"]
      ? { "tls-server-name": cluster.value["tls-server-name"] }
      : {}),
    ...(ca === undefined
      ? {}
      : { "certificate-authority-data": Buffer.from(ca).toString("base64") }),
    ...(cluster.value["disable-compression"] ? { "disable-compression": true } : {}),
    ...(extension === undefined ? {} : { config: extension }),
  };
  return execCredentials(
    {
      command: resolveCommand(exec.command, user.file),
      args: exec.args ?? [],
      env: exec.env ?? [],
      apiVersion: exec.apiVersion as ExecApiVersion,
      installHint: exec.installHint,
      cluster: exec.provideClusterInfo ? info : undefined,
      where: at,
    },
    options,
  );
}

/**
 * The credentials of a user, by kubectl's rules: a token (a token file wins over it) or basic
 * auth, not both; a client certificate with either; an exec plugin only when the user has
 * none of those.
 */
export function userCredentials(
  user: Origin<KubeconfigUser> | undefined,
  cluster: Origin<KubeconfigCluster>,
  server: string,
  ca: string | undefined,
  exec: ExecOptions | undefined,
): CredentialSource {
  if (user === undefined) return staticCredentials({ headers: {} });
  const u = user.value;
  if (u["auth-provider"])
    throw unsupported(
      user,
      "user",
      `auth-provider "${u["auth-provider"].name ?? ""}" is not supported (Kubernetes removed the gcp and azure ones in 1.26): use the provider's exec plugin instead: gke-gcloud-auth-plugin (GKE), kubelogin convert-kubeconfig (AKS), aws eks get-token (EKS), kubectl oidc-login (OIDC)`,
    );
  const token = Boolean(u.token || u.tokenFile);
  const basic = Boolean(u.username || u.password);
  if (token && basic)
    throw new CustomsError(
      "KUBECONFIG_INVALID",
      `${user.file}: user "${user.name}" has a token and a username/password: keep one`,
    );
  const cert = fileOrData(user, "user", "client-certificate");
  const key = fileOrData(user, "user", "client-key");
  if ((cert === undefined) !== (key === undefined))
    throw new CustomsError(
      "KUBECONFIG_INVALID",
      `${user.file}: user "${user.name}" has a client ${cert === undefined ? "key" : "certificate"} without its ${cert === undefined ? "certificate" : "key"}`,
    );
  const pair = cert === undefined ? {} : { cert, key };
  const headers = impersonation(u);
  if (u.tokenFile) {
    const file = resolvePath(u.tokenFile, user.file);
    const first = read(user.file, `user "${user.name}" tokenFile`, file).trim();
    return tokenFileCredentials(file, { ...pair, headers }, first);
  }
  let authorization: Record<string, string> = {};
  if (u.token) authorization = bearer(u.token);
  else if (basic)
    authorization = {
      authorization: `Basic ${Buffer.from(`${u.username ?? ""}:${u.password ?? ""}`).toString("base64")}`,
    };
  const fixed: KubeCredentials = { ...pair, headers: { ...headers, ...authorization } };
  if (token || basic || cert !== undefined || !u.exec) return staticCredentials(fixed);
  const plugin = execPlugin(user, cluster, server, ca, exec);
  return Object.keys(headers).length === 0 ? plugin : withHeaders(plugin, headers);
}
