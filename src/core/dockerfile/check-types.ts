import type { Evaluator, NamespaceFacts } from "../evaluate/index.js";
import type { Severity } from "../findings/types.js";
import type { Dockerfile } from "./model.js";
import type { Instruction } from "./syntax.js";

/** What a rule reports, before ignores and configuration decide whether it is kept. */
export interface RuleHit {
  readonly ruleId: string;
  /** The instruction the finding is about: inline ignores attach to instructions. */
  readonly instruction: Instruction;
  readonly message: string;
  /** Where exactly, when narrower than the instruction. */
  readonly line?: number;
  readonly column?: number;
  /** Overrides the rule's severity (CD004: a `warn` policy is not a `deny`). */
  readonly severity?: Severity;
  readonly properties?: Readonly<Record<string, string | number | boolean>>;
  /** The instruction holds a secret: its text must not reach the output, not even hashed. */
  readonly redacted?: boolean;
}

/** The ImagePolicies base images are judged by, as if in one namespace. */
export interface BasePolicy {
  readonly evaluator: Evaluator;
  readonly namespace: NamespaceFacts;
}

/** Which stages' base images CD004 judges: the shipped one (default) or every one. */
export type StageSelection = "final" | "all";

export const STAGE_SELECTIONS: readonly StageSelection[] = ["final", "all"];

export interface RuleContext {
  readonly file: Dockerfile;
  readonly policy?: BasePolicy;
  /** Default `final`. */
  readonly stages?: StageSelection;
  /** The stage built (as `docker build --target`); the final stage when absent. */
  readonly target?: string;
}

export type Rule = (context: RuleContext) => RuleHit[];
