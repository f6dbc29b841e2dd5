import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { CustomsError } from "../../core/errors.js";
import { DEFAULT_EXEMPT_NAMESPACES } from "../../core/policy/index.js";
import { collect, productVersion } from "../io.js";
import { exemptNamespacesOf } from "./compile.js";
import { auditLeaseOf, parseListen, type SupplyFlags, supplyContext } from "./serve.js";

interface AgentFlags {
  controlPlane: string;
  token?: string;
  tokenFile?: string;
  caFile?: string;
  kubeconfig?: string;
  context?: string;
  clusterNameCheck?: boolean;
  listen: string;
  tlsCert: string;
  tlsKey: string;
  clientCaFile?: string;
  stateDir: string;
  vap?: boolean;
  auditInterval?: string;
  auditQps?: string;
  auditBatch?: string;
  policyReports?: boolean;
  readPullSecrets?: boolean;
  wait: string;
  drainTimeout: string;
  exemptNamespace?: string[];
  exemptNamespaces: boolean;
  timeoutSeconds: string;
  registryConfig?: string;
  registryCaFile?: string[];
}

function integer(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CustomsError(
      "USAGE",
      `${name} must be an integer from ${min} to ${max}, got "${text}"`,
    );
  return n;
}

function readFile(flag: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new CustomsError("USAGE", `${flag} ${path}: ${(e as Error).message}`);
  }
}

/** The token from --token, --token-file or CUSTOMS_AGENT_TOKEN (a flag shows in `ps`). */
function tokenOf(flags: AgentFlags): string {
  const token =
    flags.token ??
    (flags.tokenFile === undefined
      ? undefined
      : readFile("--token-file", flags.tokenFile).trim()) ??
    process.env.CUSTOMS_AGENT_TOKEN;
  if (token === undefined || token === "")
    throw new CustomsError(
      "USAGE",
      "give the agent token with --token, --token-file or CUSTOMS_AGENT_TOKEN",
    );
  return token;
}

