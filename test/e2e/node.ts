/**
 * A one-node Kubernetes cluster whose Pods really run (docs/e2e.md, "A real node"): the
 * control plane of cluster.ts plus kube-scheduler, containerd 2.x with Debian's runc and CNI
 * plugins, a kubelet, kube-proxy (iptables) and CoreDNS, all built from the Go module proxy
 * (scripts/kube/build.sh, scripts/node/build.sh). Images come only from the tests' own
 * registry (Debian's docker-registry on 127.0.0.1 with TLS), which the node trusts.
 *
 * It runs only inside scripts/node/netns-run.sh (CUSTOMS_E2E_NODE=1): network, mount and PID
 * namespaces of its own, so the Pod network (10.244.0.0/24), Services (10.0.0.0/24) and the
 * node address (NODE_IP) never touch the machine's network, and every mount and process
 * ends with the namespace.
 *
 *   const node = await startNodeCluster();
 *   const ref = await node.pushBinaryImage("team/app", "v1");     // HOST/team/app@sha256:…
 *   await node.kubectl(["create", "deployment", "app", `--image=${ref}`]);
 *   await node.stop();
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  createCertificateAuthority,
  issueServerCertificate,
} from "../../src/adapters/pki/index.js";
import { type RunningRegistry, registryMissing, startRegistry } from "../registry/harness.js";
import { Pusher } from "../registry/images.js";
import {
  type Cluster,
  type ClusterOptions,
  type ClusterProcess,
  eventually,
  get,
  kubeAvailability,
  kubeBinDir,
  startCluster,
} from "./cluster.js";
import { hostFile, pushSimpleImage } from "./node-images.js";

const execFileAsync = promisify(execFile);

export const NODE_NAME = "customs-e2e-node";
const POD_CIDR = "10.244.0.0/24";
const CLUSTER_DNS = "10.0.0.10";
const CGROUP_CONTROLLERS = [
  "cpu",
  "cpuacct",
  "cpuset",
  "memory",
  "devices",
  "freezer",
  "blkio",
  "pids",
  "systemd",
];

export function nodeBinDir(): string {
  const cache = process.env.CUSTOMS_CACHE || join(homedir(), ".cache", "customs");
  return join(cache, "node", "bin");
}

/** Why a node cannot start here, or undefined when it can. */
export function nodeSkipReason(): string | undefined {
  const kube = kubeAvailability().skipReason;
  if (kube !== undefined) return kube;
  if (process.env.CUSTOMS_E2E_NODE !== "1" || process.env.NODE_IP === undefined)
    return "not inside scripts/node/netns-run.sh (the node needs namespaces of its own; `npm run test:e2e` uses it)";
  for (const p of ["kubelet", "kube-proxy", "kube-scheduler"])
    if (!existsSync(join(kubeBinDir(), p)))
      return `${p} is not built: run \`bash scripts/kube/build.sh\``;
  for (const p of ["containerd", "containerd-shim-runc-v2", "coredns", "pause"])
    if (!existsSync(join(nodeBinDir(), p)))
      return `${p} is not built: run \`bash scripts/node/build.sh\``;
  if (!existsSync("/usr/sbin/runc")) return "runc is not installed (scripts/node/build.sh)";
  if (!existsSync("/usr/lib/cni/bridge"))
    return "CNI plugins are not installed (scripts/node/build.sh)";
  return registryMissing();
}

export interface NodeCluster extends Cluster {
  readonly nodeName: string;
  readonly nodeIp: string;
  /** The tests' registry on 127.0.0.1, trusted by the node. */
  readonly registry: { readonly host: string; readonly caPem: string; readonly caFile: string };
  readonly pusher: Pusher;
  /** Pushes an image whose process is the pause program (runs until stopped); returns HOST/REPO@digest. */
  pushBinaryImage(repository: string, tag: string): Promise<string>;
  /** Adds a name to the namespace's /etc/hosts (the node resolves in-cluster registries with it). */
  addHost(name: string, ip: string): Promise<void>;
  /** Makes the node trust a registry (containerd hosts.toml) with this CA. */
  trustRegistry(host: string, caPem: string): Promise<void>;
}

