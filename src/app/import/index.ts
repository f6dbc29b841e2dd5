/**
 * `customs import`: reads the peers' policy files as Kubernetes reads YAML and JSON, and
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

export function importFromTexts(
  from: ImportFrom,
  texts: readonly InputText[],
  options: ImportOptions = {},
): ImportResult {
  const inputs: ImportInput[] = [];
  for (const { source, text } of texts) {
    for (const doc of parseDocuments(text, source)) inputs.push({ source, value: doc.value });
  }
  return importPolicies(from, inputs, options);
}

/** `FILE: ClusterPolicy/x rule y: REASON`, one line per untranslated part. */
export function formatUntranslated(u: Untranslated): string {
  const rule = u.rule === undefined ? "" : ` rule ${u.rule}`;
  return `${u.source}: ${u.kind}/${u.name}${rule}: ${u.reason}`;
}
