import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import type { TlsMode } from "../../adapters/registry-bundle/index.js";
// objects.js alone, for the option's default: the bundle's index loads bcrypt, which every
// other command would pay for at start.
import { REGISTRY_IMAGE } from "../../adapters/registry-bundle/objects.js";
import { CustomsError } from "../../core/errors.js";
import { isDnsLabel } from "../../core/policy/index.js";
import { type OutputFormat, outputOption, YAML_OR_JSON } from "../flags/index.js";
import { examples } from "../help.js";
import { collect } from "../io.js";
import { objectName, printObjects } from "./registry-print.js";
import { registerPullSecret } from "./registry-pull-secret.js";
import {
  addTokenManifestOptions,
  registerRegistryToken,
  type TokenManifestFlags,
  tokenAuthOptions,
} from "./registry-token.js";

interface ManifestsFlags extends TokenManifestFlags {
  host: string;
  namespace: string;
  storageClass?: string;
  size: string;
  tlsSecret?: string;
  selfSigned?: boolean;
  certManagerIssuer?: string;
  certManagerIssuerKind: string;
  user?: string[];
  workspace?: string;
  ingressNamespace?: string;
  ingressClass?: string;
  pullSecretName: string;
  pullSecretNamespace?: string[];
  certDays: string;
  registryImage: string;
  imagePolicy: boolean;
  writeCa?: string;
  output: OutputFormat;
}

const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
function tlsMode(f: ManifestsFlags): TlsMode {
  if (f.certManagerIssuer !== undefined) {
    if (f.selfSigned)
      throw new CustomsError("USAGE", "--self-signed and --cert-manager-issuer exclude each other");
    if (f.certManagerIssuerKind !== "Issuer" && f.certManagerIssuerKind !== "ClusterIssuer")
      throw new CustomsError("USAGE", "--cert-manager-issuer-kind is Issuer or ClusterIssuer");
    return {
      kind: "cert-manager",
      issuer: objectName("--cert-manager-issuer", f.certManagerIssuer),
      issuerKind: f.certManagerIssuerKind,
    };
  }
  if (f.tlsSecret !== undefined) {
    if (f.selfSigned)
      throw new CustomsError("USAGE", "--self-signed and --tls-secret exclude each other");
    return { kind: "secret" };
  }
  return { kind: "self-signed" };
}

async function manifests(f: ManifestsFlags): Promise<void> {
  const { checkImage, checkNamespace, parseRegistryHost, parseUsers } = await import(
    "../../adapters/registry-bundle/index.js"
  );
  const { renderRegistryBundle } = await import("../../app/registry/bundle.js");
  const host = parseRegistryHost(f.host);
  const namespace = checkNamespace("--namespace", f.namespace);
  const users = parseUsers(f.user ?? []);
  const auth = await tokenAuthOptions(f, users.length);
  if (users.length === 0 && auth === undefined)
    throw new CustomsError(
      "USAGE",
      "give at least one --user NAME:PASSWORD (the registry requires a login)",
    );
  if (!QUANTITY.test(f.size))
    throw new CustomsError("USAGE", `--size: "${f.size}" is not a quantity such as 20Gi`);
  if (f.workspace !== undefined && !isDnsLabel(f.workspace))
    throw new CustomsError("USAGE", `--workspace: "${f.workspace}" is not a valid workspace name`);
  const certDays = Number(f.certDays);
  if (!Number.isInteger(certDays) || certDays < 1 || certDays > 3650)
    throw new CustomsError("USAGE", "--cert-days must be an integer from 1 to 3650");
  const tls = tlsMode(f);
  const rendered = await renderRegistryBundle({
    host,
    namespace,
    storageClass:
      f.storageClass === undefined ? undefined : objectName("--storage-class", f.storageClass),
    size: f.size,
    tlsSecret: objectName("--tls-secret", f.tlsSecret ?? "registry-tls"),
    tls,
    ingressNamespace:
      f.ingressNamespace === undefined
        ? undefined
        : checkNamespace("--ingress-namespace", f.ingressNamespace),
    ingressClass:
      f.ingressClass === undefined ? undefined : objectName("--ingress-class", f.ingressClass),
    workspace: f.workspace,
    registryImage: checkImage("--registry-image", f.registryImage),
    users,
    pullSecretName: objectName("--pull-secret-name", f.pullSecretName),
    pullSecretNamespaces: [
      ...new Set(
        (f.pullSecretNamespace ?? ["default"]).map((ns) =>
          checkNamespace("--pull-secret-namespace", ns),
        ),
      ),
    ],
    certDays,
    imagePolicy: f.imagePolicy,
    ...(auth ? { auth } : {}),
  });
  printObjects(rendered.objects, f.output);
  if (rendered.caPem !== undefined) {
    if (f.writeCa) writeFileSync(f.writeCa, rendered.caPem);
    const where = f.writeCa ? `saved to ${f.writeCa}; also ` : "";
    process.stderr.write(
      `customs: the registry's CA certificate is ${where}in Secret ${namespace}/${f.tlsSecret ?? "registry-tls"} (key ca.crt).\n` +
        `customs: nodes must trust it to pull, e.g. containerd: /etc/containerd/certs.d/${host.domain}/ca.crt (see docs/registry.md).\n`,
    );
  }
}

