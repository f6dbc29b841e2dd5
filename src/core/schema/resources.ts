/**
 * ImagePolicy and Workspace (customs.dev/v1alpha1), described once. The CRDs' openAPIV3Schema
 * is generated from these descriptions (adapters/install/crds.ts), and so are the control
 * plane's OpenAPI components for them (api.ts), so `kubectl apply` refuses what
 * `validateDocument` refuses; a corpus test holds the two together. What no schema can say
 * stays in the validator only: SCHEMA_GAPS lists it (docs/policy-language.md repeats it).
 */
import { ACTIONS, RECIPE_RULE_FIELDS, RECIPES, type RuleField } from "../policy/index.js";
import { EXTENSION_RULES, withImpliedRecipe } from "./extension-rules.js";
import {
  boolean,
  type CelRule,
  celList,
  integer,
  type JsonSchema,
  list,
  named,
  object,
  type Schema,
  string,
} from "./model.js";
import {
  DNS_LABEL,
  DNS_SUBDOMAIN,
  EXEMPT_IMAGES_SCHEMA,
  INPUT_FIELDS,
  isCelVisible,
  labelSelector,
  namespaceRef,
} from "./policy-parts.js";

const has = (field: string) => `has(self.input) && has(self.input.${field})`;
const nonEmptyList = (field: string) => `${has(field)} && size(self.input.${field}) > 0`;

const RULE_RECIPES = INPUT_FIELDS.rules?.recipes ?? [];
const RULE_FIELDS: readonly RuleField[] = [
  "hostname",
  "port",
  "imageName",
  "tag",
  "requireDigest",
  "minVersion",
];

/** Recipes whose rules take no `tag`. */
const NO_TAG_RECIPES: readonly string[] = Object.entries(RECIPE_RULE_FIELDS)
  .filter(([, fields]) => !(fields as readonly string[]).includes("tag"))
  .map(([recipe]) => recipe);

const celFields = Object.entries(INPUT_FIELDS).filter(([, f]) => isCelVisible(f.schema));
const untypedFields = Object.entries(INPUT_FIELDS).filter(([, f]) => !isCelVisible(f.schema));

const specRules: CelRule[] = [
  {
    rule: "!(has(self.workspace) && has(self.namespace))",
    message: "set at most one of `workspace` and `namespace` (the policy's scope)",
  },
  // Each recipe takes only its own input fields (those CEL cannot see: specChecks below).
  ...celFields.map(([field, { recipes }]) => ({
    rule: `!(${has(field)}) || self.recipe in ${celList(recipes)}`,
    message: `\`${field}\` is an input of ${recipes.join(", ")} only`,
    fieldPath: `.input.${field}`,
  })),
  {
    rule: `!(self.recipe in ${celList(RULE_RECIPES)}) || (${nonEmptyList("rules")})`,
    message: `${RULE_RECIPES.join(", ")} need at least one rule`,
    fieldPath: ".input.rules",
  },
  ...Object.entries(RECIPE_RULE_FIELDS).flatMap(([recipe, fields]) => {
    const refused = RULE_FIELDS.filter((f) => !(fields as readonly string[]).includes(f));
    return refused.length === 0 ? [] : [ruleFieldsRule(recipe, refused)];
  }),
  ruleFieldsRule("approved-base-images", ["requireDigest", "minVersion"]),
  {
    rule: `self.recipe != 'minimum-version' || !(${has("rules")}) || self.input.rules.all(r, has(r.imageName) && has(r.minVersion))`,
    message: "each minimum-version rule needs `imageName` and `minVersion`",
    fieldPath: ".input.rules",
  },
  {
    rule: `self.recipe != 'max-image-size' || (${has("maxSize")})`,
    message: "max-image-size needs `maxSize`",
    fieldPath: ".input.maxSize",
  },
  {
    rule: `!(self.recipe in ['require-signature', 'require-provenance']) || (${nonEmptyList("authorities")})`,
    message: "needs at least one authority (a key or a keyless identity)",
    fieldPath: ".input.authorities",
  },
  {
    rule: `!(${has("count")} && ${has("authorities")} && size(self.input.authorities) > 0) || self.input.count <= size(self.input.authorities)`,
    message: "more signatures than authorities can never be had",
    fieldPath: ".input.count",
  },
  {
    rule: `self.recipe != 'require-labels' || (${nonEmptyList("labels")}) || (${nonEmptyList("annotations")})`,
    message: "require-labels needs at least one entry in `labels` or `annotations`",
    fieldPath: ".input",
  },
  {
    rule: `self.recipe != 'max-image-age' || (${has("maxAge")})`,
    message: "max-image-age needs `maxAge`",
    fieldPath: ".input.maxAge",
  },
  {
    rule: `self.recipe != 'vulnerability-threshold' || (${has("severity")})`,
    message: "vulnerability-threshold needs `severity` (critical, high, medium or low)",
    fieldPath: ".input.severity",
  },
  {
    rule: "!(has(self.input) && has(self.input.audit) && self.input.audit && has(self.action) && self.action != 'audit')",
    message: "`audit: true` means action audit: remove one of them",
    fieldPath: ".input.audit",
  },
];

/** Rule fields a recipe does not take; CEL sees every one of them but `tag` (TAG_CHECKS). */
function ruleFieldsRule(recipe: string, refusedFields: readonly RuleField[]): CelRule {
  const refused = refusedFields.filter((f) => f !== "tag");
  return {
    rule: `self.recipe != '${recipe}' || !(${has("rules")}) || self.input.rules.all(r, ${refused.map((f) => `!has(r.${f})`).join(" && ")})`,
    message: `${recipe} rules take no ${refused.join(", ")}`,
    fieldPath: ".input.rules",
  };
}

