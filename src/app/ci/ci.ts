import { dirname, join } from "node:path";
import { readInputs, readTextFile } from "../../adapters/files/index.js";
import type { HarborOptions } from "../../adapters/harbor/index.js";
import type { RegistryClient } from "../../adapters/registry/index.js";
import { type CiConfig, validateCiConfig } from "../../core/ci/index.js";
import { CustomsError } from "../../core/errors.js";
import type { FindingReport } from "../../core/findings/types.js";
import { compileGlob, type Glob } from "../../core/glob.js";
import type { TagHandling } from "../../core/policy/index.js";
import { checkWithFacts, toCheckFindings } from "../check/index.js";
import { loadPolicySet, parseDocuments } from "../documents/index.js";

export const CI_CONFIG_FILE = "customs.yaml";

export interface LoadedCiConfig {
  readonly config: CiConfig;
  /** Folder the config's paths are relative to. */
  readonly base: string;
  readonly warnings: readonly string[];
}

/** Reads and validates `customs.yaml`; every problem names the file and the field. */
export async function loadCiConfig(file: string): Promise<LoadedCiConfig> {
  let text: string;
  try {
    text = await readTextFile(file);
  } catch (e) {
    if (file !== CI_CONFIG_FILE || !(e instanceof CustomsError)) throw e;
    throw new CustomsError(
      e.code,
      `${e.message} (customs ci reads customs.yaml at the repository root; see docs/ci.md)`,
    );
  }
  const docs = parseDocuments(text, file);
  if (docs.length !== 1) {
    throw new CustomsError(
      "CI_CONFIG_INVALID",
      `${file}: expected one YAML document, found ${docs.length}`,
    );
  }
  const result = validateCiConfig(docs[0]?.value);
  const where = (path: string) => `${file}: ${path === "" ? "" : `${path}: `}`;
  if (!result.ok) {
    throw new CustomsError(
      "CI_CONFIG_INVALID",
      result.issues.map((i) => `${where(i.path)}${i.message}`).join("\n"),
    );
  }
  return {
    config: result.config,
    base: dirname(file),
    warnings: result.issues.map((i) => `${where(i.path)}${i.message}`),
  };
}

/** What a check may need from outside the repository. */
export interface CiContext {
  /** The registry client, made on first use from the command's registry flags. */
  readonly registry: () => Promise<RegistryClient>;
  /** A Harbor for the vulnerability reports of supply-chain policies (`--harbor-url`). */
  readonly harbor?: HarborOptions;
  /** How long fetching supply-chain facts may take in all (`--facts-timeout`). */
  readonly factsBudgetMs?: number;
  /** Tags under signature, provenance and vulnerability policies (`--tag-handling`). */
  readonly tagHandling?: TagHandling;
}

/** One check of `customs ci`: given the config, its findings. */
export type CiRunner = (
  config: CiConfig,
  base: string,
  context: CiContext,
) => Promise<FindingReport | undefined>;

/** Paths of the config, relative to its folder. */
export const at = (base: string, paths: readonly string[]) => paths.map((p) => join(base, p));

/**
 * The config's `exclude` globs, compiled. Sources are named from the working directory, so a
 * pattern with `/` (a path) is anchored at the config's folder, as the config's `paths` are; a
 * bare name matches at any depth wherever the config lives.
 */
export const excludeAt = (base: string, patterns: readonly string[]): Glob[] =>
  patterns.map((p) => compileGlob(p.includes("/") ? join(base, p) : p));

/** Supply-chain facts of every image of a CI run must be fetched within this time by default. */
export const CI_FACTS_BUDGET_MS = 120_000;

/** `checks.manifests`: the same check as `customs check`, as findings. */
export const runManifestsCheck: CiRunner = async (config, base, context) => {
  const m = config.manifests;
  if (m === undefined) return undefined;
  const { set } = loadPolicySet(await readInputs(at(base, m.policies)));
  const report = await checkWithFacts(
    set,
    await readInputs(at(base, m.paths), undefined, undefined, {
      exclude: excludeAt(base, m.exclude),
    }),
    m.cluster === undefined ? {} : { cluster: m.cluster },
    {
      registry: context.registry,
      budgetMs: context.factsBudgetMs ?? CI_FACTS_BUDGET_MS,
      ...(context.tagHandling === undefined ? {} : { tagHandling: context.tagHandling }),
      ...(context.harbor === undefined ? {} : { harbor: context.harbor }),
    },
  );
  return toCheckFindings(report);
};

/** Checks run at once: they read files and wait on registries, and CI machines are small. */
export const CI_CONCURRENCY = 3;

type Outcome =
  | { readonly ok: true; readonly report?: FindingReport }
  | { readonly ok: false; readonly error: unknown };

/**
 * Runs every check the config lists, up to `concurrency` at a time, and returns their reports
 * in the runners' order, whatever order they finish in: the output is the same as one after
 * the other. A check that cannot run (unreadable input, bad policy) stops the whole run with
 * exit 2: a CI gate that skipped a check would pass a change it never looked at. The checks
 * already running finish, no further check starts, and the error thrown is that of the first
 * failed check in the runners' order, so the message does not depend on timing. Checks start
 * in order, so every check before a failed one has started and its outcome is known.
 */
export async function runCiChecks(
  config: CiConfig,
  base: string,
  runners: readonly CiRunner[],
  context: CiContext,
  concurrency = CI_CONCURRENCY,
): Promise<FindingReport[]> {
  const outcomes: (Outcome | undefined)[] = runners.map(() => undefined);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < runners.length) {
      const index = next++;
      const run = runners[index] as CiRunner;
      try {
        outcomes[index] = { ok: true, report: await run(config, base, context) };
      } catch (error) {
        outcomes[index] = { ok: false, error };
        failed = true;
      }
    }
  };
  const workers = Math.max(1, Math.min(concurrency, runners.length));
  await Promise.all(Array.from({ length: workers }, worker));
  const reports: FindingReport[] = [];
  for (const outcome of outcomes) {
    if (outcome === undefined) break;
    if (!outcome.ok) throw outcome.error;
    if (outcome.report !== undefined) reports.push(outcome.report);
  }
  return reports;
}