export interface NodeClusterOptions extends ClusterOptions {
  /** Names CoreDNS answers for every Pod (e.g. an in-cluster registry's name), and the node too. */
  readonly hosts?: Readonly<Record<string, string>>;
}

/** Starts the control plane, the node and CoreDNS; resolves when the node is Ready and DNS runs. */
export async function startNodeCluster(options: NodeClusterOptions = {}): Promise<NodeCluster> {
  const reason = nodeSkipReason();
  if (reason !== undefined) throw new Error(reason);
  const nodeIp = process.env.NODE_IP as string;
  const log = options.log ?? (() => {});
  const nodeBin = nodeBinDir();
  // containerd finds its shim on PATH.
  if (!(process.env.PATH ?? "").split(":").includes(nodeBin))
    process.env.PATH = `${nodeBin}:${process.env.PATH ?? ""}`;

  const cluster = await startCluster({
    ...options,
    apiServerHosts: [nodeIp, ...(options.apiServerHosts ?? [])],
    apiServerArgs: [
      // Pods reach the API server through the "kubernetes" Service: it must listen on, and
      // advertise, the node address (inside the namespace, so nothing outside can reach it).
      "--bind-address=0.0.0.0",
      `--advertise-address=${nodeIp}`,
      "--endpoint-reconciler-type=lease",
      "--authorization-mode=Node,RBAC",
      "--enable-admission-plugins=NodeRestriction,ValidatingAdmissionPolicy,ValidatingAdmissionWebhook,MutatingAdmissionWebhook",
      ...(options.apiServerArgs ?? []),
    ],
  });
  const cgroupRoot = `customs-e2e-${randomBytes(4).toString("hex")}`;
  let registry: RunningRegistry | undefined;
  const stopCluster = cluster.stop;
  const nodeProcesses: ClusterProcess[] = [];
  const track = (p: ClusterProcess) => {
    nodeProcesses.push(p);
    return p;
  };
  const stop = async () => {
    // The node first, then what is left of its Pods (their processes and mounts), then the
    // control plane, which removes the folder the mounts were in.
    for (const p of [...nodeProcesses].reverse()) await p.stop();
    killCgroupProcesses(cgroupRoot);
    killShims(cluster.dir);
    await unmountUnder(cluster.dir);
    await stopCluster();
    await registry?.stop();
    removeCgroups(cgroupRoot);
  };
  try {
    const dir = cluster.dir;
    const kubectlEnvFree = (args: readonly string[], input?: string) =>
      cluster.kubectl(args, input === undefined ? {} : { input });

    // The tests' registry, with a CA the node trusts.
    const ca = await createCertificateAuthority("customs e2e registry CA");
    const serving = await issueServerCertificate(ca, {
      dns: ["localhost"],
      ip: ["127.0.0.1", nodeIp],
    });
    registry = await startRegistry({ kind: "none" }, serving);
    const registryCaFile = join(dir, "registry-ca.crt");
    await writeFile(registryCaFile, ca.certPem);
    const pusher = new Pusher(registry.url, ca.certPem);
    const pauseBin = join(nodeBin, "pause");
    const pauseRef = await pushSimpleImage(pusher, registry.host, "pause", "3.10", {
      entrypoint: ["/pause"],
      files: [hostFile("pause", pauseBin, 0o755)],
    });
    const corednsRef = await pushSimpleImage(pusher, registry.host, "coredns", "customs-e2e", {
      entrypoint: ["/coredns"],
      files: [hostFile("coredns", join(nodeBin, "coredns"), 0o755)],
    });
    log(`registry ${registry.host} holds pause and coredns`);

    // kube-scheduler
    const schedulerPort = await freePort();
    const schedulerCert = await cluster.issueServingCert("kube-scheduler");
    const scheduler = track(
      cluster.launch("kube-scheduler", join(cluster.binDir, "kube-scheduler"), [
        `--kubeconfig=${cluster.kubeconfig}`,
        `--authentication-kubeconfig=${cluster.kubeconfig}`,
        `--authorization-kubeconfig=${cluster.kubeconfig}`,
        "--bind-address=127.0.0.1",
        `--secure-port=${schedulerPort}`,
        `--tls-cert-file=${schedulerCert.certFile}`,
        `--tls-private-key-file=${schedulerCert.keyFile}`,
        "--leader-elect=false",
      ]),
    );
    await scheduler.waitReady(60_000, async () => {
      const { status } = await get(`https://127.0.0.1:${schedulerPort}/healthz`, {
        ca: cluster.caPem,
      });
      return status === 200 || `/healthz: ${status}`;
    });

    // containerd
    const cd = join(dir, "containerd");
    const certsD = join(cd, "certs.d");
    await mkdir(join(cd, "root"), { recursive: true });
    await mkdir(join(cd, "state"), { recursive: true });
    await mkdir(join(dir, "cni", "net.d"), { recursive: true });
    const socket = join(cd, "containerd.sock");
    const trustRegistry = async (host: string, caPem: string) => {
      const hostDir = join(certsD, host);
      await mkdir(hostDir, { recursive: true });
      const caFile = join(hostDir, "ca.crt");
      await writeFile(caFile, caPem);
      await writeFile(
        join(hostDir, "hosts.toml"),
        `server = "https://${host}"\n\n[host."https://${host}"]\n  capabilities = ["pull", "resolve"]\n  ca = "${caFile}"\n`,
      );
    };
    await trustRegistry(registry.host, ca.certPem);
    await writeFile(
      join(cd, "config.toml"),
      containerdConfig({
        cd,
        socket,
        certsD,
        sandbox: pauseRef,
        cniConfDir: join(dir, "cni", "net.d"),
      }),
    );
    await writeFile(
      join(dir, "cni", "net.d", "10-customs-e2e.conflist"),
      JSON.stringify({
        cniVersion: "1.0.0",
        name: "customs-e2e",
        plugins: [
          {
            type: "bridge",
            bridge: "cni0",
            isGateway: true,
            ipMasq: true,
            hairpinMode: true,
            ipam: {
              type: "host-local",
              ranges: [[{ subnet: POD_CIDR }]],
              routes: [{ dst: "0.0.0.0/0" }],
              dataDir: join(dir, "cni", "ipam"),
            },
          },
          { type: "portmap", capabilities: { portMappings: true } },
        ],
      }),
    );
    const containerd = track(
      cluster.launch("containerd", join(nodeBin, "containerd"), [
        `--config=${join(cd, "config.toml")}`,
        "--log-level=info",
      ]),
    );
    await containerd.waitReady(60_000, async () => existsSync(socket) || "no socket yet");
    log("containerd ready");

    // kubelet
    makeCgroups(cgroupRoot);
    const kubeletCert = await cluster.issueServingCert("kubelet", [nodeIp, "127.0.0.1", NODE_NAME]);
    const kubeletClient = await cluster.issueClientCert(
      "kubelet",
      `system:node:${NODE_NAME}`,
      "system:nodes",
    );
    const kubeletKubeconfig = join(dir, "kubelet.kubeconfig");
    await writeFile(
      kubeletKubeconfig,
      certKubeconfig(cluster.server, cluster.caFile, kubeletClient.certFile, kubeletClient.keyFile),
      { mode: 0o600 },
    );
    const [kubeletPort, kubeletHealthz, proxyHealthz, proxyMetrics] = await freePorts(4);
    const resolvConf = join(dir, "resolv.conf");
    await writeFile(resolvConf, "options ndots:1\n");
    const kubeletConfig = join(dir, "kubelet.yaml");
    await writeFile(
      kubeletConfig,
      JSON.stringify({
        apiVersion: "kubelet.config.k8s.io/v1beta1",
        kind: "KubeletConfiguration",
        address: nodeIp,
        port: kubeletPort,
        readOnlyPort: 0,
        healthzBindAddress: "127.0.0.1",
        healthzPort: kubeletHealthz,
        authentication: {
          anonymous: { enabled: false },
          webhook: { enabled: false },
          x509: { clientCAFile: cluster.caFile },
        },
        authorization: { mode: "AlwaysAllow" },
        tlsCertFile: kubeletCert.certFile,
        tlsPrivateKeyFile: kubeletCert.keyFile,
        cgroupDriver: "cgroupfs",
        cgroupRoot: `/${cgroupRoot}`,
        // This machine has cgroup v1 only; Kubernetes 1.35+ refuses it unless told otherwise.
        failCgroupV1: false,
        failSwapOn: false,
        containerRuntimeEndpoint: `unix://${socket}`,
        clusterDNS: [CLUSTER_DNS],
        clusterDomain: "cluster.local",
        resolvConf,
        podLogsDir: join(dir, "pod-logs"),
        // The machine's disk is shared with builds: never evict the tests' Pods for it.
        evictionHard: {
          "memory.available": "100Mi",
          "nodefs.available": "1%",
          "imagefs.available": "1%",
          "nodefs.inodesFree": "1%",
        },
        imageGCHighThresholdPercent: 100,
        imageGCLowThresholdPercent: 99,
        serializeImagePulls: false,
        protectKernelDefaults: false,
        syncFrequency: "10s",
        fileCheckFrequency: "5s",
        nodeStatusReportFrequency: "10s",
        maxPods: 110,
      }),
    );
    const kubelet = track(
      cluster.launch("kubelet", join(cluster.binDir, "kubelet"), [
        `--config=${kubeletConfig}`,
        `--kubeconfig=${kubeletKubeconfig}`,
        `--root-dir=${join(dir, "kubelet")}`,
        `--hostname-override=${NODE_NAME}`,
        `--node-ip=${nodeIp}`,
        "--v=1",
      ]),
    );
    await kubelet.waitReady(120_000, async () => {
      const { stdout } = await cluster.kubectl([
        "get",
        "node",
        NODE_NAME,
        "-o",
        "jsonpath={.status.conditions[?(@.type=='Ready')].status}",
      ]);
      return stdout === "True" || `node Ready=${stdout || "(not registered)"}`;
    });
    log("kubelet ready, node Ready");

    // kube-proxy
    const proxyClient = await cluster.issueClientCert("kube-proxy", "system:kube-proxy");
    const proxyKubeconfig = join(dir, "kube-proxy.kubeconfig");
    await writeFile(
      proxyKubeconfig,
      certKubeconfig(cluster.server, cluster.caFile, proxyClient.certFile, proxyClient.keyFile),
      { mode: 0o600 },
    );
    const proxyConfig = join(dir, "kube-proxy.yaml");
    await writeFile(
      proxyConfig,
      JSON.stringify({
        apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
        kind: "KubeProxyConfiguration",
        clientConnection: { kubeconfig: proxyKubeconfig },
        mode: "iptables",
        clusterCIDR: POD_CIDR,
        hostnameOverride: NODE_NAME,
        healthzBindAddress: `127.0.0.1:${proxyHealthz}`,
        metricsBindAddress: `127.0.0.1:${proxyMetrics}`,
        // The conntrack table is the machine's, not the namespace's: leave its size alone.
        conntrack: { maxPerCore: 0, min: 0 },
        // Service traffic from a Pod to a Pod on the same bridge returns through the node.
        iptables: { masqueradeAll: true },
      }),
    );
    const proxy = track(
      cluster.launch("kube-proxy", join(cluster.binDir, "kube-proxy"), [`--config=${proxyConfig}`]),
    );
    await proxy.waitReady(60_000, async () => {
      const { status } = await get(`http://127.0.0.1:${proxyHealthz}/healthz`, {});
      return status === 200 || `/healthz: ${status}`;
    });
    log("kube-proxy ready");

    // CoreDNS
    for (const [name, ip] of Object.entries(options.hosts ?? {}))
      await appendFile("/etc/hosts", `${ip} ${name}\n`);
    const apply = await kubectlEnvFree(
      ["apply", "-f", "-"],
      corednsManifest(corednsRef, options.hosts ?? {}),
    );
    if (apply.code !== 0) throw new Error(`CoreDNS: ${apply.stderr}`);
    await eventually(
      "CoreDNS to be available",
      async () => {
        const { stdout } = await cluster.kubectl([
          "-n",
          "kube-system",
          "get",
          "deployment",
          "coredns",
          "-o",
          "jsonpath={.status.availableReplicas}",
        ]);
        return stdout === "1" ? true : undefined;
      },
      Number(process.env.CUSTOMS_E2E_DNS_WAIT_MS ?? 180_000),
    );
    log("CoreDNS available");

    return {
      ...cluster,
      nodeName: NODE_NAME,
      nodeIp,
      registry: { host: registry.host, caPem: ca.certPem, caFile: registryCaFile },
      pusher,
      pushBinaryImage: (repository, tag) =>
        pushSimpleImage(pusher, (registry as RunningRegistry).host, repository, tag, {
          entrypoint: ["/app"],
          files: [hostFile("app", pauseBin, 0o755)],
        }),
      addHost: (name, ip) => appendFile("/etc/hosts", `${ip} ${name}\n`),
      trustRegistry,
      stop,
    };
  } catch (error) {
    // What a person would look at first: the Pods, and the events that say why.
    const pods = await cluster.kubectl(["get", "pods", "-A", "-o", "wide"]);
    const events = await cluster.kubectl(["get", "events", "-A", "--sort-by=.lastTimestamp"]);
    const detail = `${pods.stdout}\n${events.stdout.split("\n").slice(-30).join("\n")}`;
    await stop().catch(() => {});
    if (error instanceof Error) error.message = `${error.message}\n${detail}`;
    throw error;
  }
}

