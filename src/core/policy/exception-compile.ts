import { ALL_POLICIES, type ImagePolicyException } from "./exception-types.js";
import { compilePattern, matchPattern, type Pattern } from "./pattern.js";

/** An exception with its patterns compiled once (compile once, evaluate many). */
export interface CompiledException {
  readonly exception: ImagePolicyException;
  /** undefined = every policy (`["*"]`). */
  readonly policies: ReadonlySet<string> | undefined;
  readonly images: readonly Pattern[];
  readonly workloads: readonly { readonly kind?: string; readonly name: Pattern }[];
}

export function compileException(exception: ImagePolicyException): CompiledException {
  return {
    exception,
    policies: exception.policies.includes(ALL_POLICIES) ? undefined : new Set(exception.policies),
    images: exception.images.map((p) => compilePattern(p)),
    workloads: exception.workloads.map((w) =>
      w.kind === undefined
        ? { name: compilePattern(w.name) }
        : { kind: w.kind, name: compilePattern(w.name) },
    ),
  };
}

/**
 * Does the exception cover this image of this workload? Images and workloads both must match
 * when both are given; a list that is absent is not checked. An exception that names
 * workloads never covers a decision made without one (a preview of a bare image).
 */
export function exceptionCovers(
  e: CompiledException,
  normalizedImage: string,
  workload: { readonly kind: string; readonly name: string } | undefined,
): boolean {
  if (e.images.length > 0 && !e.images.some((p) => matchPattern(p, normalizedImage))) return false;
  if (e.workloads.length > 0) {
    if (workload === undefined) return false;
    const hit = e.workloads.some(
      (w) =>
        (w.kind === undefined || w.kind === workload.kind) && matchPattern(w.name, workload.name),
    );
    if (!hit) return false;
  }
  return true;
}
