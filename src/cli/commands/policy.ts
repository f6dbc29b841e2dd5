import type { Command } from "commander";
import { readInputs } from "../../adapters/files/index.js";
import { formatIssue, loadPolicies, loadPolicySet } from "../../app/documents/index.js";
import { CustomsError } from "../../core/errors.js";
import { explainImage, toNamespaceFacts } from "../../core/evaluate/index.js";
import { isDnsLabel, isLabelKey, isLabelValue, printable } from "../../core/policy/index.js";
import {
  type ExcludeFlags,
  excludeOption,
  HUMAN_OR_JSON,
  type OutputFormat,
  outputOption,
  parseExclude,
  policyOption,
} from "../flags/index.js";
import { examples } from "../help.js";
import { EXIT_DENIED, EXIT_INPUT, EXIT_OK, write, writeJson } from "../io.js";
import { createStyle } from "../output/style.js";

/** `k=v,k2=v2` into labels, refusing anything a Namespace could not carry. */
export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = Object.create(null);
  for (const pair of text.split(",")) {
    if (pair.trim() === "") continue;
    const eq = pair.indexOf("=");
    const key = (eq === -1 ? pair : pair.slice(0, eq)).trim();
    const value = eq === -1 ? "" : pair.slice(eq + 1).trim();
    if (eq === -1 || !isLabelKey(key) || !isLabelValue(value)) {
      throw new CustomsError(
        "USAGE",
        `--namespace-labels: "${pair}" is not a valid KEY=VALUE label`,
      );
    }
    labels[key] = value;
  }
  return labels;
}

interface ValidateFlags extends ExcludeFlags {
  output: OutputFormat;
  strict?: boolean;
}

function registerValidate(policy: Command): void {
  const command = policy
    .command("validate")
    .description(
      "validate ImagePolicy, Workspace and ImagePolicyException documents, and lint them",
    )
    .addOption(outputOption(HUMAN_OR_JSON, "human"))
    .option("--strict", "fail on lint warnings too")
    .argument("<paths...>", "files or folders");
  excludeOption(command);
  examples(command, [
    ["validate and lint a folder of policies", "customs policy validate policies/"],
    ["fail on lint warnings too, in CI", "customs policy validate --strict policies/"],
  ]);
  command.action(async (paths: string[], flags: ValidateFlags) => {
    const exclude = parseExclude(flags);
    const loaded = loadPolicies(await readInputs(paths, undefined, undefined, { exclude }));
    const errors = loaded.issues.filter((i) => i.severity === "error").length;
    const warnings = loaded.issues.length - errors;
    if (flags.output === "json") {
      writeJson({
        policies: loaded.policies.length,
        workspaces: loaded.workspaces.length,
        exceptions: loaded.exceptions.length,
        issues: loaded.issues,
      });
    } else {
      const style = createStyle(process.stdout);
      for (const issue of loaded.issues) {
        const tag = issue.severity === "error" ? style.red("error") : style.yellow("warning");
        write(`${tag} ${issue.code}: ${formatIssue(issue)}\n`);
      }
      write(
        `${loaded.policies.length} policies, ${loaded.workspaces.length} workspaces${loaded.exceptions.length === 0 ? "" : `, ${loaded.exceptions.length} exceptions`}: ${errors} errors, ${warnings} warnings\n`,
      );
    }
    if (errors > 0 || (flags.strict && warnings > 0)) process.exitCode = EXIT_INPUT;
    else if (loaded.policies.length + loaded.workspaces.length + loaded.exceptions.length === 0) {
      write("no ImagePolicy or Workspace found\n");
      process.exitCode = EXIT_INPUT;
    } else process.exitCode = EXIT_OK;
  });
}

interface ExplainFlags {
  policy: string[];
  namespace: string;
  namespaceLabels?: string;
  cluster?: string;
  workload?: string;
  output: OutputFormat;
}

/** `--workload KIND/NAME`: the workload an image would run in, for exceptions that name one. */
function parseWorkload(text: string | undefined): { kind: string; name: string } | undefined {
  if (text === undefined) return undefined;
  const at = text.indexOf("/");
  if (at <= 0 || at === text.length - 1) {
    throw new CustomsError(
      "USAGE",
      `--workload: "${printable(text, 80)}" is not KIND/NAME (e.g. Deployment/api)`,
    );
  }
  return { kind: text.slice(0, at), name: text.slice(at + 1) };
}

function registerExplain(policy: Command): void {
  const command = policyOption(
    policy
      .command("explain")
      .description(
        "show which policies apply to an image in a namespace, and why each passes or fails",
      ),
  )
    .option("-n, --namespace <name>", "namespace the image would run in", "default")
    .option("--namespace-labels <k=v,...>", "labels of that namespace")
    .option("--cluster <name>", "cluster of that namespace")
    .option("--workload <kind/name>", "workload the image would run in (for exceptions)")
    .addOption(outputOption(HUMAN_OR_JSON, "human"))
    .argument("<image>", "image reference");
  examples(command, [
    [
      "why an image is allowed or denied in a namespace",
      "customs policy explain -p policies/ -n payments nginx:1.27",
    ],
    [
      "with the namespace's labels, for policies that select by label",
      "customs policy explain -p policies/ -n web --namespace-labels team=web,env=prod nginx:1.27",
    ],
  ]);
  command.action(async (image: string, flags: ExplainFlags) => {
    if (!isDnsLabel(flags.namespace)) {
      throw new CustomsError(
        "USAGE",
        `--namespace: "${printable(flags.namespace, 80)}" is not a valid namespace name`,
      );
    }
    const { set } = loadPolicySet(await readInputs(flags.policy));
    const ns = toNamespaceFacts(
      flags.namespace,
      parseLabels(flags.namespaceLabels ?? ""),
      flags.cluster,
    );
    const workload = parseWorkload(flags.workload);
    const result = explainImage(set, ns, image, {
      now: Date.now(),
      ...(workload === undefined ? {} : { workload }),
    });
    const failing = result.policies.filter((p) => p.result === "fail");
    const denied = failing.some((p) => p.action === "deny");
    if (flags.output === "json") {
      writeJson({
        image,
        namespace: ns.name,
        ...result,
        verdict: denied ? "deny" : failing.some((p) => p.action === "warn") ? "warn" : "allow",
      });
    } else {
      const style = createStyle(process.stdout);
      write(`image ${printable(image)} → ${result.normalizedImage || "(not a valid reference)"}\n`);
      write(`namespace ${ns.name}, workspaces: ${result.workspaces.join(", ") || "none"}\n\n`);
      for (const p of result.policies) {
        const mark =
          p.result === "pass"
            ? style.green("pass")
            : p.result === "fail"
              ? style.red("FAIL")
              : p.result === "exempted"
                ? style.yellow("EXEMPTED")
                : style.dim("skip");
        write(`${mark} ${style.bold(p.policy)} (${p.recipe}, ${p.scope}, action ${p.action})\n`);
        write(`     applies: ${p.applies ? "yes" : "no"}: ${p.why}\n`);
        if (p.applies) write(`     ${p.code ? `${p.code}: ` : ""}${p.detail}\n`);
        for (const e of p.extensions ?? []) {
          const widens = e.applies ? "widens it here" : "does not widen it here";
          write(`     extended by ${e.policy} (${e.scope}): ${widens}: ${e.why}\n`);
        }
      }
    }
    process.exitCode = denied ? EXIT_DENIED : EXIT_OK;
  });
}

export function registerPolicy(program: Command): void {
  const policy = program.command("policy").description("validate and explain image policies");
  registerValidate(policy);
  registerExplain(policy);
}
