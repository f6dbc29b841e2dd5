/**
 * A real Kubernetes control plane on 127.0.0.1 for end-to-end tests (DESIGN.md, "Real parts in
 * tests"; docs/e2e.md): etcd, kube-apiserver and kube-controller-manager, built from the Go
 * module proxy by scripts/kube/build.sh. There is no scheduler and no kubelet: Deployments get
 * ReplicaSets and ReplicaSets get Pods, which stay Pending. Admission is the real thing:
 * ValidatingAdmissionPolicy and admission webhooks run inside the real API server.
 *
 *   const cluster = await startCluster();
 *   const { code, stderr } = await cluster.kubectl(["create", "namespace", "x"]);
 *   await cluster.stop();
 *
 * Every process listens on 127.0.0.1 only, on ports picked at random (a start that loses a
 * port to another process is retried on new ports). Files live in one temporary folder, which
 * stop() removes. Should the test process end without stop(), an exit hook kills the
 * processes, and each is started under `setpriv --pdeathsig KILL` where setpriv exists, so it
 * dies with the test process however that ends.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { generateKeyPair, randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ADMISSION_RULES } from "../../src/adapters/install/index.js";
import { pause } from "../support/wait.js";

const execFileAsync = promisify(execFile);
const generateKeyPairAsync = promisify(generateKeyPair);

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const wrapperGoMod = join(repoRoot, "scripts", "kube", "wrapper", "go.mod");

/** The programs scripts/kube/build.sh puts in the bin folder. */
export const KUBE_PROGRAMS: readonly string[] = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kubectl",
];

export type ComponentName =
  | "etcd"
  | "kube-apiserver"
  | "kube-controller-manager"
  | "kube-scheduler"
  | "containerd"
  | "kubelet"
  | "kube-proxy";

// ---------------------------------------------------------------------------------------------
// Finding the binaries

/** The k8s.io/kubernetes version pinned by scripts/kube/wrapper/go.mod, e.g. "v1.37.1". */
export function kubeVersion(): string {
  const goMod = readFileSync(wrapperGoMod, "utf8");
  const match = /^\s*(?:require\s+)?k8s\.io\/kubernetes\s+(v\S+)/m.exec(goMod);
  if (match?.[1] === undefined) throw new Error(`${wrapperGoMod} pins no k8s.io/kubernetes`);
  return match[1];
}

/**
 * Where scripts/kube/build.sh puts the binaries: $CUSTOMS_KUBE_BIN_DIR if set, else
 * `${CUSTOMS_CACHE:-~/.cache/customs}/kube/<version>/bin`.
 */
export function kubeBinDir(): string {
  const override = process.env.CUSTOMS_KUBE_BIN_DIR;
  if (override !== undefined && override !== "") return override;
  const cache = process.env.CUSTOMS_CACHE || join(homedir(), ".cache", "customs");
  return join(cache, "kube", kubeVersion(), "bin");
}

export interface KubeAvailability {
  readonly binDir: string;
  /** Why a cluster cannot start here, or undefined when it can. */
  readonly skipReason: string | undefined;
}

export function kubeAvailability(): KubeAvailability {
  let binDir: string;
  try {
    binDir = kubeBinDir();
  } catch (error) {
    return { binDir: "", skipReason: String(error) };
  }
  const missing = KUBE_PROGRAMS.filter((p) => !isFile(join(binDir, p)));
  const skipReason =
    missing.length > 0
      ? `Kubernetes is not built (${missing.join(", ")} missing from ${binDir}): ` +
        "run `bash scripts/kube/build.sh` (needs Go and the Go module proxy; see docs/e2e.md)"
      : !onPath("openssl")
        ? "openssl is not installed (the cluster's certificates are made with it)"
        : undefined;
  return { binDir, skipReason };
}

