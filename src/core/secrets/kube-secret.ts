import { decodeBase64 } from "./docker-config.js";

/**
 * Kubernetes Secrets (`kind: Secret`, core/v1): their values are base64 in `data`, so a scan of
 * the file's text sees none of them. The app layer reads each Secret out of the YAML with the
 * line of every key; this turns its entries into texts to scan.
 * https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/secret-v1/
 */
export interface KubeSecretEntry {
  /** `data` (base64) or `stringData` (plain text). */
  readonly field: "data" | "stringData";
  readonly key: string;
  /** As written in the file: base64 for `data`. */
  readonly value: string;
  /** 1-based line and column of the key in the file. */
  readonly line: number;
  readonly column: number;
}

export interface KubeSecret {
  readonly namespace?: string;
  readonly name?: string;
  readonly entries: readonly KubeSecretEntry[];
}

/** `namespace/name` as kubectl shows it; the name alone when there is no namespace. */
export function secretLabel(secret: KubeSecret): string {
  const name = secret.name ?? "(no name)";
  return secret.namespace === undefined ? name : `${secret.namespace}/${name}`;
}

export type DecodedEntry =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "binary" }
  | { readonly kind: "invalid-base64" };

/**
 * The value a Secret holds under an entry's key, as text to scan. A one-line value is scanned
 * as `key: value`, so detectors that need a name beside the value (an AWS secret key under
 * `AWS_SECRET_ACCESS_KEY`) see it; a multi-line value is a file of its own (a PEM key, a
 * `.env`, a docker config) and is scanned as it is.
 */
export function decodeSecretEntry(entry: KubeSecretEntry): DecodedEntry {
  let text = entry.value;
  if (entry.field === "data") {
    const decoded = decodeBase64(entry.value);
    if (decoded === undefined) return { kind: "invalid-base64" };
    if (decoded.binary) return { kind: "binary" };
    text = decoded.text;
  }
  const oneLine = !/[\r\n]/.test(text.trimEnd());
  return { kind: "text", text: oneLine ? `${entry.key}: ${text}` : text };
}
