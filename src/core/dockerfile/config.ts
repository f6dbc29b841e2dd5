import { CustomsError } from "../errors.js";
import { SEVERITIES, type Severity } from "../findings/types.js";
import { IssueCollector, join, readEnum, readObject } from "../policy/fields.js";
import { STAGE_SELECTIONS, type StageSelection } from "./check-types.js";
import { RULE_IDS } from "./rules.js";

/**
 * `.customs/dockerfile.yaml`: which rules run and how severe they are.
 *
 *   rules:
 *     CD003: off        # a rule turned off
 *     CD014: medium     # a rule's severity changed
 *   failOn: medium      # default for --fail-on
 *   stages: all         # CD004 judges every stage's base, not only the final one
 */
export interface DockerfileConfig {
  /** `off`, or the severity the rule's findings get. */
  readonly rules: ReadonlyMap<string, Severity | "off">;
  readonly failOn?: Severity;
  /** Default for --stages. */
  readonly stages?: StageSelection;
}

export const EMPTY_CONFIG: DockerfileConfig = { rules: new Map() };

const SETTINGS = ["off", ...SEVERITIES] as const;

/** Validates a parsed configuration document; every problem is reported with its field path. */
export function parseDockerfileConfig(value: unknown, source: string): DockerfileConfig {
  const issues = new IssueCollector();
  const rules = new Map<string, Severity | "off">();
  let failOn: Severity | undefined;
  let stages: StageSelection | undefined;
  // An empty file is an empty configuration.
  const root = readObject(issues, "", value ?? {}, ["rules", "failOn", "stages"]);
  if (root !== undefined) {
    if (root.failOn !== undefined) failOn = readEnum(issues, "failOn", root.failOn, SEVERITIES);
    if (root.stages !== undefined) {
      stages = readEnum(issues, "stages", root.stages, STAGE_SELECTIONS);
    }
    const table =
      root.rules === undefined
        ? {}
        : readObject(issues, "rules", root.rules, RULE_IDS, "rule IDs CD001…");
    for (const [id, setting] of Object.entries(table ?? {})) {
      if (!RULE_IDS.includes(id)) continue;
      // YAML 1.1 readers turn `off` into false; both mean the rule does not run.
      const read =
        setting === false ? "off" : readEnum(issues, join("rules", id), setting, SETTINGS);
      if (read !== undefined) rules.set(id, read);
    }
  }
  if (issues.issues.length > 0) {
    const lines = issues.issues.map((i) => `${source}: ${i.path || "(document)"}: ${i.message}`);
    throw new CustomsError("DOCKERFILE_CONFIG_INVALID", lines.join("\n"));
  }
  return { rules, failOn, ...(stages === undefined ? {} : { stages }) };
}