export function registerAgent(program: Command): void {
  program
    .command("agent")
    .description(
      "run the cluster agent: register with a control plane, enforce its policies as the admission webhook, report violations",
    )
    .requiredOption("--control-plane <url>", "the control plane's URL (https://host:port)")
    .option(
      "--token <token>",
      "the cluster's agent token (or --token-file, or CUSTOMS_AGENT_TOKEN)",
    )
    .option("--token-file <file>", "file holding the agent token")
    .option("--ca-file <pem>", "CA that signed the control plane's certificate")
    .option(
      "--kubeconfig <file>",
      "kubeconfig for the cluster (default: the pod's service account)",
    )
    .option(
      "--context <name>",
      "kubeconfig context to use (default: its current one); without --kubeconfig, kubectl's files ($KUBECONFIG, else ~/.kube/config)",
    )
    .option(
      "--cluster-name-check",
      "refuse to start when the token's cluster is not the one the saved policies are for",
    )
    .option("--listen <host:port>", "webhook address", "0.0.0.0:8443")
    .requiredOption("--tls-cert <file>", "webhook TLS certificate (PEM)")
    .requiredOption("--tls-key <file>", "webhook TLS private key (PEM)")
    .option(
      "--client-ca-file <pem>",
      "answer reviews only to callers with a client certificate of this CA (the API server's)",
    )
    .option("--state-dir <dir>", "where the last applied policies are kept", "./.customs-agent")
    .option("--vap", "also apply the policies as ValidatingAdmissionPolicies where they compile")
    .option(
      "--audit-interval <ms>",
      "audit the cluster's workloads this often, and on every policy or workload change (default: off; 600000 is the usual)",
    )
    .option("--audit-qps <n>", "API requests a second the audit makes at most", "5")
    .option(
      "--audit-batch <n>",
      "workloads the audit evaluates between two yields to admission requests",
      "100",
    )
    .option(
      "--no-policy-reports",
      "the audit writes no wgpolicyk8s.io PolicyReports (it still sends the inventory)",
    )
    .option(
      "--read-pull-secrets",
      "the audit reads pull Secrets, so require-pull-secret checks a named secret covers the registry (needs list on secrets)",
    )
    .option("--wait <seconds>", "how long a policy poll is held open by the control plane", "30")
    .option("--drain-timeout <ms>", "how long SIGTERM waits for in-flight requests", "10000")
    .option(
      "--exempt-namespace <name>",
      `namespace the --vap bindings leave out, as the webhook configuration does (repeatable; replaces the defaults: ${DEFAULT_EXEMPT_NAMESPACES.join(", ")})`,
      collect,
    )
    .option("--no-exempt-namespaces", "the --vap bindings exempt no namespace")
    .option(
      "--timeout-seconds <n>",
      "the webhook configuration's timeoutSeconds; supply-chain facts are fetched within it less a margin",
      "10",
    )
    .option(
      "--registry-config <file>",
      "docker config.json with registry credentials for supply-chain facts (default: $DOCKER_CONFIG/config.json when present)",
    )
    .option("--registry-ca-file <pem>", "extra CA for registries (repeatable)", collect)
    .action(async (flags: AgentFlags) => {
      const { host, port } = parseListen(flags.listen);
      const waitSeconds = integer("--wait", flags.wait, 1, 60);
      const drainMs = integer("--drain-timeout", flags.drainTimeout, 0, 600_000);
      const auditIntervalMs =
        flags.auditInterval === undefined
          ? undefined
          : integer("--audit-interval", flags.auditInterval, 1_000, 86_400_000);
      const auditQps = integer("--audit-qps", flags.auditQps ?? "5", 1, 1_000);
      const auditBatch = integer("--audit-batch", flags.auditBatch ?? "100", 1, 100_000);
      const exemptNamespaces = exemptNamespacesOf(flags.exemptNamespace, flags.exemptNamespaces);
      const token = tokenOf(flags);
      const ca = flags.caFile === undefined ? undefined : readFile("--ca-file", flags.caFile);
      // The agent's modules load here, not at start-up: every other command skips them.
      const [
        { pino },
        kube,
        { ControlPlaneClient },
        { startAgent },
        { createMetrics },
        { startWebhook },
        { watchFiles },
      ] = await Promise.all([
        import("pino"),
        import("../../adapters/kube/index.js"),
        import("../../adapters/control-plane/client.js"),
        import("../../app/agent/index.js"),
        import("../../server/metrics.js"),
        import("../../server/webhook.js"),
        import("../../adapters/files/index.js"),
      ]);
      const metrics = createMetrics();
      const logger = pino({ base: { service: "customs-agent" } });
      const fromKubeconfig = flags.kubeconfig !== undefined || flags.context !== undefined;
      const inCluster = !fromKubeconfig && process.env.KUBERNETES_SERVICE_HOST !== undefined;
      const connection = fromKubeconfig
        ? kube.loadKubeconfig({
            ...(flags.kubeconfig === undefined ? {} : { kubeconfig: flags.kubeconfig }),
            ...(flags.context === undefined ? {} : { context: flags.context }),
          })
        : inCluster
          ? kube.inClusterConnection()
          : undefined;
      if (connection === undefined) {
        if (flags.vap || auditIntervalMs !== undefined)
          throw new CustomsError(
            "USAGE",
            "--vap and --audit-interval need cluster access: pass --kubeconfig or run in a pod",
          );
        logger.warn(
          "no cluster access (no --kubeconfig, not in a pod): namespaces are not watched or reported",
        );
      }
      const client = new ControlPlaneClient({
        url: flags.controlPlane,
        token,
        ...(ca === undefined ? {} : { ca }),
        userAgent: `customs-agent/${productVersion()}`,
      });
      const supplyFlags: SupplyFlags = {
        timeoutSeconds: flags.timeoutSeconds,
        factsTtl: "300000",
        factsNegativeTtl: "30000",
        lastKnownGood: "0",
        ...(flags.registryConfig === undefined ? {} : { registryConfig: flags.registryConfig }),
        ...(flags.registryCaFile === undefined ? {} : { caFile: flags.registryCaFile }),
      };
      // The agent is the cluster's webhook: supply-chain policies need the same facts.
      const supply = await supplyContext(supplyFlags);
      let certs: { stop(): void } | undefined;
      const agent = await startAgent({
        client,
        kube: connection,
        inCluster,
        startWebhook: async (hooks) => {
          const server = await startWebhook({
            ...hooks,
            host,
            port,
            tlsCert: flags.tlsCert,
            tlsKey: flags.tlsKey,
            ...(flags.clientCaFile === undefined ? {} : { clientCaFile: flags.clientCaFile }),
            maxBodyBytes: 6 * 1024 * 1024,
            requestTimeoutMs: 10_000,
            logger,
            metrics,
            supply,
          });
          // Certificates rotate (cert-manager): new connections get the new pair.
          certs = watchFiles(
            [
              flags.tlsCert,
              flags.tlsKey,
              ...(flags.clientCaFile === undefined ? [] : [flags.clientCaFile]),
            ],
            2_000,
            async () => server.reloadTls(),
            (e) => logger.error({ err: e }, "certificate reload failed; keeping the previous ones"),
          );
          return server;
        },
        stateDir: flags.stateDir,
        vap: flags.vap === true,
        exemptNamespaces,
        auditIntervalMs,
        auditQps,
        auditBatch,
        ...(auditIntervalMs === undefined
          ? {}
          : (() => {
              const { lease } = auditLeaseOf(kube.podIdentity(), logger);
              return lease === undefined ? {} : { auditLease: lease };
            })()),
        supply,
        policyReports: flags.policyReports !== false,
        readPullSecrets: flags.readPullSecrets === true,
        waitSeconds,
        clusterNameCheck: flags.clusterNameCheck === true,
        agentVersion: productVersion(),
        logger,
        metrics,
      });
      const stop = async (signal: string) => {
        logger.info({ signal }, "draining");
        certs?.stop();
        await agent.stop(drainMs);
        logger.info("stopped");
        process.exit(0);
      };
      process.once("SIGTERM", () => void stop("SIGTERM"));
      process.once("SIGINT", () => void stop("SIGINT"));
      try {
        await agent.failed;
      } catch (e) {
        certs?.stop();
        await agent.stop(0);
        throw e;
      }
    });
}
