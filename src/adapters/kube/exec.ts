/**
 * Kubeconfig `exec` credential plugins (aws eks get-token, gke-gcloud-auth-plugin, kubelogin):
 * a program that prints an ExecCredential holding a token or a client certificate.
 * https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins
 * Wire types: https://kubernetes.io/docs/reference/config-api/client-authentication.v1/
 */
import { spawn } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { CustomsError } from "../../core/errors.js";
import { bearer, type CredentialSource, type KubeCredentials } from "./credentials.js";

export const EXEC_API_VERSIONS = [
  "client.authentication.k8s.io/v1",
  "client.authentication.k8s.io/v1beta1",
] as const;
export type ExecApiVersion = (typeof EXEC_API_VERSIONS)[number];

/** The cluster as a plugin sees it in KUBERNETES_EXEC_INFO (`provideClusterInfo: true`). */
export interface ExecClusterInfo {
  readonly server: string;
  readonly "tls-server-name"?: string;
  /** Base64, as Go encodes the []byte field. */
  readonly "certificate-authority-data"?: string;
  readonly "disable-compression"?: boolean;
  /** The cluster's `client.authentication.k8s.io/exec` extension. */
  readonly config?: unknown;
}

export interface ExecPlugin {
  /** A name looked up on PATH, or a path (relative ones already resolved against the kubeconfig). */
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly apiVersion: ExecApiVersion;
  readonly installHint: string | undefined;
  readonly cluster: ExecClusterInfo | undefined;
  /** Names the kubeconfig user in messages, e.g. `user "eks" in /home/me/.kube/config`. */
  readonly where: string;
}

export interface ExecOptions {
  /** Milliseconds since the epoch (tests move it to expire credentials). */
  readonly now?: () => number;
  /** How long the plugin may run; default 30 s. */
  readonly timeoutMs?: number;
  /** Where the plugin's standard error goes (its prompts and warnings are for the user); default ours. */
  readonly stderr?: NodeJS.WritableStream;
  /** The environment the plugin inherits (less CUSTOMS_* variables); default ours. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface ExecResult {
  readonly credentials: KubeCredentials;
  /** Milliseconds since the epoch; undefined when the plugin gave no expirationTimestamp. */
  readonly expiresAt: number | undefined;
}

const MAX_OUTPUT = 1 << 20;
const DEFAULT_TIMEOUT_MS = 30_000;

function failed(plugin: ExecPlugin, problem: string): CustomsError {
  return new CustomsError(
    "KUBE_EXEC_FAILED",
    `exec plugin ${plugin.command} (${plugin.where}): ${problem}`,
  );
}

function isPem(read: () => unknown): boolean {
  try {
    read();
    return true;
  } catch {
    return false;
  }
}

/**
 * The credentials in a plugin's standard output. Messages never quote the output: it holds
 * the token.
 */
export function parseExecCredential(stdout: string, plugin: ExecPlugin): ExecResult {
  let out: unknown;
  try {
    out = JSON.parse(stdout);
  } catch {
    throw failed(plugin, `its output is not an ExecCredential in JSON (${stdout.length} bytes)`);
  }
  const o = (typeof out === "object" && out !== null ? out : {}) as Record<string, unknown>;
  if (o.kind !== "ExecCredential")
    throw failed(plugin, `it printed kind ${JSON.stringify(o.kind)}, not ExecCredential`);
  if (o.apiVersion !== plugin.apiVersion)
    throw failed(
      plugin,
      `the kubeconfig asks for API version ${plugin.apiVersion}, the plugin returned ${JSON.stringify(o.apiVersion)}`,
    );
  const status = o.status as Record<string, unknown> | undefined;
  if (typeof status !== "object" || status === null)
    throw failed(plugin, "it returned no status field");
  const text = (field: string): string => {
    const v = status[field];
    if (v === undefined || v === null) return "";
    if (typeof v !== "string") throw failed(plugin, `status.${field} is not a string`);
    return v;
  };
  const token = text("token");
  const cert = text("clientCertificateData");
  const key = text("clientKeyData");
  if (token === "" && cert === "" && key === "")
    throw failed(plugin, "it returned neither a token nor a client certificate and key");
  if ((cert === "") !== (key === ""))
    throw failed(plugin, "it returned only a client certificate or a key, not both");
  if (cert !== "" && !isPem(() => new X509Certificate(cert)))
    throw failed(plugin, "status.clientCertificateData is not a PEM certificate");
  if (key !== "" && !isPem(() => createPrivateKey(key)))
    throw failed(plugin, "status.clientKeyData is not a PEM private key");
  const expiry = text("expirationTimestamp");
  const expiresAt = expiry === "" ? undefined : Date.parse(expiry);
  if (expiresAt !== undefined && Number.isNaN(expiresAt))
    throw failed(plugin, `status.expirationTimestamp ${JSON.stringify(expiry)} is not a time`);
  return {
    credentials: { headers: bearer(token), ...(cert === "" ? {} : { cert, key }) },
    expiresAt,
  };
}

