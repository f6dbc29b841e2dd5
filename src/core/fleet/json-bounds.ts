import type { IssueDetail } from "./api-error.js";

/**
 * Bounds on every document the control plane stores (docs/control-plane.md, Limits). They
 * are checked when a document is written, so that nothing read back later (after a restart,
 * by another replica, by an agent) can be too deep or too large to process: a 3,500-deep
 * label map once made every bundle of its clusters fail. Real documents stay far below them.
 */
export interface JsonBounds {
  /** Nesting of objects and lists (the top-level object is depth 1). */
  readonly maxDepth: number;
  /** Keys of one object. */
  readonly maxKeys: number;
  /** Items of one list. */
  readonly maxItems: number;
  /** Characters (UTF-16 code units) of one string or key. */
  readonly maxString: number;
}

export const DOCUMENT_BOUNDS: JsonBounds = {
  maxDepth: 32,
  maxKeys: 1_000,
  maxItems: 10_000,
  maxString: 65_536,
};

export interface BoundsProblems {
  /** Depth, size and length problems (LIMIT_EXCEEDED). */
  readonly limits: IssueDetail[];
  /** Strings holding U+0000, which PostgreSQL cannot store in text (INVALID). */
  readonly nul: IssueDetail[];
}

const MAX_REPORTED = 20;

function child(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  const safe = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
  return path === "" ? safe : `${path}.${safe}`;
}

/** Shortened for messages: a path 3,500 levels deep is not a useful message. */
function shortPath(path: string): string {
  return path.length <= 200 ? path : `${path.slice(0, 200)}…`;
}

/**
 * Walks a parsed JSON value without recursion (an explicit stack: no depth is too deep to be
 * checked) and lists what exceeds the bounds, and where; at most 20 problems of each kind,
 * and nothing below a level that is already too deep.
 */
export function checkJsonBounds(
  value: unknown,
  bounds: JsonBounds = DOCUMENT_BOUNDS,
): BoundsProblems {
  const limits: IssueDetail[] = [];
  const nul: IssueDetail[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: "", depth: 0 }];
  const text = (s: string, path: string, what: string) => {
    if (s.length > bounds.maxString && limits.length < MAX_REPORTED) {
      limits.push({
        path: shortPath(path),
        message: `${what} is ${s.length} characters; at most ${bounds.maxString}`,
      });
    }
    if (s.includes("\u0000") && nul.length < MAX_REPORTED) {
      nul.push({ path: shortPath(path), message: `${what} contains a NUL character (U+0000)` });
    }
  };
  while (stack.length > 0 && limits.length < MAX_REPORTED) {
    const item = stack.pop();
    if (item === undefined) break;
    const { value: v, path, depth } = item;
    if (typeof v === "string") {
      text(v, path, "the string");
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    if (depth + 1 > bounds.maxDepth) {
      limits.push({
        path: shortPath(path),
        message: `nested deeper than ${bounds.maxDepth} levels`,
      });
      continue;
    }
    if (Array.isArray(v)) {
      if (v.length > bounds.maxItems) {
        limits.push({
          path: shortPath(path),
          message: `the list has ${v.length} items; at most ${bounds.maxItems}`,
        });
        continue;
      }
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push({ value: v[i], path: child(path, i), depth: depth + 1 });
      }
      continue;
    }
    const keys = Object.keys(v);
    if (keys.length > bounds.maxKeys) {
      limits.push({
        path: shortPath(path),
        message: `the object has ${keys.length} keys; at most ${bounds.maxKeys}`,
      });
      continue;
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] ?? "";
      const at = child(path, key);
      text(key, at, "the key");
      stack.push({ value: (v as Record<string, unknown>)[key], path: at, depth: depth + 1 });
    }
  }
  return { limits, nul };
}
