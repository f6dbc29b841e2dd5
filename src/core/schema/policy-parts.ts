/**
 * The parts of an ImagePolicy's spec: names, selectors, image rules, and every `spec.input`
 * field with the recipes that take it (from the validator's own lists).
 */
import {
  IMAGE_INPUT_FIELDS,
  MAX_EXEMPT_IMAGES,
  MAX_PATTERN_LENGTH,
  MAX_TAG_VALUES,
  MISSING_REPORT,
  RECIPE_RULE_FIELDS,
  SEVERITY_THRESHOLDS,
  SUPPLY_INPUT_FIELDS,
  TAG_HANDLINGS,
} from "../policy/index.js";
import {
  boolean,
  type CelRule,
  celRegex,
  either,
  integer,
  intOrString,
  list,
  map,
  named,
  object,
  type Schema,
  string,
} from "./model.js";
import {
  allowlistEntry,
  authority,
  duration,
  labelRequirement,
  textMatch,
} from "./supply-parts.js";

// Patterns are written in the subset Go's regexp (the API server) and JavaScript agree on.
export const DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
const SUBDOMAIN = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
export const DNS_SUBDOMAIN = `^${SUBDOMAIN}$`;
const NAMESPACE_REF = `^(${SUBDOMAIN}/)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`;
const LABEL_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]";
export const LABEL_KEY = `^(${SUBDOMAIN}/)?${LABEL_NAME}$`;
export const LABEL_VALUE = `^(${LABEL_NAME})?$`;
/** Pattern parts: the characters each part of a reference can hold, and `*` (pattern.ts). */
const HOSTNAME_CHARS = "^[A-Za-z0-9.\\-\\[\\]:*]*$";
const IMAGE_NAME_CHARS = "^[a-z0-9._\\-/*]*$";
const TAG_CHARS = "^[A-Za-z0-9_.\\-*]*$";
/** A subdomain is at most 253 characters: the part before the `/` of CLUSTER/NAME. */
const clusterLength: CelRule = {
  rule: "self.indexOf('/') <= 253",
  message: "the cluster name before `/` is longer than 253 characters",
};

export const namespaceRef = (description: string) =>
  string({ description, pattern: NAMESPACE_REF, maxLength: 317, rules: [clusterLength] });

