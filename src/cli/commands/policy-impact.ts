/**
 * `customs policy impact` (docs/impact.md): asks a control plane what the policies and
 * exceptions in files (and the deletions named) would do to the running workloads of the
 * fleet and to the admissions of the last days, before they are applied.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { readInputs } from "../../adapters/files/index.js";
import { parseDocuments } from "../../app/documents/index.js";
import { CustomsError } from "../../core/errors.js";
import { HUMAN_OR_JSON, type OutputFormat, outputOption } from "../flags/index.js";
import { examples } from "../help.js";
import { EXIT_DENIED, productVersion, write, writeJson } from "../io.js";

interface ImpactFlags {
  policy?: string[];
  delete?: string[];
  deleteException?: string[];
  controlPlane: string;
  org: string;
  tokenFile?: string;
  caFile?: string;
  days: string;
  output: OutputFormat;
  failOnDeny?: boolean;
  timeoutSeconds: string;
}

interface Group {
  cluster: string;
  namespace: string;
  owner: { kind: string; name: string };
  images: string[];
  policies: string[];
  codes: string[];
  records?: number;
}
interface Bucket {
  workloads: number;
  clusters: number;
  groups: Group[];
  truncated: boolean;
}
interface Side {
  evaluated: number;
  wouldDeny: Bucket;
  wouldWarn: Bucket;
  alreadyDenied: Bucket;
  wouldAllow: Bucket;
}
interface Answer {
  days: number;
  changes: { op: string; kind: string; name: string }[];
  clusters: { cluster: string; status: string; asOf?: string }[];
  inventory: Side;
  admissions: Side;
  notEvaluated: string[];
}

const KINDS = ["ImagePolicy", "ImagePolicyException"];

function readText(flag: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new CustomsError("USAGE", `${flag} ${path}: ${(e as Error).message}`);
  }
}

/** The token from --token-file or CUSTOMS_TOKEN: never from argv, where `ps` shows it. */
function tokenOf(flags: ImpactFlags): string {
  const token =
    flags.tokenFile === undefined
      ? process.env.CUSTOMS_TOKEN
      : readText("--token-file", flags.tokenFile).trim();
  if (token === undefined || token === "") {
    throw new CustomsError("USAGE", "give the API token with --token-file FILE or CUSTOMS_TOKEN");
  }
  return token;
}

