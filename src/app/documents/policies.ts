import type { InputText } from "../../adapters/files/index.js";
import { re2Engine } from "../../adapters/re2/index.js";
import { CustomsError } from "../../core/errors.js";
import {
  type CompiledPolicySet,
  checkExtensions,
  compilePolicySet,
  EXCEPTION_KIND,
  type ImagePolicy,
  type ImagePolicyException,
  lintExceptionPolicies,
  type PolicyIssue,
  validateDocument,
  type Workspace,
} from "../../core/policy/index.js";
import { parseDocuments } from "./parse.js";

/** A validation error or lint warning, located in its file and document. */
export interface LocatedIssue extends PolicyIssue {
  readonly source: string;
  readonly index: number;
}

export interface LoadedPolicies {
  readonly policies: ImagePolicy[];
  readonly workspaces: Workspace[];
  readonly exceptions: ImagePolicyException[];
  /** Errors and warnings, in file order. */
  readonly issues: LocatedIssue[];
}

export function formatIssue(issue: LocatedIssue): string {
  const where = issue.path === "" ? "" : ` ${issue.path}:`;
  return `${issue.source}: document ${issue.index}:${where} ${issue.message}`;
}

/**
 * Validates every document of the policy inputs. Anything that is not an ImagePolicy, a
 * Workspace or an ImagePolicyException is an error: a policy file with a typo in its apiVersion must not be skipped,
 * or a cluster would silently lose a policy.
 */
export function loadPolicies(texts: readonly InputText[], now = Date.now()): LoadedPolicies {
  const policies: ImagePolicy[] = [];
  const workspaces: Workspace[] = [];
  const exceptions: ImagePolicyException[] = [];
  const issues: LocatedIssue[] = [];
  const seen = new Map<string, string>();
  for (const { source, text } of texts) {
    for (const doc of parseDocuments(text, source)) {
      const origin = { source, index: doc.index };
      const result = validateDocument(doc.value, origin, { regex: re2Engine, now });
      for (const issue of result.issues) issues.push({ ...issue, source, index: doc.index });
      if (result.kind === "invalid") continue;
      const key =
        result.kind === "ImagePolicy"
          ? `ImagePolicy/${result.policy.name}`
          : result.kind === "Workspace"
            ? `Workspace/${result.workspace.name}`
            : `${EXCEPTION_KIND}/${result.exception.name}`;
      const first = seen.get(key);
      if (first !== undefined) {
        issues.push({
          severity: "error",
          code: "POLICY_INVALID",
          path: "metadata.name",
          message: `${key} is defined twice (first in ${first}); names must be unique`,
          source,
          index: doc.index,
        });
        continue;
      }
      seen.set(key, `${source} document ${doc.index}`);
      if (result.kind === "ImagePolicy") policies.push(result.policy);
      else if (result.kind === "Workspace") workspaces.push(result.workspace);
      else exceptions.push(result.exception);
    }
  }
  // Across documents: an extension's parent must be in the set and extensible.
  for (const i of checkExtensions(policies).issues) {
    const at = i.origin ?? { source: "(unknown)", index: 0 };
    issues.push({
      severity: "error",
      code: "POLICY_INVALID",
      path: i.path,
      message: `ImagePolicy ${i.policy}: ${i.message}`,
      source: at.source,
      index: at.index,
    });
  }
  const names = new Set(policies.map((p) => p.name));
  for (const e of exceptions) {
    const at = e.origin ?? { source: "", index: 0 };
    for (const w of lintExceptionPolicies(e, names)) {
      issues.push({ severity: "warning", ...w, source: at.source, index: at.index });
    }
  }
  return { policies, workspaces, exceptions, issues };
}

/**
 * Loads and compiles, throwing on any error. An empty policy set is an error too: checking
 * against nothing would allow everything, which is never what `-p` meant. `now` is the clock
 * of expiries (`customs test` passes its test's own, so that a test never rots).
 */
export function loadPolicySet(
  texts: readonly InputText[],
  now = Date.now(),
): {
  set: CompiledPolicySet;
  loaded: LoadedPolicies;
} {
  const loaded = loadPolicies(texts, now);
  const errors = loaded.issues.filter((i) => i.severity === "error");
  if (errors.length > 0) {
    throw new CustomsError("POLICY_INVALID", errors.map(formatIssue).join("\n"));
  }
  if (loaded.policies.length === 0) {
    const where = texts.map((t) => t.source).join(", ") || "(no files)";
    throw new CustomsError("POLICY_INVALID", `no ImagePolicy found in ${where}`);
  }
  const set = compilePolicySet(loaded.policies, loaded.workspaces, re2Engine, loaded.exceptions);
  return { set, loaded };
}
