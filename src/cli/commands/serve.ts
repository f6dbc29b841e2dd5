import cluster from "node:cluster";
import type { Command } from "commander";
import { readInputs } from "../../adapters/files/index.js";
import { loadPolicySet } from "../../app/load-policies.js";
import { NamespaceCache } from "../../app/namespaces.js";
import { watchFiles } from "../../app/reloader.js";
import { watchStableInputs } from "../../app/stable-inputs.js";
import type { SupplyContext } from "../../app/supply-review.js";
import { CustomsError } from "../../core/errors.js";
import { createEvaluator, type Evaluator } from "../../core/evaluate/index.js";
import { parseImageReference } from "../../core/reference/index.js";
import { collect, parseTagHandling } from "../io.js";
import { clientFrom } from "./pin.js";

interface ServeFlags {
  policy?: string[];
  fromCluster?: boolean;
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
  mutate?: boolean;
  mutateBudget: string;
  timeoutSeconds: string;
  factsTtl: string;
  factsNegativeTtl: string;
  lastKnownGood: string;
  registryConfig?: string;
  caFile?: string[];
  insecureHost?: string[];
  harborUrl?: string;
  harborUsername?: string;
  tagHandling?: string;
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

async function mutationHandler(
  flags: ServeFlags,
  namespaces: NamespaceCache,
  supply: SupplyContext,
) {
  const { handleMutation } = await import("../../app/mutate.js");
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
  const { webhookSupplyContext } = await import("../../app/supply-context.js");
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
  const { harborOptionsFrom } = await import("../../app/supply-harbor.js");
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

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("run the admission webhook (POST /validate, /healthz, /readyz, /metrics)")
    .option("-p, --policy <path>", "ImagePolicy/Workspace file or folder (repeatable)", collect)
    .option("--from-cluster", "read ImagePolicies and Workspaces from the cluster's CRDs")
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
    .action(async (flags: ServeFlags) => {
      const { host, port } = parseListen(flags.listen);
      const workers = positive("--workers", flags.workers);
      if (workers > 1 && cluster.isPrimary) {
        // Node runs JavaScript on one core: more cores means more processes on one port.
        let stopping = false;
        for (let i = 0; i < workers; i++) cluster.fork();
        const stop = () => {
          stopping = true;
          for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGTERM");
        };
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
        cluster.on("exit", () => {
          // A worker that dies is replaced; on SIGTERM the primary leaves with the last one.
          if (!stopping) cluster.fork();
          else if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
        });
        return;
      }
      const interval = positive("--reload-interval", flags.reloadInterval);
      // The server's modules load here, not at start-up: every other command skips them.
      const [
        { pino },
        { inClusterConnection, loadKubeconfig },
        { startClusterSource },
        { createMetrics },
        { startWebhook },
      ] = await Promise.all([
        import("pino"),
        import("../../adapters/kube/index.js"),
        import("../../app/cluster-source.js"),
        import("../../server/metrics.js"),
        import("../../server/webhook.js"),
      ]);
      const logger = pino({ base: { service: "customs-webhook" } });
      const metrics = createMetrics();
      if ((flags.policy === undefined) === (flags.fromCluster !== true)) {
        throw new CustomsError("USAGE", "give either -p/--policy or --from-cluster");
      }
      const namespaces = new NamespaceCache(flags.cluster);
      const fromKubeconfig = flags.kubeconfig !== undefined || flags.context !== undefined;
      const useCluster = flags.fromCluster === true || fromKubeconfig;
      const connection = useCluster
        ? fromKubeconfig
          ? loadKubeconfig({
              ...(flags.kubeconfig === undefined ? {} : { kubeconfig: flags.kubeconfig }),
              ...(flags.context === undefined ? {} : { context: flags.context }),
            })
          : inClusterConnection()
        : undefined;
      // Fail fast on a bad policy set at start; later bad edits keep the previous set.
      const initialTexts = flags.policy === undefined ? [] : await readInputs(flags.policy);
      let invalidPolicies: readonly string[] = [];
      let evaluator: Evaluator | undefined =
        flags.policy === undefined ? undefined : createEvaluator(loadPolicySet(initialTexts).set);
      const source =
        connection === undefined
          ? undefined
          : startClusterSource(
              connection,
              namespaces,
              {
                onPolicies(next, count) {
                  evaluator = next;
                  invalidPolicies = count.invalid;
                  metrics.policiesInvalid.set(count.invalid.length);
                  metrics.reloads.inc({ what: "policies", result: "ok" });
                  logger.info(count, "policies loaded from the cluster");
                },
                onInvalid(name, issues) {
                  metrics.reloads.inc({ what: "policies", result: "invalid" });
                  logger.error(
                    { policy: name, issues: issues.filter((i) => i.severity === "error") },
                    "invalid policy in the cluster left out",
                  );
                },
                onError(e) {
                  logger.warn({ err: (e as Error).message }, "cluster watch error; retrying");
                },
              },
              flags.fromCluster === true,
              // The webhook has RBAC for imagepolicies/status; the agent does not write it.
              { writeStatus: flags.fromCluster === true },
            );
      // One context (one facts cache) for /mutate and /validate: the digest /mutate pins is
      // the one whose verified facts /validate then decides on.
      const supply = await supplyContext(flags);
      const server = await startWebhook({
        host,
        port,
        tlsCert: flags.tlsCert,
        tlsKey: flags.tlsKey,
        ...(flags.clientCaFile === undefined ? {} : { clientCaFile: flags.clientCaFile }),
        maxBodyBytes: positive("--max-body-bytes", flags.maxBodyBytes),
        requestTimeoutMs: 10_000,
        logger,
        metrics,
        namespaces,
        evaluator: () => evaluator,
        readinessWarnings: () =>
          invalidPolicies.length === 0
            ? []
            : [
                `${invalidPolicies.length} invalid polic${invalidPolicies.length === 1 ? "y" : "ies"} left out (see status.conditions): ${invalidPolicies.join(", ")}`,
              ],
        supply,
        ...(flags.mutate ? { mutate: await mutationHandler(flags, namespaces, supply) } : {}),
      });
      const policyPaths = flags.policy ?? [];
      // Only a whole file is applied: see watchStableInputs (docs/cli.md, serve).
      const policies = watchStableInputs({
        paths: policyPaths,
        intervalMs: interval,
        quietMs: interval,
        initial: initialTexts,
        apply: (texts) => {
          evaluator = createEvaluator(loadPolicySet(texts).set);
          metrics.reloads.inc({ what: "policies", result: "ok" });
          logger.info("policies reloaded");
        },
        onError: (e) => {
          metrics.reloads.inc({ what: "policies", result: "error" });
          logger.error(
            { err: (e as Error).message },
            "policy reload failed; keeping the previous policies",
          );
        },
      });
      const certs = watchFiles(
        [
          flags.tlsCert,
          flags.tlsKey,
          ...(flags.clientCaFile === undefined ? [] : [flags.clientCaFile]),
        ],
        interval,
        async () => server.reloadTls(),
        (e) => {
          metrics.reloads.inc({ what: "tls", result: "error" });
          logger.error(
            { err: (e as Error).message },
            "certificate reload failed; keeping the previous ones",
          );
        },
      );
      const stop = async (signal: string) => {
        logger.info({ signal }, "draining");
        policies.stop();
        certs.stop();
        source?.stop();
        await server.drain(positive("--drain-timeout", flags.drainTimeout));
        logger.info("stopped");
        process.exit(0);
      };
      process.once("SIGTERM", () => void stop("SIGTERM"));
      process.once("SIGINT", () => void stop("SIGINT"));
    });
}