/** Every ImagePolicy/ImagePolicyException of the files becomes an `apply` change. */
async function changesOf(flags: ImpactFlags): Promise<Record<string, unknown>[]> {
  const changes: Record<string, unknown>[] = [];
  for (const input of await readInputs(flags.policy ?? [])) {
    for (const doc of parseDocuments(input.text, input.source)) {
      const value = doc.value as { kind?: unknown } | null;
      if (value === null || typeof value !== "object") continue;
      // Workspaces and other kinds are not changes the control plane previews.
      if (!KINDS.includes(value.kind as string)) continue;
      changes.push({ op: "apply", kind: value.kind, document: value });
    }
  }
  for (const name of flags.delete ?? []) changes.push({ op: "delete", kind: "ImagePolicy", name });
  for (const name of flags.deleteException ?? []) {
    changes.push({ op: "delete", kind: "ImagePolicyException", name });
  }
  if (changes.length === 0) {
    throw new CustomsError(
      "USAGE",
      "nothing to preview: give -p FILE with ImagePolicy or ImagePolicyException documents, or --delete NAME",
    );
  }
  return changes;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function groupLines(b: Bucket): string[] {
  const lines = b.groups.map((g) => {
    const by = g.policies.length === 0 ? "" : ` by ${g.policies.join(", ")}`;
    const records = g.records === undefined ? "" : ` (${count(g.records, "record")})`;
    return `  ${g.cluster}/${g.namespace} ${g.owner.kind}/${g.owner.name}${records}: ${g.images.join(", ")}${by}`;
  });
  if (b.truncated) lines.push(`  … and ${b.workloads - b.groups.length} more`);
  return lines;
}

function human(a: Answer): string {
  const out: string[] = [];
  const changes = a.changes.map((c) => `${c.op} ${c.kind}/${c.name}`).join(", ");
  out.push(`Impact of: ${changes}`);
  const side = (title: string, s: Side, what: string) => {
    out.push("", `${title} (${count(s.evaluated, what)} decided)`);
    out.push(
      `would deny ${count(s.wouldDeny.workloads, "workload")} in ${count(s.wouldDeny.clusters, "cluster")}`,
    );
    out.push(...groupLines(s.wouldDeny));
    if (s.wouldWarn.workloads > 0) {
      out.push(
        `would warn ${count(s.wouldWarn.workloads, "workload")}`,
        ...groupLines(s.wouldWarn),
      );
    }
    if (s.wouldAllow.workloads > 0) {
      out.push(
        `would allow ${count(s.wouldAllow.workloads, "workload")} denied now`,
        ...groupLines(s.wouldAllow),
      );
    }
    if (s.alreadyDenied.workloads > 0) {
      out.push(`already denied: ${count(s.alreadyDenied.workloads, "workload")}`);
    }
  };
  side("Running workloads", a.inventory, "workload");
  side(`Admissions of the last ${count(a.days, "day")}`, a.admissions, "workload");
  const unknown = a.clusters.filter((c) => c.status === "unknown").map((c) => c.cluster);
  if (unknown.length > 0) out.push("", `no inventory yet from: ${unknown.join(", ")}`);
  for (const n of a.notEvaluated) out.push(`note: ${n}`);
  return `${out.join("\n")}\n`;
}

function refusal(status: number, body: unknown): CustomsError {
  const error = (body as { error?: { code?: string; message?: string; details?: unknown } })?.error;
  const details = Array.isArray(error?.details)
    ? (error.details as { path: string; message: string }[])
        .slice(0, 20)
        .map((d) => `\n  ${d.path}: ${d.message}`)
        .join("")
    : "";
  return new CustomsError(
    "IMPACT_REFUSED",
    `the control plane refused the preview: ${status} ${error?.code ?? ""} ${error?.message ?? ""}${details}`,
  );
}

async function runImpact(flags: ImpactFlags): Promise<void> {
  const days = Number(flags.days);
  if (!Number.isInteger(days) || days < 1 || days > 30) {
    throw new CustomsError(
      "USAGE",
      `--days must be a whole number from 1 to 30, got "${flags.days}"`,
    );
  }
  const timeout = Number(flags.timeoutSeconds);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new CustomsError("USAGE", `--timeout-seconds must be a positive number`);
  }
  const token = tokenOf(flags);
  const ca = flags.caFile === undefined ? undefined : readText("--ca-file", flags.caFile);
  const changes = await changesOf(flags);
  const { ControlPlaneClient } = await import("../../adapters/control-plane/client.js");
  const client = new ControlPlaneClient({
    url: flags.controlPlane,
    token,
    ...(ca === undefined ? {} : { ca }),
    userAgent: `customs-cli/${productVersion()}`,
  });
  try {
    const org = encodeURIComponent(flags.org);
    const r = await client.call("POST", `/api/v1/organizations/${org}/impact`, {
      body: { changes, days },
      timeoutMs: timeout * 1000,
    });
    if (r.status !== 200) throw refusal(r.status, r.body);
    const answer = r.body as Answer;
    if (flags.output === "json") writeJson(answer);
    else write(human(answer));
    if (flags.failOnDeny && answer.inventory.wouldDeny.workloads > 0)
      process.exitCode = EXIT_DENIED;
  } finally {
    client.close();
  }
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `policy impact` joins the `policy` command registered by policy.ts. */
export function registerPolicyImpact(program: Command): void {
  const policy =
    program.commands.find((c) => c.name() === "policy") ??
    program.command("policy").description("validate and explain image policies");
  const command = policy
    .command("impact")
    .description(
      "preview what policies and exceptions would deny among the fleet's running workloads and recent admissions, before applying them",
    )
    .option(
      "-p, --policy <path>",
      "ImagePolicy/ImagePolicyException file or folder (repeatable): created or updated by name",
      collect,
    )
    .option("--delete <name>", "preview deleting this ImagePolicy (repeatable)", collect)
    .option(
      "--delete-exception <name>",
      "preview deleting this ImagePolicyException (repeatable)",
      collect,
    )
    .requiredOption("--control-plane <url>", "the control plane's https:// URL")
    .option("--org <name>", "the organization", "default")
    .option("--token-file <file>", "file holding the API token (else CUSTOMS_TOKEN)")
    .option("--ca-file <file>", "CA (PEM) to trust for the control plane's certificate")
    .option("--days <n>", "admissions of the last N days (1-30)", "7")
    .option("--timeout-seconds <n>", "how long to wait for the answer", "30")
    .option("--fail-on-deny", "exit 1 when the change would deny a running workload (CI gates)")
    .addOption(outputOption(HUMAN_OR_JSON, "human"));
  examples(command, [
    [
      "what a new policy would deny in the fleet",
      "customs policy impact -p corp-registry.yaml --control-plane https://customs.example.com --token-file api.token",
    ],
    [
      "gate a pull request on it",
      "customs policy impact -p policies/ --control-plane $URL --fail-on-deny -o json",
    ],
    [
      "what deleting a policy would allow",
      "customs policy impact --delete no-latest --control-plane $URL",
    ],
  ]);
  command.action(runImpact);
}