function containerdConfig(o: {
  cd: string;
  socket: string;
  certsD: string;
  sandbox: string;
  cniConfDir: string;
}): string {
  return `version = 3
root = "${join(o.cd, "root")}"
state = "${join(o.cd, "state")}"

[grpc]
  address = "${o.socket}"

[ttrpc]
  address = "${o.socket}.ttrpc"

[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = "${o.sandbox}"
  [plugins.'io.containerd.cri.v1.images'.registry]
    config_path = "${o.certsD}"

[plugins.'io.containerd.cri.v1.runtime']
  # This machine is itself a container without CAP_SYS_RESOURCE: an OOM score below the
  # current one (the kubelet asks -998 for sandboxes) cannot be set, so it is clamped there.
  restrict_oom_score_adj = true
  [plugins.'io.containerd.cri.v1.runtime'.containerd]
    default_runtime_name = "runc"
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
        BinaryName = "${process.env.CUSTOMS_E2E_RUNC ?? "/usr/sbin/runc"}"
        SystemdCgroup = false
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ["/usr/lib/cni"]
    conf_dir = "${o.cniConfDir}"
`;
}

function certKubeconfig(server: string, caFile: string, cert: string, key: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "e2e", cluster: { server, "certificate-authority": caFile } }],
    users: [{ name: "e2e", user: { "client-certificate": cert, "client-key": key } }],
    contexts: [{ name: "e2e", context: { cluster: "e2e", user: "e2e" } }],
    "current-context": "e2e",
  });
}

