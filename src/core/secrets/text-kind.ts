import type { TextKind } from "./types.js";

/**
 * Lockfiles are full of integrity hashes and registry URLs: only high-confidence (prefixed)
 * detectors run on them. Same for minified code and source maps, whose long lines of
 * identifiers and base64 would otherwise feed the keyword-and-shape detectors.
 */
const LOCKFILES = new Set([
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lock",
  "go.sum",
  "Cargo.lock",
  "poetry.lock",
  "Pipfile.lock",
  "uv.lock",
  "Gemfile.lock",
  "composer.lock",
  "packages.lock.json",
  "mix.lock",
  "pubspec.lock",
  "flake.lock",
  "gradle.lockfile",
]);

export function isLockfile(path: string): boolean {
  return LOCKFILES.has(path.slice(path.lastIndexOf("/") + 1));
}

/** Average line length above which a text counts as minified. */
const MINIFIED_AVERAGE_LINE = 1000;

/** `newlines` is counted by the caller (on bytes, before decoding). */
export function classifyPath(path: string, length: number, newlines: number): TextKind {
  if (isLockfile(path)) return "lockfile";
  if (/\.min\.(?:js|css|mjs)$|\.map$/.test(path)) return "minified";
  if (length > 4 * MINIFIED_AVERAGE_LINE && length / (newlines + 1) > MINIFIED_AVERAGE_LINE)
    return "minified";
  return "normal";
}
