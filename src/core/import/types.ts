/** What `customs import` returns: documents to print, and every part it could not translate. */

/** Where a translated document (or an untranslated part) comes from. */
export interface ImportOrigin {
  /** The file name (or `-`) the source document was read from. */
  readonly source: string;
  /** The source's kind: ClusterPolicy, Policy, ValidatingPolicy, K8sAllowedRepos, … */
  readonly kind: string;
  readonly name: string;
  /** Kyverno rule name, when the part is one rule. */
  readonly rule?: string;
}

export interface ImportedDocument {
  readonly origin: ImportOrigin;
  /** An ImagePolicy or ImagePolicyException, as plain data ready to print. */
  readonly document: Record<string, unknown>;
}

export interface Untranslated extends ImportOrigin {
  readonly reason: string;
}

export interface ImportResult {
  readonly documents: ImportedDocument[];
  readonly untranslated: Untranslated[];
}

/** One document of the inputs, already read as YAML/JSON by the caller. */
export interface ImportInput {
  readonly source: string;
  readonly value: unknown;
}

export interface ImportOptions {
  /** Owner and expiry an ImagePolicyException needs and a Kyverno PolicyException does not carry. */
  readonly owner?: string;
  readonly expires?: string;
}

/** One rule of a Customs allowlist or blocklist, as printed. */
export interface ImportedRule {
  hostname?: string;
  port?: string;
  imageName?: string;
  tag?: string;
}

/** A translation step either gives a value or says why it cannot. */
export type Translated<T> = { readonly ok: true; readonly value: T } | Refused;
export interface Refused {
  readonly ok: false;
  readonly reason: string;
}

export function ok<T>(value: T): Translated<T> {
  return { ok: true, value };
}

export function refuse(reason: string): Refused {
  return { ok: false, reason };
}
