/**
 * The CRD schema (generated from core/schema) and the validator agree: every document of a
 * corpus, table-driven and generated, is accepted by both or refused by both. The only
 * exceptions are the checks no schema can say (SCHEMA_GAPS): there the schema may accept
 * what the validator refuses, and each such row names its gap.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildImagePolicyCrd, buildWorkspaceCrd } from "../src/adapters/install/index.js";
import { re2Engine } from "../src/adapters/re2/index.js";
import { validateDocument } from "../src/core/policy/index.js";
import { SCHEMA_GAPS } from "../src/core/schema/index.js";
import { crdChecker } from "./support/crd-schema.js";

const policySchema = crdChecker(buildImagePolicyCrd());
const workspaceSchema = crdChecker(buildWorkspaceCrd());

type Gap = keyof typeof SCHEMA_GAPS;

function verdicts(doc: Record<string, unknown>) {
  const schema = doc.kind === "Workspace" ? workspaceSchema(doc) : policySchema(doc);
  const v = validateDocument(doc, undefined, { regex: re2Engine, now: Date.UTC(2026, 0, 1) });
  const errors = v.issues
    .filter((i) => i.severity === "error")
    .map((i) => `${i.path}: ${i.message}`);
  return { schema, validatorOk: v.kind !== "invalid", validatorErrors: errors };
}

const policy = (spec: unknown, name = "p") => ({
  apiVersion: "customs.dev/v1alpha1",
  kind: "ImagePolicy",
  metadata: { name },
  spec,
});
const workspace = (spec: unknown, name = "ws") => ({
  apiVersion: "customs.dev/v1alpha1",
  kind: "Workspace",
  metadata: { name },
  spec,
});
const custom = (...rules: unknown[]) => policy({ recipe: "custom", input: { rules } });
const KEY =
  "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n";
const signature = (input: Record<string, unknown>) =>
  policy({ recipe: "require-signature", input });

type Row = [string, Record<string, unknown>, boolean, Gap?];

const ROWS: Row[] = [
  [
    "the report: hostname with a port, port with letters",
    custom({ hostname: "registry.mycorp.local:5000", port: "50x0" }),
    false,
  ],
  ["hostname with a port alone", custom({ hostname: "registry.mycorp.local:5000" }), false],
  ["port with letters alone", custom({ hostname: "r.example", port: "50x0" }), false],
  ["IPv6 host with brackets", custom({ hostname: "[::1]", port: 5000 }), true],
  ["IPv6 host with a port after the brackets", custom({ hostname: "[::1]:5000" }), false],
  ["port as a number", custom({ hostname: "r.example", port: 5000 }), true],
  ["negative port", custom({ hostname: "r.example", port: -1 }), false],
  ["port without hostname", custom({ port: "5000" }), false],
  ["empty port without hostname", custom({ port: "", imageName: "a" }), true],
  ["port with an empty hostname", custom({ hostname: "", port: "5000" }), false],
  ["imageName with uppercase", custom({ imageName: "Team/app" }), false],
  ["tag as a string", custom({ tag: "v*" }), true],
  ["tag as an object", custom({ tag: { value: "latest", negate: true } }), true],
  ["tag with a slash", custom({ tag: "a/b" }), false, "untyped"],
  [
    "tag object with an unknown field",
    custom({ tag: { value: "v1", not: true } }),
    false,
    "untyped",
  ],
  ["unknown rule field", custom({ hostnmae: "r.example" }), false],
  ["no rules", policy({ recipe: "custom" }), false],
  ["empty rules", policy({ recipe: "custom", input: { rules: [] } }), false],
  [
    "rules for require-digest",
    policy({ recipe: "require-digest", input: { rules: [{ imageName: "a" }] } }),
    false,
  ],
  [
    "allowed-name-tag with a hostname",
    policy({ recipe: "allowed-name-tag", input: { rules: [{ hostname: "r" }] } }),
    false,
  ],
  [
    "blocked-images with requireDigest",
    policy({
      recipe: "blocked-images",
      input: { rules: [{ imageName: "a", requireDigest: true }] },
    }),
    false,
  ],
  [
    "approved-base-images with requireDigest",
    policy({
      recipe: "approved-base-images",
      input: { rules: [{ imageName: "a", requireDigest: true }] },
    }),
    false,
  ],
  [
    "workspace and namespace",
    policy({ recipe: "require-digest", workspace: "w", namespace: "n" }),
    false,
  ],
  ["workspace not a label", policy({ recipe: "require-digest", workspace: "W_1" }), false],
  [
    "namespace CLUSTER/NAME",
    policy({ recipe: "require-digest", namespace: "c-1.example/team" }),
    true,
  ],
  ["namespace with two slashes", policy({ recipe: "require-digest", namespace: "a/b/c" }), false],
  [
    "namespace with a bad cluster",
    policy({ recipe: "require-digest", namespace: "a..b/c" }),
    false,
  ],
  [
    "namespace with a 254-character cluster",
    policy({ recipe: "require-digest", namespace: `${"a".repeat(254)}/c` }),
    false,
  ],
  ["unknown recipe", policy({ recipe: "require-digests" }), false],
  ["no recipe", policy({ action: "deny" }), false],
  ["unknown spec field", policy({ recipe: "require-digest", mode: "x" }), false],
  [
    "audit with action deny",
    policy({ recipe: "require-digest", action: "deny", input: { audit: true } }),
    false,
  ],
  [
    "audit with action audit",
    policy({ recipe: "require-digest", action: "audit", input: { audit: true } }),
    true,
  ],
  ["bad policy name", policy({ recipe: "require-digest" }, "Bad_Name"), false],
  [
    "selector In without values",
    policy({
      recipe: "require-digest",
      namespaceSelector: { matchExpressions: [{ key: "env", operator: "In" }] },
    }),
    false,
  ],
  [
    "selector Exists with values",
    policy({
      recipe: "require-digest",
      namespaceSelector: { matchExpressions: [{ key: "env", operator: "Exists", values: ["a"] }] },
    }),
    false,
  ],
  [
    "selector bad label key",
    policy({ recipe: "require-digest", namespaceSelector: { matchLabels: { "bad key": "a" } } }),
    false,
  ],
  [
    "selector bad label value",
    policy({ recipe: "require-digest", namespaceSelector: { matchLabels: { env: "a b" } } }),
    false,
  ],
  [
    "selector prefixed key",
    policy({
      recipe: "require-digest",
      namespaceSelector: { matchLabels: { "customs.dev/workspace": "x" } },
    }),
    true,
  ],
  ["signature with a key", signature({ authorities: [{ name: "a", key: { pem: KEY } }] }), true],
  ["signature with no authority", signature({}), false],
  [
    "signature with a key and keyless",
    signature({
      authorities: [{ name: "a", key: { pem: KEY }, keyless: { issuer: "i", subject: "s" } }],
    }),
    false,
  ],
  [
    "signature keyless with issuer and issuerRegExp",
    signature({
      authorities: [{ name: "a", keyless: { issuer: "i", issuerRegExp: "i.*", subject: "s" } }],
    }),
    false,
  ],
  [
    "signature keyless without subject",
    signature({ authorities: [{ name: "a", keyless: { issuer: "i" } }] }),
    false,
  ],
  [
    "signature count over authorities",
    signature({ count: 2, authorities: [{ name: "a", key: { pem: KEY } }] }),
    false,
  ],
  [
    "signature count zero",
    signature({ count: 0, authorities: [{ name: "a", key: { pem: KEY } }] }),
    false,
  ],
  [
    "signature duplicate authority names",
    signature({
      authorities: [
        { name: "a", key: { pem: KEY } },
        { name: "a", key: { secretRef: { name: "k" } } },
      ],
    }),
    false,
  ],
  [
    "signature with a bad PEM",
    signature({ authorities: [{ name: "a", key: { pem: "not a key" } }] }),
    false,
  ],
  [
    "signature regexp that does not compile",
    signature({
      authorities: [{ name: "a", keyless: { issuer: "i", subjectRegExp: "(unclosed" } }],
    }),
    false,
    "regexp",
  ],
  [
    "signature input of another recipe",
    signature({ authorities: [{ name: "a", key: { pem: KEY } }], maxAge: "1d" }),
    false,
  ],
  [
    "provenance with builders",
    policy({
      recipe: "require-provenance",
      input: {
        authorities: [{ name: "a", key: { pem: KEY } }],
        builders: ["https://github.com/*", { regExp: "x.*" }],
      },
    }),
    true,
  ],
  [
    "provenance with a builder of only *",
    policy({
      recipe: "require-provenance",
      input: { authorities: [{ name: "a", key: { pem: KEY } }], builders: ["**"] },
    }),
    false,
    "untyped",
  ],
  [
    "builders on require-signature",
    signature({ authorities: [{ name: "a", key: { pem: KEY } }], builders: ["x"] }),
    false,
    "untyped",
  ],
  [
    "labels",
    policy({
      recipe: "require-labels",
      input: { labels: [{ key: "org.opencontainers.image.source" }] },
    }),
    true,
  ],
  ["labels empty", policy({ recipe: "require-labels", input: { labels: [] } }), false],
  [
    "labels value and valueRegExp",
    policy({
      recipe: "require-labels",
      input: { labels: [{ key: "k", value: "v", valueRegExp: "v" }] },
    }),
    false,
  ],
  ["non-root-user", policy({ recipe: "non-root-user" }), true],
  [
    "non-root-user with rules",
    policy({ recipe: "non-root-user", input: { rules: [{ imageName: "a" }] } }),
    false,
  ],
  ["max-image-age", policy({ recipe: "max-image-age", input: { maxAge: "90d" } }), true],
  ["max-image-age without maxAge", policy({ recipe: "max-image-age" }), false],
  ["max-image-age in months", policy({ recipe: "max-image-age", input: { maxAge: "3mo" } }), false],
  [
    "vulnerability-threshold",
    policy({
      recipe: "vulnerability-threshold",
      input: {
        severity: "high",
        allowlist: [{ id: "CVE-1", expires: "2026-12-31" }],
        missingReport: "warn",
        maxReportAge: "7d",
      },
    }),
    true,
  ],
  [
    "vulnerability-threshold without severity",
    policy({ recipe: "vulnerability-threshold", input: {} }),
    false,
  ],
  [
    "vulnerability-threshold bad severity",
    policy({ recipe: "vulnerability-threshold", input: { severity: "severe" } }),
    false,
  ],
  [
    "allowlist without expires",
    policy({
      recipe: "vulnerability-threshold",
      input: { severity: "high", allowlist: [{ id: "CVE-1" }] },
    }),
    false,
  ],
  [
    "allowlist date that is no date",
    policy({
      recipe: "vulnerability-threshold",
      input: { severity: "high", allowlist: [{ id: "CVE-1", expires: "2026-13-45" }] },
    }),
    false,
    "date",
  ],
  [
    "null fields are absent",
    policy({ recipe: "require-digest", namespace: null, input: null }),
    true,
  ],
  ["workspace", workspace({ namespaces: ["a", "c1/b"] }), true],
  [
    "workspace without spec",
    { apiVersion: "customs.dev/v1alpha1", kind: "Workspace", metadata: { name: "ws" } },
    true,
  ],
  ["workspace with a bad namespace", workspace({ namespaces: ["A"] }), false],
  ["workspace with an empty namespace", workspace({ namespaces: [""] }), false],
  ["workspace with an unknown field", workspace({ namespace: ["a"] }), false],
  ["workspace with a subdomain name", workspace({ namespaces: ["a"] }, "a.b"), false],
];

describe("the CRD schema and the validator agree (table)", () => {
  it.each(ROWS)("%s", (_, doc, valid, gap) => {
    const v = verdicts(doc);
    const detail = { schema: v.schema.errors, validator: v.validatorErrors };
    expect(v.validatorOk, JSON.stringify(detail)).toBe(valid);
    if (gap === undefined) expect(v.schema.ok, JSON.stringify(detail)).toBe(valid);
    else {
      // A gap: only the validator can refuse this, and it must.
      expect(SCHEMA_GAPS[gap]).toBeDefined();
      expect(v.schema.ok, JSON.stringify(detail)).toBe(true);
    }
  });
});

// ---- generated -----------------------------------------------------------------------------

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
/** Mostly absent: most input fields belong to one recipe only. */
const rarely = <T>(a: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, { arbitrary: a, weight: 1 });
/** Valid values most of the time, so that both verdicts occur often. */
const mostly = <T>(good: readonly T[], bad: readonly T[]) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...good), weight: 4 },
    { arbitrary: fc.constantFrom(...bad), weight: 1 },
  );
