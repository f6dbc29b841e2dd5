import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { VIOLATION_DESCRIPTIONS } from "../src/core/evaluate/index.js";

const root = resolve(import.meta.dirname, "..");
const source = readFileSync(resolve(root, "src/core/errors.ts"), "utf8");
const docs = readFileSync(resolve(root, "docs/errors.md"), "utf8");

function codesInSource(): Set<string> {
  return new Set([...source.matchAll(/\|\s*"([A-Z_]+)"/g)].map((m) => m[1] as string));
}

function codesInDocs(): Set<string> {
  return new Set([...docs.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1] as string));
}

/** The codes of a union, following the unions it names (`| SupplyViolationCode`). */
function unionCodes(name: string): string[] {
  const union = new RegExp(`export type ${name} =([^;]+);`).exec(source)?.[1] ?? "";
  const literal = [...union.matchAll(/"([A-Z_]+)"/g)].map((m) => m[1] as string);
  const named = [...union.matchAll(/\|\s*([A-Z][A-Za-z]*Code)\b/g)].map((m) => m[1] as string);
  return [...literal, ...named.flatMap(unionCodes)];
}

describe("the code catalogue", () => {
  it("documents every code of src/core/errors.ts, and nothing else", () => {
    const inSource = [...codesInSource()].sort();
    expect(inSource.length).toBeGreaterThan(15);
    expect([...codesInDocs()].sort()).toEqual(inSource);
  });

  it("has a SARIF description for every violation code", () => {
    const codes = unionCodes("ViolationCode").sort();
    expect(Object.keys(VIOLATION_DESCRIPTIONS).sort()).toEqual(codes);
  });
});
