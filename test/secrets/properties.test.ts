import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DiffParser } from "../../src/adapters/git/index.js";
import { compileRe2 } from "../../src/app/secrets/config.js";
import { toRules } from "../../src/app/secrets/scan.js";
import {
  compileGlob,
  EMPTY_SECRETS_CONFIG,
  KeywordMatcher,
  matchGlob,
  redactSecret,
  scanText,
  validateSecretsConfig,
} from "../../src/core/secrets/index.js";
import { PLANTABLE, plant } from "./corpus.js";

const rules = toRules(EMPTY_SECRETS_CONFIG, true);
const FILLER = fc.string({
  unit: fc.constantFrom(
    ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n\t.,;:=\"'(){}[]-_/",
  ),
  maxLength: 300,
});

describe("scanning: properties", () => {
  it("never throws, and every match is a slice of the text at its line and column", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 400 }), (text) => {
        for (const m of scanText(text, rules)) {
          const line = text.split("\n")[m.line - 1] ?? "";
          expect(line.slice(m.column - 1)).toContain(m.secret.split("\n")[0]);
        }
      }),
    );
  });

  it("finds a secret planted anywhere in random text", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PLANTABLE),
        fc.integer({ min: 1, max: 1 << 30 }),
        FILLER,
        FILLER,
        fc.constantFrom(" ", "\n", "\t", "; "),
        (id, seed, before, after, sep) => {
          const planted = plant(id, seed);
          const text = `${before}${sep}${planted.line}${sep}${after}`;
          const hits = scanText(text, rules).filter((m) => m.secret === planted.secret);
          expect(hits.map((m) => m.detector.id)).toEqual([id]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("redaction shows at most a quarter of the secret (4 characters at most), then the length", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), (secret) => {
        const out = redactSecret(secret);
        const cut = out.lastIndexOf("…(");
        const shown = out.slice(0, cut);
        expect(secret.startsWith(shown)).toBe(true);
        expect(shown.length).toBeLessThanOrEqual(Math.min(4, secret.length / 4));
        expect(out.slice(cut)).toBe(`…(${secret.length} chars)`);
      }),
    );
  });

  it("redacted generated secrets never appear whole in the redaction", () => {
    fc.assert(
      fc.property(fc.constantFrom(...PLANTABLE), fc.integer({ min: 1 }), (id, seed) => {
        const { secret } = plant(id, seed);
        expect(redactSecret(secret)).not.toContain(secret.slice(0, 8));
      }),
    );
  });
});

describe("keyword prefilter: properties", () => {
  it("finds exactly the keywords `includes` finds, in bytes and in text", () => {
    const unit = fc.constantFrom("a", "b", "ab", "_", "é", "x", "ba", "\n");
    const word = fc.array(unit, { minLength: 1, maxLength: 4 }).map((a) => a.join(""));
    fc.assert(
      fc.property(
        fc.array(word, { maxLength: 6 }),
        fc.array(unit, { maxLength: 40 }),
        (words, parts) => {
          const text = parts.join("");
          const expected = new Set(words.filter((w) => text.includes(w)));
          const m = new KeywordMatcher(words);
          expect(m.findInText(text)).toEqual(expected);
          expect(m.findInBytes(Buffer.from(text), () => text)).toEqual(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("parsers: properties", () => {
  it("config validation never throws, whatever the document", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        validateSecretsConfig(value, compileRe2, ["github-pat"]);
      }),
    );
  });

  it("config validation with detector-shaped documents never throws", () => {
    const detector = fc.record(
      {
        id: fc.oneof(fc.string(), fc.constant("my-token")),
        regex: fc.oneof(fc.string(), fc.constant("tok_[a-z]{8}"), fc.constant("(")),
        secretGroup: fc.oneof(fc.integer({ min: -2, max: 3 }), fc.string()),
        entropy: fc.double(),
        keywords: fc.array(fc.string()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(detector, { maxLength: 3 }), (detectors) => {
        validateSecretsConfig({ detectors }, compileRe2, []);
      }),
    );
  });

  it("the git diff parser never throws and numbers added lines from the hunk start", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 40 }), { maxLength: 30 }),
        fc.nat(1000),
        (lines, start) => {
          const parser = new DiffParser();
          const input = ["\u0000abc", "diff --git a/f b/f", "+++ b/f", `@@ -1 +${start + 1},9 @@`];
          for (const l of [...input, ...lines.map((l) => `+${l}`)]) parser.push(l);
          const chunk = parser.flush();
          if (lines.length === 0) expect(chunk).toBeUndefined();
          else expect(chunk?.lines).toEqual(lines.map((_, i) => start + 1 + i));
        },
      ),
    );
  });

  it("globs agree with a reference translation to a regular expression", () => {
    const part = fc.constantFrom("a", "b", "/", "*", "**", "?", ".", "c");
    fc.assert(
      fc.property(
        fc.array(part, { minLength: 1, maxLength: 6 }).map((a) => a.join("")),
        fc.array(fc.constantFrom("a", "b", "/", ".", "c"), { maxLength: 8 }).map((a) => a.join("")),
        (pattern, path) => {
          fc.pre(!pattern.startsWith("/") && !pattern.startsWith("./") && !pattern.endsWith("/"));
          fc.pre(!path.startsWith("/") && !path.startsWith("./"));
          expect(matchGlob(compileGlob(pattern), path)).toBe(reference(pattern, path));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

/** The documented glob semantics, written the obvious (regex) way, for comparison only. */
function reference(pattern: string, path: string): boolean {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (pattern.startsWith("**/", i)) {
      re += "(?:.*/)?";
      i += 2;
    } else if (pattern.startsWith("**", i)) {
      re += ".*";
      i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  const subject = pattern.includes("/") ? path : path.slice(path.lastIndexOf("/") + 1);
  return new RegExp(`^${re}$`, "s").test(subject);
}
