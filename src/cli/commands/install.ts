import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { stringify } from "yaml";
import { renderInstall } from "../../app/install.js";
import { CustomsError } from "../../core/errors.js";
import { isDnsLabel } from "../../core/policy/index.js";
import { productVersion, write } from "../io.js";

interface InstallFlags {
  namespace: string;
  image?: string;
  replicas: string;
  timeout: string;
  certManager?: boolean;
  caCert?: string;
  caKey?: string;
  previousCa?: string;
  writeCa?: string;
  certDays: string;
  output: string;
  mutate?: boolean;
}

export function toYamlStream(objects: readonly unknown[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join("");
}

function int(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CustomsError("USAGE", `${name} must be an integer from ${min} to ${max}`);
  return n;
}

export function registerInstall(program: Command): void {
  program
    .command("install")
    .description(
      "print the manifests that install the admission webhook (apply with kubectl apply -f -)",
    )
    .option("--namespace <name>", "namespace for the webhook", "customs-system")
    .option("--image <image>", "the webhook's container image (default: customs:VERSION)")
    .option("--replicas <n>", "webhook replicas", "2")
    .option("--timeout <seconds>", "how long the API server waits for the webhook", "5")
    .option("--cert-manager", "let cert-manager issue and rotate the serving certificate")
    .option(
      "--ca-cert <file>",
      "reuse this CA certificate (with --ca-key) instead of making a new one",
    )
    .option("--ca-key <file>", "the CA's private key")
    .option("--previous-ca <file>", "also trust this CA during a rotation")
    .option("--write-ca <prefix>", "save the CA as PREFIX.crt and PREFIX.key for later rotations")
    .option("--cert-days <n>", "validity of the serving certificate", "365")
    .option(
      "--mutate",
      "also register POST /mutate (digest pinning for policies with pinDigests: true)",
    )
    .option("-o, --output <format>", "yaml or json", "yaml")
    .action(async (flags: InstallFlags) => {
      if (!isDnsLabel(flags.namespace))
        throw new CustomsError(
          "USAGE",
          `--namespace: "${flags.namespace}" is not a valid namespace name`,
        );
      if ((flags.caCert === undefined) !== (flags.caKey === undefined))
        throw new CustomsError("USAGE", "--ca-cert and --ca-key go together");
      const rendered = await renderInstall({
        namespace: flags.namespace,
        image: flags.image ?? `customs:${productVersion()}`,
        replicas: int("--replicas", flags.replicas, 1, 20),
        timeoutSeconds: int("--timeout", flags.timeout, 1, 30),
        certManager: flags.certManager === true,
        mutate: flags.mutate === true,
        certDays: int("--cert-days", flags.certDays, 1, 3650),
        ...(flags.caCert && flags.caKey
          ? {
              ca: {
                certPem: readFileSync(flags.caCert, "utf8"),
                keyPem: readFileSync(flags.caKey, "utf8"),
              },
            }
          : {}),
        ...(flags.previousCa ? { previousCaPem: readFileSync(flags.previousCa, "utf8") } : {}),
      });
      if (flags.writeCa && rendered.ca) {
        writeFileSync(`${flags.writeCa}.crt`, rendered.ca.certPem);
        writeFileSync(`${flags.writeCa}.key`, rendered.ca.keyPem, { mode: 0o600 });
      }
      if (flags.output === "json")
        write(
          `${JSON.stringify({ apiVersion: "v1", kind: "List", items: rendered.objects }, null, 2)}\n`,
        );
      else write(toYamlStream(rendered.objects));
    });
}