const compact = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const hostname = mostly(
  ["registry.mycorp.local", "*.corp", "[::1]", "", "Reg.Example"],
  ["r:5000", "[::1]:5", "a/b"],
);
const port = mostly<unknown>(["5000", 5000, "5*", ""], ["50x0", -1, "x"]);
const imageName = mostly(["team/*", "library/busybox", ""], ["Team/app", "a b"]);
const tag = fc.constantFrom<unknown>("v*", { value: "latest", negate: true }, { negate: true }, "");
const rule = fc
  .record({
    hostname: maybe(hostname),
    port: maybe(port),
    imageName: maybe(imageName),
    tag: maybe(tag),
    requireDigest: maybe(fc.constantFrom<unknown>(true, false, "yes")),
    hostnmae: rarely(fc.constant("x")),
  })
  .map(compact);
const authority = fc.constantFrom<unknown>(
  { name: "k", key: { pem: KEY } },
  { name: "s", key: { secretRef: { name: "cosign", namespace: "ops" } } },
  {
    name: "kl",
    keyless: { issuer: "https://accounts.google.com", subjectRegExp: ".*@corp\\.com" },
  },
  { name: "bad", keyless: { issuer: "i" } },
  { name: "both", key: { pem: KEY }, keyless: { issuer: "i", subject: "s" } },
  { name: "", key: { pem: KEY } },
  { key: { pem: KEY } },
);
const input = fc
  .record({
    audit: rarely(fc.constantFrom<unknown>(true, false, "true")),
    rules: rarely(fc.array(rule, { maxLength: 3 })),
    authorities: rarely(fc.array(authority, { maxLength: 3 })),
    count: rarely(fc.constantFrom<unknown>(1, 2, 0, "1")),
    requireTransparencyLog: rarely(fc.boolean()),
    labels: rarely(
      fc.constantFrom<unknown>(
        [],
        [{ key: "a" }],
        [{ key: "a", value: "b", valueRegExp: "c" }],
        [{ key: "" }],
      ),
    ),
    maxAge: rarely(fc.constantFrom("90d", "3mo", "0d", "12h")),
    severity: rarely(fc.constantFrom("high", "critical", "severe")),
    fixableOnly: rarely(fc.boolean()),
    allowlist: rarely(
      fc.constantFrom<unknown>(
        [{ id: "CVE-1", expires: "2026-12-31" }],
        [{ id: "CVE-2" }],
        [{ id: "", expires: "2026-01-01T00:00:00Z" }],
      ),
    ),
    missingReport: rarely(fc.constantFrom("deny", "allow", "ignore")),
    maxReportAge: rarely(fc.constantFrom("7d", "a week")),
  })
  .map(compact);
