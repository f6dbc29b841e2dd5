/**
 * ImagePolicy and Workspace (customs.dev/v1alpha1), described once. The CRDs' openAPIV3Schema
 * is generated from these descriptions (adapters/install/crds.ts), so `kubectl apply` refuses
 * what `validateDocument` refuses; a corpus test holds the two together. What no schema can
 * say stays in the validator only: SCHEMA_GAPS lists it (docs/policy-language.md repeats it).
 */
import { RECIPE_RULE_FIELDS } from "../policy/index.js";
import { MISSING_REPORT, SEVERITY_THRESHOLDS } from "../policy/supply-types.js";
import { ACTIONS, RECIPES } from "../policy/types.js";
import {
  any,
  boolean,
  type CelRule,
  celList,
  celRegex,
  integer,
  intOrString,
  list,
  map,
  object,
  type Schema,
  string,
} from "./model.js";

// Patterns are written in the subset Go's regexp (the API server) and JavaScript agree on.
const DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
const SUBDOMAIN = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS_SUBDOMAIN = `^${SUBDOMAIN}$`;
const NAMESPACE_REF = `^(${SUBDOMAIN}/)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`;
const LABEL_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]";
const LABEL_KEY = `^(${SUBDOMAIN}/)?${LABEL_NAME}$`;
const LABEL_VALUE = `^(${LABEL_NAME})?$`;
const DURATION = "^[1-9][0-9]{0,8}[smhdw]$";
const EXPIRY =
  "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2}))?$";
const PEM =
  "^\\s*-----BEGIN PUBLIC KEY-----\\r?\\n[A-Za-z0-9+/=\\r\\n]+-----END PUBLIC KEY-----\\s*$";
/** Pattern parts: the characters each part of a reference can hold, and `*` (pattern.ts). */
const HOSTNAME_CHARS = "^[A-Za-z0-9.\\-\\[\\]:*]*$";
const IMAGE_NAME_CHARS = "^[a-z0-9._\\-/*]*$";
const PATTERN_MAX = 512;

const nonEmpty: CelRule = { rule: "self.size() > 0", message: "must not be empty" };
const text = (description: string, maxLength = 4096) =>
  string({ description, maxLength, rules: [nonEmpty] });
/** A subdomain is at most 253 characters: the part before the `/` of CLUSTER/NAME. */
const clusterLength: CelRule = {
  rule: "self.indexOf('/') <= 253",
  message: "the cluster name before `/` is longer than 253 characters",
};

const namespaceRef = (description: string) =>
  string({ description, pattern: NAMESPACE_REF, maxLength: 317, rules: [clusterLength] });

const labelSelector = object(
  {
    matchLabels: map(string({ maxLength: 63, pattern: LABEL_VALUE }), {
      maxProperties: 64,
      rules: [
        {
          rule: `self.all(k, k.size() <= 317 && k.matches(${celRegex(LABEL_KEY)}) && k.indexOf('/') <= 253)`,
          message: "every key must be a label key (PREFIX/NAME or NAME)",
        },
      ],
    }),
    matchExpressions: list(
      object(
        {
          key: string({
            description: "Label key.",
            maxLength: 317,
            pattern: LABEL_KEY,
            rules: [{ rule: "self.indexOf('/') <= 253", message: "the prefix is too long" }],
          }),
          operator: string({
            description: "In, NotIn, Exists or DoesNotExist.",
            enum: ["In", "NotIn", "Exists", "DoesNotExist"],
          }),
          values: list(string({ maxLength: 63 }), { maxItems: 256 }),
        },
        {
          required: ["key", "operator"],
          rules: [
            {
              rule: "self.operator in ['In', 'NotIn'] ? has(self.values) && size(self.values) > 0 : !has(self.values) || size(self.values) == 0",
              message: "In and NotIn need values; Exists and DoesNotExist take none",
              fieldPath: ".values",
            },
          ],
        },
      ),
      { maxItems: 64 },
    ),
  },
  { description: "A Kubernetes LabelSelector over namespace labels, ANDed with the scope." },
);