export const labelSelector = object(
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

const tagPattern = () => string({ maxLength: MAX_PATTERN_LENGTH, pattern: TAG_CHARS });
const tagListItem = () =>
  string({ minLength: 1, maxLength: MAX_PATTERN_LENGTH, pattern: TAG_CHARS });
/** Several tag patterns: at least one, each not empty. */
const tagList = () =>
  list(tagListItem(), {
    minItems: 1,
    maxItems: MAX_TAG_VALUES,
  });

/**
 * `tag: "v*"` for short, `{value, negate}` as in Tanzu Mission Control, or several tags:
 * `tag: ["v1.*", "stable"]` or `{values: [...], negate}` (any one matching is a match).
 */
const tag = {
  ...either(
    tagPattern(),
    named(
      "TagPattern",
      object(
        {
          value: tagPattern(),
          values: tagList(),
          negate: boolean({
            description: "true: the rule matches tags that match none of the patterns.",
          }),
        },
        { exclusive: [["value", "values"]] },
      ),
    ),
    {
      description:
        'Tag pattern: `{value, negate}`, a string for short (`tag: "v*"`), or several: a list or `{values, negate}`.',
    },
  ),
  list: tagList(),
};

/** Patterns on the normalized image with its implied tag (exempt.ts). */
const EXEMPT_CHARS = "^[A-Za-z0-9._\\-/:@\\[\\]*]+$";
const exemptImages = list(
  string({ minLength: 1, maxLength: MAX_PATTERN_LENGTH, pattern: EXEMPT_CHARS }),
  {
    maxItems: MAX_EXEMPT_IMAGES,
    description:
      "Images this policy does not check: patterns (`*` = any run) on the normalized image with its implied tag, e.g. docker.io/library/nginx:*.",
  },
);

/** One rule of allowed-name-tag, custom, blocked-images and approved-base-images. */
const imageRule = object(
  {
    hostname: string({
      description: "Registry host pattern (`*` matches any run); compared case-insensitively.",
      maxLength: MAX_PATTERN_LENGTH,
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
      maxLength: MAX_PATTERN_LENGTH,
      description: 'Port pattern, e.g. "5000": digits and `*`.',
      rules: [
        {
          rule: `type(self) == string ? self.size() <= ${MAX_PATTERN_LENGTH} && self.matches('^[0-9*]*$') : self >= 0`,
          message: "a port holds only digits and `*`",
        },
      ],
    }),
    imageName: string({
      description: "Repository path pattern, e.g. `team/*` or `library/busybox`.",
      maxLength: MAX_PATTERN_LENGTH,
      pattern: IMAGE_NAME_CHARS,
    }),
    tag,
    requireDigest: boolean(),
    minVersion: string({
      description:
        "minimum-version: the lowest version allowed, e.g. v1.11.2 (SemVer, optional v).",
      maxLength: 128,
      pattern:
        "^v?(0|[1-9][0-9]{0,14})(\\.(0|[1-9][0-9]{0,14})){0,2}(-(0|[1-9][0-9]{0,14}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\\.(0|[1-9][0-9]{0,14}|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?$",
    }),
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

/** The schema of every `spec.input` field besides `audit`. */
export const EXEMPT_IMAGES_SCHEMA: Schema = exemptImages;

const INPUT_SCHEMAS: Readonly<Record<string, Schema>> = {
  rules: list(imageRule, { maxItems: 1000 }),
  authorities: list(authority, { maxItems: 32, keys: ["name"] }),
  count: integer({ minimum: 1 }),
  requireTransparencyLog: boolean(),
  tagHandling: string({
    description: "pin or refuse: what to do with an image named by tag (unset: the default).",
    enum: TAG_HANDLINGS,
  }),
  builders: list(textMatch, { maxItems: 64 }),
  sourceRepositories: list(textMatch, { maxItems: 64 }),
  requireCommit: boolean(),
  requireSbom: boolean(),
  labels: list(labelRequirement, { maxItems: 64 }),
  annotations: list(labelRequirement, { maxItems: 64 }),
  maxAge: duration("e.g. 90d"),
  severity: string({ enum: SEVERITY_THRESHOLDS }),
  fixableOnly: boolean(),
  allowlist: list(allowlistEntry, { maxItems: 1000 }),
  maxReportAge: duration("How old a report may be, e.g. 7d."),
  missingReport: string({ enum: MISSING_REPORT }),
  immutableTags: list(tagListItem(), { maxItems: 1000 }),
  maxSize: intOrString({
    maxLength: 64,
    description: "The largest image allowed: bytes, or a quantity such as 500Mi, 1Gi, 800M.",
    rules: [
      {
        rule: "type(self) == string ? self.matches('^[0-9]{1,18}([.][0-9]{1,9})?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$') : self >= 0",
        message: "a size is a number of bytes or a quantity such as 500Mi, 1Gi, 800M",
      },
    ],
  }),
  allowed: list(string({ minLength: 1, maxLength: 4096, pattern: "^/" }), {
    maxItems: 1000,
    description: "Volume paths the image may declare.",
  }),
};

/** The recipes that take each input field, as the validator has them. */
function recipesOf(field: string): string[] {
  const supply = [...Object.entries(SUPPLY_INPUT_FIELDS), ...Object.entries(IMAGE_INPUT_FIELDS)]
    .filter(([, fields]) => fields?.includes(field))
    .map(([recipe]) => recipe);
  return field === "rules" ? [...Object.keys(RECIPE_RULE_FIELDS), ...supply] : supply;
}

/** Every `spec.input` field, and the recipes that take it (besides `audit`, taken by all). */
export const INPUT_FIELDS: Readonly<Record<string, { schema: Schema; recipes: string[] }>> =
  Object.fromEntries(
    Object.entries(INPUT_SCHEMAS).map(([field, schema]) => [
      field,
      { schema, recipes: recipesOf(field) },
    ]),
  );

/**
 * Can CEL read a value of this schema? Not one without a type (`either`, `any`), nor a list
 * of them: Kubernetes leaves such fields out of the object CEL sees, so a rule naming one
 * does not even compile.
 */
export function isCelVisible(s: Schema): boolean {
  if (s.kind === "either" || s.kind === "any") return false;
  return s.kind === "list" ? isCelVisible(s.items) : true;
}