/**
 * Which recipes take the input fields CEL cannot see (`builders`, `sourceRepositories`), as
 * value validations: the recipe is one of those, or `input` has no such field.
 */
const specChecks: JsonSchema[] = [
  ...untypedFields.map(([field, { recipes }]) => ({
    anyOf: [
      { required: ["recipe"], properties: { recipe: { enum: recipes } } },
      { properties: { input: { not: { required: [field] } } } },
    ],
  })),
  // Rules of recipes that take no `tag` (CEL cannot see it): no rule has one. An extension
  // names no recipe (it takes its parent's, an allowlist whose rules take `tag`).
  {
    anyOf: [
      { not: { required: ["recipe"] } },
      {
        required: ["recipe"],
        properties: { recipe: { enum: RECIPES.filter((r) => !NO_TAG_RECIPES.includes(r)) } },
      },
      {
        properties: {
          input: { properties: { rules: { items: { not: { required: ["tag"] } } } } },
        },
      },
    ],
  },
];

/** What Customs writes back: Ready True, or Ready False with reason Invalid and why. */
const status = named(
  "ImagePolicyStatus",
  object({
    conditions: list(
      object(
        {
          type: string({ maxLength: 316 }),
          status: string({ enum: ["True", "False", "Unknown"] }),
          reason: string({ maxLength: 1024 }),
          message: string({ maxLength: 32_768 }),
          lastTransitionTime: string({ maxLength: 64 }),
          observedGeneration: integer({ minimum: 0 }),
        },
        { required: ["type", "status"] },
      ),
      { maxItems: 8, keys: ["type"] },
    ),
  }),
);

const metadata = (pattern: string, maxLength: number, what: string) =>
  object({ name: string({ description: what, pattern, maxLength }) });

export const IMAGE_POLICY_SPEC: Schema = object(
  {
    workspace: string({
      description: "Scope: every namespace of this workspace.",
      pattern: DNS_LABEL,
      maxLength: 63,
    }),
    namespace: namespaceRef("Scope: one namespace (NAME or CLUSTER/NAME)."),
    namespaceSelector: labelSelector,
    action: string({ description: "deny (default), warn or audit.", enum: ACTIONS }),
    pinDigests: boolean({
      description: "Let the /mutate webhook pin this policy's images to digests.",
    }),
    recipe: string({
      description: "What the policy checks (an extension may leave it out: its parent's).",
      enum: RECIPES,
    }),
    extensible: boolean({
      description: "An allowlist that narrower scopes may add rules to (spec.extends).",
    }),
    extends: string({
      description: "The extensible allowlist this policy adds its rules to.",
      pattern: DNS_SUBDOMAIN,
      maxLength: 253,
    }),
    input: object(
      {
        audit: boolean({ description: "true means action audit." }),
        exemptImages: EXEMPT_IMAGES_SCHEMA,
        ...Object.fromEntries(Object.entries(INPUT_FIELDS).map(([k, v]) => [k, v.schema])),
      },
      { description: "The recipe's input; each recipe takes only its own fields." },
    ),
  },
  {
    description: "What an ImagePolicy checks, where, and what a failure does.",
    rules: [...specRules.map(withImpliedRecipe), ...EXTENSION_RULES],
    checks: specChecks,
  },
);

export const IMAGE_POLICY_SCHEMA: Schema = object(
  {
    metadata: metadata(DNS_SUBDOMAIN, 253, "Lowercase RFC 1123 subdomain."),
    spec: IMAGE_POLICY_SPEC,
    status,
  },
  { required: ["spec"] },
);

export const WORKSPACE_SPEC: Schema = object(
  {
    namespaces: list(namespaceRef("NAMESPACE or CLUSTER/NAMESPACE."), { maxItems: 10_000 }),
  },
  { description: "The namespaces of the workspace (besides those labelled with its name)." },
);

export const WORKSPACE_SCHEMA: Schema = object({
  metadata: metadata(DNS_LABEL, 63, "Lowercase RFC 1123 label (it is also a label value)."),
  spec: WORKSPACE_SPEC,
});

/**
 * What `validateDocument` refuses and no schema can say: these checks stay in the validator
 * only, and Customs' own admission check (`/validate` for imagepolicies and workspaces)
 * makes them at `kubectl apply`. The corpus test may see the schema accept and the validator
 * refuse only for these.
 */
export const SCHEMA_GAPS = {
  regexp: "a `…RegExp` field or `{regExp: …}` must be an RE2 expression that compiles",
  date: "an allowlist `expires` must be a real date (the schema checks its shape: 2026-02-30 passes it)",
  null: "an entry of `builders` or `sourceRepositories` must not be null: such an entry is a string or an object, so it has no type in the schema, and the API server checks nothing of a null without one (CEL cannot see it either)",
} as const;

/**
 * What the schema refuses and the validator does not: size bounds, which Kubernetes needs to
 * bound the cost of CEL rules (and of storing objects). Files checked by `customs check` may
 * go past them; a cluster cannot hold such a policy.
 */
export const SCHEMA_BOUNDS =
  "list lengths (rules 1000, authorities 32, matchExpressions 64, …), matchLabels entries (64), string lengths (names, values 63, texts 4096)";

/** The status both ImagePolicy and ImagePolicyException carry (the `Ready` condition). */
export { status as RESOURCE_STATUS };