/** One rule of allowed-name-tag, custom, blocked-images and approved-base-images. */
const imageRule = object(
  {
    hostname: string({
      description: "Registry host pattern (`*` matches any run); compared case-insensitively.",
      maxLength: PATTERN_MAX,
      pattern: HOSTNAME_CHARS,
      rules: [
        {
          // A ':' outside IPv6 brackets: host:port written into `hostname`.
          rule: "!self.substring(self.lastIndexOf(']') + 1).contains(':')",
          message: "includes a port: put the port in the rule's `port` field",
        },
      ],
    }),
    port: intOrString({
      maxLength: PATTERN_MAX,
      description: 'Port pattern, e.g. "5000": digits and `*`.',
      rules: [
        {
          rule: `type(self) == string ? self.size() <= ${PATTERN_MAX} && self.matches('^[0-9*]*$') : self >= 0`,
          message: "a port holds only digits and `*`",
        },
      ],
    }),
    imageName: string({
      description: "Repository path pattern, e.g. `team/*` or `library/busybox`.",
      maxLength: PATTERN_MAX,
      pattern: IMAGE_NAME_CHARS,
    }),
    // A string or {value, negate}: no structural schema types that, nor can CEL see it; its
    // content is the validator's (SCHEMA_GAPS.untyped).
    tag: any({
      description: 'Tag pattern: `{value, negate}`, or a string for short (`tag: "v*"`).',
    }),
    requireDigest: boolean(),
  },
  {
    rules: [
      {
        rule: "!has(self.port) || string(self.port) == '' || (has(self.hostname) && self.hostname != '')",
        message: "a port needs a hostname in the same rule",
        fieldPath: ".port",
      },
    ],
  },
);

// A string glob or {regExp}: untyped, like `tag` (SCHEMA_GAPS.untyped).
const textMatch = any({ description: "A glob (`*` = any run) as a string, or `{regExp: RE2}`." });

const exactOrRegExp = (field: string): CelRule => ({
  rule: `has(self.${field}) != has(self.${field}RegExp)`,
  message: `set exactly one of \`${field}\` and \`${field}RegExp\``,
  fieldPath: `.${field}`,
});

const authority = object(
  {
    name: text("Names the authority in messages; unique in the list.", 253),
    key: object(
      {
        pem: string({ description: "A PEM public key.", maxLength: 16_384, pattern: PEM }),
        secretRef: object(
          {
            name: text("Secret name.", 253),
            namespace: text("Secret namespace (default: the webhook's).", 63),
            key: text("Key in the Secret.", 253),
          },
          { required: ["name"] },
        ),
      },
      {
        rules: [
          {
            rule: "has(self.pem) != has(self.secretRef)",
            message: "set exactly one of `pem` and `secretRef`",
          },
        ],
      },
    ),
    keyless: object(
      {
        issuer: text("OIDC issuer, exactly."),
        issuerRegExp: text("OIDC issuer, RE2."),
        subject: text("Certificate subject, exactly."),
        subjectRegExp: text("Certificate subject, RE2."),
        trustedRoot: text("`public-good` or a trusted_root.json path."),
      },
      { rules: [exactOrRegExp("issuer"), exactOrRegExp("subject")] },
    ),
  },
  {
    required: ["name"],
    rules: [
      {
        rule: "has(self.key) != has(self.keyless)",
        message: "set exactly one of `key` and `keyless`",
      },
    ],
  },
);

const labelRequirement = object(
  {
    key: text("Label or annotation key.", 317),
    value: string({ description: "Value (exact, or a glob with `*`).", maxLength: 4096 }),
    valueRegExp: text("Value, RE2."),
  },
  {
    required: ["key"],
    rules: [
      {
        rule: "!(has(self.value) && has(self.valueRegExp))",
        message: "set at most one of `value` and `valueRegExp`",
        fieldPath: ".value",
      },
    ],
  },
);

/** Every `spec.input` field, and the recipes that take it (besides `audit`, taken by all). */
const INPUT_FIELDS: Readonly<Record<string, { schema: Schema; recipes: readonly string[] }>> = {
  rules: {
    schema: list(imageRule, { maxItems: 1000 }),
    recipes: [...Object.keys(RECIPE_RULE_FIELDS), "approved-base-images"],
  },
  authorities: {
    schema: list(authority, { maxItems: 32, keys: ["name"] }),
    recipes: ["require-signature", "require-provenance"],
  },
  count: { schema: integer({ minimum: 1 }), recipes: ["require-signature"] },
  requireTransparencyLog: { schema: boolean(), recipes: ["require-signature"] },
  builders: { schema: list(textMatch, { maxItems: 64 }), recipes: ["require-provenance"] },
  sourceRepositories: {
    schema: list(textMatch, { maxItems: 64 }),
    recipes: ["require-provenance"],
  },
  requireCommit: { schema: boolean(), recipes: ["require-provenance"] },
  requireSbom: { schema: boolean(), recipes: ["require-provenance"] },
  labels: { schema: list(labelRequirement, { maxItems: 64 }), recipes: ["require-labels"] },
  annotations: {
    schema: list(labelRequirement, { maxItems: 64 }),
    recipes: ["require-labels"],
  },
  maxAge: {
    schema: string({ description: "e.g. 90d", pattern: DURATION }),
    recipes: ["max-image-age"],
  },
  severity: {
    schema: string({ enum: SEVERITY_THRESHOLDS }),
    recipes: ["vulnerability-threshold"],
  },
  fixableOnly: { schema: boolean(), recipes: ["vulnerability-threshold"] },
  allowlist: {
    schema: list(
      object(
        {
          id: text("A CVE, GHSA or scanner ID.", 256),
          expires: string({ description: "2026-12-31 or a date-time.", pattern: EXPIRY }),
          reason: string({ maxLength: 4096 }),
        },
        { required: ["id", "expires"] },
      ),
      { maxItems: 1000 },
    ),
    recipes: ["vulnerability-threshold"],
  },
  maxReportAge: { schema: string({ pattern: DURATION }), recipes: ["vulnerability-threshold"] },
  missingReport: { schema: string({ enum: MISSING_REPORT }), recipes: ["vulnerability-threshold"] },
};

