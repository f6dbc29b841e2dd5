import { describe, expect, it } from "vitest";
import { canCompileToVap } from "../../src/adapters/vap/index.js";
import { validateDocument } from "../../src/core/policy/index.js";
import { policyDoc } from "../support/policies.js";
import { errorsOf, NOW, PEM, validate } from "./support.js";

const key = { name: "ci", key: { pem: PEM } };

describe("supply-chain inputs: errors name the field", () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    [
      "no authorities",
      { recipe: "require-signature", input: {} },
      "spec.input.authorities: needs at least one authority",
    ],
    [
      "unknown field with a hint",
      { recipe: "require-signature", input: { authorities: [key], cont: 1 } },
      "spec.input.cont: unknown field `cont`; did you mean `count`?",
    ],
    [
      "rules in a signature policy",
      { recipe: "require-signature", input: { authorities: [key], rules: [] } },
      "spec.input.rules: unknown field `rules`",
    ],
    [
      "both key and keyless",
      {
        recipe: "require-signature",
        input: { authorities: [{ name: "x", key: { pem: PEM }, keyless: {} }] },
      },
      "spec.input.authorities[0]: set exactly one of `key` and `keyless`",
    ],
    [
      "key without pem or secretRef",
      { recipe: "require-signature", input: { authorities: [{ name: "x", key: {} }] } },
      "spec.input.authorities[0].key: set exactly one of `pem` and `secretRef`",
    ],
    [
      "not a PEM key",
      {
        recipe: "require-signature",
        input: { authorities: [{ name: "x", key: { pem: "hello" } }] },
      },
      "spec.input.authorities[0].key.pem: expected a PEM public key",
    ],
    [
      "issuer and issuerRegExp",
      {
        recipe: "require-signature",
        input: {
          authorities: [{ name: "x", keyless: { issuer: "a", issuerRegExp: "b", subject: "s" } }],
        },
      },
      "spec.input.authorities[0].keyless.issuer: set exactly one of `issuer` and `issuerRegExp`",
    ],
    [
      "invalid RE2 (lookahead)",
      {
        recipe: "require-signature",
        input: { authorities: [{ name: "x", keyless: { issuer: "a", subjectRegExp: "(?=x)y" } }] },
      },
      'spec.input.authorities[0].keyless.subjectRegExp: "(?=x)y" is not a valid RE2 expression',
    ],
    [
      "invalid RE2 (backreference)",
      {
        recipe: "require-provenance",
        input: { authorities: [key], builders: [{ regExp: "(a)\\1" }] },
      },
      'spec.input.builders[0].regExp: "(a)\\1" is not a valid RE2 expression',
    ],
    [
      "duplicate authority",
      { recipe: "require-signature", input: { authorities: [key, key] } },
      'spec.input.authorities[1].name: authority "ci" is listed twice',
    ],
    [
      "count too high",
      { recipe: "require-signature", input: { authorities: [key], count: 2 } },
      "spec.input.count: 2 signatures can never be had from 1 authorities",
    ],
    [
      "count zero",
      { recipe: "require-signature", input: { authorities: [key], count: 0 } },
      "spec.input.count: expected a whole number of at least 1",
    ],
    [
      "builder matching everything",
      { recipe: "require-provenance", input: { authorities: [key], builders: ["*"] } },
      'spec.input.builders[0]: "*" matches everything',
    ],
    [
      "builder with spaces",
      { recipe: "require-provenance", input: { authorities: [key], builders: ["https://x y"] } },
      'spec.input.builders[0]: "https://x y" holds whitespace',
    ],
    [
      "no labels",
      { recipe: "require-labels", input: {} },
      "spec.input: require-labels needs at least one entry",
    ],
    [
      "label without key",
      { recipe: "require-labels", input: { labels: [{ value: "x" }] } },
      "spec.input.labels[0].key: is required",
    ],
    [
      "label value and valueRegExp",
      { recipe: "require-labels", input: { labels: [{ key: "a", value: "x", valueRegExp: "y" }] } },
      "spec.input.labels[0].value: set at most one of `value` and `valueRegExp`",
    ],
    [
      "non-root takes no input",
      { recipe: "non-root-user", input: { user: "x" } },
      "spec.input.user: unknown field `user`",
    ],
    [
      "bad duration",
      { recipe: "max-image-age", input: { maxAge: "3 months" } },
      'spec.input.maxAge: "3 months" is not a duration',
    ],
    ["missing duration", { recipe: "max-image-age", input: {} }, "spec.input.maxAge: is required"],
    [
      "base images without rules",
      { recipe: "approved-base-images", input: {} },
      "spec.input.rules: approved-base-images needs at least one rule",
    ],
    [
      "base image rule that never matches",
      { recipe: "approved-base-images", input: { rules: [{ imageName: "Ubuntu" }] } },
      'spec.input.rules[0].imageName: "Ubuntu" can never match',
    ],
    [
      "severity missing",
      { recipe: "vulnerability-threshold", input: {} },
      "spec.input.severity: is required",
    ],
    [
      "severity typo",
      { recipe: "vulnerability-threshold", input: { severity: "critcal" } },
      'spec.input.severity: "critcal" is not one of `critical`, `high`, `medium`, `low`; did you mean `critical`?',
    ],
    [
      "allowlist entry without expiry",
      {
        recipe: "vulnerability-threshold",
        input: { severity: "high", allowlist: [{ id: "CVE-1" }] },
      },
      "spec.input.allowlist[0].expires: is required",
    ],
    [
      "allowlist bad date",
      {
        recipe: "vulnerability-threshold",
        input: { severity: "high", allowlist: [{ id: "CVE-1", expires: "2026-02-30x" }] },
      },
      'spec.input.allowlist[0].expires: "2026-02-30x" is not a date',
    ],
    [
      "missingReport typo",
      { recipe: "vulnerability-threshold", input: { severity: "high", missingReport: "block" } },
      'spec.input.missingReport: "block" is not one of',
    ],
  ];
  it.each(cases)("%s", (_, spec, expected) => {
    const errors = errorsOf(spec);
    expect(
      errors.some((e) => e.startsWith(expected)),
      `${expected}\n got: ${errors.join("\n")}`,
    ).toBe(true);
  });

  it("without an RE2 engine, a regular expression is an error, never ignored", () => {
    const doc = policyDoc("p", {
      recipe: "require-provenance",
      input: { authorities: [key], builders: [{ regExp: "x" }] },
    });
    const r = validateDocument(doc);
    expect(r.kind).toBe("invalid");
    expect(r.issues[0]?.path).toBe("spec.input.builders[0].regExp");
  });
});

