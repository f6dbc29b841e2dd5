import { printable } from "../policy/index.js";
import { parseNormalized } from "../reference/index.js";
import type { RuleContext, RuleHit, StageSelection } from "./check-types.js";
import type { Stage } from "./model.js";

/** Severity of a policy violation by the policy's action. */
const BY_ACTION = { deny: "high", warn: "medium", audit: "low" } as const;

function at(stage: Stage) {
  return { instruction: stage.from, line: stage.base.line, column: stage.base.column };
}

/** The image as written, and what it became when ARG defaults were substituted. */
function shown(stage: Stage): string {
  const { written, value } = stage.base;
  return written === value ? printable(value) : `${printable(written)} (= ${printable(value)})`;
}

/** CD001, CD002, CD003, CD020: how a base image is named. */
export function checkBaseReferences({ file }: RuleContext): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const stage of file.stages) {
    const { base } = stage;
    if (base.kind === "unresolved") {
      const args = base.missing.map((a) => printable(a)).join(", ");
      hits.push({
        ruleId: "CD020",
        ...at(stage),
        message: `base image ${printable(base.written)} depends on ARG ${args} with no default; not checked`,
      });
      continue;
    }
    if (base.kind === "invalid") {
      hits.push({
        ruleId: "CD020",
        ...at(stage),
        message: `base image ${shown(stage)} is not a valid reference: ${printable(base.problem ?? "")}`,
      });
      continue;
    }
    if (base.kind !== "image") continue;
    const parsed = parseNormalized(base.value);
    if (!parsed.ok) continue;
    const { tag, digest } = parsed.ref;
    if (digest !== undefined) continue;
    if (tag === undefined) {
      hits.push({
        ruleId: "CD001",
        ...at(stage),
        message: `base image ${shown(stage)} has no tag`,
      });
    } else if (tag === "latest") {
      hits.push({
        ruleId: "CD002",
        ...at(stage),
        message: `base image ${shown(stage)} uses :latest`,
      });
    }
    hits.push({
      ruleId: "CD003",
      ...at(stage),
      message: `base image ${shown(stage)} is not pinned to a digest`,
    });
  }
  return hits;
}

/**
 * The stages whose base CD004 judges. Only the stage that is shipped runs in the cluster, so by
 * default only the final stage (or the `--target` stage) counts: a `golang` builder is not a
 * runtime image and the runtime policy would refuse it for no benefit. `FROM builder` is
 * followed back to the stage at the root of the chain, whose external image is what the shipped
 * stage is made of. `all` judges every stage's own base, for teams that hold builders to the
 * same policy.
 */
export function judgedStages(
  stages: readonly Stage[],
  which: StageSelection,
  target?: string,
): Stage[] {
  if (which === "all") return [...stages];
  let stage: Stage | undefined =
    target === undefined
      ? stages[stages.length - 1]
      : stages.find((s) => s.name === target.toLowerCase());
  // A stage can only name an earlier one, so the walk ends; `seen` guards against a bad model.
  const seen = new Set<Stage>();
  while (stage !== undefined && stage.base.kind === "stage" && !seen.has(stage)) {
    seen.add(stage);
    const name = stage.base.value.toLowerCase();
    const before: Stage = stage;
    stage = stages.findLast((s) => s.index < before.index && s.name === name);
  }
  return stage === undefined ? [] : [stage];
}

/** CD004: base images judged by the same engine as `customs check`, one per policy. */
export function checkBasePolicies({ file, policy, stages, target }: RuleContext): RuleHit[] {
  if (policy === undefined) return [];
  const hits: RuleHit[] = [];
  for (const stage of judgedStages(file.stages, stages ?? "final", target)) {
    if (stage.base.kind !== "image") continue;
    const container = stage.name ?? `stage ${stage.index}`;
    const decision = policy.evaluator.evaluate(policy.namespace, [
      { container, containerType: "containers", image: stage.base.value },
    ]);
    for (const v of decision.violations) {
      hits.push({
        ruleId: "CD004",
        ...at(stage),
        severity: BY_ACTION[v.action],
        message: `base image ${shown(stage)}: ${v.message}`,
        properties: { policy: v.policy, action: v.action, code: v.code },
      });
    }
  }
  return hits;
}
