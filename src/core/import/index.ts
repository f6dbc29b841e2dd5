/**
 * `customs import kyverno|gatekeeper`: Kyverno and Gatekeeper image policies as Customs documents, pure.
 * Every part not translated is returned with its reason (docs/import.md).
 */

import { type ImportSink, NameBook } from "./build.js";
import { importGatekeeperConstraint, isGatekeeperConstraint } from "./gatekeeper.js";
import { importKyvernoPolicy, isKyvernoDocument } from "./kyverno.js";
import { importKyvernoException } from "./kyverno-exception.js";
import { importValidatingPolicy } from "./kyverno-vpol.js";
import type { ImportInput, ImportOptions, ImportResult } from "./types.js";

export { IMPORTED_FROM_ANNOTATION } from "./build.js";
export { GATEKEEPER_KINDS } from "./gatekeeper.js";
export { exactRule, exemptPattern, globRules, prefixRules } from "./image.js";
export type {
  ImportedDocument,
  ImportedRule,
  ImportInput,
  ImportOptions,
  ImportOrigin,
  ImportResult,
  Untranslated,
} from "./types.js";

export type ImportFrom = "kyverno" | "gatekeeper";
export const IMPORT_FROM: readonly ImportFrom[] = ["kyverno", "gatekeeper"];

function describe(value: unknown): { kind: string; name: string } {
  const o = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const m = (typeof o.metadata === "object" && o.metadata !== null ? o.metadata : {}) as Record<
    string,
    unknown
  >;
  return {
    kind: typeof o.kind === "string" ? o.kind : "(no kind)",
    name: typeof m.name === "string" ? m.name : "(no name)",
  };
}

export function importPolicies(
  from: ImportFrom,
  inputs: readonly ImportInput[],
  options: ImportOptions = {},
): ImportResult {
  const sink: ImportSink = { documents: [], untranslated: [], names: new NameBook() };
  // Exceptions name the policies translated from Kyverno's: those come first.
  const exceptions: { source: string; value: Record<string, unknown> }[] = [];
  for (const { source, value } of inputs) {
    if (value === null || value === undefined) continue;
    const { kind, name } = describe(value);
    const v = value as Record<string, unknown>;
    if (from === "gatekeeper") {
      if (isGatekeeperConstraint(value)) importGatekeeperConstraint(source, v, sink);
      else if (kind === "ConstraintTemplate") {
        sink.untranslated.push({
          source,
          kind,
          name,
          reason: "a template's Rego is not translated; its constraints are",
        });
      } else sink.untranslated.push({ source, kind, name, reason: "not a Gatekeeper constraint" });
      continue;
    }
    if (!isKyvernoDocument(value)) {
      sink.untranslated.push({ source, kind, name, reason: "not a Kyverno policy" });
    } else if (kind === "ClusterPolicy" || kind === "Policy") importKyvernoPolicy(source, v, sink);
    else if (kind === "ValidatingPolicy") importValidatingPolicy(source, v, sink);
    else if (kind === "PolicyException") exceptions.push({ source, value: v });
    else
      sink.untranslated.push({
        source,
        kind,
        name,
        reason: `${kind} is not an image validation policy`,
      });
  }
  for (const e of exceptions) importKyvernoException(e.source, e.value, options, sink);
  return { documents: sink.documents, untranslated: sink.untranslated };
}
