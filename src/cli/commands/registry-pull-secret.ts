import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parse } from "yaml";
import type { KubeConnection } from "../../adapters/kube/index.js";
import type { ServiceAccountState } from "../../adapters/registry-bundle/index.js";
import { CustomsError, isCustomsError } from "../../core/errors.js";
import { type OutputFormat, outputOption, YAML_OR_JSON } from "../flags/index.js";
import { examples } from "../help.js";
import { objectName, printObjects } from "./registry-print.js";

/** The registry bundle's objects, loaded when this command runs rather than at every start. */
type Bundle = typeof import("../../adapters/registry-bundle/index.js");

interface PullSecretFlags {
  server: string;
  username: string;
  password?: string;
  passwordStdin?: boolean;
  name: string;
  namespace?: string;
  email?: string;
  attach?: boolean;
  kubeconfig?: string;
  context?: string;
  serviceAccountFile?: string;
  output: OutputFormat;
}

function readPassword(f: PullSecretFlags): string {
  if (f.passwordStdin && f.password !== undefined)
    throw new CustomsError("USAGE", "--password and --password-stdin exclude each other");
  if (f.passwordStdin) {
    // Like `docker login --password-stdin`: the whole input, without its final newline.
    const text = readFileSync(0, "utf8").replace(/\r?\n$/, "");
    if (text === "") throw new CustomsError("USAGE", "--password-stdin: standard input is empty");
    return text;
  }
  if (f.password === undefined || f.password === "")
    throw new CustomsError("USAGE", "give --password or --password-stdin");
  return f.password;
}

/**
 * The cluster connection kubectl would use: --kubeconfig, else every file of $KUBECONFIG,
 * else ~/.kube/config; --context, else the current context.
 */
async function kubeconfigConnection(f: PullSecretFlags): Promise<KubeConnection> {
  const kube = await import("../../adapters/kube/index.js");
  try {
    kube.kubeconfigFiles(f.kubeconfig);
  } catch (e) {
    if (!isCustomsError(e)) throw e;
    throw new CustomsError(
      e.code,
      `--attach reads the namespace's default ServiceAccount, but there is ${e.message}; pass --kubeconfig or --service-account-file`,
    );
  }
  return kube.loadKubeconfig({
    ...(f.kubeconfig === undefined ? {} : { kubeconfig: f.kubeconfig }),
    ...(f.context === undefined ? {} : { context: f.context }),
  });
}

