import type { Evaluator, Exemption, NamespaceFacts, Violation } from "../evaluate/index.js";
import { isPlainObject } from "../policy/fields.js";
import { printable } from "../policy/index.js";
import { extractResources, type Workload } from "../workload/index.js";
import { clipWords, fitLines } from "./clip.js";
import { type ReviewReplay, replayKey } from "./replay.js";
import type { AdmissionRequest, AdmissionResponse } from "./types.js";

export interface ReviewContext {
  readonly evaluator: Evaluator;
  /** Facts of a namespace (labels from a watch, or just its name); the caller memoizes. */
  namespace(name: string): NamespaceFacts;
  /**
   * Decisions of this evaluator remembered (replay.ts), for a caller whose decision depends
   * on nothing but the review and the evaluator. Used only where it is sound (see there).
   */
  readonly replay?: ReviewReplay<Remembered>;
}

/** One line of a denial's message: its code, then the violation's message. */
interface DenialLine {
  readonly prefix: string;
  readonly text: string;
}

/**
 * A decision as a replay keeps it: the workload's name is not part of its key (each Pod of a
 * ReplicaSet has its own), and only a denial's message says it, so the lines of that message
 * are kept to say it again with another name.
 */
export interface Remembered {
  readonly review: Review;
  readonly name: string;
  readonly denial?: readonly DenialLine[];
}

/** Kubernetes truncates longer warnings; several short ones read better than one long one. */
const MAX_WARNINGS = 10;
const MAX_WARNING_LENGTH = 250;
const MAX_MESSAGE_LENGTH = 8_000;

const allow = (uid: string, warnings?: string[]): AdmissionResponse =>
  warnings && warnings.length > 0 ? { uid, allowed: true, warnings } : { uid, allowed: true };

/** The status of a denial: its message clipped as Kubernetes shows it. */
const forbidden = (message: string) => ({
  code: 403,
  reason: "Forbidden",
  message: clipWords(message, MAX_MESSAGE_LENGTH),
});

function deny(uid: string, message: string, warnings: string[] = []): AdmissionResponse {
  const status = forbidden(message);
  return warnings.length > 0
    ? { uid, allowed: false, status, warnings }
    : { uid, allowed: false, status };
}

export function withKind(object: unknown, request: AdmissionRequest): unknown {
  // Objects in reviews carry apiVersion and kind, but a missing one must not skip the check.
  if (!isPlainObject(object)) return object;
  // What the API server sends states both: nothing to copy on the hot path.
  if (typeof object.apiVersion === "string" && typeof object.kind === "string") return object;
  const { group, version, kind } = request.kind;
  return {
    ...object,
    apiVersion:
      typeof object.apiVersion === "string"
        ? object.apiVersion
        : group
          ? `${group}/${version}`
          : version,
    kind: typeof object.kind === "string" ? object.kind : kind,
  };
}

function imagesOf(object: unknown, request: AdmissionRequest): Set<string> {
  const images = new Set<string>();
  for (const w of extractResources(withKind(object, request)).workloads) {
    for (const c of w.containers) if (c.image !== undefined) images.add(c.image);
  }
  return images;
}

/** An audit annotation key: the policy name, as a qualified-name part of at most 63 characters. */
export function auditKey(policy: string): string {
  // Policies are few and audit on every review they match: each name's key is made once.
  let key = auditKeys.get(policy);
  if (key === undefined) {
    const safe = policy.replace(/[^A-Za-z0-9_.-]/g, "-");
    key = safe.length <= 63 ? safe : `${safe.slice(0, 54)}-${simpleHash(policy)}`;
    // Bounded: names come from policies, but a process lives through many policy sets.
    if (auditKeys.size >= MAX_AUDIT_KEYS) auditKeys.clear();
    auditKeys.set(policy, key);
  }
  return key;
}

const MAX_AUDIT_KEYS = 4096;
const auditKeys = new Map<string, string>();

function simpleHash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** The audit annotation key that names the exceptions an admission used. */
export const EXCEPTIONS_ANNOTATION = "exceptions";

/**
 * Every admission that used an exception says so in the audit log: `exceptions` lists each
 * exception with the policies it relaxed, `legacy-busybox (corp-registry-only, no-latest)`.
 */
function exceptionsAnnotation(
  exempted: readonly Exemption[] | undefined,
): Record<string, string> | undefined {
  if (exempted === undefined || exempted.length === 0) return undefined;
  const byException = new Map<string, Set<string>>();
  for (const e of exempted) {
    let policies = byException.get(e.exception);
    if (policies === undefined) {
      policies = new Set();
      byException.set(e.exception, policies);
    }
    policies.add(e.policy);
  }
  const text = [...byException]
    .map(([name, policies]) => `${name} (${[...policies].join(", ")})`)
    .join("; ");
  return { [EXCEPTIONS_ANNOTATION]: clipWords(text, 2000) };
}

/**
 * Decides one admission request: pure, synchronous, no I/O. Malformed workload objects are
 * denied (never allowed because they could not be read). On UPDATE, an image the object
 * already had is at most warned about, so that scaling or relabelling an old Deployment keeps
 * working after a policy tightens; new images are judged in full.
 */
export interface Review {
  readonly response: AdmissionResponse;
  /** Every violation found, before UPDATE leniency (for metrics). */
  readonly violations: readonly Violation[];
  /** Violations that exceptions exempted (for metrics); absent when none. */
  readonly exempted?: readonly Exemption[];
  /**
   * On a replayed decision: the response remembered, whose uid is another request's. The
   * same object for every replay of one decision, so that its JSON can be remembered too.
   */
  readonly replayOf?: AdmissionResponse;
}