describe("supply-chain inputs: valid policies", () => {
  const valid: Array<[string, Record<string, unknown>]> = [
    [
      "signature with keyless public-good",
      {
        recipe: "require-signature",
        input: {
          authorities: [
            {
              name: "gh",
              keyless: {
                issuer: "https://token.actions.githubusercontent.com",
                subjectRegExp: "https://github\\.com/acme/.*",
              },
            },
          ],
        },
      },
    ],
    [
      "signature with a secretRef and a private root",
      {
        recipe: "require-signature",
        input: {
          authorities: [
            {
              name: "a",
              key: {
                secretRef: { name: "cosign-pub", namespace: "customs-system", key: "cosign.pub" },
              },
            },
            {
              name: "b",
              keyless: {
                issuerRegExp: "https://dex\\..*",
                subject: "ci@acme.dev",
                trustedRoot: "/etc/customs/trusted_root.json",
              },
            },
          ],
          count: 2,
          requireTransparencyLog: true,
        },
      },
    ],
    [
      "provenance",
      {
        recipe: "require-provenance",
        input: {
          authorities: [key],
          builders: ["https://github.com/slsa-framework/*"],
          sourceRepositories: ["https://github.com/acme/*"],
          requireCommit: true,
          requireSbom: true,
        },
      },
    ],
    [
      "labels",
      {
        recipe: "require-labels",
        input: {
          labels: [{ key: "org.opencontainers.image.source", value: "https://github.com/acme/*" }],
        },
      },
    ],
    ["non-root", { recipe: "non-root-user" }],
    ["age", { recipe: "max-image-age", input: { maxAge: "720h" } }],
    [
      "base images",
      {
        recipe: "approved-base-images",
        input: { rules: [{ hostname: "cgr.dev", imageName: "chainguard/*" }] },
      },
    ],
    [
      "vulnerabilities",
      {
        recipe: "vulnerability-threshold",
        input: {
          severity: "high",
          fixableOnly: true,
          allowlist: [{ id: "CVE-1", expires: "2027-01-01", reason: "r" }],
          maxReportAge: "7d",
          missingReport: "warn",
        },
      },
    ],
  ];
  it.each(valid)("%s", (_, spec) => {
    const r = validate(spec);
    expect(r.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(r.kind).toBe("ImagePolicy");
  });

  it("defaults: count 1, no log, deny a missing report", () => {
    const s = validate({ recipe: "require-signature", input: { authorities: [key] } });
    expect(s.kind === "ImagePolicy" && s.policy.supply).toMatchObject({
      count: 1,
      requireTransparencyLog: false,
    });
    const v = validate({ recipe: "vulnerability-threshold", input: { severity: "high" } });
    expect(v.kind === "ImagePolicy" && v.policy.supply).toMatchObject({
      missingReport: "deny",
      fixableOnly: false,
      allowlist: [],
    });
  });
});

describe("lint of allowlists (with the time the caller passes)", () => {
  const spec = (expires: string) => ({
    recipe: "vulnerability-threshold",
    input: { severity: "high", allowlist: [{ id: "CVE-1", expires }] },
  });
  it.each([
    ["2026-05-01", "LINT_ALLOWLIST_EXPIRED"],
    ["2026-06-05", "LINT_ALLOWLIST_EXPIRING"],
    ["2027-01-01", undefined],
  ])("expires %s: %s", (expires, code) => {
    const warnings = validate(spec(expires), NOW).issues.filter((i) => i.severity === "warning");
    expect(warnings.map((w) => w.code)).toEqual(code === undefined ? [] : [code]);
    if (code) expect(warnings[0]?.path).toBe("spec.input.allowlist[0].expires");
  });
  it("a bare date is valid through that whole day (UTC)", () => {
    const day = validate(spec("2026-05-31"), Date.parse("2026-05-31T23:59:59Z"));
    expect(day.issues.map((i) => i.code)).toEqual(["LINT_ALLOWLIST_EXPIRING"]);
    const next = validate(spec("2026-05-31"), Date.parse("2026-06-01T00:00:00Z"));
    expect(next.issues.map((i) => i.code)).toEqual(["LINT_ALLOWLIST_EXPIRED"]);
  });
});

describe("ValidatingAdmissionPolicy", () => {
  it.each(["require-signature", "non-root-user"])("refuses %s with the reason", (recipe) => {
    const spec =
      recipe === "require-signature" ? { recipe, input: { authorities: [key] } } : { recipe };
    const r = validate(spec);
    if (r.kind !== "ImagePolicy") throw new Error("invalid");
    const check = canCompileToVap(r.policy);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reasons[0]).toMatch(
      new RegExp(`recipe ${recipe} is decided on facts fetched from registries.*admission webhook`),
    );
  });
});
