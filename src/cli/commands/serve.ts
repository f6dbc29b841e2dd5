import type { Command } from "commander";
import type { SupplyContext } from "../../app/supply/index.js";
import type { NamespaceDirectory } from "../../app/webhook/index.js";
import { CustomsError } from "../../core/errors.js";
import type { Evaluator } from "../../core/evaluate/index.js";
import { parseImageReference } from "../../core/reference/index.js";
import { collect, parseTagHandling } from "../io.js";
import { clientFrom } from "./pin.js";

interface ServeFlags extends SupplyFlags {
  policy?: string[];
  fromCluster?: boolean;
  auditInterval?: string;
  auditQps?: string;
  auditBatch?: string;
  policyReports?: boolean;
  kubeconfig?: string;
  context?: string;
  listen: string;
  tlsCert: string;
  tlsKey: string;
  clientCaFile?: string;
  cluster?: string;
  maxBodyBytes: string;
  reloadInterval: string;
  drainTimeout: string;
  workers: string;
  mutateBudget: string;
}

/** `HOST:PORT`, `[::1]:PORT` or `:PORT`. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  if (!m || port > 65535)
    throw new CustomsError("USAGE", `--listen must be HOST:PORT, got "${text}"`);
  return { host: m[1] ?? (m[2] || "0.0.0.0"), port };
}

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0)
    throw new CustomsError("USAGE", `${name} must be a positive integer, got "${text}"`);
  return n;
}

function ranged(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CustomsError(
      "USAGE",
      `${name} must be an integer from ${min} to ${max}, got "${text}"`,
    );
  return n;
}

async function mutationHandler(
  flags: ServeFlags,
  namespaces: NamespaceDirectory,
  supply: SupplyContext,
) {
  const { handleMutation } = await import("../../app/webhook/mutate.js");
  const client = await clientFrom(flags);
  const budget = positive("--mutate-budget", flags.mutateBudget);
  const lookup = (image: string) => client.resolveDigest(parseImageReference(image));
  return (text: string, evaluator: Evaluator) =>
    handleMutation(text, evaluator, namespaces, lookup, budget, supply);
}

/** The flags `customs serve` and `customs agent` fetch supply-chain facts with. */
export interface SupplyFlags {
  timeoutSeconds: string;
  factsTtl: string;
  factsNegativeTtl: string;
  lastKnownGood: string;
  registryConfig?: string;
  caFile?: string[];
  insecureHost?: string[];
  harborUrl?: string;
  harborUsername?: string;
  /** `pin` or `refuse`; unset: `pin` when /mutate is served, else `refuse`. */
  tagHandling?: string;
  mutate?: boolean;
}

/**
 * Fetching facts for supply-chain policies: registry client, cache, budget. The budget comes
 * from --timeout-seconds, which must be the webhook configuration's timeoutSeconds (install
 * and the chart render both from one value): a budget longer than the API server waits turns
 * a `warn` policy whose registry hangs into the configuration's failurePolicy, a refusal.
 */
export async function supplyContext(flags: SupplyFlags) {
  const { webhookSupplyContext } = await import("../../app/supply/context.js");
  const timeoutSeconds = positive("--timeout-seconds", flags.timeoutSeconds);
  if (timeoutSeconds > 30) {
    throw new CustomsError("USAGE", "--timeout-seconds is at most 30, as Kubernetes allows");
  }
  const graceMs = Number(flags.lastKnownGood);
  if (!Number.isInteger(graceMs) || graceMs < 0) {
    throw new CustomsError(
      "USAGE",
      `--last-known-good must be 0 or ms, got "${flags.lastKnownGood}"`,
    );
  }
  const { harborOptionsFrom } = await import("../../app/supply/harbor.js");
  const harbor = await harborOptionsFrom(flags);
  // Pinning needs the mutating webhook; without it the only safe answer to a tag is no.
  const tagHandling = parseTagHandling(flags.tagHandling) ?? (flags.mutate ? "pin" : "refuse");
  return webhookSupplyContext(() => clientFrom(flags), {
    tagHandling,
    ...(harbor === undefined ? {} : { harbor }),
    timeoutSeconds,
    ttlMs: positive("--facts-ttl", flags.factsTtl),
    negativeTtlMs: positive("--facts-negative-ttl", flags.factsNegativeTtl),
    graceMs,
  });
}

/**
 * Where the audit elects its leader: the pod's namespace (every replica of a Deployment
 * shares it). Outside a pod, with no POD_NAMESPACE, there is no election: one process audits.
 */
