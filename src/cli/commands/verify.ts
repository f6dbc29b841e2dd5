import type { Command } from "commander";
import { readTextFile } from "../../adapters/files/index.js";
import type { VerifyReport } from "../../app/supply/index.js";
import { CustomsError } from "../../core/errors.js";
import { printable } from "../../core/policy/index.js";
import { parseNormalized } from "../../core/reference/index.js";
import {
  clientFrom,
  HUMAN_OR_JSON,
  type OutputFormat,
  outputOption,
  type RegistryFlags,
  registryOptions,
} from "../flags/index.js";
import { examples } from "../help.js";
import { collect, EXIT_DENIED, EXIT_INPUT, EXIT_OK, parseMs, write, writeJson } from "../io.js";

interface VerifyFlags extends RegistryFlags {
  key?: string[];
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  trustedRoot?: string;
  requireTlog?: boolean;
  attestations?: boolean;
  type?: string[];
  output: OutputFormat;
  timeout: string;
}

function hasIdentity(flags: VerifyFlags): boolean {
  return [
    flags.certificateIdentity,
    flags.certificateIdentityRegexp,
    flags.certificateOidcIssuer,
    flags.certificateOidcIssuerRegexp,
  ].some((v) => v !== undefined);
}

export function registerVerify(program: Command): void {
  const command = registryOptions(
    program
      .command("verify")
      .description("verify an image's cosign signatures (v2 and Sigstore bundles) or attestations")
      .argument("<image>", "image reference (a tag is resolved to its digest first)")
      .option("--key <pem>", "trusted public key file (repeatable)", collect)
      .option("--certificate-identity <subject>", "keyless: the certificate's email or URI")
      .option("--certificate-identity-regexp <re2>", "keyless: RE2 pattern for the whole subject")
      .option("--certificate-oidc-issuer <url>", "keyless: the OIDC issuer")
      .option("--certificate-oidc-issuer-regexp <re2>", "keyless: RE2 pattern for the whole issuer")
      .option("--trusted-root <file>", "Sigstore trusted root JSON (default: the public-good root)")
      .option("--require-tlog", "accept only signatures with a verified transparency-log entry")
      .option("--attestations", "verify in-toto attestations instead of signatures")
      .option(
        "--type <type>",
        "attestation predicate type or cosign short name (repeatable)",
        collect,
      )
      .addOption(outputOption(HUMAN_OR_JSON, "human"))
      .option(
        "--timeout <ms>",
        "how long asking the registry may take in all (SOURCE_TIMEOUT, exit 2, past it)",
        "60000",
      ),
  );
  examples(command, [
    ["signed with a key", "customs verify --key cosign.pub ghcr.io/acme/app:1.4"],
    [
      "signed keyless by a GitHub Actions workflow",
      "customs verify --certificate-identity-regexp '^https://github.com/acme/' --certificate-oidc-issuer https://token.actions.githubusercontent.com ghcr.io/acme/app:1.4",
    ],
    [
      "SLSA provenance attestations",
      "customs verify --attestations --type slsaprovenance --key cosign.pub ghcr.io/acme/app:1.4",
    ],
  ]);
  command.action(async (image: string, flags: VerifyFlags) => {
    if ((flags.key ?? []).length === 0 && !hasIdentity(flags)) {
      throw new CustomsError(
        "USAGE",
        "give --key, or a keyless identity (--certificate-identity[-regexp] and --certificate-oidc-issuer[-regexp])",
      );
    }
    if (flags.type !== undefined && !flags.attestations) {
      throw new CustomsError("USAGE", "--type needs --attestations");
    }
    const timeoutMs = parseMs("--timeout", flags.timeout);
    const parsed = parseNormalized(image);
    if (!parsed.ok) throw new CustomsError(parsed.code, `"${printable(image)}": ${parsed.message}`);
    // Heavy modules load only when the command runs: CLI start-up stays fast.
    const { verifyWithin } = await import("../../app/supply/verify.js");
    const request = {
      keys: await Promise.all(
        (flags.key ?? []).map(async (p) => ({ id: p, pem: await readTextFile(p) })),
      ),
      identity: hasIdentity(flags)
        ? {
            subject: flags.certificateIdentity,
            subjectRegexp: flags.certificateIdentityRegexp,
            issuer: flags.certificateOidcIssuer,
            issuerRegexp: flags.certificateOidcIssuerRegexp,
          }
        : undefined,
      trustedRoot:
        flags.trustedRoot === undefined
          ? undefined
          : { source: flags.trustedRoot, text: await readTextFile(flags.trustedRoot) },
      requireTlog: flags.requireTlog === true,
      attestations: flags.attestations === true,
      types: flags.type ?? [],
    };
    const client = await clientFrom(flags);
    let report: VerifyReport;
    try {
      report = await verifyWithin(timeoutMs, client, parsed.ref, image, request);
    } finally {
      client.close();
    }
    if (flags.output === "json") writeJson(report);
    else write(toText(report));
    process.exitCode =
      report.status === "verified"
        ? EXIT_OK
        : report.status === "unavailable"
          ? EXIT_INPUT
          : EXIT_DENIED;
  });
}

function describeSigner(v: VerifyReport["verified"][number]): string {
  const s = v.signer;
  // Certificate subjects and predicate types come from signed data: printed defanged.
  return printable(s.kind === "key" ? `key ${s.keyId}` : `${s.subject} (${s.issuer})`, 500);
}

/** One line per verified or rejected signature, then the verdict. */
function toText(report: VerifyReport): string {
  const lines = report.verified.map((v) =>
    "predicateType" in v
      ? `verified: ${printable(v.predicateType, 200)} attestation by ${describeSigner(v)}`
      : `verified: ${v.format} signature by ${describeSigner(v)}${v.transparencyLog ? ", in the transparency log" : ""}`,
  );
  for (const r of report.rejected) lines.push(`rejected: ${r.code}: ${printable(r.message, 500)}`);
  // A reference that already names its digest is printed as given.
  const pinned = report.digest === undefined || report.image.includes("@");
  const target = printable(pinned ? report.image : `${report.image}@${report.digest}`, 500);
  lines.push(
    report.status === "verified"
      ? `${target}: ${report.verified.length} ${report.kind} verified`
      : `${target}: ${report.code}: ${printable(report.message ?? "", 500)}`,
  );
  return `${lines.join("\n")}\n`;
}
