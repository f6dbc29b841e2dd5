/**
 * The corpus's table: documents with the verdict a careful user expects from both the CRD
 * schema and the validator, and for the checks no schema can say (SCHEMA_GAPS), which one.
 */
import type { SCHEMA_GAPS } from "../../src/core/schema/index.js";

export type Gap = keyof typeof SCHEMA_GAPS;
export type Doc = Record<string, unknown>;

/**
 * One document and what both must answer: `valid` when the table says so, else only that
 * they agree (the validator's verdict decides; a gap may explain a schema that accepts).
 */
export interface Case {
  readonly name: string;
  readonly doc: Doc;
  readonly valid?: boolean;
  /** The validator alone refuses this, for a reason no schema can say. */
  readonly gap?: Gap;
}

export const policy = (spec: unknown, name = "p"): Doc => ({
  apiVersion: "customs.dev/v1alpha1",
  kind: "ImagePolicy",
  metadata: { name },
  spec,
});
export const workspace = (spec: unknown, name = "ws"): Doc => ({
  apiVersion: "customs.dev/v1alpha1",
  kind: "Workspace",
  metadata: { name },
  spec,
});
const custom = (...rules: unknown[]) => policy({ recipe: "custom", input: { rules } });
const exempting = (exemptImages: unknown) =>
  policy({ recipe: "require-digest", input: { exemptImages } });
export const KEY =
  "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n";
const signature = (input: Record<string, unknown>) =>
  policy({ recipe: "require-signature", input });
const provenance = (input: Record<string, unknown>) =>
  policy({
    recipe: "require-provenance",
    input: { authorities: [{ name: "a", key: { pem: KEY } }], ...input },
  });