const selector = fc.constantFrom<unknown>(
  { matchLabels: { env: "prod" } },
  { matchLabels: { "bad key": "x" } },
  { matchExpressions: [{ key: "env", operator: "NotIn", values: ["sandbox"] }] },
  { matchExpressions: [{ key: "env", operator: "Exists" }] },
  { matchExpressions: [{ key: "env", operator: "In" }] },
  { matchExpressions: [{ key: "env", operator: "Within", values: ["a"] }] },
);
const spec = fc
  .record({
    recipe: fc.constantFrom(
      "require-digest",
      "block-latest-tag",
      "allowed-name-tag",
      "custom",
      "blocked-images",
      "require-signature",
      "require-labels",
      "non-root-user",
      "max-image-age",
      "approved-base-images",
      "vulnerability-threshold",
      "latest",
    ),
    action: maybe(mostly(["deny", "warn", "audit"], ["block"])),
    workspace: rarely(mostly(["tko-day1-ops-ws"], ["Bad_ws"])),
    namespace: rarely(mostly(["team-a", "c1/team-a"], ["a/b/c"])),
    namespaceSelector: rarely(selector),
    pinDigests: rarely(mostly<unknown>([true], ["no"])),
    input: maybe(input),
    typo: rarely(fc.constant("x")),
  })
  .map(compact);

describe("the CRD schema and the validator agree (generated)", () => {
  it("on generated ImagePolicies", () => {
    let valid = 0;
    fc.assert(
      fc.property(spec, mostly(["p", "corp.policy"], ["Bad"]), (s, name) => {
        const v = verdicts(policy(s, name));
        if (v.validatorOk) valid++;
        return v.schema.ok === v.validatorOk;
      }),
      { numRuns: 3000, seed: 20260101, endOnFailure: true },
    );
    // The corpus is worth something only when both verdicts occur.
    expect(valid).toBeGreaterThan(150);
  });
});
