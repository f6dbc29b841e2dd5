/**
 * The ImagePolicyException CRD schema (generated from core/schema) and the validator agree,
 * but for EXCEPTION_SCHEMA_GAPS, where only the validator can refuse.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { buildImagePolicyExceptionCrd } from "../src/adapters/install/index.js";
import { validateDocument } from "../src/core/policy/index.js";
import { EXCEPTION_SCHEMA_GAPS } from "../src/core/schema/index.js";
import { crdChecker } from "./support/crd-schema.js";
import { exceptionDoc } from "./support/policies.js";

const schema = crdChecker(buildImagePolicyExceptionCrd());

const base = {
  policies: ["corp-registry-only"],
  namespace: "team-a",
  images: ["docker.io/library/busybox:*"],
  workloads: [{ kind: "Deployment", name: "legacy-*" }],
  reason: "vendor image",
  owner: "team-a@example.com",
  expires: "2027-01-31",
};

type Gap = keyof typeof EXCEPTION_SCHEMA_GAPS;
const cases: Array<[string, Record<string, unknown>, boolean, Gap?]> = [
  ["valid", {}, true],
  ["every policy", { policies: ["*"] }, true],
  ["date-time", { expires: "2027-01-31T10:00:00+02:00" }, true],
  ["workspace scope", { namespace: undefined, workspace: "ws" }, true],
  ["policies missing", { policies: undefined }, false],
  ["policies empty", { policies: [] }, false],
  ["star and a name", { policies: ["*", "a"] }, false],
  ["bad policy name", { policies: ["A"] }, false],
  ["two scopes", { workspace: "ws" }, false],
  ["nothing covered", { images: undefined, workloads: undefined }, false],
  ["images empty", { images: [] }, false],
  ["workloads empty", { workloads: [] }, false],
  ["bad kind", { workloads: [{ kind: "Foo", name: "x" }] }, false],
  ["workload without name", { workloads: [{ kind: "Pod" }] }, false],
  ["workload unknown field", { workloads: [{ name: "x", extra: 1 }] }, false],
  ["reason empty", { reason: "" }, false],
  ["owner missing", { owner: undefined }, false],
  ["expires shape", { expires: "soon" }, false],
  ["expires number", { expires: 20270131 }, false],
  ["unknown field", { action: "deny" }, false],
  ["image with space", { images: ["a b"] }, false],
  ["image not normalized", { images: ["busybox"] }, false, "image"],
  ["impossible date", { expires: "2027-02-30" }, false, "date"],
  ["policy twice", { policies: ["a", "a"] }, false, "policyTwice"],
];

describe("ImagePolicyException: CRD schema and validator agree", () => {
  it.each(cases)("%s", (_name, patch, valid, gap) => {
    const doc = exceptionDoc("legacy", { ...base, ...patch });
    const v = validateDocument(doc, undefined, { now: Date.UTC(2026, 0, 1) });
    expect(v.kind !== "invalid", JSON.stringify(v.issues)).toBe(valid);
    const s = schema(doc);
    if (gap === undefined) expect(s.ok, JSON.stringify(s.errors)).toBe(valid);
    else {
      expect(EXCEPTION_SCHEMA_GAPS[gap]).toBeDefined();
      expect(s.ok, JSON.stringify(s.errors)).toBe(true);
    }
  });

  it("has the short name ipolex and an Expires column", () => {
    const crd = buildImagePolicyExceptionCrd() as {
      spec: {
        names: { shortNames: string[] };
        versions: { additionalPrinterColumns: { name: string }[] }[];
      };
    };
    expect(crd.spec.names.shortNames).toEqual(["ipolex"]);
    expect(crd.spec.versions[0]?.additionalPrinterColumns.map((c) => c.name)).toContain("Expires");
  });
});

describe("the exceptions in the docs", () => {
  it("are valid for the validator and the CRD schema", () => {
    const docs = readFileSync(resolve(import.meta.dirname, "../docs/policy-language.md"), "utf8");
    const blocks = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    const found = blocks
      .flatMap((b) => parseAllDocuments(b).map((d) => d.toJS() as Record<string, unknown>))
      .filter((d) => d?.kind === "ImagePolicyException");
    expect(found.length).toBeGreaterThan(0);
    for (const doc of found) {
      const v = validateDocument(doc, undefined, { now: Date.UTC(2026, 0, 1) });
      expect(v.kind, JSON.stringify(v.issues)).toBe("ImagePolicyException");
      expect(schema(doc).ok).toBe(true);
    }
  });
});