/**
 * Lists of strings-or-objects: a structural schema cannot type them, so CEL cannot see them
 * from the spec (their items still check themselves); which recipe may hold them is the
 * validator's (SCHEMA_GAPS.untyped).
 */
const UNTYPED_FIELDS = ["builders", "sourceRepositories"];

const has = (field: string) => `has(self.input) && has(self.input.${field})`;
const nonEmptyList = (field: string) => `${has(field)} && size(self.input.${field}) > 0`;

const RULE_RECIPES = INPUT_FIELDS.rules?.recipes ?? [];

const specRules: CelRule[] = [
  {
    rule: "!(has(self.workspace) && has(self.namespace))",
    message: "set at most one of `workspace` and `namespace` (the policy's scope)",
  },
  // Each recipe takes only its own input fields.
  ...Object.entries(INPUT_FIELDS)
    .filter(([field]) => !UNTYPED_FIELDS.includes(field))
    .map(([field, { recipes }]) => ({
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
    const refused = ["hostname", "port", "imageName", "tag", "requireDigest"].filter(
      (f) => !(fields as readonly string[]).includes(f),
    );
    return refused.length === 0 ? [] : [ruleFieldsRule(recipe, refused)];
  }),
  ruleFieldsRule("approved-base-images", ["requireDigest"]),
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

function ruleFieldsRule(recipe: string, refused: readonly string[]): CelRule {
  return {
    rule: `self.recipe != '${recipe}' || !(${has("rules")}) || self.input.rules.all(r, ${refused.map((f) => `!has(r.${f})`).join(" && ")})`,
    message: `${recipe} rules take no ${refused.join(", ")}`,
    fieldPath: ".input.rules",
  };
}

/** What Customs writes back: Ready True, or Ready False with reason Invalid and why. */
const status = object({
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
});

const metadata = (pattern: string, maxLength: number, what: string) =>
  object({ name: string({ description: what, pattern, maxLength }) });

export const IMAGE_POLICY_SCHEMA: Schema = object(
  {
    metadata: metadata(DNS_SUBDOMAIN, 253, "Lowercase RFC 1123 subdomain."),
    spec: object(
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
        recipe: string({ description: "What the policy checks.", enum: RECIPES }),
        input: object(
          {
            audit: boolean({ description: "true means action audit." }),
            ...Object.fromEntries(Object.entries(INPUT_FIELDS).map(([k, v]) => [k, v.schema])),
          },
          { description: "The recipe's input; each recipe takes only its own fields." },
        ),
      },
      { required: ["recipe"], rules: specRules },
    ),
    status,
  },
  { required: ["spec"] },
);

export const WORKSPACE_SCHEMA: Schema = object({
  metadata: metadata(DNS_LABEL, 63, "Lowercase RFC 1123 label (it is also a label value)."),
  spec: object({
    namespaces: list(namespaceRef("NAMESPACE or CLUSTER/NAMESPACE."), { maxItems: 10_000 }),
  }),
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
  untyped:
    "values that may be a string or an object (`rules[].tag`, the entries of `builders` and `sourceRepositories`, and which recipe may hold those two lists): a structural schema cannot type them and CEL cannot see untyped values, so the schema keeps them as written",
} as const;

/**
 * What the schema refuses and the validator does not: size bounds, which Kubernetes needs to
 * bound the cost of CEL rules (and of storing objects). Files checked by `customs check` may
 * go past them; a cluster cannot hold such a policy.
 */
export const SCHEMA_BOUNDS =
  "list lengths (rules 1000, authorities 32, matchExpressions 64, …), matchLabels entries (64), string lengths (names, values 63, texts 4096)";
