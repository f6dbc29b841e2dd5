/**
 * The answer of `POST /organizations/{org}/policies/preview`, read defensively: issues with
 * their field paths, and a decision per image with the engine's messages.
 */

import type { PreviewResult as ApiPreviewResult, PolicyIssue } from "./api-types.js";

export type PreviewIssue = Pick<PolicyIssue, "severity" | "path" | "message">;

/** The engine's verdict, or `audit` for an image allowed with audit-only violations. */
export type ImageVerdict = ApiPreviewResult["verdict"] | "audit";

export interface ImageDecision {
  readonly image: string;
  readonly verdict: ImageVerdict;
  readonly messages: readonly string[];
}

export interface PreviewResult {
  readonly issues: readonly PreviewIssue[];
  readonly decisions: readonly ImageDecision[];
  /** Why the policy would not apply to the namespace the images were decided for, if so. */
  readonly notApplied?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function toIssue(raw: unknown, fallback: "error" | "warning"): PreviewIssue | undefined {
  if (!isRecord(raw)) return undefined;
  const severity = raw.severity === "warning" || raw.severity === "error" ? raw.severity : fallback;
  return { severity, path: String(raw.path ?? ""), message: String(raw.message ?? "") };
}

function toIssues(raw: unknown, fallback: "error" | "warning"): PreviewIssue[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((r) => toIssue(r, fallback)).filter((i): i is PreviewIssue => i !== undefined);
}

function toMessages(raw: Record<string, unknown>): string[] {
  const messages: string[] = [];
  if (typeof raw.message === "string" && raw.message !== "") messages.push(raw.message);
  const lists = [raw.violations, raw.messages, raw.results];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const v of list) {
      if (typeof v === "string") messages.push(v);
      else if (isRecord(v) && typeof v.message === "string") {
        const policy = typeof v.policy === "string" ? `${v.policy}: ` : "";
        messages.push(`${policy}${v.message}`);
      }
    }
  }
  return [...new Set(messages)];
}

function toVerdict(raw: Record<string, unknown>): ImageVerdict {
  for (const key of ["verdict", "decision", "result", "outcome"]) {
    const v = raw[key];
    if (v === "allow" || v === "allowed" || v === "pass") return "allow";
    if (v === "deny" || v === "denied" || v === "fail") return "deny";
    if (v === "warn" || v === "audit") return v;
  }
  if (raw.allowed === true) return "allow";
  if (raw.allowed === false) return "deny";
  return "allow";
}

/** An allowed image with audit-only violations is shown as audited, not as plainly allowed. */
function isAudited(raw: Record<string, unknown>): boolean {
  return (
    Array.isArray(raw.violations) && raw.violations.some((v) => isRecord(v) && v.action === "audit")
  );
}

function toDecision(raw: unknown, image?: string): ImageDecision | undefined {
  if (!isRecord(raw)) return undefined;
  const name = typeof raw.image === "string" ? raw.image : image;
  if (name === undefined) return undefined;
  const verdict = toVerdict(raw);
  return {
    image: name,
    verdict: verdict === "allow" && isAudited(raw) ? "audit" : verdict,
    messages: toMessages(raw),
  };
}

/** Reads the preview answer (or a 422's error details) into issues and decisions. */
export function toPreviewResult(body: unknown): PreviewResult {
  if (!isRecord(body)) return { issues: [], decisions: [] };
  const issues = [
    ...toIssues(body.issues, "error"),
    ...toIssues(body.errors, "error"),
    ...toIssues(body.warnings, "warning"),
  ];
  if (isRecord(body.error)) issues.push(...toIssues(body.error.details, "error"));
  const list = body.results ?? body.decisions ?? body.images;
  let decisions: ImageDecision[] = [];
  if (Array.isArray(list)) {
    decisions = list.map((d) => toDecision(d)).filter((d): d is ImageDecision => d !== undefined);
  } else if (isRecord(list)) {
    decisions = Object.entries(list)
      .map(([image, d]) => toDecision(d, image))
      .filter((d): d is ImageDecision => d !== undefined);
  }
  const ns = isRecord(body.namespace) ? body.namespace : undefined;
  if (ns?.applies === false) {
    const reason = typeof ns.reason === "string" && ns.reason !== "" ? `: ${ns.reason}` : "";
    return {
      issues,
      decisions,
      notApplied: `The policy does not apply to namespace ${String(ns.name)}${reason}.`,
    };
  }
  return { issues, decisions };
}

/** The sample images: one per line, blank lines and `#` comments ignored. */
export function toSampleImages(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

export const SAMPLE_IMAGES = [
  "busybox",
  "nginx:latest",
  "registry.mycorp.local:5000/team/app:v1@sha256:4c1e0b1f21d9b26cb1bc5a0a0c8fe06db6a7d2cf2bb5ad0cd3b1b2cd0f4b5e6a",
  "registry.mycorp.local/team/api:2.3.1",
].join("\n");
