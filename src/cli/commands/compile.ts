import type { Command } from "commander";
import { readInputs } from "../../adapters/files/index.js";
import { loadPolicySet } from "../../app/documents/index.js";
import { CustomsError } from "../../core/errors.js";
import {
  checkExtensions,
  DEFAULT_EXEMPT_NAMESPACES,
  extensionsByParent,
  isDnsLabel,
} from "../../core/policy/index.js";
import { type OutputFormat, outputOption, policyOption, YAML_OR_JSON } from "../flags/index.js";
import { examples } from "../help.js";
import { collect, EXIT_DENIED, EXIT_OK, write } from "../io.js";
import { toYamlStream } from "./install.js";

interface CompileFlags {
  policy: string[];
  cluster?: string;
  exemptNamespace?: string[];
  exemptNamespaces: boolean;
  output: OutputFormat;
}

/**
 * The namespaces native policies leave alone: the ones given (which replace the defaults), the
 * defaults (the webhook's), or none with --no-exempt-namespaces.
 */
export function exemptNamespacesOf(given: string[] | undefined, enabled = true): string[] {
  if (!enabled) return [];
  const list = given ?? [...DEFAULT_EXEMPT_NAMESPACES];
  for (const ns of list) {
    if (!isDnsLabel(ns))
      throw new CustomsError("USAGE", `--exempt-namespace: "${ns}" is not a valid namespace name`);
  }
  return [...new Set(list)];
}

export function registerCompile(program: Command): void {
  const compile = program
    .command("compile")
    .description("compile policies to native Kubernetes objects");
  const vap = policyOption(
    compile
      .command("vap")
      .description(
        "write a ValidatingAdmissionPolicy and its binding(s) for every policy CEL can express",
      ),
  )
    .option("--cluster <name>", "the cluster the objects are for (CLUSTER/NAMESPACE entries)")
    .option(
      "--exempt-namespace <name>",
      `namespace no binding selects (repeatable; replaces the defaults: ${DEFAULT_EXEMPT_NAMESPACES.join(", ")})`,
      collect,
    )
    .option("--no-exempt-namespaces", "exempt no namespace (not even kube-system)")
    .addOption(outputOption(YAML_OR_JSON, "yaml"));
  examples(vap, [
    [
      "native policies for a cluster, applied directly",
      "customs compile vap -p policies/ | kubectl apply -f -",
    ],
    [
      "for the cluster named prod, exempting only kube-system",
      "customs compile vap -p policies/ --cluster prod --exempt-namespace kube-system",
    ],
  ]);
  vap.action(async (flags: CompileFlags) => {
    const exemptNamespaces = exemptNamespacesOf(flags.exemptNamespace, flags.exemptNamespaces);
    const { loaded } = loadPolicySet(await readInputs(flags.policy));
    const { buildVap, canCompileToVap, exceptionsFor } = await import(
      "../../adapters/vap/index.js"
    );
    const objects: unknown[] = [];
    const refused: string[] = [];
    // CEL has no clock: exceptions are compiled in as they stand now (see docs/vap.md).
    const now = Date.now();
    const exceptions = {
      exceptions: loaded.exceptions,
      now,
      ...(flags.cluster ? { cluster: flags.cluster } : {}),
    };
    let recompileBy: number | undefined;
    // Extensions are compiled into their parent's native policy (loadPolicySet has refused
    // any that fail the set's checks).
    const checked = checkExtensions(loaded.policies).policies;
    const byParent = extensionsByParent(checked);
    for (const policy of checked) {
      if (policy.extension !== undefined) continue;
      const extensions = byParent.get(policy.name) ?? [];
      const check = canCompileToVap(policy, extensions, exceptions);
      if (!check.ok) {
        refused.push(`${policy.name}: ${check.reasons.join("; ")}`);
        continue;
      }
      const vap = buildVap(policy, loaded.workspaces, {
        ...exceptions,
        exemptNamespaces,
        extensions,
      });
      for (const e of exceptionsFor(policy, exceptions)) {
        recompileBy = Math.min(recompileBy ?? e.expiresAt, e.expiresAt);
      }
      objects.push(vap.policy, ...vap.bindings);
    }
    if (flags.output === "json")
      write(`${JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }, null, 2)}\n`);
    else write(toYamlStream(objects));
    // Policies left out are named on stderr, and the exit status says so: a native-only
    // cluster would not enforce them.
    for (const r of refused) process.stderr.write(`customs: not compiled: ${r}\n`);
    if (recompileBy !== undefined) {
      const at = new Date(recompileBy).toISOString().replace(/\.000Z$/, "Z");
      process.stderr.write(
        `customs: warning: these native policies include ImagePolicyExceptions; the first expires at ${at}: compile and apply them again before then (annotation customs.dev/recompile-by)\n`,
      );
    }
    process.exitCode = refused.length > 0 ? EXIT_DENIED : EXIT_OK;
  });
}
