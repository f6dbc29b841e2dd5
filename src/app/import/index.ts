/**
 * `customs import`: reads Kyverno and Gatekeeper policy files as Kubernetes reads YAML and JSON, and
 * translates them (src/core/import). Unreadable input throws (exit 2); what cannot be
 * translated comes back in `untranslated`.
 */

import type { InputText } from "../../adapters/files/index.js";
import {
  type ImportFrom,
  type ImportInput,
  type ImportOptions,
  type ImportResult,
  importPolicies,
  type Untranslated,
} from "../../core/import/index.js";
import { parseDocuments } from "../documents/index.js";

/** A document Kubernetes would not take as an object: no apiVersion or no kind. */
function isNotAnObject(value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return true;
  return !("apiVersion" in value) || !("kind" in value);
}

export interface ImportReport extends ImportResult {
  /** Files found in folders and skipped because no document in them is a Kubernetes object. */
  readonly notes: readonly string[];
}

export function importFromTexts(
  from: ImportFrom,
  texts: readonly InputText[],
  options: ImportOptions = {},
): ImportReport {
  const inputs: ImportInput[] = [];
  const notes: string[] = [];
  for (const { source, text, inFolder } of texts) {
    const documents = parseDocuments(text, source);
    // As in `customs check`: a policy repository keeps package metadata (artifacthub-pkg.yml)
    // beside its policies. Such a file, found by walking a folder, is skipped with a note;
    // named on the command line, each of its documents is listed as untranslated.
    if (inFolder === true && documents.every((d) => isNotAnObject(d.value))) {
      if (documents.length > 0)
        notes.push(`${source}: skipped: no document is a Kubernetes object`);
      continue;
    }
    for (const doc of documents) inputs.push({ source, value: doc.value });
  }
  return { ...importPolicies(from, inputs, options), notes };
}

/** `FILE: ClusterPolicy/x rule y: REASON`, one line per untranslated part. */
export function formatUntranslated(u: Untranslated): string {
  const rule = u.rule === undefined ? "" : ` rule ${u.rule}`;
  return `${u.source}: ${u.kind}/${u.name}${rule}: ${u.reason}`;
}
