import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * bench/RESULTS.md is shared by every benchmark: each replaces only its own section (from its
 * `## ` heading to the next one), so running one never erases another's last results.
 */
// Benchmarks run compiled, from bench/out/bench/.
const ROOT = resolve(import.meta.dirname, "../../..");

function resultsPath(): string {
  return join(ROOT, "bench/RESULTS.md");
}

/** Replaces the section whose heading starts with `heading` (e.g. "## Secrets"), or appends it. */
export function writeResultsSection(heading: string, section: string): void {
  const path = resultsPath();
  const text = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmark results\n";
  const start = text.startsWith(heading) ? 0 : text.indexOf(`\n${heading}`);
  const body = `${section.trim()}\n`;
  if (start < 0) {
    writeFileSync(path, `${text.trimEnd()}\n\n${body}`);
    return;
  }
  const next = text.indexOf("\n## ", start + 1);
  const rest = next < 0 ? "" : `\n${text.slice(next + 1)}`;
  writeFileSync(path, `${text.slice(0, start).trimEnd()}\n\n${body}${rest}`);
}

/** Replaces what comes before the first section (title, date, machine). */
export function writeResultsPreamble(preamble: string): void {
  const path = resultsPath();
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  const first = text.indexOf("\n## ");
  writeFileSync(path, `${preamble.trim()}\n${first < 0 ? "" : `\n${text.slice(first + 1)}`}`);
}

/** The text of the section whose heading starts with `heading`, or "" when there is none. */
export function readResultsSection(heading: string): string {
  const path = resultsPath();
  if (!existsSync(path)) return "";
  const text = readFileSync(path, "utf8");
  const start = text.startsWith(heading) ? 0 : text.indexOf(`\n${heading}`);
  if (start < 0) return "";
  const next = text.indexOf("\n## ", start + 1);
  return next < 0 ? text.slice(start) : text.slice(start, next);
}