/** KUBERNETES_EXEC_INFO: what the plugin is told. Customs never has a terminal to offer it. */
export function execInfo(plugin: ExecPlugin): string {
  return JSON.stringify({
    apiVersion: plugin.apiVersion,
    kind: "ExecCredential",
    spec: {
      interactive: false,
      ...(plugin.cluster === undefined ? {} : { cluster: plugin.cluster }),
    },
  });
}

/** Runs the plugin once: no shell, arguments as given, standard error passed through. */
export function runExecPlugin(plugin: ExecPlugin, options: ExecOptions = {}): Promise<ExecResult> {
  const env: NodeJS.ProcessEnv = {};
  // Customs' own settings hold secrets (CUSTOMS_AGENT_TOKEN, CUSTOMS_HARBOR_PASSWORD) that
  // are no business of a credential plugin; the rest is inherited as kubectl does.
  for (const [name, value] of Object.entries(options.env ?? process.env))
    if (!name.startsWith("CUSTOMS_")) env[name] = value;
  for (const { name, value } of plugin.env) env[name] = value;
  env.KUBERNETES_EXEC_INFO = execInfo(plugin);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const stderr = options.stderr ?? process.stderr;
  return new Promise((resolve, reject) => {
    const child = spawn(plugin.command, [...plugin.args], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      shell: false,
      windowsHide: true,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let problem: string | undefined;
    const stop = (why: string) => {
      problem ??= why;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => stop(`it did not finish within ${timeoutMs} ms`), timeoutMs);
    child.stdout.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_OUTPUT) stop(`its output is over ${MAX_OUTPUT} bytes`);
      else chunks.push(c);
    });
    child.stderr.on("data", (c: Buffer) => stderr.write(c));
    child.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const hint = plugin.installHint ? `\n\n${plugin.installHint}` : "";
      reject(
        e.code === "ENOENT"
          ? failed(plugin, `executable not found${hint}`)
          : failed(plugin, `could not be started: ${e.message}`),
      );
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (problem !== undefined) reject(failed(plugin, problem));
      else if (code !== 0)
        reject(failed(plugin, signal ? `killed by ${signal}` : `exited with code ${code}`));
      else {
        try {
          resolve(parseExecCredential(Buffer.concat(chunks).toString("utf8"), plugin));
        } catch (e) {
          reject(e);
        }
      }
    });
  });
}

/**
 * Credentials from an exec plugin, kept until shortly before they expire (or for good when
 * they name no expiry) and fetched again after a 401. Requests that need them while the
 * plugin runs share that one run.
 */
export function execCredentials(plugin: ExecPlugin, options: ExecOptions = {}): CredentialSource {
  const now = options.now ?? Date.now;
  let cached: { credentials: KubeCredentials; refreshAt: number | undefined } | undefined;
  let running: Promise<KubeCredentials> | undefined;
  const run = async (): Promise<KubeCredentials> => {
    const obtained = now();
    const result = await runExecPlugin(plugin, options);
    // A little before expiry, so a request sent just before it does not arrive just after;
    // at most half the lifetime, so a short-lived credential is still used more than once.
    const refreshAt =
      result.expiresAt === undefined
        ? undefined
        : result.expiresAt - Math.min(10_000, Math.max(0, (result.expiresAt - obtained) / 2));
    cached = { credentials: result.credentials, refreshAt };
    return result.credentials;
  };
  return {
    current() {
      if (cached !== undefined && (cached.refreshAt === undefined || now() < cached.refreshAt))
        return Promise.resolve(cached.credentials);
      running ??= run().finally(() => {
        running = undefined;
      });
      return running;
    },
    refused(used) {
      // Only the credentials that were refused are dropped: another request may already
      // have fetched newer ones.
      if (cached?.credentials === used) cached = undefined;
      return true;
    },
  };
}