export function registerRegistry(program: Command): void {
  const registry = program
    .command("registry")
    .description("deploy a private registry in the cluster and pull from it");
  const manifestsCommand = registry
    .command("manifests")
    .description(
      "print the manifests of an in-cluster Docker Distribution registry (kubectl apply -f -)",
    )
    .requiredOption(
      "--host <host[:port]>",
      "the registry's name in image references (the Ingress host)",
    )
    .option("--namespace <name>", "namespace of the registry", "registry")
    .option("--storage-class <name>", "storage class of the data volume (default: the cluster's)")
    .option("--size <quantity>", "size of the data volume", "20Gi")
    .option("--tls-secret <name>", "serve this existing kubernetes.io/tls Secret")
    .option("--self-signed", "make a CA and a serving certificate (the default)")
    .option("--cert-manager-issuer <name>", "let cert-manager issue the certificate")
    .option("--cert-manager-issuer-kind <kind>", "Issuer or ClusterIssuer", "ClusterIssuer")
    .option("--user <name:password>", "a registry user (repeatable; the first one pulls)", collect)
    .option("--workspace <name>", "scope the ImagePolicy to this workspace (default: organization)")
    .option(
      "--ingress-namespace <name>",
      "only this namespace may reach the registry (default: any)",
    )
    .option("--ingress-class <name>", "ingressClassName of the Ingress")
    .option("--pull-secret-name <name>", "name of the pull Secret", "regcred")
    .option(
      "--pull-secret-namespace <name>",
      "namespace of the pull Secret (repeatable; default: default)",
      collect,
    )
    .option("--cert-days <n>", "validity of the serving certificate", "365")
    .option(
      "--registry-image <image>",
      "image of the registry (registry:2-compatible)",
      REGISTRY_IMAGE,
    )
    .option("--no-image-policy", "leave out the ImagePolicy (admit only this registry's digests)")
    .option("--write-ca <file>", "also save the self-signed CA certificate to this file")
    .addOption(outputOption(YAML_OR_JSON, "yaml"));
  addTokenManifestOptions(manifestsCommand).action(manifests);
  examples(manifestsCommand, [
    [
      "a registry at registry.example.com with one user",
      "customs registry manifests --host registry.example.com --user ci:$(openssl rand -hex 16) | kubectl apply -f -",
    ],
    [
      "token authentication with pull and push accounts",
      "customs registry manifests --host registry.example.com --auth token | kubectl apply -f -",
    ],
  ]);
  registerPullSecret(registry);
  registerRegistryToken(registry);
}
