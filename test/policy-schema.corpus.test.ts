/**
 * The CRD schema (generated from core/schema) and the validator agree: every document of a
 * corpus (test/support/policy-corpus.ts: a table, mutations of valid documents at every
 * field, the policies of examples/, docs/ and the fixtures, generated specs) is accepted by
 * both or refused by both. The only exceptions are the checks no schema can say
 * (SCHEMA_GAPS): there the schema may accept what the validator refuses, and must.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildImagePolicyCrd, buildWorkspaceCrd } from "../src/adapters/install/index.js";
import { re2Engine } from "../src/adapters/re2/index.js";
import {
  IMAGE_INPUT_FIELDS,
  METADATA_FIELDS,
  SUPPLY_INPUT_FIELDS,
  validateDocument,
} from "../src/core/policy/index.js";
import { IMAGE_POLICY_SPEC, SCHEMA_GAPS } from "../src/core/schema/index.js";
import { crdChecker } from "./support/crd-schema.js";
import {
  BASES,
  type Case,
  gapOf,
  mutations,
  policy,
  policyName,
  repositoryCases,
  spec,
  TABLE,
} from "./support/policy-corpus.js";

const policySchema = crdChecker(buildImagePolicyCrd());
const workspaceSchema = crdChecker(buildWorkspaceCrd());

function verdicts(doc: Record<string, unknown>) {
  const schema = doc.kind === "Workspace" ? workspaceSchema(doc) : policySchema(doc);
  const v = validateDocument(doc, undefined, { regex: re2Engine, now: Date.UTC(2026, 0, 1) });
  const errors = v.issues
    .filter((i) => i.severity === "error")
    .map((i) => `${i.path}: ${i.message}`);
  return { schema, validatorOk: v.kind !== "invalid", validatorErrors: errors, issues: v.issues };
}

/** Both verdicts of one case, held to what it expects. */
function expectAgreement(c: Case): void {
  const v = verdicts(c.doc);
  const detail = JSON.stringify({ schema: v.schema.errors, validator: v.validatorErrors });
  if (c.valid !== undefined) expect(v.validatorOk, detail).toBe(c.valid);
  const gap = c.gap ?? (v.validatorOk ? undefined : gapOf(v.issues));
  if (gap === undefined) expect(v.schema.ok, detail).toBe(v.validatorOk);
  else {
    // A gap: only the validator can refuse this, and it must.
    expect(SCHEMA_GAPS[gap]).toBeDefined();
    expect(v.validatorOk, detail).toBe(false);
    if (c.gap !== undefined) expect(v.schema.ok, detail).toBe(true);
  }
}

describe("the CRD schema and the validator agree (table)", () => {
  it.each(TABLE.map((c) => [c.name, c] as const))("%s", (_, c) => expectAgreement(c));
});

describe("the CRD schema and the validator agree (every field of every recipe)", () => {
  const cases = mutations();

  it("the bases are valid and set every input field of the validator", () => {
    for (const [name, doc] of Object.entries(BASES)) expectAgreement({ name, doc, valid: true });
    const set = new Set(
      Object.values(BASES).flatMap((d) => Object.keys((d.spec as { input?: object }).input ?? {})),
    );
    const taken = new Set([
      "audit",
      "exemptImages",
      "rules",
      ...Object.values(SUPPLY_INPUT_FIELDS).flat(),
      ...Object.values(IMAGE_INPUT_FIELDS).flat(),
    ]);
    expect([...taken].filter((f) => !set.has(f))).toEqual([]);
  });

  it("each input field the validator takes has a schema, and no other", () => {
    const input =
      IMAGE_POLICY_SPEC.kind === "object" ? IMAGE_POLICY_SPEC.properties.input : undefined;
    const fields = input?.kind === "object" ? Object.keys(input.properties) : [];
    const taken = new Set([
      "audit",
      "exemptImages",
      "rules",
      ...Object.values(SUPPLY_INPUT_FIELDS).flat(),
      ...Object.values(IMAGE_INPUT_FIELDS).flat(),
    ]);
    expect(fields.sort()).toEqual([...taken].sort());
  });

  it("there are mutations of every kind: unknown fields, wrong types, bad enums, [], null", () => {
    for (const what of ["unknown field", "bad enum value", "[]", "null", "removed", '""', "5"]) {
      expect(cases.filter((c) => c.name.endsWith(`: ${what}`)).length, what).toBeGreaterThan(5);
    }
    expect(cases.length).toBeGreaterThan(500);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", (_, c) => expectAgreement(c));
});

describe("the CRD schema and the validator agree (documents of the repository)", () => {
  const cases = repositoryCases();

  it("finds the policies of examples/, docs/ and the fixtures", () => {
    const from = (prefix: string) => cases.filter((c) => c.name.startsWith(prefix)).length;
    expect(from("examples/")).toBeGreaterThan(2);
    expect(from("docs/")).toBeGreaterThanOrEqual(10);
    expect(from("docs/supply-chain.md")).toBeGreaterThan(5);
    expect(from("test/fixtures/")).toBeGreaterThan(20);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", (_, c) => expectAgreement(c));
});

describe("the CRD schema's model of ObjectMeta", () => {
  it("accepts every metadata field the validator accepts", () => {
    const metadata = Object.fromEntries(METADATA_FIELDS.map((f) => [f, f === "name" ? "p" : {}]));
    const v = verdicts({ ...policy({ recipe: "require-digest" }), metadata });
    expect(v.schema.errors).toEqual([]);
  });
});

describe("the CRD schema and the validator agree (generated)", () => {
  it("on generated ImagePolicies", () => {
    let valid = 0;
    fc.assert(
      fc.property(spec, policyName, (s, name) => {
        const v = verdicts(policy(s, name));
        if (v.validatorOk) valid++;
        const gap = v.validatorOk ? undefined : gapOf(v.issues);
        return gap === undefined ? v.schema.ok === v.validatorOk : true;
      }),
      { numRuns: 3000, seed: 20260101, endOnFailure: true },
    );
    // The corpus is worth something only when both verdicts occur.
    expect(valid).toBeGreaterThan(150);
  });
});
