/** Small display helpers. */

import type { ScopeFields } from "./policy-tree.js";

/** "3 min ago" style age of an RFC 3339 time, relative to `now` (ms). */
export function toAge(time: string | undefined, now: number): string {
  if (time === undefined || time === "") return "never";
  const t = Date.parse(time);
  if (Number.isNaN(t)) return time;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** A time as `2026-11-22 10:42:05` (UTC, sortable, unambiguous). */
export function toTimestamp(time: string | undefined): string {
  if (time === undefined) return "";
  const d = new Date(time);
  return Number.isNaN(d.getTime()) ? time : d.toISOString().replace("T", " ").slice(0, 19);
}

export function toLabelText(labels: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

/** The scope of a policy document, for lists. */
export function toScopeText(spec: ScopeFields): {
  kind: "organization" | "workspace" | "namespace";
  target: string;
} {
  if (typeof spec.workspace === "string") return { kind: "workspace", target: spec.workspace };
  if (typeof spec.namespace === "string") return { kind: "namespace", target: spec.namespace };
  return { kind: "organization", target: "" };
}
