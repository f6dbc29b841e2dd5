import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasErrors, toFormErrors } from "../../console/src/lib/form-errors.js";
import {
  type RuleRow,
  TEMPLATES,
  toDocument,
  toWizardState,
  type WizardState,
} from "../../console/src/lib/wizard.js";
import { validateDocument } from "../../src/core/policy/index.js";

/** Mostly well-formed strings (so that valid forms are common), sometimes anything at all. */
const text = (valid: RegExp, chars: string, maxLength = 12) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.stringMatching(valid) },
    { weight: 1, arbitrary: fc.constant("") },
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...chars.split("")), maxLength }) },
  );
const LOWER = "abcdefghijklmnopqrstuvwxyz0123456789";
const ruleArb: fc.Arbitrary<RuleRow> = fc.record({
  hostname: fc.oneof(
    fc.constant(""),
    text(/^[a-z0-9*]([a-z0-9.*-]{0,10}[a-z0-9*])?$/, `${LOWER}.-*:/A `),
  ),
  port: fc.oneof(fc.constant(""), text(/^[0-9*]{1,5}$/, "0123456789*a")),
  imageName: fc.oneof(
    fc.constant(""),
    text(/^[a-z0-9*]{1,6}(\/[a-z0-9*]{1,6})?$/, `${LOWER}/-_.*A@`),
  ),
  tagValue: fc.oneof(
    fc.constant(""),
    text(/^[a-z0-9*][a-z0-9._*-]{0,8}$/, `${LOWER}._-*/:`),
    // Several tags, comma-separated.
    text(/^[a-z0-9*]{1,4}(, ?[a-z0-9*]{1,4}){1,2}$/, `${LOWER}*, /`),
  ),
  tagNegate: fc.boolean(),
  requireDigest: fc.boolean(),
  minVersion: fc.oneof(
    fc.constant(""),
    text(/^v?[1-9][0-9]?(\.[0-9]){0,2}(-rc\.[1-9])?$/, "v0123456789.-rc+x"),
  ),
});
const labelArb = fc.record({
  key: text(/^[a-z]([a-z0-9-]{0,6}[a-z0-9])?$/, `${LOWER}-./_A `, 10),
  value: fc.oneof(fc.constant(""), text(/^[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?$/, `${LOWER}-._ `, 8)),
});
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/;
const scopeArb = fc.oneof(
  fc.constant({ kind: "organization" as const }),
  fc.record({ kind: fc.constant("workspace" as const), workspace: text(DNS_LABEL, `${LOWER}-.`) }),
  fc.record({
    kind: fc.constant("namespace" as const),
    cluster: fc.oneof(fc.constant(""), text(DNS_LABEL, `${LOWER}-./`)),
    namespace: text(DNS_LABEL, `${LOWER}-`),
  }),
);
/** Rows of the list editors: patterns, sometimes with characters no image holds or blank. */
const exemptArb = fc.array(
  text(/^[a-z0-9*]{1,6}(\/[a-z0-9*]{1,6}){0,2}(:[a-z0-9*]{1,4})?$/, `${LOWER}/:*@ A`, 16),
  { maxLength: 3 },
);
const immutableArb = fc.array(text(/^[a-z0-9*][a-z0-9.*-]{0,6}$/, `${LOWER}.*/ `), {
  maxLength: 2,
});
const stateArb: fc.Arbitrary<WizardState> = fc.record({
  name: text(/^[a-z0-9]([a-z0-9.-]{0,12}[a-z0-9])?$/, `${LOWER}-.A_`, 20),
  scope: scopeArb,
  recipe: fc.constantFrom(...TEMPLATES.map((t) => t.recipe)),
  rules: fc.array(ruleArb, { minLength: 0, maxLength: 3 }),
  include: fc.array(labelArb, { maxLength: 3 }),
  exclude: fc.array(labelArb, { maxLength: 3 }),
  extraExpressions: fc.constant([]),
  action: fc.constantFrom("deny", "warn", "audit"),
  keep: fc.constant({ metadata: {}, spec: {}, input: {} }),
  exemptImages: exemptArb,
  immutableTags: immutableArb,
  allowed: fc.array(text(/^\/[a-z0-9]{1,6}(\/[a-z0-9]{1,6})?$/, `${LOWER}/ `), { maxLength: 2 }),
  maxSize: fc.oneof(fc.constant(""), text(/^[1-9][0-9]{0,3}(Mi|Gi|M)?$/, "0123456789MiGx.")),
});

describe("properties", () => {
  it("a form without errors builds a document the policy language accepts", () => {
    let valid = 0;
    fc.assert(
      fc.property(stateArb, (s) => {
        if (hasErrors(toFormErrors(s))) return;
        valid++;
        const v = validateDocument(toDocument(s));
        expect(v.issues.filter((i) => i.severity === "error")).toEqual([]);
        expect(v.kind).toBe("ImagePolicy");
      }),
      { numRuns: 3000 },
    );
    // The generator must reach valid forms often enough for the property to mean something.
    expect(valid).toBeGreaterThan(300);
  });

  it("document → state → document is the identity for valid forms", () => {
    fc.assert(
      fc.property(stateArb, (s) => {
        if (hasErrors(toFormErrors(s))) return;
        const doc = toDocument(s);
        expect(toDocument(toWizardState(doc))).toEqual(doc);
      }),
      { numRuns: 1000 },
    );
  });
});