export function reviewAdmission(request: AdmissionRequest, ctx: ReviewContext): Review {
  const { uid } = request;
  const none: readonly Violation[] = [];
  if (request.operation !== "CREATE" && request.operation !== "UPDATE")
    return { response: allow(uid), violations: none };
  if (request.subResource !== undefined && request.subResource !== "ephemeralcontainers") {
    return { response: allow(uid), violations: none };
  }
  const extracted = extractResources(withKind(request.object, request));
  if (extracted.problems.length > 0) {
    const problems = extracted.problems
      .map((p) => `${p.pointer || "(object)"}: ${p.message}`)
      .join("; ");
    const message = `customs: the ${request.kind.kind} cannot be read, so it is not admitted: ${printable(problems, 2000)}`;
    return { response: deny(uid, message), violations: none };
  }
  const workload = extracted.workloads[0];
  if (workload === undefined) return { response: allow(uid), violations: none };
  const namespace = request.namespace || workload.namespace || "default";
  const facts = ctx.namespace(namespace);
  const { replay } = ctx;
  if (
    replay === undefined ||
    request.operation !== "CREATE" ||
    ctx.evaluator.exempt !== undefined
  ) {
    return decide(request, ctx, workload, namespace, facts);
  }
  const key = replayKey(workload, namespace);
  const seen = replay.get(facts, key);
  if (seen !== undefined) return replayed(seen, uid, workload, namespace);
  let denial: readonly DenialLine[] | undefined;
  const review = decide(request, ctx, workload, namespace, facts, (lines) => {
    denial = lines;
  });
  replay.remember(facts, key, {
    review,
    name: workload.name,
    ...(denial === undefined ? {} : { denial }),
  });
  return review;
}

/** A remembered decision for another request: its uid, and its name in a denial. */
function replayed(seen: Remembered, uid: string, workload: Workload, namespace: string): Review {
  const { review, denial } = seen;
  const same = denial === undefined || seen.name === workload.name;
  const response = same
    ? { ...review.response, uid }
    : { ...review.response, uid, status: forbidden(denialMessage(workload, namespace, denial)) };
  // The remembered JSON is this answer's, uid aside, only when its message is the same.
  const text = same ? { replayOf: review.response } : {};
  return review.exempted === undefined
    ? { response, violations: review.violations, ...text }
    : { response, violations: review.violations, exempted: review.exempted, ...text };
}

function denialMessage(
  workload: Workload,
  namespace: string,
  lines: readonly DenialLine[],
): string {
  const what = `${workload.kind} ${namespace}/${printable(workload.name, 100)}`;
  return fitLines(`customs denied ${what}:`, lines, MAX_MESSAGE_LENGTH);
}

/** The decision on a workload read from a review, with its namespace's facts. */
function decide(
  request: AdmissionRequest,
  ctx: ReviewContext,
  workload: Workload,
  namespace: string,
  facts: NamespaceFacts,
  /** Given the lines of a denial's message, for a replay to say it again. */
  denied?: (lines: readonly DenialLine[]) => void,
): Review {
  const { uid } = request;
  const none: readonly Violation[] = [];
  const decision = ctx.evaluator.evaluate(facts, workload.containers, workload);
  const used = exceptionsAnnotation(decision.exempted);
  if (decision.violations.length === 0) {
    const response = allow(uid);
    if (used === undefined) return { response, violations: none };
    const exempted = decision.exempted ?? [];
    return { response: { ...response, auditAnnotations: used }, violations: none, exempted };
  }
  const oldImages =
    request.operation === "UPDATE" ? imagesOf(request.oldObject, request) : new Set<string>();
  const denials: Violation[] = [];
  const warnings: string[] = [];
  const audits: Record<string, string> = {};
  for (const v of decision.violations) {
    if (v.action === "audit") {
      const key = auditKey(v.policy);
      const note = `${v.code}: ${v.message}`;
      audits[key] = clipWords(audits[key] ? `${audits[key]}; ${note}` : note, 2000);
    } else if (v.action === "deny" && !oldImages.has(v.image)) {
      denials.push(v);
    } else {
      // The note goes first and the code last, and only the message between them is cut:
      // Kubernetes clips long warnings, and people read them as `policy: what happened`.
      const unchanged =
        v.action === "deny" ? " (image unchanged by this update, so not denied)" : "";
      const head = `${printable(v.policy, 100)}${unchanged}: `;
      const tail = ` [${v.code}]`;
      const room = MAX_WARNING_LENGTH - head.length - tail.length;
      warnings.push(`${head}${clipWords(v.message, room)}${tail}`);
    }
  }
  const shownWarnings =
    warnings.length > MAX_WARNINGS
      ? [
          ...warnings.slice(0, MAX_WARNINGS - 1),
          `… and ${warnings.length - MAX_WARNINGS + 1} more warnings`,
        ]
      : warnings;
  let response: AdmissionResponse;
  if (denials.length > 0) {
    // Each line starts with its code, kept whole when long messages must be cut.
    const lines = denials.map((v) => ({ prefix: `- ${v.code}: `, text: v.message }));
    denied?.(lines);
    response = deny(uid, denialMessage(workload, namespace, lines), shownWarnings);
  } else {
    response = allow(uid, shownWarnings);
  }
  // A policy named `exceptions` shares the key: both notes are kept, the exceptions first.
  const annotations =
    used === undefined
      ? audits
      : {
          ...audits,
          [EXCEPTIONS_ANNOTATION]: clipWords(
            [used[EXCEPTIONS_ANNOTATION], audits[EXCEPTIONS_ANNOTATION]]
              .filter((x) => x !== undefined)
              .join("; "),
            2000,
          ),
        };
  if (Object.keys(annotations).length > 0)
    response = { ...response, auditAnnotations: annotations };
  const { exempted } = decision;
  return { response, violations: decision.violations, ...(exempted ? { exempted } : {}) };
}
