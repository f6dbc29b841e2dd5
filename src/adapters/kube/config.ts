import { readFileSync } from "node:fs";
import { parse } from "yaml";

/** How to reach an API server: its URL, the CA to trust, and one way to authenticate. */
export interface KubeConnection {
  readonly server: string;
  readonly ca: string | undefined;
  readonly token: string | undefined;
  readonly cert: string | undefined;
  readonly key: string | undefined;
}

const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

type Named<T> = { name: string } & T;
interface KubeConfigFile {
  "current-context"?: string;
  contexts?: Named<{ context: { cluster: string; user: string; namespace?: string } }>[];
  clusters?: Named<{
    cluster: {
      server: string;
      "certificate-authority"?: string;
      "certificate-authority-data"?: string;
    };
  }>[];
  users?: Named<{
    user: {
      token?: string;
      "client-certificate"?: string;
      "client-certificate-data"?: string;
      "client-key"?: string;
      "client-key-data"?: string;
    };
  }>[];
}

function fileOrData(file: string | undefined, data: string | undefined): string | undefined {
  if (data !== undefined) return Buffer.from(data, "base64").toString("utf8");
  return file === undefined ? undefined : readFileSync(file, "utf8");
}

/** The current context of a kubeconfig file (token or client-certificate users). */
export function loadKubeconfig(path: string): KubeConnection {
  const config = parse(readFileSync(path, "utf8")) as KubeConfigFile;
  const contextName = config["current-context"];
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  if (context === undefined) throw new Error(`${path}: no current context`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  const user = config.users?.find((u) => u.name === context.user)?.user ?? {};
  if (cluster === undefined) throw new Error(`${path}: cluster ${context.cluster} not found`);
  return {
    server: cluster.server.replace(/\/$/, ""),
    ca: fileOrData(cluster["certificate-authority"], cluster["certificate-authority-data"]),
    token: user.token,
    cert: fileOrData(user["client-certificate"], user["client-certificate-data"]),
    key: fileOrData(user["client-key"], user["client-key-data"]),
  };
}

/**
 * The namespace kubectl uses with this kubeconfig when given no `--namespace`: the current
 * context's, else `default`. Commands that read an object and print it for `kubectl apply`
 * must read from the namespace the apply will write to.
 */
export function kubeconfigNamespace(path: string): string {
  const config = parse(readFileSync(path, "utf8")) as KubeConfigFile;
  const contextName = config["current-context"];
  const namespace = config.contexts?.find((c) => c.name === contextName)?.context.namespace;
  return namespace === undefined || namespace === "" ? "default" : namespace;
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
  return {
    server: `https://${bracketed}:${port}`,
    ca: readFileSync(`${SERVICE_ACCOUNT_DIR}/ca.crt`, "utf8"),
    // Read once here; projected tokens rotate, so the client re-reads it per request (see client.ts).
    token: readFileSync(`${SERVICE_ACCOUNT_DIR}/token`, "utf8").trim(),
    cert: undefined,
    key: undefined,
  };
}

export const SERVICE_ACCOUNT_TOKEN_FILE = `${SERVICE_ACCOUNT_DIR}/token`;