/** Whether startCluster() can run here: the binaries are built and openssl is present. */
export function isKubeAvailable(): boolean {
  return kubeAvailability().skipReason === undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir !== "" && isFile(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The cluster

export interface ClusterOptions {
  /** Folder holding etcd, kube-apiserver, kube-controller-manager, kubectl (kubeBinDir()). */
  readonly binDir?: string;
  /** How long each component may take to become ready, in ms (default 90 000). */
  readonly startTimeoutMs?: number;
  /** Start kube-controller-manager (default true). */
  readonly controllerManager?: boolean;
  /** More names and addresses in the API server's certificate (e.g. a node's address). */
  readonly apiServerHosts?: readonly string[];
  /** More kube-apiserver flags; a flag given here replaces the harness's own. */
  readonly apiServerArgs?: readonly string[];
  /** More kube-controller-manager flags; a flag given here replaces the harness's own. */
  readonly controllerManagerArgs?: readonly string[];
  /** Keep the temporary folder (logs, etcd data) after stop(); default $CUSTOMS_E2E_KEEP=1. */
  readonly keepDir?: boolean;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KubectlOptions {
  /** Written to kubectl's standard input (e.g. a manifest for `apply -f -`). */
  readonly input?: string;
  /** Kill kubectl after this many ms (default 60 000). */
  readonly timeoutMs?: number;
}

export interface IssuedCert {
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export interface Cluster {
  /** Kubernetes version of the binaries, e.g. "v1.37.1". */
  readonly version: string;
  /** Temporary folder holding certificates, kubeconfig, logs and etcd's data. */
  readonly dir: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** Path of a kubeconfig for the admin user (bearer token; CA embedded). */
  readonly kubeconfig: string;
  /** Bearer token of the admin user (group system:masters). */
  readonly token: string;
  /** The cluster CA: it signed the API server's certificate and the client certificates. */
  readonly caFile: string;
  readonly caPem: string;
  /** Client certificate and key of the admin user (O=system:masters), for clients that want one. */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** http://127.0.0.1:<port> */
  readonly etcdEndpoint: string;
  /** Milliseconds startCluster() took. */
  readonly startupMs: number;
  /** Runs kubectl against this cluster. Never throws for a non-zero exit; see `code`. */
  kubectl(args: readonly string[], options?: KubectlOptions): Promise<KubectlResult>;
  /**
   * A serving certificate signed by the cluster CA, e.g. for an admission webhook the API
   * server calls at https://127.0.0.1:<port>/ (put `caBundle` of caPem in the configuration).
   */
  issueServingCert(name: string, hosts?: readonly string[]): Promise<IssuedCert>;
  /** A client certificate signed by the cluster CA (O=organization, CN=commonName). */
  issueClientCert(name: string, commonName: string, organization?: string): Promise<IssuedCert>;
  /** The folder holding the Kubernetes binaries. */
  readonly binDir: string;
  /** Starts one more process, logged and stopped with the cluster (stop() ends it first). */
  launch(name: ComponentName, program: string, args: string[]): ClusterProcess;
  /** The last lines of a component's log. */
  logTail(component: ComponentName, lines?: number): string;
  /** Stops every process and removes the temporary folder. Safe to call twice. */
  stop(): Promise<void>;
}

const DEFAULT_START_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 5_000;
const PORT_ATTEMPTS = 4;
const SERVICE_CIDR = "10.0.0.0/24";
const SERVICE_IP = "10.0.0.1";

/** Starts etcd, kube-apiserver and kube-controller-manager; resolves once all are ready. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const started = Date.now();
  const binDir = options.binDir ?? kubeBinDir();
  for (const program of KUBE_PROGRAMS) {
    if (!isFile(join(binDir, program))) {
      throw new Error(kubeAvailability().skipReason ?? `${join(binDir, program)} is missing`);
    }
  }
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const log = options.log ?? (() => {});
  const keepDir = options.keepDir ?? process.env.CUSTOMS_E2E_KEEP === "1";
  const dir = await mkdtemp(join(tmpdir(), "customs-kube-"));
  installExitHook();
  if (!keepDir) liveDirs.add(dir);
  const components: Component[] = [];
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // Dependents first: the controller manager, then the API server, then etcd.
    for (const component of [...components].reverse()) await component.stop();
    if (keepDir) log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
  };

  try {
    // Certificates and keys.
    const pki = join(dir, "pki");
    await mkdir(pki);
    await mkdir(join(dir, "logs"));
    const ca = await makeCa(pki);
    const apiServerCert = await issueCert(ca, pki, "kube-apiserver", {
      commonName: "kube-apiserver",
      hosts: [
        "127.0.0.1",
        "localhost",
        SERVICE_IP,
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        "kubernetes.default.svc.cluster.local",
        ...(options.apiServerHosts ?? []),
      ],
      usage: "serverAuth",
    });
    const controllerManagerCert = await issueCert(ca, pki, "kube-controller-manager", {
      commonName: "kube-controller-manager",
      hosts: ["127.0.0.1", "localhost"],
      usage: "serverAuth",
    });
    const adminCert = await issueCert(ca, pki, "admin", {
      commonName: "customs-e2e-admin",
      organization: "system:masters",
      hosts: [],
      usage: "clientAuth",
    });
    // What the API server presents to aggregated API servers, as kubeadm sets it up; the
    // controller manager's delegated authentication expects the request-header CA too.
    const frontProxyCert = await issueCert(ca, pki, "front-proxy-client", {
      commonName: "front-proxy-client",
      hosts: [],
      usage: "clientAuth",
    });
    const saKeys = await generateKeyPairAsync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    const saKeyFile = join(pki, "service-account.key");
    const saPubFile = join(pki, "service-account.pub");
    await writeFile(saKeyFile, saKeys.privateKey, { mode: 0o600 });
    await writeFile(saPubFile, saKeys.publicKey);

    const token = randomBytes(24).toString("hex");
    const tokenFile = join(pki, "tokens.csv");
    // token,user,uid,"group1,group2"
    await writeFile(tokenFile, `${token},customs-e2e-admin,customs-e2e-admin,"system:masters"\n`, {
      mode: 0o600,
    });

    // etcd
    const etcd = await startWithFreePorts(2, async ([clientPort, peerPort]) => {
      const client = `http://127.0.0.1:${clientPort}`;
      const peer = `http://127.0.0.1:${peerPort}`;
      const component = launch("etcd", join(binDir, "etcd"), dir, [
        "--name=customs-e2e",
        `--data-dir=${join(dir, "etcd-data")}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=customs-e2e=${peer}`,
        "--initial-cluster-state=new",
        // Test data: nothing to keep across a power cut, and fsync is most of etcd's latency.
        "--unsafe-no-fsync",
        "--log-level=warn",
      ]);
      components.push(component);
      await component.waitReady(timeoutMs, async () => {
        const { status, body } = await get(`${client}/health`, {});
        return (status === 200 && /"health":\s*"true"/.test(body)) || `/health: ${status} ${body}`;
      });
      return { component, client };
    });
    log(`etcd ready at ${etcd.client} after ${Date.now() - started} ms`);

    // kube-apiserver
    const apiServer = await startWithFreePorts(1, async ([port]) => {
      const server = `https://127.0.0.1:${port}`;
      const args = mergeFlags(
        [
          `--etcd-servers=${etcd.client}`,
          "--bind-address=127.0.0.1",
          "--advertise-address=127.0.0.1",
          `--secure-port=${port}`,
          `--tls-cert-file=${apiServerCert.certFile}`,
          `--tls-private-key-file=${apiServerCert.keyFile}`,
          `--client-ca-file=${ca.certFile}`,
          `--token-auth-file=${tokenFile}`,
          `--requestheader-client-ca-file=${ca.certFile}`,
          "--requestheader-allowed-names=front-proxy-client",
          "--requestheader-username-headers=X-Remote-User",
          "--requestheader-group-headers=X-Remote-Group",
          "--requestheader-extra-headers-prefix=X-Remote-Extra-",
          `--proxy-client-cert-file=${frontProxyCert.certFile}`,
          `--proxy-client-key-file=${frontProxyCert.keyFile}`,
          "--authorization-mode=RBAC",
          "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
          `--service-account-key-file=${saPubFile}`,
          `--service-account-signing-key-file=${saKeyFile}`,
          `--service-cluster-ip-range=${SERVICE_CIDR}`,
          // On by default since 1.30; named so that no default change can take them away.
          "--enable-admission-plugins=ValidatingAdmissionPolicy,ValidatingAdmissionWebhook,MutatingAdmissionWebhook",
          "--allow-privileged=true",
          // The "kubernetes" Service's Endpoints may not point at a loopback address.
          "--endpoint-reconciler-type=none",
          "--profiling=false",
        ],
        options.apiServerArgs ?? [],
      );
      const component = launch("kube-apiserver", join(binDir, "kube-apiserver"), dir, args);
      components.push(component);
      await component.waitReady(timeoutMs, async () => {
        const { status, body } = await get(`${server}/readyz?verbose`, { ca: ca.certPem, token });
        if (status === 200) return true;
        const failing = body.split("\n").filter((line) => line.startsWith("[-]"));
        return `/readyz: ${status} ${failing.join(" ") || body}`;
      });
      return { component, server };
    });
    log(`kube-apiserver ready at ${apiServer.server} after ${Date.now() - started} ms`);

    const kubeconfig = join(dir, "kubeconfig");
    await writeFile(kubeconfig, kubeconfigYaml(apiServer.server, ca.certPem, token), {
      mode: 0o600,
    });

    // kube-controller-manager
    if (options.controllerManager ?? true) {
      await startWithFreePorts(1, async ([port]) => {
        const args = mergeFlags(
          [
            `--kubeconfig=${kubeconfig}`,
            `--authentication-kubeconfig=${kubeconfig}`,
            `--authorization-kubeconfig=${kubeconfig}`,
            "--bind-address=127.0.0.1",
            `--secure-port=${port}`,
            `--tls-cert-file=${controllerManagerCert.certFile}`,
            `--tls-private-key-file=${controllerManagerCert.keyFile}`,
            "--leader-elect=false",
            `--service-account-private-key-file=${saKeyFile}`,
            `--root-ca-file=${ca.certFile}`,
            `--cluster-signing-cert-file=${ca.certFile}`,
            `--cluster-signing-key-file=${ca.keyFile}`,
            `--service-cluster-ip-range=${SERVICE_CIDR}`,
            "--profiling=false",
          ],
          options.controllerManagerArgs ?? [],
        );
        const component = launch(
          "kube-controller-manager",
          join(binDir, "kube-controller-manager"),
          dir,
          args,
        );
        components.push(component);
        await component.waitReady(timeoutMs, async () => {
          const healthz = await get(`https://127.0.0.1:${port}/healthz`, { ca: ca.certPem });
          if (healthz.status !== 200) return `/healthz: ${healthz.status} ${healthz.body}`;
          // Controllers are running once the service account controller has made "default".
          const sa = await get(
            `${apiServer.server}/api/v1/namespaces/default/serviceaccounts/default`,
            { ca: ca.certPem, token },
          );
          return sa.status === 200 || "no service account default/default yet";
        });
      });
      log(`kube-controller-manager ready after ${Date.now() - started} ms`);
    }

    const version = kubeVersionOf(binDir);
    const startupMs = Date.now() - started;
    return {
      version,
      dir,
      server: apiServer.server,
      kubeconfig,
      token,
      caFile: ca.certFile,
      caPem: ca.certPem,
      clientCertFile: adminCert.certFile,
      clientKeyFile: adminCert.keyFile,
      etcdEndpoint: etcd.client,
      startupMs,
      kubectl: (args, kubectlOptions) =>
        runKubectl(join(binDir, "kubectl"), kubeconfig, dir, args, kubectlOptions ?? {}),
      issueServingCert: (name, hosts) =>
        issueCert(ca, pki, `serving-${name}`, {
          commonName: name,
          hosts: hosts ?? ["127.0.0.1", "localhost"],
          usage: "serverAuth",
        }),
      issueClientCert: (name, commonName, organization) =>
        issueCert(ca, pki, `client-${name}`, {
          commonName,
          ...(organization === undefined ? {} : { organization }),
          hosts: [],
          usage: "clientAuth",
        }),
      binDir,
      launch: (name, program, args) => {
        const component = launch(name, program, dir, args);
        components.push(component);
        return component;
      },
      logTail: (component, lines) => {
        const found = components.find((c) => c.name === component);
        return found === undefined ? "" : found.tail(lines);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function kubeVersionOf(binDir: string): string {
  try {
    const versions = readFileSync(join(binDir, "VERSIONS"), "utf8");
    return /^kubernetes (\S+)/m.exec(versions)?.[1] ?? kubeVersion();
  } catch {
    return kubeVersion();
  }
}

/** Later flags replace earlier ones with the same name (`--name=...`). */
function mergeFlags(base: readonly string[], extra: readonly string[]): string[] {
  const name = (flag: string) => flag.split("=", 1)[0];
  const overridden = new Set(extra.map(name));
  return [...base.filter((flag) => !overridden.has(name(flag))), ...extra];
}

function kubeconfigYaml(server: string, caPem: string, token: string): string {
  const caData = Buffer.from(caPem).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: customs-e2e",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${caData}`,
    "users:",
    "- name: customs-e2e-admin",
    "  user:",
    `    token: ${token}`,
    "contexts:",
    "- name: customs-e2e",
    "  context:",
    "    cluster: customs-e2e",
    "    user: customs-e2e-admin",
    "current-context: customs-e2e",
    "",
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// Processes

/**
 * Every process started by any cluster in this test process, and the folders of clusters not
 * yet stopped: when the test process exits, the processes are killed and the folders removed.
 */
const live = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of live) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  });
}

const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find(existsSync);

/** Set when a start failed because a port was taken: startWithFreePorts() tries again. */
class PortTakenError extends Error {}

/** A process the harness started: its log, a readiness wait, and a stop. */
export interface ClusterProcess {
  readonly name: ComponentName;
  readonly logFile: string;
  /** Polls `check` (true when ready, else why not) until it says ready or time runs out. */
  waitReady(timeoutMs: number, check: () => Promise<true | string>): Promise<void>;
  tail(lines?: number): string;
  stop(): Promise<void>;
}

interface Component {
  readonly name: ComponentName;
  readonly logFile: string;
  /** Polls `check` (true when ready, else why not) until it says ready or time runs out. */
  waitReady(timeoutMs: number, check: () => Promise<true | string>): Promise<void>;
  tail(lines?: number): string;
  stop(): Promise<void>;
}

function launch(name: ComponentName, program: string, dir: string, args: string[]): Component {
  installExitHook();
  const logFile = join(dir, "logs", `${name}.log`);
  const fd = openSync(logFile, "a");
  // With setpriv, the kernel kills the process when the thread that started it ends, however
  // the test process ends (a crash, SIGKILL from a test runner).
  const [command, argv] =
    setpriv !== undefined
      ? [setpriv, ["--pdeathsig", "KILL", "--", program, ...args]]
      : [program, args];
  let child: ChildProcess;
  try {
    child = spawn(command, argv, {
      cwd: dir,
      env: childEnv(dir),
      stdio: ["ignore", fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  live.add(child);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolveExit) => {
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      live.delete(child);
      resolveExit();
    });
    child.once("error", (error) => {
      spawnError = error;
      live.delete(child);
      resolveExit();
    });
  });

  const tail = (lines = 40) => tailFile(logFile, lines);

  return {
    name,
    logFile,
    tail,
    async waitReady(timeoutMs, check) {
      const deadline = Date.now() + timeoutMs;
      let notReady = "not checked yet";
      for (;;) {
        if (spawnError !== undefined) {
          throw new Error(`${name} could not be started (${program}): ${spawnError.message}`);
        }
        if (exit !== undefined) {
          const logTail = tail();
          const how = exit.signal !== null ? `signal ${exit.signal}` : `code ${exit.code}`;
          const message = `${name} exited with ${how} before it was ready\n${banner(logFile)}\n${logTail}`;
          if (/address already in use/i.test(logTail)) throw new PortTakenError(message);
          throw new Error(message);
        }
        try {
          // A check may hang (say, on a port another program holds): stop at an exit.
          const result = await Promise.race([check(), exited.then(() => "exited")]);
          if (result === true) return;
          notReady = result;
        } catch (error) {
          notReady = error instanceof Error ? error.message : String(error);
        }
        if (Date.now() > deadline) {
          const logTail = tail(); // before stopping, which would fill it with shutdown lines
          await this.stop();
          throw new Error(
            `${name} was not ready after ${timeoutMs / 1000} s (last check: ${notReady.slice(0, 500)})` +
              `\n${banner(logFile)}\n${logTail}`,
          );
        }
        await pause(250);
      }
    },
    async stop() {
      if (exit !== undefined || spawnError !== undefined) return;
      // setpriv execs the program, so the signal reaches it directly.
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

function banner(logFile: string): string {
  return `--- last lines of ${logFile} ---`;
}

/** The environment of the cluster's processes and of kubectl. */
function childEnv(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.KUBECONFIG;
  // A proxy in the environment must never carry the API server's calls to 127.0.0.1 webhooks.
  const noProxy = [env.NO_PROXY ?? env.no_proxy ?? "", "127.0.0.1", "localhost"]
    .filter((s) => s !== "")
    .join(",");
  env.NO_PROXY = noProxy;
  env.no_proxy = noProxy;
  // kubectl's discovery cache and anything else that would go to ~/.kube.
  env.HOME = dir;
  return env;
}

function tailFile(path: string, lines: number): string {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return "(no log)";
  }
  try {
    const size = statSync(path).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const text = buffer.toString("utf8").trimEnd();
    return text.split("\n").slice(-lines).join("\n");
  } finally {
    closeSync(fd);
  }
}

/**
 * Picks `count` free ports on 127.0.0.1 and calls start with them; when start fails because
 * one was taken meanwhile (another process won the race), tries again with new ones.
 */
async function startWithFreePorts<T>(
  count: number,
  start: (ports: number[]) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports = await freePorts(count);
    try {
      return await start(ports);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

async function freePorts(count: number): Promise<number[]> {
  // Hold every port until all are chosen, so that they differ.
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolveServer, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolveServer(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    return address.port;
  });
  await Promise.all(
    servers.map((server) => new Promise<void>((done) => server.close(() => done()))),
  );
  return ports;
}

// ---------------------------------------------------------------------------------------------
// HTTP checks

interface Response {
  readonly status: number;
  readonly body: string;
}

export function get(url: string, auth: { ca?: string; token?: string }): Promise<Response> {
  return new Promise((resolveResponse, reject) => {
    const headers: Record<string, string> = {};
    if (auth.token !== undefined) headers.authorization = `Bearer ${auth.token}`;
    const options = { headers, timeout: 3_000, ...(auth.ca === undefined ? {} : { ca: auth.ca }) };
    const request = (url.startsWith("https:") ? httpsRequest : httpRequest)(
      url,
      options,
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () => resolveResponse({ status: response.statusCode ?? 0, body }));
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on("error", reject);
    request.end();
  });
}

// ---------------------------------------------------------------------------------------------
// kubectl

function runKubectl(
  kubectl: string,
  kubeconfig: string,
  dir: string,
  args: readonly string[],
  options: KubectlOptions,
): Promise<KubectlResult> {
  return new Promise((resolveResult, reject) => {
    const child = spawn(
      kubectl,
      [`--kubeconfig=${kubeconfig}`, `--cache-dir=${join(dir, "kubectl-cache")}`, ...args],
      { cwd: dir, env: childEnv(dir), stdio: ["pipe", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
    });
    const timeoutMs = options.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      stderr += `\n(killed: kubectl ran longer than ${timeoutMs} ms)`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolveResult({ code: code ?? (signal !== null ? 128 : 1), stdout, stderr });
    });
    child.stdin.on("error", () => {
      // kubectl may exit before reading its input; the exit code says why.
    });
    child.stdin.end(options.input ?? "");
  });
}

// ---------------------------------------------------------------------------------------------
// Certificates (openssl CLI: node:crypto makes keys but not X.509 certificates)

interface Ca {
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
}

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  try {
    await execFileAsync("openssl", args, { cwd });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`openssl ${args[0]} failed: ${stderr || String(error)}`);
  }
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

async function makeCa(pki: string): Promise<Ca> {
  const config = join(pki, "ca.cnf");
  await writeFile(
    config,
    [
      "[req]",
      "distinguished_name = dn",
      "prompt = no",
      "[dn]",
      "CN = customs-e2e-ca",
      "[v3_ca]",
      "basicConstraints = critical,CA:TRUE",
      "keyUsage = critical,keyCertSign,cRLSign,digitalSignature",
      "subjectKeyIdentifier = hash",
      "",
    ].join("\n"),
  );
  const certFile = join(pki, "ca.crt");
  const keyFile = join(pki, "ca.key");
  await openssl(
    [
      "req",
      "-x509",
      "-config",
      config,
      "-extensions",
      "v3_ca",
      ...EC_KEY,
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "7",
    ],
    pki,
  );
  return { certFile, keyFile, certPem: readFileSync(certFile, "utf8") };
}

async function issueCert(
  ca: Ca,
  pki: string,
  name: string,
  spec: {
    commonName: string;
    organization?: string;
    hosts: readonly string[];
    usage: "serverAuth" | "clientAuth";
  },
): Promise<IssuedCert> {
  const keyFile = join(pki, `${name}.key`);
  const csrFile = join(pki, `${name}.csr`);
  const certFile = join(pki, `${name}.crt`);
  const extFile = join(pki, `${name}.ext`);
  const subject = `${spec.organization === undefined ? "" : `/O=${spec.organization}`}/CN=${spec.commonName}`;
  const sans = spec.hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`));
  await writeFile(
    extFile,
    [
      "basicConstraints = critical,CA:FALSE",
      "keyUsage = critical,digitalSignature,keyEncipherment",
      `extendedKeyUsage = ${spec.usage}`,
      "authorityKeyIdentifier = keyid",
      ...(sans.length > 0 ? [`subjectAltName = ${sans.join(",")}`] : []),
      "",
    ].join("\n"),
  );
  await openssl(
    ["req", "-new", ...EC_KEY, "-keyout", keyFile, "-out", csrFile, "-subj", subject],
    pki,
  );
  await openssl(
    [
      "x509",
      "-req",
      "-in",
      csrFile,
      "-CA",
      ca.certFile,
      "-CAkey",
      ca.keyFile,
      "-set_serial",
      `0x${randomBytes(16).toString("hex")}`,
      "-days",
      "7",
      "-extfile",
      extFile,
      "-out",
      certFile,
    ],
    pki,
  );
  return {
    certFile,
    keyFile,
    certPem: readFileSync(certFile, "utf8"),
    keyPem: readFileSync(keyFile, "utf8"),
  };
}

/** Asks the cluster until `check` answers (test/support/wait.ts; kept here for e2e suites). */
export { eventually } from "../support/wait.js";

/**
 * A ValidatingWebhookConfiguration that sends every workload of every namespace but
 * kube-system to a webhook on this machine (the API server reaches it by URL, not a Service),
 * failing closed, as `customs install` configures it.
 */
export function localWebhookConfiguration(name: string, url: string, caPem: string) {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: { name },
    webhooks: [
      {
        name: "validate.customs.dev",
        admissionReviewVersions: ["v1"],
        sideEffects: "None",
        failurePolicy: "Fail",
        timeoutSeconds: 5,
        clientConfig: { url, caBundle: Buffer.from(caPem).toString("base64") },
        rules: ADMISSION_RULES,
        namespaceSelector: {
          matchExpressions: [
            { key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system"] },
          ],
        },
      },
    ],
  };
}
