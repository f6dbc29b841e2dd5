/**
 * ImagePolicy -> ValidatingAdmissionPolicy + binding(s) (admissionregistration.k8s.io/v1),
 * whose CEL decides as the engine does (spec: "Native policy"). Check first
 * (`canCompileToVap`), then build (`buildVap`); both are pure.
 *
 * https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/
 */
import { CustomsError } from "../../core/errors.js";
import type { ImagePolicy, Workspace } from "../../core/policy/index.js";
import { isSupplyRecipe, RECIPES } from "../../core/policy/index.js";
import { ADMISSION_API_VERSION, type BuildVapOptions, buildBindings } from "./binding.js";
import {
  EXCEPTIONS_ANNOTATION,
  exceptionRegexes,
  exceptionsFor,
  exemptionPredicate,
  RECOMPILE_BY_ANNOTATION,
  type VapExceptionOptions,
} from "./exceptions.js";
import { exemptCel, exemptRegexes } from "./exempt.js";
import { extensionAdvice, extensionGuard, guardVariable } from "./extensions.js";
import { type CelVariable, imageVariables } from "./images.js";
import {
  failureTextExpression,
  MAX_RULES_TEXT,
  messageExpression,
  policyTitle,
  staticMessage,
} from "./message.js";
import { objectName } from "./names.js";
import { pullPolicyRegexes, pullPolicyValidation, pullPolicyVariables } from "./pull-policy.js";
import { policyRegexes, recipePasses } from "./rules.js";

/**
 * Most characters of rule regexes one policy may compile to. Kubernetes charges a match about
 * (field length / 10) x (regex length / 4) against 1,000,000 per expression; at this bound a
 * workload of 50 images with 60-character names still fits when every regex runs on every
 * image (docs/vap.md, "Cost", measured with the API server's own validator).
 */
export const MAX_RULE_REGEX_CHARS = 8192;

/** Image recipes without a native translation, and why (docs/policy-language.md). */
const NOT_NATIVE: Readonly<Partial<Record<string, string>>> = {
  "require-pull-secret":
    "recipe require-pull-secret checks that a pull secret holds credentials for the image's registry; a ValidatingAdmissionPolicy cannot read Secrets, so it could only check that the pod names some secret, a weaker test than the engine's, and Customs never compiles a policy that decides differently: enforce it with the admission webhook (customs serve)",
};

export type VapCompilability = { ok: true } | { ok: false; reasons: string[] };

/**
 * Can this policy become a ValidatingAdmissionPolicy, and if not, why? `extensions`: its
 * extensions (spec.extends), whose rules it is compiled with. With `exceptions`, the
 * patterns of those compiled into it count against the same cost bound.
 */
export function canCompileToVap(
  policy: ImagePolicy,
  extensions: readonly ImagePolicy[] = [],
  exceptions: VapExceptionOptions = {},
): VapCompilability {
  const reasons: string[] = [];
  if (policy.extension !== undefined) {
    reasons.push(
      `it extends ${policy.extension.parent}: its rules are compiled into ${policy.extension.parent}'s native policy, never on their own`,
    );
    return { ok: false, reasons };
  }
  if (!RECIPES.includes(policy.recipe)) {
    reasons.push(`recipe ${String(policy.recipe)} has no ValidatingAdmissionPolicy translation`);
  } else if (isSupplyRecipe(policy.recipe)) {
    // CEL in the API server sees only the object: it cannot fetch signatures, attestations,
    // image configs or vulnerability reports, so these recipes need the webhook.
    reasons.push(
      `recipe ${policy.recipe} is decided on facts fetched from registries (signatures, attestations, image config, vulnerability reports), which a ValidatingAdmissionPolicy cannot fetch; enforce it with the admission webhook (customs serve)`,
    );
  } else if (NOT_NATIVE[policy.recipe] !== undefined) {
    reasons.push(NOT_NATIVE[policy.recipe] as string);
  } else if (policy.recipe === "require-pull-policy" && (policy.exemptImages ?? []).length > 0) {
    // The per-container list sees images as written, not normalized as exemptImages match.
    reasons.push(
      "require-pull-policy with exemptImages is not translated to a ValidatingAdmissionPolicy in this version (its per-container test sees images as written, exemptImages match them normalized): enforce it with the admission webhook, or drop exemptImages",
    );
  } else {
    const regexes = [
      ...[policy, ...extensions].flatMap((p) => policyRegexes(p)),
      ...exemptRegexes(policy),
      ...exceptionsFor(policy, exceptions).flatMap(exceptionRegexes),
      ...pullPolicyRegexes(policy),
    ];
    const size = regexes.reduce((n, re) => n + re.length, 0);
    if (size > MAX_RULE_REGEX_CHARS) {
      const widened = extensions.length === 0 ? "" : " (with those of its extensions)";
      reasons.push(
        `its rules${widened} and exemptImages compile to ${size} characters of regular expressions, more than the ` +
          `${MAX_RULE_REGEX_CHARS} that fit the API server's CEL cost budget; split the policy`,
      );
    }
  }
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
}