/** `--service-account-file`: the ServiceAccount as `kubectl get -o json|yaml` printed it. */
function serviceAccountFromFile(
  bundle: Bundle,
  file: string,
): { state: ServiceAccountState; namespace?: string } {
  let object: unknown;
  try {
    object = parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new CustomsError(
      "FILE_UNREADABLE",
      `--service-account-file ${file}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const state = bundle.toServiceAccountState(object);
  if (typeof state === "string")
    throw new CustomsError("DOCUMENT_INVALID", `--service-account-file ${file}: ${state}`);
  const namespace = (object as { metadata: { namespace?: unknown } }).metadata.namespace;
  return { state, ...(typeof namespace === "string" ? { namespace } : {}) };
}

/**
 * The live ServiceAccount `--attach` merges into, and the namespace both objects are then
 * printed in: explicit, so `kubectl apply` cannot write the merged list into a namespace other
 * than the one it was read from.
 */
async function attachTarget(
  bundle: Bundle,
  f: PullSecretFlags,
  flagNamespace: string | undefined,
): Promise<{ state: ServiceAccountState; namespace: string }> {
  if (f.serviceAccountFile !== undefined) {
    if (f.kubeconfig !== undefined || f.context !== undefined)
      throw new CustomsError(
        "USAGE",
        "--kubeconfig/--context and --service-account-file exclude each other",
      );
    const read = serviceAccountFromFile(bundle, f.serviceAccountFile);
    if (
      flagNamespace !== undefined &&
      read.namespace !== undefined &&
      read.namespace !== flagNamespace
    )
      throw new CustomsError(
        "USAGE",
        `--service-account-file is in namespace ${read.namespace}, not --namespace ${flagNamespace}`,
      );
    const namespace = flagNamespace ?? read.namespace;
    if (namespace === undefined)
      throw new CustomsError(
        "USAGE",
        "--service-account-file names no namespace: give --namespace",
      );
    return { state: read.state, namespace: bundle.checkNamespace("namespace", namespace) };
  }
  const connection = await kubeconfigConnection(f);
  const namespace =
    flagNamespace ??
    bundle.checkNamespace("the kubeconfig's namespace", connection.namespace ?? "default");
  const { readDefaultServiceAccount } = await import("../../app/registry/pull-secret.js");
  return { state: await readDefaultServiceAccount(connection, namespace), namespace };
}

async function pullSecret(f: PullSecretFlags): Promise<void> {
  const bundle = await import("../../adapters/registry-bundle/index.js");
  const { buildDefaultServiceAccount, buildPullSecret, checkNamespace } = bundle;
  const host = bundle.parseRegistryHost(f.server);
  if (f.username === "" || f.username.includes(":"))
    throw new CustomsError("USAGE", "--username must be non-empty and without a colon");
  if (
    !f.attach &&
    (f.kubeconfig !== undefined || f.context !== undefined || f.serviceAccountFile !== undefined)
  )
    throw new CustomsError(
      "USAGE",
      "--kubeconfig, --context and --service-account-file go with --attach",
    );
  const password = readPassword(f);
  const flagNamespace =
    f.namespace === undefined ? undefined : checkNamespace("--namespace", f.namespace);
  const secretName = objectName("--name", f.name);
  const credential = {
    server: host.domain,
    username: f.username,
    password,
    ...(f.email ? { email: f.email } : {}),
  };
  if (!f.attach) {
    printObjects([buildPullSecret(credential, secretName, flagNamespace)], f.output);
    return;
  }
  const { state, namespace } = await attachTarget(bundle, f, flagNamespace);
  printObjects(
    [
      buildPullSecret(credential, secretName, namespace),
      buildDefaultServiceAccount(secretName, namespace, state),
    ],
    f.output,
  );
}

export function registerPullSecret(registry: Command): void {
  const command = registry
    .command("pull-secret")
    .description(
      "print a kubernetes.io/dockerconfigjson Secret (as kubectl create secret docker-registry)",
    )
    .requiredOption("--server <host[:port]>", "the registry")
    .requiredOption("--username <name>", "the user")
    .option(
      "--password <password>",
      "the password (visible in the process list: prefer --password-stdin)",
    )
    .option("--password-stdin", "read the password from standard input")
    .option("--name <name>", "name of the Secret", "regcred")
    .option("--namespace <name>", "namespace of the Secret (default: kubectl's current one)")
    .option("--email <email>", "email stored with the credentials")
    .option(
      "--attach",
      "also print the namespace's default ServiceAccount with the secret added to its live imagePullSecrets",
    )
    .option(
      "--kubeconfig <file>",
      "with --attach: read the ServiceAccount through this kubeconfig (default $KUBECONFIG, else ~/.kube/config)",
    )
    .option("--context <name>", "with --attach: the kubeconfig context (default: its current one)")
    .option(
      "--service-account-file <file>",
      "with --attach: merge into this ServiceAccount (kubectl get serviceaccount default -o json) instead of reading the cluster",
    )
    .addOption(outputOption(YAML_OR_JSON, "yaml"))
    .action(pullSecret);
  examples(command, [
    [
      "a pull Secret, the password read from standard input",
      "customs registry pull-secret --server registry.example.com --username ci --password-stdin < pw | kubectl apply -f -",
    ],
    [
      "and added to the namespace's default ServiceAccount",
      "customs registry pull-secret --server registry.example.com --username ci --password-stdin --attach --namespace apps < pw | kubectl apply -f -",
    ],
  ]);
}
