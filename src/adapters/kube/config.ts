import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { CustomsError } from "../../core/errors.js";
import { type CredentialSource, tokenFileCredentials } from "./credentials.js";
import type { ExecOptions } from "./exec.js";
import {
  type KubeconfigCluster,
  mergeKubeconfigs,
  type Origin,
  parseKubeconfig,
  type SelectedContext,
  selectContext,
} from "./kubeconfig.js";
import { fileOrData, unsupported, userCredentials } from "./users.js";

/** How to reach an API server: its URL, the CA to trust, and how to authenticate. */
export interface KubeConnection {
  readonly server: string;
  readonly ca: string | undefined;
  /** A static bearer token (in a pod: the service account's, as read at start). */
  readonly token: string | undefined;
  /** A static client certificate and key. */
  readonly cert: string | undefined;
  readonly key: string | undefined;
  /** The name the server's certificate must carry when it differs from the URL's host. */
  readonly tlsServerName?: string;
  /** The context's namespace (`default` when it names none); undefined in a pod. */
  readonly namespace?: string;
  /**
   * Each request's credentials, when they are more than the static fields above or can
   * change while we run (exec plugins, token files, basic auth, impersonation).
   */
  readonly credentials?: CredentialSource;
}

const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
export const SERVICE_ACCOUNT_TOKEN_FILE = `${SERVICE_ACCOUNT_DIR}/token`;

/** Which kubeconfig, as kubectl's `--kubeconfig` and `--context` choose it. */
export interface KubeconfigSelection {
  /** One file, which must exist; else the files of $KUBECONFIG, else ~/.kube/config. */
  readonly kubeconfig?: string;
  /** The context to use instead of the current one. */
  readonly context?: string;
  /** Where KUBECONFIG and HOME are read; default the process's. */
  readonly env?: NodeJS.ProcessEnv;
  readonly exec?: ExecOptions;
}

/**
 * The files kubectl reads: `--kubeconfig` alone (it must exist), else every file of
 * $KUBECONFIG (duplicates once, missing ones skipped), else ~/.kube/config.
 */
export function kubeconfigFiles(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  if (explicit !== undefined) {
    if (!existsSync(explicit))
      throw new CustomsError("KUBECONFIG_INVALID", `no kubeconfig at ${explicit}`);
    return [explicit];
  }
  const listed = [...new Set((env.KUBECONFIG ?? "").split(delimiter).filter((p) => p !== ""))];
  const candidates = listed.length > 0 ? listed : [join(env.HOME || homedir(), ".kube", "config")];
  const present = candidates.filter((p) => existsSync(p));
  if (present.length === 0)
    throw new CustomsError(
      "KUBECONFIG_INVALID",
      listed.length > 0
        ? `no kubeconfig at any file of $KUBECONFIG (${listed.join(", ")})`
        : `no kubeconfig at ${candidates[0]}`,
    );
  return present;
}

function readKubeconfig(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new CustomsError("KUBECONFIG_INVALID", `${file}: ${(e as Error).message}`);
  }
}

function checkCluster(cluster: Origin<KubeconfigCluster>): string {
  const c = cluster.value;
  if (!c.server)
    throw new CustomsError(
      "KUBECONFIG_INVALID",
      `${cluster.file}: cluster "${cluster.name}" has no server`,
      "server",
    );
  if (!c.server.startsWith("https://"))
    throw unsupported(
      cluster,
      "cluster",
      `server ${c.server}: only https:// is used, never plain HTTP`,
    );
  // Customs always verifies the API server's certificate (it acts on what the cluster says).
  if (c["insecure-skip-tls-verify"])
    throw unsupported(
      cluster,
      "cluster",
      "insecure-skip-tls-verify is never honoured: give certificate-authority or certificate-authority-data (and tls-server-name when the certificate names another host)",
    );
  if (c["proxy-url"])
    throw unsupported(
      cluster,
      "cluster",
      "proxy-url is not supported: the API server must be reachable without a proxy",
    );
  return c.server.replace(/\/$/, "");
}

/** The connection of a selected context: cluster fields checked, files read, credentials set up. */
export function toConnection(selected: SelectedContext, exec?: ExecOptions): KubeConnection {
  const { cluster, user } = selected;
  const server = checkCluster(cluster);
  const ca = fileOrData(cluster, "cluster", "certificate-authority");
  const tlsServerName = cluster.value["tls-server-name"];
  return {
    server,
    ca,
    token: undefined,
    cert: undefined,
    key: undefined,
    ...(tlsServerName ? { tlsServerName } : {}),
    namespace: selected.namespace,
    credentials: userCredentials(user, cluster, server, ca, exec),
  };
}

/**
 * The connection kubectl would use: the kubeconfig files it reads (see kubeconfigFiles),
 * merged by its rules, and the context `--context` names or else the current one.
 * A string is `--kubeconfig` alone.
 */
export function loadKubeconfig(selection: string | KubeconfigSelection = {}): KubeConnection {
  const s = typeof selection === "string" ? { kubeconfig: selection } : selection;
  const files = kubeconfigFiles(s.kubeconfig, s.env);
  const config = mergeKubeconfigs(files.map((f) => parseKubeconfig(readKubeconfig(f), f)));
  return toConnection(selectContext(config, s.context), s.exec);
}

/** Inside a pod: the service account's token and CA, and the service's address. */
export function inClusterConnection(env: NodeJS.ProcessEnv = process.env): KubeConnection {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? "443";
  if (host === undefined)
    throw new Error(
      "not running in a cluster (KUBERNETES_SERVICE_HOST is unset); pass --kubeconfig",
    );
  const bracketed = host.includes(":") ? `[${host}]` : host;
  const token = readFileSync(SERVICE_ACCOUNT_TOKEN_FILE, "utf8").trim();
  return {
    server: `https://${bracketed}:${port}`,
    ca: readFileSync(`${SERVICE_ACCOUNT_DIR}/ca.crt`, "utf8"),
    token,
    cert: undefined,
    key: undefined,
    // Projected tokens rotate: the file is read again for each request.
    credentials: tokenFileCredentials(SERVICE_ACCOUNT_TOKEN_FILE, {}, token),
  };
}
