/** The resources of the policy language (spec/policy-language.md), after validation. */

import { SUPPLY_RECIPES, type SupplyInput, type SupplyRecipe } from "./supply-types.js";

export const API_VERSION = "customs.dev/v1alpha1";
export const WORKSPACE_LABEL = "customs.dev/workspace";
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * Namespaces no Customs enforcement point guards unless told otherwise: the webhook's
 * namespaceSelector, the native policies' bindings and the agent's all exempt the same list.
 * kube-system, because a cluster whose own components are refused can lock itself out;
 * customs-system, because the webhook could not start its own pods (failurePolicy Fail).
 */
export const DEFAULT_EXEMPT_NAMESPACES: readonly string[] = ["kube-system", "customs-system"];

export type Action = "deny" | "warn" | "audit";
export const ACTIONS: readonly Action[] = ["deny", "warn", "audit"];

/** Recipes decided on the image reference alone (and translatable to a VAP). */
export type ImageRecipe =
  | "require-digest"
  | "block-latest-tag"
  | "allowed-name-tag"
  | "custom"
  | "blocked-images"
  | "require-pull-policy"
  | "require-pull-secret"
  | "minimum-version";
export const IMAGE_RECIPES: readonly ImageRecipe[] = [
  "require-digest",
  "block-latest-tag",
  "allowed-name-tag",
  "custom",
  "blocked-images",
  "require-pull-policy",
  "require-pull-secret",
  "minimum-version",
];

/**
 * Image recipes decided on the container or the pod besides the image reference (its
 * `imagePullPolicy`, the pod's pull secrets): the evaluator decides them per container.
 */
export const POD_RECIPES: readonly ImageRecipe[] = ["require-pull-policy", "require-pull-secret"];

export type Recipe = ImageRecipe | SupplyRecipe;
export const RECIPES: readonly Recipe[] = [...IMAGE_RECIPES, ...SUPPLY_RECIPES];

export type RuleField = "hostname" | "port" | "imageName" | "tag" | "requireDigest" | "minVersion";

/** Which rule fields each recipe takes; a recipe without an entry takes no rules. */
export const RECIPE_RULE_FIELDS: Readonly<Partial<Record<Recipe, readonly RuleField[]>>> = {
  "allowed-name-tag": ["imageName", "tag"],
  custom: ["hostname", "port", "imageName", "tag", "requireDigest"],
  "blocked-images": ["hostname", "port", "imageName", "tag"],
  "require-pull-secret": ["hostname", "port"],
  "minimum-version": ["hostname", "port", "imageName", "minVersion"],
};

/** Input fields of image recipes besides `audit`, `exemptImages` and `rules`. */
export const IMAGE_INPUT_FIELDS: Readonly<Partial<Record<Recipe, readonly string[]>>> = {
  "require-pull-policy": ["immutableTags"],
};

/**
 * A rule's tag test. `values` holds every pattern (`tag: ["v1.*", "stable"]` or `{values: …}`);
 * the test matches when ANY of them matches the tag (negated: when NONE does). `value` is the
 * first pattern ("" when there is none), kept for readers of the single-pattern form; code
 * that decides must read `values`.
 */
export interface TagMatch {
  readonly value: string;
  readonly values: readonly string[];
  readonly negate: boolean;
}

/** One rule; an absent field is not checked. */
export interface PolicyRule {
  readonly hostname?: string;
  readonly port?: string;
  readonly imageName?: string;
  readonly tag?: TagMatch;
  readonly requireDigest?: boolean;
  /** minimum-version: the lowest version allowed (a version, as version.ts reads it). */
  readonly minVersion?: string;
}

export type SelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist";

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** A Kubernetes LabelSelector; an empty selector selects everything. */
export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

/** Where a namespace reference points: a bare name is every cluster's namespace of that name. */
export interface NamespaceRef {
  readonly cluster: string | undefined;
  readonly name: string;
}

export type PolicyScope =
  | { readonly kind: "organization" }
  | { readonly kind: "workspace"; readonly name: string }
  | { readonly kind: "namespace"; readonly namespace: NamespaceRef };

/** Where a document came from, for messages. */
export interface DocumentOrigin {
  readonly source: string;
  readonly index: number;
}

export interface ImagePolicy {
  readonly name: string;
  readonly scope: PolicyScope;
  readonly namespaceSelector: LabelSelector | undefined;
  readonly action: Action;
  readonly recipe: Recipe;
  readonly rules: readonly PolicyRule[];
  /**
   * Opt-in: the `/mutate` webhook rewrites this policy's images to `name:tag@digest`. Off by
   * default because it makes what runs differ from what Git holds (GitOps diffs).
   */
  readonly pinDigests: boolean;
  /** The input of a supply-chain recipe (absent for the image recipes). */
  readonly supply?: SupplyInput;
  /**
   * `spec.input.exemptImages`: patterns on the normalized image with its implied tag; an
   * image that matches one is not checked by this policy (exempt.ts). Absent when unset.
   */
  readonly exemptImages?: readonly string[];
  /** require-pull-policy: tags the registry keeps immutable (patterns). */
  readonly immutableTags?: readonly string[];
  readonly origin: DocumentOrigin | undefined;
  /** An allowlist that narrower scopes may add rules to (`spec.extensible`; extensions.ts). */
  readonly extensible?: boolean;
  /** An extension: the allowlist it adds its rules to (`spec.extends`; extensions.ts). */
  readonly extension?: PolicyExtension;
}

/**
 * What makes a policy an extension. It is never evaluated on its own: its rules widen its
 * parent's, in the namespaces where both apply.
 */
export interface PolicyExtension {
  /** `spec.extends`: the parent's name. */
  readonly parent: string;
  /**
   * No `spec.recipe` was written: the parent's applies (the rules were read with the widest
   * allowlist's fields, `custom`, and are checked against the parent's when the set is).
   */
  readonly recipeInherited: boolean;
}

/** The recipes whose policies may be `extensible`: allowlists, where more rules allow more. */
export const EXTENSIBLE_RECIPES: readonly Recipe[] = ["custom", "allowed-name-tag"];

export interface Workspace {
  readonly name: string;
  readonly namespaces: readonly NamespaceRef[];
  readonly origin: DocumentOrigin | undefined;
}

/** A validation error or a lint warning, with the field path it is about. */
export interface PolicyIssue {
  readonly severity: "error" | "warning";
  readonly code: string;
  /** Field path inside the document, e.g. `spec.input.rules[0].port`. */
  readonly path: string;
  readonly message: string;
}
