import { createHash } from "node:crypto";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { readInputs, readOptionalTextFile, readTextFile } from "../../adapters/files/index.js";
import {
  type BasePolicy,
  DOCKERFILE_RULES,
  type DockerfileConfig,
  EMPTY_CONFIG,
  evaluateDockerfile,
  parseDockerfile,
  parseDockerfileConfig,
  type StageSelection,
} from "../../core/dockerfile/index.js";
import { CustomsError } from "../../core/errors.js";
import { createEvaluator, toNamespaceFacts } from "../../core/evaluate/index.js";
import type { Finding, FindingReport } from "../../core/findings/types.js";
import type { Glob } from "../../core/glob.js";
import { DEFAULT_NAMESPACE } from "../check/index.js";
import { loadPolicySet } from "../documents/index.js";
import { readDockerfiles } from "./dockerfile-files.js";

/** Where the configuration is looked for when `--config` is not given. */
export const DEFAULT_CONFIG_PATH = join(".customs", "dockerfile.yaml");

/**
 * Reads the lint configuration: `path` when given (it must exist), otherwise
 * `.customs/dockerfile.yaml` under `cwd` when present, otherwise the defaults.
 */
export async function loadDockerfileConfig(
  path: string | undefined,
  cwd = process.cwd(),
): Promise<DockerfileConfig> {
  const source = path ?? DEFAULT_CONFIG_PATH;
  const text =
    path === undefined
      ? await readOptionalTextFile(join(cwd, DEFAULT_CONFIG_PATH), { name: source })
      : await readTextFile(path);
  if (text === undefined) return EMPTY_CONFIG;
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (e) {
    throw new CustomsError("DOCKERFILE_CONFIG_INVALID", `${source}: ${(e as Error).message}`);
  }
  return parseDockerfileConfig(value, source);
}

export interface DockerfileLintOptions {
  readonly config?: DockerfileConfig;
  /** ImagePolicy/Workspace files or folders; base images are judged by them when given. */
  readonly policies?: readonly string[];
  /** The namespace base images are judged as if they ran in. */
  readonly namespace?: string;
  /** Which stages' base images CD004 judges (default: the configuration's, else `final`). */
  readonly stages?: StageSelection;
  /** The stage built, as `docker build --target`. */
  readonly target?: string;
  /** Files found in folders that match one of these are not read. */
  readonly exclude?: readonly Glob[];
}

/** 16 hex digits of SHA-256: stable across runs and machines, short in SARIF. */
function fingerprint(seed: string): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, 16);
}

/** `customs dockerfile lint`: every Dockerfile of the inputs, one report. */
export async function lintDockerfiles(
  inputs: readonly string[],
  options: DockerfileLintOptions = {},
): Promise<FindingReport> {
  let policy: BasePolicy | undefined;
  if (options.policies !== undefined && options.policies.length > 0) {
    const { set } = loadPolicySet(await readInputs(options.policies));
    const namespace = options.namespace ?? DEFAULT_NAMESPACE;
    policy = {
      evaluator: createEvaluator(set, undefined, { now: Date.now }),
      namespace: toNamespaceFacts(namespace),
    };
  }
  const texts = await readDockerfiles(inputs, undefined, options.exclude);
  // Every file is read before any is judged: one unreadable file is exit 2, not a
  // partial report.
  const files = texts.map(({ source, text }) => ({ source, file: parseDockerfile(text, source) }));
  const findings: Finding[] = files.flatMap(({ source, file }) =>
    evaluateDockerfile(file, source, {
      config: options.config,
      policy,
      fingerprint,
      ...(options.stages === undefined ? {} : { stages: options.stages }),
      ...(options.target === undefined ? {} : { target: options.target }),
    }),
  );
  const used = new Set(findings.map((f) => f.ruleId));
  return {
    tool: "dockerfile",
    findings,
    rules: DOCKERFILE_RULES.filter((r) => used.has(r.id)),
    scanned: {
      files: files.length,
      stages: files.reduce((n, f) => n + f.file.stages.length, 0),
    },
  };
}
