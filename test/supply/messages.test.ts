/**
 * Admission messages name each violation's code, and long ones are cut at a word boundary
 * with an ellipsis, never mid-word and never through the code.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AdmissionRequest } from "../../src/core/admission/index.js";
import { clipWords, fitLines, reviewAdmission } from "../../src/core/admission/index.js";
import {
  createEvaluator,
  REFUSE_TAGS,
  toNamespaceFacts,
  withSupplyFacts,
} from "../../src/core/evaluate/index.js";
import { deployment, review } from "../support/admission.js";
import { compileSpec, DIGEST, ok } from "./support.js";

const signed = (action: string) =>
  compileSpec({
    recipe: "require-signature",
    action,
    input: {
      authorities: Array.from({ length: 40 }, (_, i) => ({
        name: `authority-number-${i}-of-a-very-long-list`,
        key: { secretRef: { name: `cosign-${i}`, namespace: "customs-system" } },
      })),
    },
  });

/** A workload with many images, each refused with a long message. */
function decide(action: string, images: number) {
  const set = signed(action);
  const evaluator = withSupplyFacts(
    createEvaluator(set),
    () => ({
      digest: ok(DIGEST),
      signatures: {
        ok: false,
        code: "SOURCE_TIMEOUT",
        message: `${"signatures of registry.example.com/team/app ".repeat(8)}: no answer within the time budget`,
      },
    }),
    0,
    REFUSE_TAGS,
  );
  const list = Array.from(
    { length: images },
    (_, i) => `registry.example.com/team/app-${i}@${DIGEST}`,
  );
  const body = review(deployment("app", list)) as { request: AdmissionRequest };
  return reviewAdmission(body.request, {
    evaluator,
    namespace: (n) => toNamespaceFacts(n, {}, undefined),
  });
}

const endsAtWord = (s: string) => /(^|[\s\S]*[^\s])…$/.test(s) && !/\s…$/.test(s);

describe("admission messages", () => {
  it("a denial names the code of each violation, at the start of its line", () => {
    const r = decide("deny", 2).response;
    expect(r.allowed).toBe(false);
    const lines = (r.status?.message ?? "").split("\n").slice(1);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^- SOURCE_TIMEOUT: container "c\d"/);
  });

  it("a denial too long for one message is cut at word boundaries, keeping every code shown", () => {
    const r = decide("deny", 200).response;
    const message = r.status?.message ?? "";
    expect(message.length).toBeLessThanOrEqual(8_000);
    const lines = message.split("\n").slice(1);
    const shown = lines.filter((l) => l.startsWith("- SOURCE_TIMEOUT: "));
    expect(shown.length).toBeGreaterThan(10);
    expect(lines.at(-1)).toMatch(/^- … and \d+ more$/);
    for (const line of shown) {
      // Cut lines end with a whole word and an ellipsis; none ends inside a word.
      if (line.endsWith("…")) expect(endsAtWord(line)).toBe(true);
      expect(line).not.toMatch(/\w…\w/);
    }
  });

  it("warnings name the policy first, end with the code, and are cut at a word boundary (Kubernetes shows 250)", () => {
    const { response, violations } = decide("warn", 1);
    expect(response.allowed).toBe(true);
    const [warning = ""] = response.warnings ?? [];
    const [v] = violations;
    expect(warning).toMatch(new RegExp(`^${v?.policy}: container "c0"`));
    expect(warning.length).toBeLessThanOrEqual(250);
    expect(warning.endsWith("… [SOURCE_TIMEOUT]")).toBe(true);
    // What is kept is the start of the full text, and the full text has a space right after.
    const full = `${v?.policy}: ${v?.message}`;
    const kept = warning.slice(0, -" [SOURCE_TIMEOUT]".length - 1);
    expect(full.startsWith(kept)).toBe(true);
    expect(full[kept.length]).toMatch(/\s/);
  });

  it("clipWords: fits, never cuts a word it could keep, and cuts a single long token", () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z]{1,12}$/), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 2, max: 300 }),
        (words, max) => {
          const text = words.join(" ");
          const out = clipWords(text, max);
          expect(out.length).toBeLessThanOrEqual(max);
          if (text.length <= max) {
            expect(out).toBe(text);
            return;
          }
          const kept = out
            .slice(0, -1)
            .split(" ")
            .filter((w) => w !== "");
          // Every word kept is whole (the last one too), unless a boundary was too far back.
          const boundary = text.slice(0, max - 1).search(/\s\S*$/);
          if (boundary >= (max - 1) / 2) expect(kept).toEqual(words.slice(0, kept.length));
        },
      ),
    );
    expect(clipWords(`sha256:${"a".repeat(64)}`, 20)).toBe(`sha256:${"a".repeat(12)}…`);
  });

  it("fitLines keeps the header and each prefix whole", () => {
    const items = Array.from({ length: 5 }, (_, i) => ({
      prefix: `- CODE_${i}: `,
      text: "word ".repeat(100).trim(),
    }));
    const out = fitLines("header:", items, 600);
    expect(out.length).toBeLessThanOrEqual(600);
    const lines = out.split("\n");
    expect(lines[0]).toBe("header:");
    expect(lines.slice(1).map((l) => l.slice(0, 10))).toEqual(items.map((i) => i.prefix));
    for (const l of lines.slice(1)) expect(l).toMatch(/ word…$|word$/);
  });
});