export interface VapObjects {
  readonly policy: Record<string, unknown>;
  /** The first binding (the only one unless the workspace lists namespaces). */
  readonly binding: Record<string, unknown>;
  /** Every binding: apply them all (binding.ts explains when there are two). */
  readonly bindings: readonly Record<string, unknown>[];
}

export class VapCompileError extends CustomsError {
  constructor(readonly reasons: readonly string[]) {
    super(
      "VAP_COMPILE_FAILED",
      `cannot compile to a ValidatingAdmissionPolicy: ${reasons.join("; ")}`,
      undefined,
      { details: { reasons } },
    );
    this.name = "VapCompileError";
  }
}

/** The resources whose pod templates hold images, as the API serves them (kinds.ts). */
const RESOURCE_RULES = [
  {
    apiGroups: [""],
    resources: ["pods", "pods/ephemeralcontainers", "replicationcontrollers", "podtemplates"],
  },
  { apiGroups: ["apps"], resources: ["deployments", "replicasets", "statefulsets", "daemonsets"] },
  { apiGroups: ["batch"], resources: ["jobs", "cronjobs"] },
].map((r) => ({ ...r, apiVersions: ["v1"], operations: ["CREATE", "UPDATE"] }));

/** The recipe's test, or'ed with `exemptImages` (an exempt image passes). */
function passesOrExempt(policy: ImagePolicy, widened: Parameters<typeof recipePasses>[1]): string {
  const exempt = exemptCel(policy);
  const passes = recipePasses(policy, widened);
  return exempt === "false" ? passes : `${exempt} || ${passes}`;
}

/**
 * The policy's variables: images (images.ts), the guards of its extensions (extensions.ts),
 * then the failing images and their text.
 */
export function vapVariables(
  policy: ImagePolicy,
  extensions: readonly ImagePolicy[] = [],
  workspaces: readonly Workspace[] = [],
  cluster?: string,
  exempt?: (normalized: string) => string,
): CelVariable[] {
  const guards = extensions.map((e, i) => ({
    name: guardVariable(i),
    expression: extensionGuard(e, workspaces, cluster),
  }));
  const widened = extensions.map((e, i) => ({ guard: `variables.${guardVariable(i)}`, policy: e }));
  return [
    ...imageVariables(exempt),
    ...guards,
    {
      // `[x].all(f, …)` binds the fields of an entry once for all the tests of the recipe.
      name: "failures",
      expression: `variables.entries.filter(e, e.matches('^!') || ![e.split('|')].all(f, ${passesOrExempt(policy, widened)}))`,
    },
    { name: "failureText", expression: failureTextExpression(policy) },
    ...(policy.recipe === "require-pull-policy" ? pullPolicyVariables(policy) : []),
  ];
}

/** Builds the objects; throws VapCompileError when canCompileToVap says no. */
export function buildVap(
  policy: ImagePolicy,
  workspaces: readonly Workspace[],
  options: BuildVapOptions & VapExceptionOptions = {},
): VapObjects {
  const extensions = options.extensions ?? [];
  const check = canCompileToVap(policy, extensions, options);
  if (!check.ok) throw new VapCompileError(check.reasons);
  const name = objectName(policy.name);
  const labels = { "app.kubernetes.io/managed-by": "customs" };
  const included = exceptionsFor(policy, options);
  const exempt = exemptionPredicate(included, workspaces, options.cluster);
  const annotations: Record<string, string> = { "customs.dev/policy": policy.name };
  if (included.length > 0) {
    const first = Math.min(...included.map((e) => e.expiresAt));
    annotations[EXCEPTIONS_ANNOTATION] = included.map((e) => e.name).join(",");
    annotations[RECOMPILE_BY_ANNOTATION] = new Date(first).toISOString().replace(/\.000Z$/, "Z");
  }
  const vap = {
    apiVersion: ADMISSION_API_VERSION,
    kind: "ValidatingAdmissionPolicy",
    metadata: { name, labels, annotations },
    spec: {
      failurePolicy: "Fail",
      matchConstraints: { matchPolicy: "Equivalent", resourceRules: RESOURCE_RULES },
      variables: vapVariables(policy, extensions, workspaces, options.cluster, exempt).map((v) => ({
        ...v,
      })),
      validations: [
        {
          expression: "size(variables.failures) == 0",
          messageExpression: messageExpression(
            policy,
            extensions.map((e, i) => extensionAdvice(e, i, MAX_RULES_TEXT)),
          ),
          message: staticMessage(policy),
          reason: "Forbidden",
        },
        ...(policy.recipe === "require-pull-policy"
          ? [pullPolicyValidation(policyTitle(policy))]
          : []),
      ],
    },
  };
  const bindings = buildBindings(policy, workspaces, options, labels, annotations);
  const [binding] = bindings;
  if (binding === undefined) throw new CustomsError("INTERNAL", "buildVap: no binding was built");
  return { policy: vap, binding, bindings };
}

export type { BuildVapOptions };