/** The kubelet's cgroup root, made in every v1 hierarchy (cpuset needs its CPUs and memory nodes). */
function makeCgroups(name: string): void {
  for (const controller of CGROUP_CONTROLLERS) {
    const base = `/sys/fs/cgroup/${controller}`;
    if (!existsSync(base)) continue;
    const path = join(base, name);
    if (!existsSync(path)) mkdirSync(path);
    if (controller === "cpuset") {
      for (const file of ["cpuset.cpus", "cpuset.mems"]) {
        writeFileSync(join(path, file), readFileSync(join(base, file)));
      }
    }
  }
}

/** SIGKILLs every process in the kubelet's cgroups (the Pods' containers). */
function killCgroupProcesses(name: string): void {
  const root = join("/sys/fs/cgroup/pids", name);
  if (!existsSync(root)) return;
  const walk = (dir: string) => {
    try {
      for (const pid of readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n")) {
        if (pid !== "") killQuietly(Number(pid));
      }
      for (const entry of readdirSync(dir, { withFileTypes: true }))
        if (entry.isDirectory()) walk(join(dir, entry.name));
    } catch {
      // removed meanwhile
    }
  };
  walk(root);
}

/** SIGKILLs containerd's shims of this node (they outlive containerd by design). */
function killShims(dir: string): void {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(join("/proc", entry, "cmdline"), "utf8");
      if (cmdline.includes("containerd-shim") && cmdline.includes(dir)) killQuietly(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Detaches every mount below `dir` (Pod volumes, container root filesystems), deepest first. */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4] ?? "")
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) await run("umount", ["-l", point]);
}

