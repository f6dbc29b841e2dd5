/**
 * The console's API types are the OpenAPI document's: console/src/lib/api-types.ts is what
 * scripts/openapi-types.ts writes from it today (run `npm run openapi-types` when this fails).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { API_TYPES_FILE, renderConsoleTypes } from "../../scripts/openapi-types.js";

const ROOT = join(import.meta.dirname, "../..");

describe("console/src/lib/api-types.ts", () => {
  it("is generated from the OpenAPI document as it is now", () => {
    const expected = renderConsoleTypes().split("\n");
    const actual = readFileSync(join(ROOT, API_TYPES_FILE), "utf8").split("\n");
    const differs = expected.findIndex((l, i) => actual[i] !== l);
    const line = differs === -1 && actual.length !== expected.length ? expected.length : differs;
    const stale =
      line === -1
        ? undefined
        : `stale from line ${line + 1}: run \`npm run openapi-types\`\n  want: ${expected[line]}\n  have: ${actual[line]}`;
    expect(stale).toBeUndefined();
  });

  it("says it is generated, and how to regenerate it", () => {
    const text = readFileSync(join(ROOT, API_TYPES_FILE), "utf8");
    expect(text.slice(0, 400)).toMatch(/generated[\s\S]*npm run openapi-types/);
  });
});