export function auditLeaseOf(
  pod: { identity: string; namespace: string | undefined },
  logger: { info(o: object, msg: string): void },
): { lease?: { namespace: string; identity: string } } {
  if (pod.namespace === undefined) {
    logger.info({}, "no audit leader election: not in a pod (set POD_NAMESPACE to elect one)");
    return {};
  }
  return { lease: { namespace: pod.namespace, identity: pod.identity } };
}

/** The webhook's own flags, checked before any server module loads. */
function checkWebhookFlags(flags: ServeFlags) {
  if ((flags.policy === undefined) === (flags.fromCluster !== true)) {
    throw new CustomsError("USAGE", "give either -p/--policy or --from-cluster");
  }
  const workers = positive("--workers", flags.workers);
  if (flags.auditInterval !== undefined && flags.fromCluster !== true)
    throw new CustomsError("USAGE", "--audit-interval needs --from-cluster");
  // Each worker is a whole server: several would audit, and write the reports, side by side.
  if (flags.auditInterval !== undefined && workers > 1)
    throw new CustomsError("USAGE", "--audit-interval runs with --workers 1 only");
  const audit =
    flags.auditInterval === undefined
      ? undefined
      : {
          intervalMs: ranged("--audit-interval", flags.auditInterval, 1_000, 86_400_000),
          qps: ranged("--audit-qps", flags.auditQps ?? "5", 1, 1_000),
          batch: ranged("--audit-batch", flags.auditBatch ?? "100", 1, 100_000),
          policyReports: flags.policyReports !== false,
        };
  return {
    ...parseListen(flags.listen),
    workers,
    audit,
    reloadIntervalMs: positive("--reload-interval", flags.reloadInterval),
    drainMs: positive("--drain-timeout", flags.drainTimeout),
    maxBodyBytes: positive("--max-body-bytes", flags.maxBodyBytes),
  };
}

/** `customs serve webhook`: flags in, the runtime (src/app/webhook/run.ts) does the rest. */
async function serveWebhook(flags: ServeFlags): Promise<void> {
  const checked = checkWebhookFlags(flags);
  // The server's modules load here, not at start-up: every other command skips them.
  const { runWebhook } = await import("../../app/webhook/index.js");
  await runWebhook({
    workers: checked.workers,
    drainMs: checked.drainMs,
    runtime: async () => {
      const [
        { pino },
        { inClusterConnection, loadKubeconfig, podIdentity },
        { createMetrics },
        { startWebhook },
      ] = await Promise.all([
        import("pino"),
        import("../../adapters/kube/index.js"),
        import("../../server/metrics.js"),
        import("../../server/webhook.js"),
      ]);
      // One line per review, off the hot path: lines are gathered and written 4 KiB or more
      // at a time (one write for about 15 reviews instead of one each), every quarter second
      // on a quiet webhook, and at exit. Writes stay synchronous: an asynchronous write hands
      // each batch to another thread, which costs the event loop more than the write itself.
      const destination = pino.destination({ dest: 1, sync: true, minLength: 4096 });
      setInterval(() => destination.flush(), 250).unref();
      process.once("exit", () => destination.flushSync());
      const logger = pino({ base: { service: "customs-webhook" } }, destination);
      const metrics = createMetrics();
      const fromKubeconfig = flags.kubeconfig !== undefined || flags.context !== undefined;
      const useCluster = flags.fromCluster === true || fromKubeconfig;
      const connection = !useCluster
        ? undefined
        : fromKubeconfig
          ? loadKubeconfig({
              ...(flags.kubeconfig === undefined ? {} : { kubeconfig: flags.kubeconfig }),
              ...(flags.context === undefined ? {} : { context: flags.context }),
            })
          : inClusterConnection();
      // One context (one facts cache) for /mutate and /validate: the digest /mutate pins is
      // the one whose verified facts /validate then decides on.
      const supply = await supplyContext(flags);
      const clientCa = flags.clientCaFile === undefined ? [] : [flags.clientCaFile];
      return {
        policyPaths: flags.policy,
        connection,
        fromCluster: flags.fromCluster === true,
        clusterName: flags.cluster,
        ...(checked.audit === undefined
          ? {}
          : { audit: { ...checked.audit, ...auditLeaseOf(podIdentity(), logger) } }),
        supply,
        reloadIntervalMs: checked.reloadIntervalMs,
        tlsFiles: [flags.tlsCert, flags.tlsKey, ...clientCa],
        logger,
        metrics,
        startServer: async (hooks) =>
          startWebhook({
            ...hooks,
            host: checked.host,
            port: checked.port,
            tlsCert: flags.tlsCert,
            tlsKey: flags.tlsKey,
            ...(flags.clientCaFile === undefined ? {} : { clientCaFile: flags.clientCaFile }),
            maxBodyBytes: checked.maxBodyBytes,
            requestTimeoutMs: 10_000,
            logger,
            metrics,
            supply,
            ...(flags.mutate
              ? { mutate: await mutationHandler(flags, hooks.namespaces, supply) }
              : {}),
          }),
      };
    },
  });
}