/** Removes the kubelet's cgroups, deepest first (a v1 cgroup is removed with rmdir once empty). */
function removeCgroups(name: string): void {
  for (const controller of CGROUP_CONTROLLERS) {
    const root = join(`/sys/fs/cgroup/${controller}`, name);
    if (!existsSync(root)) continue;
    const dirs: string[] = [];
    const walk = (dir: string) => {
      dirs.push(dir);
      for (const entry of readdirSync(dir)) {
        const child = join(dir, entry);
        try {
          if (statSync(child).isDirectory()) walk(child);
        } catch {
          // gone meanwhile
        }
      }
    };
    walk(root);
    for (const dir of dirs.reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // still busy: the namespace's end kills what is left, and the kernel keeps it empty
      }
    }
  }
}

async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port as number;
}

async function freePorts(count: number): Promise<number[]> {
  const { createServer } = await import("node:net");
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<import("node:net").Server>((resolve, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as import("node:net").AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  return ports;
}

function corednsManifest(image: string, hosts: Readonly<Record<string, string>>): string {
  const corefile = [
    ".:53 {",
    "    errors",
    "    hosts {",
    ...Object.entries(hosts).map(([name, ip]) => `        ${ip} ${name}`),
    "        fallthrough",
    "    }",
    "    health :8080",
    "    ready :8181",
    "    kubernetes cluster.local in-addr.arpa ip6.arpa {",
    "        pods insecure",
    "        fallthrough in-addr.arpa ip6.arpa",
    "    }",
    "    cache 30",
    "    loop",
    "    reload",
    "}",
  ].join("\n");
  const objects = [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "coredns", namespace: "kube-system" },
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "system:coredns" },
      rules: [
        {
          apiGroups: [""],
          resources: ["endpoints", "services", "pods", "namespaces"],
          verbs: ["list", "watch"],
        },
        {
          apiGroups: ["discovery.k8s.io"],
          resources: ["endpointslices"],
          verbs: ["list", "watch"],
        },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "system:coredns" },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "system:coredns",
      },
      subjects: [{ kind: "ServiceAccount", name: "coredns", namespace: "kube-system" }],
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "coredns", namespace: "kube-system" },
      data: { Corefile: corefile },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "coredns", namespace: "kube-system", labels: { "k8s-app": "kube-dns" } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { "k8s-app": "kube-dns" } },
        template: {
          metadata: { labels: { "k8s-app": "kube-dns" } },
          spec: {
            serviceAccountName: "coredns",
            dnsPolicy: "Default",
            containers: [
              {
                name: "coredns",
                image,
                args: ["-conf", "/etc/coredns/Corefile"],
                ports: [
                  { name: "dns", containerPort: 53, protocol: "UDP" },
                  { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
                ],
                securityContext: {
                  allowPrivilegeEscalation: false,
                  capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] },
                  readOnlyRootFilesystem: true,
                  runAsUser: 0,
                },
                readinessProbe: { httpGet: { path: "/ready", port: 8181 }, periodSeconds: 2 },
                volumeMounts: [{ name: "config", mountPath: "/etc/coredns", readOnly: true }],
              },
            ],
            volumes: [{ name: "config", configMap: { name: "coredns" } }],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kube-dns", namespace: "kube-system", labels: { "k8s-app": "kube-dns" } },
      spec: {
        clusterIP: CLUSTER_DNS,
        selector: { "k8s-app": "kube-dns" },
        ports: [
          { name: "dns", port: 53, protocol: "UDP" },
          { name: "dns-tcp", port: 53, protocol: "TCP" },
        ],
      },
    },
  ];
  return objects.map((o) => JSON.stringify(o)).join("\n---\n");
}

/** Runs a command and returns its output (for diagnostics in failing tests). */
export async function run(command: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(command, [...args], { maxBuffer: 1 << 24 });
    return `${stdout}${stderr}`;
  } catch (error) {
    return String(error);
  }
}
