/**
 * Inputs of the supply-chain recipes (docs/supply-chain.md). They are decided on facts that
 * adapters fetch first (signatures, attestations, image config, vulnerability reports), so
 * they run in the CLI and the webhook only, never as a ValidatingAdmissionPolicy.
 */
import type { PolicyRule } from "./types.js";

export type SupplyRecipe =
  | "require-signature"
  | "require-provenance"
  | "require-labels"
  | "non-root-user"
  | "max-image-age"
  | "approved-base-images"
  | "vulnerability-threshold"
  | "max-image-size"
  | "no-volumes";

export const SUPPLY_RECIPES: readonly SupplyRecipe[] = [
  "require-signature",
  "require-provenance",
  "require-labels",
  "non-root-user",
  "max-image-age",
  "approved-base-images",
  "vulnerability-threshold",
  "max-image-size",
  "no-volumes",
];

/** A string test: exact text, a glob (`*` = any run of characters), or an RE2 expression. */
export type TextMatch =
  | { readonly kind: "exact"; readonly value: string }
  | { readonly kind: "glob"; readonly value: string }
  | { readonly kind: "regexp"; readonly value: string };

/** Where a public key comes from: inline PEM, or a Secret the webhook reads. */
export type KeySource =
  | { readonly kind: "pem"; readonly pem: string }
  | {
      readonly kind: "secretRef";
      readonly name: string;
      readonly namespace: string | undefined;
      readonly key: string | undefined;
    };

/** `public-good` is Sigstore's public instance; anything else is a trusted_root.json path. */
export type TrustedRoot =
  | { readonly kind: "public-good" }
  | { readonly kind: "file"; readonly path: string };

/** One party whose signature counts: a public key, or a keyless (Fulcio) identity. */
export type Authority =
  | { readonly name: string; readonly kind: "key"; readonly key: KeySource }
  | {
      readonly name: string;
      readonly kind: "keyless";
      readonly issuer: TextMatch;
      readonly subject: TextMatch;
      readonly trustedRoot: TrustedRoot;
    };

/**
 * What a signature, provenance or vulnerability decision does with an image named by tag: a
 * tag verified now may name other bytes when the kubelet pulls (docs/supply-chain.md, "Tags").
 * `pin`: the mutating webhook rewrites the image to `name:tag@<the digest verified>`, and the
 * validating webhook refuses a tag that was not pinned. `refuse`: tags are refused; workloads
 * must name the digest. Unset: the process's default (`customs serve --tag-handling`).
 */
export type TagHandling = "pin" | "refuse";
export const TAG_HANDLINGS: readonly TagHandling[] = ["pin", "refuse"];

/** Signatures and attestations alike are verified against authorities, on a verified digest. */
interface SignedInput {
  readonly authorities: readonly Authority[];
  readonly tagHandling: TagHandling | undefined;
}

export interface SignatureInput extends SignedInput {
  readonly recipe: "require-signature";
  /** How many different authorities must have signed (k of n). */
  readonly count: number;
  readonly requireTransparencyLog: boolean;
}

export interface ProvenanceInput extends SignedInput {
  readonly recipe: "require-provenance";
  readonly builders: readonly TextMatch[];
  readonly sourceRepositories: readonly TextMatch[];
  readonly requireCommit: boolean;
  readonly requireSbom: boolean;
}

export interface LabelRequirement {
  readonly key: string;
  /** Absent: the key must be present with any value. */
  readonly value: TextMatch | undefined;
}

export interface LabelsInput {
  readonly recipe: "require-labels";
  readonly labels: readonly LabelRequirement[];
  readonly annotations: readonly LabelRequirement[];
}

export interface NonRootInput {
  readonly recipe: "non-root-user";
}

export interface MaxAgeInput {
  readonly recipe: "max-image-age";
  /** As written (`90d`), for messages. */
  readonly maxAge: string;
  readonly maxAgeMs: number;
}

export interface BaseImagesInput {
  readonly recipe: "approved-base-images";
  readonly rules: readonly PolicyRule[];
}

export type SeverityThreshold = "critical" | "high" | "medium" | "low";
export const SEVERITY_THRESHOLDS: readonly SeverityThreshold[] = [
  "critical",
  "high",
  "medium",
  "low",
];

export interface AllowlistEntry {
  /** A CVE, GHSA or scanner ID; also matches a finding's aliases. */
  readonly id: string;
  /** As written, for messages. */
  readonly expires: string;
  /** The first instant the entry no longer applies (ms since the epoch). */
  readonly expiresAt: number;
  readonly reason: string | undefined;
}

export type MissingReport = "deny" | "warn" | "allow";
export const MISSING_REPORT: readonly MissingReport[] = ["deny", "warn", "allow"];

export interface VulnerabilityInput {
  readonly recipe: "vulnerability-threshold";
  readonly severity: SeverityThreshold;
  readonly fixableOnly: boolean;
  readonly allowlist: readonly AllowlistEntry[];
  readonly maxReportAge: string | undefined;
  readonly maxReportAgeMs: number | undefined;
  readonly missingReport: MissingReport;
  readonly tagHandling: TagHandling | undefined;
}

export interface MaxSizeInput {
  readonly recipe: "max-image-size";
  /** As written (`500Mi`), for messages. */
  readonly maxSize: string;
  readonly maxBytes: number;
}

export interface NoVolumesInput {
  readonly recipe: "no-volumes";
  /** Volume paths the image may declare (exact paths). */
  readonly allowed: readonly string[];
}

export type SupplyInput =
  | SignatureInput
  | ProvenanceInput
  | LabelsInput
  | NonRootInput
  | MaxAgeInput
  | BaseImagesInput
  | VulnerabilityInput
  | MaxSizeInput
  | NoVolumesInput;

export function isSupplyRecipe(recipe: string): recipe is SupplyRecipe {
  return (SUPPLY_RECIPES as readonly string[]).includes(recipe);
}