/**
 * `customs serve`: the long-running servers, as sibling subcommands (`serve webhook`,
 * `serve control-plane`, registered by control-plane.ts). `webhook` is the default, so the
 * old spelling `customs serve -p … --tls-cert …` still runs it, with a note on stderr.
 */
export function registerServe(program: Command): void {
  const serve = program
    .command("serve")
    .description("run a server: the admission webhook, or the control plane")
    .hook("preSubcommand", (self, sub) => {
      if (sub.name() === "webhook" && self.args[0] !== "webhook") {
        process.stderr.write(
          "customs: `customs serve` without a subcommand is deprecated; use `customs serve webhook`\n",
        );
      }
    });
  serve
    .command("webhook", { isDefault: true })
    .description("run the admission webhook (POST /validate, /healthz, /readyz, /metrics)")
    .option("-p, --policy <path>", "ImagePolicy/Workspace file or folder (repeatable)", collect)
    .option("--from-cluster", "read ImagePolicies and Workspaces from the cluster's CRDs")
    .option(
      "--audit-interval <ms>",
      "with --from-cluster: audit every workload this often, and on every policy or workload change, into PolicyReports (default: off)",
    )
    .option("--audit-qps <n>", "API requests a second the audit makes at most", "5")
    .option(
      "--audit-batch <n>",
      "workloads the audit evaluates between two yields to admission requests",
      "100",
    )
    .option("--no-policy-reports", "the audit writes no PolicyReports (it only logs its passes)")
    .option(
      "--kubeconfig <file>",
      "kubeconfig for the cluster (default: the pod's service account); with -p, namespace labels are still watched",
    )
    .option(
      "--context <name>",
      "kubeconfig context to use (default: its current one); without --kubeconfig, kubectl's files ($KUBECONFIG, else ~/.kube/config)",
    )
    .option("--listen <host:port>", "address to listen on", "0.0.0.0:8443")
    .requiredOption("--tls-cert <file>", "TLS certificate (PEM); reloaded when it changes")
    .requiredOption("--tls-key <file>", "TLS private key (PEM); reloaded when it changes")
    .option(
      "--client-ca-file <pem>",
      "answer reviews only to callers with a client certificate of this CA (the API server's)",
    )
    .option("--cluster <name>", "this cluster's name, for CLUSTER/NAMESPACE workspace entries")
    .option("--max-body-bytes <n>", "largest AdmissionReview accepted", String(6 * 1024 * 1024))
    .option("--reload-interval <ms>", "how often policy and certificate files are checked", "2000")
    .option("--drain-timeout <ms>", "how long SIGTERM waits for in-flight requests", "10000")
    .option("--workers <n>", "processes sharing the port (one per core)", "1")
    .option(
      "--mutate",
      "serve POST /mutate: pin images to digests for policies with pinDigests: true",
    )
    .option("--mutate-budget <ms>", "how long /mutate may wait for a registry", "3000")
    .option(
      "--tag-handling <mode>",
      "images named by tag under signature, provenance or vulnerability policies without their own tagHandling: pin (/mutate pins them to the verified digest) or refuse; default pin with --mutate, else refuse",
    )
    .option(
      "--registry-config <file>",
      "docker config.json with registry credentials, for supply-chain facts and --mutate (default: $DOCKER_CONFIG/config.json when present)",
    )
    .option("--ca-file <pem>", "extra CA for registries (repeatable)", collect)
    .option(
      "--timeout-seconds <n>",
      "the webhook configuration's timeoutSeconds (install renders it); supply-chain facts are fetched within it less a margin",
      "10",
    )
    .option("--facts-ttl <ms>", "how long positive supply-chain facts are reused", "300000")
    .option("--facts-negative-ttl <ms>", "how long negative or failed answers are reused", "30000")
    .option(
      "--last-known-good <ms>",
      "while a source is unreachable, decide on facts verified within this window (degraded); 0: off",
      "0",
    )
    .option(
      "--insecure-host <host>",
      "registry host whose TLS is not verified (repeatable)",
      collect,
    )
    .option("--harbor-url <url>", "a Harbor to read vulnerability reports of its images from")
    .option("--harbor-username <name>", "Harbor user or robot; password in CUSTOMS_HARBOR_PASSWORD")
    .action(serveWebhook);
}
