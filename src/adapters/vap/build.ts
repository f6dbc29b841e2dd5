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
import { exemptCel, exemptRegexes } from "./exempt.js";
import { type CelVariable, imageVariables } from "./images.js";
import { failureTextExpression, messageExpression, policyTitle, staticMessage } from "./message.js";
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

/** Can this policy become a ValidatingAdmissionPolicy, and if not, why? */
export function canCompileToVap(policy: ImagePolicy): VapCompilability {
  const reasons: string[] = [];
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
      ...policyRegexes(policy),
      ...exemptRegexes(policy),
      ...pullPolicyRegexes(policy),
    ];
    const size = regexes.reduce((n, re) => n + re.length, 0);
    if (size > MAX_RULE_REGEX_CHARS) {
      reasons.push(
        `its rules and exemptImages compile to ${size} characters of regular expressions, more than the ` +
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

function passesOrExempt(policy: ImagePolicy): string {
  const exempt = exemptCel(policy);
  return exempt === "false" ? recipePasses(policy) : `${exempt} || ${recipePasses(policy)}`;
}

/** The policy's variables: images (images.ts), then the failing ones and their text. */
export function vapVariables(policy: ImagePolicy): CelVariable[] {
  return [
    ...imageVariables(),
    {
      // `[x].all(f, …)` binds the fields of an entry once for all the tests of the recipe. An
      // exempt image passes; an invalid one (`!…`) is never exempt.
      name: "failures",
      expression: `variables.entries.filter(e, e.matches('^!') || ![e.split('|')].all(f, ${passesOrExempt(policy)}))`,
    },
    { name: "failureText", expression: failureTextExpression(policy) },
    ...(policy.recipe === "require-pull-policy" ? pullPolicyVariables(policy) : []),
  ];
}

/** Builds the objects; throws VapCompileError when canCompileToVap says no. */
export function buildVap(
  policy: ImagePolicy,
  workspaces: readonly Workspace[],
  options: BuildVapOptions = {},
): VapObjects {
  const check = canCompileToVap(policy);
  if (!check.ok) throw new VapCompileError(check.reasons);
  const name = objectName(policy.name);
  const labels = { "app.kubernetes.io/managed-by": "customs" };
  const annotations = { "customs.dev/policy": policy.name };
  const vap = {
    apiVersion: ADMISSION_API_VERSION,
    kind: "ValidatingAdmissionPolicy",
    metadata: { name, labels, annotations },
    spec: {
      failurePolicy: "Fail",
      matchConstraints: { matchPolicy: "Equivalent", resourceRules: RESOURCE_RULES },
      variables: vapVariables(policy).map((v) => ({ ...v })),
      validations: [
        {
          expression: "size(variables.failures) == 0",
          messageExpression: messageExpression(policy),
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