type Row = [string, Doc, boolean, Gap?];

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
  ["tag with a slash", custom({ tag: "a/b" }), false],
  ["tag object with an unknown field", custom({ tag: { value: "v1", not: true } }), false],
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
  ],
  [
    "builders on require-signature",
    signature({ authorities: [{ name: "a", key: { pem: KEY } }], builders: ["x"] }),
    false,
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
  // Fields the CRD once refused or kept as written while the validator decided otherwise.
  [
    "tagHandling on require-signature",
    signature({ authorities: [{ name: "a", key: { pem: KEY } }], tagHandling: "pin" }),
    true,
  ],
  [
    "tagHandling on require-labels",
    policy({ recipe: "require-labels", input: { labels: [{ key: "a" }], tagHandling: "pin" } }),
    false,
  ],
  [
    "tagHandling bogus",
    signature({ authorities: [{ name: "a", key: { pem: KEY } }], tagHandling: "always" }),
    false,
  ],
  [
    "a regexp over 1024 characters",
    signature({
      authorities: [{ name: "a", keyless: { issuer: "i", subjectRegExp: "a".repeat(1025) } }],
    }),
    false,
  ],
  ["tag as a number", custom({ tag: 5 }), false],
  ["tag as a boolean", custom({ tag: true }), false],
  ["tag as a list", custom({ tag: ["v1"] }), true],
  ["tag as a list of two", custom({ tag: ["v1", "stable"] }), true],
  ["tag as an empty list", custom({ tag: [] }), false],
  ["tag list with a bad entry", custom({ tag: ["v1", "a/b"] }), false],
  ["tag list with an empty entry", custom({ tag: ["v1", ""] }), false],
  ["tag list with a number", custom({ tag: ["v1", 5] }), false],
  ["tag list with an object", custom({ tag: [{ value: "v1" }] }), false],
  ["tag list with a null", custom({ tag: ["v1", null] }), false],
  ["tag list of 65", custom({ tag: Array(65).fill("v") }), false],
  ["tag values", custom({ tag: { values: ["v1", "v2"], negate: true } }), true],
  ["tag values empty", custom({ tag: { values: [] } }), false],
  ["tag value and values", custom({ tag: { value: "v1", values: ["v2"] } }), false],
  ["tag values with a bad entry", custom({ tag: { values: ["a/b"] } }), false],
  ["exemptImages", exempting(["docker.io/library/nginx:*", "registry.corp/tools/*"]), true],
  ["exemptImages empty", exempting([]), true],
  ...(
    [
      [
        { recipe: "minimum-version", input: { rules: [{ imageName: "a", minVersion: "v1" }] } },
        true,
      ],
      [
        {
          recipe: "minimum-version",
          input: { rules: [{ imageName: "a", minVersion: "1.2.3-rc.1" }] },
        },
        true,
      ],
      [
        { recipe: "minimum-version", input: { rules: [{ imageName: "a", minVersion: "latest" }] } },
        false,
      ],
      [
        { recipe: "minimum-version", input: { rules: [{ imageName: "a", minVersion: "1.02" }] } },
        false,
      ],
      [
        {
          recipe: "minimum-version",
          input: { rules: [{ imageName: "a", minVersion: "1.0.0-01" }] },
        },
        false,
      ],
      [
        {
          recipe: "minimum-version",
          input: { rules: [{ imageName: "a", minVersion: "1.2.3.4" }] },
        },
        false,
      ],
      [{ recipe: "minimum-version", input: { rules: [{ minVersion: "1" }] } }, false],
      [{ recipe: "minimum-version", input: { rules: [{ imageName: "a" }] } }, false],
      [
        {
          recipe: "minimum-version",
          input: { rules: [{ imageName: "a", minVersion: "1", tag: "v*" }] },
        },
        false,
      ],
      [{ recipe: "minimum-version", input: { rules: [] } }, false],
      [{ recipe: "custom", input: { rules: [{ imageName: "a", minVersion: "1" }] } }, false],
      [
        { recipe: "require-pull-secret", input: { rules: [{ hostname: "r.example", tag: "v1" }] } },
        false,
      ],
      [
        {
          recipe: "require-pull-secret",
          input: { rules: [{ hostname: "r.example", imageName: "a" }] },
        },
        false,
      ],
      [{ recipe: "require-pull-secret" }, false],
      [{ recipe: "require-pull-policy" }, true],
      [{ recipe: "require-pull-policy", input: { immutableTags: ["v*", "a/b"] } }, false],
      [{ recipe: "require-pull-policy", input: { immutableTags: [""] } }, false],
      [{ recipe: "require-pull-policy", input: { rules: [{ hostname: "a" }] } }, false],
      [{ recipe: "custom", input: { rules: [{ hostname: "a" }], immutableTags: ["v*"] } }, false],
      [{ recipe: "max-image-size", input: { maxSize: "1.5Gi" } }, true],
      [{ recipe: "max-image-size", input: { maxSize: 1000 } }, true],
      [{ recipe: "max-image-size", input: { maxSize: "1e9" } }, false],
      [{ recipe: "max-image-size", input: { maxSize: "500mi" } }, false],
      [{ recipe: "max-image-size", input: { maxSize: -1 } }, false],
      [{ recipe: "max-image-size" }, false],
      [{ recipe: "no-volumes" }, true],
      [{ recipe: "no-volumes", input: { allowed: ["data"] } }, false],
      [{ recipe: "no-volumes", input: { allowed: [""] } }, false],
    ] as const
  ).map(
    ([spec, valid], i): Row => [
      `hygiene recipe ${i}: ${JSON.stringify(spec)}`,
      policy(spec),
      valid,
    ],
  ),
  ["exemptImages with a space", exempting(["a b"]), false],
  ["exemptImages with an empty entry", exempting([""]), false],
  ["exemptImages as a string", exempting("a/*"), false],
  ["exemptImages entry too long", exempting(["a".repeat(513)]), false],
  ["tag as an empty object", custom({ tag: {} }), true],
  ["tag object with negate alone", custom({ tag: { negate: true } }), true],
  ["tag object with a bad value", custom({ tag: { value: "a/b" } }), false],
  ["tag object with a value of the wrong type", custom({ tag: { value: 1 } }), false],
  ["tag string too long", custom({ tag: "v".repeat(513) }), false],
  ["builder {} without regExp", provenance({ builders: [{}] }), false],
  [
    "builder {regExp} with another field",
    provenance({ builders: [{ regExp: "a", glob: "b" }] }),
    false,
  ],
  ["builder with white space", provenance({ builders: ["a b"] }), false],
  ["builder with a no-break space", provenance({ builders: ["a\u00a0b"] }), false],
  ["builder of a number", provenance({ builders: [5] }), false],
  [
    "sourceRepositories on require-signature",
    signature({ authorities: [{ name: "a", key: { pem: KEY } }], sourceRepositories: ["x"] }),
    false,
  ],
  [
    "builders on vulnerability-threshold",
    policy({ recipe: "vulnerability-threshold", input: { severity: "high", builders: ["x"] } }),
    false,
  ],
  [
    "empty builders on require-provenance",
    provenance({ builders: [], sourceRepositories: [] }),
    true,
  ],
  [
    "a PEM after a no-break space",
    signature({ authorities: [{ name: "a", key: { pem: `\u00a0${KEY}` } }] }),
    true,
  ],
  [
    "label value null is absent",
    policy({ recipe: "require-labels", input: { labels: [{ key: "a", value: null }] } }),
    true,
  ],
  ["a null namespace in a workspace", workspace({ namespaces: ["a", null] }), false],
  [
    "an unknown metadata field",
    { ...policy({ recipe: "require-digest" }), metadata: { name: "p", nmae: "x" } },
    false,
  ],
  [
    "metadata labels",
    { ...policy({ recipe: "require-digest" }), metadata: { name: "p", labels: { a: "b" } } },
    true,
  ],
  ["an unknown top-level field", { ...policy({ recipe: "require-digest" }), extra: 1 }, false],
  // Widening an allowlist (spec.extensible, spec.extends).
  [
    "an extension without a recipe",
    policy({ namespace: "team-a", extends: "corp", input: { rules: [{ hostname: "ghcr.io" }] } }),
    true,
  ],
  [
    "an extension with its recipe",
    policy({
      namespace: "team-a",
      extends: "corp",
      input: { rules: [{ hostname: "ghcr.io" }] },
      recipe: "custom",
    }),
    true,
  ],
  [
    "an extension of a workspace",
    policy({ workspace: "ws", extends: "corp", input: { rules: [{ imageName: "a/*" }] } }),
    true,
  ],
  [
    "an extension with an action",
    policy({
      namespace: "team-a",
      extends: "corp",
      input: { rules: [{ hostname: "ghcr.io" }] },
      action: "deny",
    }),
    false,
  ],
  [
    "an extension with pinDigests false",
    policy({
      namespace: "team-a",
      extends: "corp",
      input: { rules: [{ hostname: "ghcr.io" }] },
      pinDigests: false,
    }),
    false,
  ],
  [
    "an extension that is extensible",
    policy({
      namespace: "team-a",
      extends: "corp",
      input: { rules: [{ hostname: "ghcr.io" }] },
      extensible: false,
    }),
    false,
  ],
  [
    "an extension with a blocklist recipe",
    policy({
      namespace: "team-a",
      extends: "corp",
      input: { rules: [{ hostname: "ghcr.io" }] },
      recipe: "blocked-images",
    }),
    false,
  ],
  [
    "an extension with a supply-chain recipe",
    policy({ namespace: "team-a", extends: "corp", recipe: "require-digest" }),
    false,
  ],
  [
    "an organization-wide extension",
    policy({ extends: "corp", input: { rules: [{ hostname: "ghcr.io" }] } }),
    false,
  ],
  [
    "an extension with audit",
    policy({
      namespace: "team-a",
      extends: "corp",
      input: { audit: false, rules: [{ hostname: "ghcr.io" }] },
    }),
    false,
  ],
  ["an extension without rules", policy({ namespace: "team-a", extends: "corp" }), false],
  [
    "an extension with empty rules",
    policy({ namespace: "team-a", extends: "corp", input: { rules: [] } }),
    false,
  ],
  [
    "an extension with authorities",
    policy({
      namespace: "team-a",
      extends: "corp",
      input: { rules: [{ hostname: "ghcr.io" }], authorities: [{ key: { data: KEY } }] },
    }),
    false,
  ],
  [
    "an extension with builders",
    policy({
      namespace: "team-a",
      extends: "corp",
      input: { rules: [{ hostname: "ghcr.io" }], builders: ["x"] },
    }),
    false,
  ],
  [
    "extends with uppercase",
    policy({ namespace: "team-a", extends: "Corp", input: { rules: [{ hostname: "ghcr.io" }] } }),
    false,
  ],
  [
    "an extensible custom allowlist",
    policy({ recipe: "custom", extensible: true, input: { rules: [{ hostname: "a.example" }] } }),
    true,
  ],
  [
    "an extensible blocklist",
    policy({
      recipe: "blocked-images",
      extensible: true,
      input: { rules: [{ hostname: "a.example" }] },
    }),
    false,
  ],
  [
    "a blocklist that is not extensible",
    policy({
      recipe: "blocked-images",
      extensible: false,
      input: { rules: [{ hostname: "a.example" }] },
    }),
    true,
  ],
  [
    "an extensible supply-chain recipe",
    policy({ recipe: "non-root-user", extensible: true }),
    false,
  ],
  [
    "neither recipe nor extends",
    policy({ namespace: "team-a", input: { rules: [{ hostname: "ghcr.io" }] } }),
    false,
  ],
];

/** The table of rows, as cases. */
export const TABLE: Case[] = ROWS.map(([name, doc, valid, gap]) => ({
  name,
  doc,
  valid,
  ...(gap === undefined ? {} : { gap }),
}));
