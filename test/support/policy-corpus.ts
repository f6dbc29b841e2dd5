/**
 * Documents that hold the CRD schema (core/schema) and the validator together: table rows
 * with the verdict a careful user expects; mutations of valid documents of every recipe at
 * every field (unknown fields, wrong types, bad enum values, empty lists, nulls, missing
 * fields); the ImagePolicies and Workspaces of examples/, docs/ and the test fixtures; and
 * generated specs. Shared by the in-process corpus test (ajv and @bufbuild/cel) and the one
 * against a real API server (test/e2e/policy-schema.e2e.test.ts).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import fc from "fast-check";
import { parseAllDocuments } from "yaml";
import type { PolicyIssue } from "../../src/core/policy/index.js";
import { IMAGE_POLICY_SCHEMA, type Schema, WORKSPACE_SCHEMA } from "../../src/core/schema/index.js";
import { POLICIES as VAP_POLICIES } from "../fixtures/vap/scenarios.js";
import { type Case, type Doc, type Gap, KEY, policy, workspace } from "./policy-corpus-table.js";

export { type Case, type Gap, KEY, policy, TABLE, workspace } from "./policy-corpus-table.js";

export const ROOT = join(import.meta.dirname, "../..");

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
const tag = fc.constantFrom<unknown>(
  "v*",
  { value: "latest", negate: true },
  { negate: true },
  "",
  ["v1.*", "stable"],
  { values: ["latest", "dev"], negate: true },
  [],
  ["a/b"],
  { value: "v1", values: ["v2"] },
);
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
export const spec = fc
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

/** Policy names, mostly valid. */
export const policyName = mostly(["p", "corp.policy"], ["Bad"]);

// ---- mutations of valid documents ------------------------------------------------------------

/** Valid documents that between them set every field of both resources. */
export const BASES: Readonly<Record<string, Doc>> = {
  "require-digest": policy({
    workspace: "tko-day1-ops-ws",
    namespaceSelector: {
      matchLabels: { env: "prod", "customs.dev/team": "a" },
      matchExpressions: [{ key: "tier", operator: "In", values: ["web"] }],
    },
    action: "warn",
    pinDigests: true,
    recipe: "require-digest",
    input: { audit: false, exemptImages: ["docker.io/library/nginx:*"] },
  }),
  "block-latest-tag": policy({ namespace: "c1/team-a", recipe: "block-latest-tag" }),
  "allowed-name-tag": policy({
    recipe: "allowed-name-tag",
    input: {
      rules: [
        { imageName: "team/*", tag: { value: "v*", negate: false } },
        { imageName: "team/app", tag: ["v1.*", "stable"] },
        { imageName: "team/lib", tag: { values: ["latest", "dev"], negate: true } },
      ],
    },
  }),
  custom: policy({
    namespace: "team-a",
    recipe: "custom",
    input: {
      rules: [
        {
          hostname: "registry.mycorp.local",
          port: "5000",
          imageName: "team/*",
          tag: "v*",
          requireDigest: true,
        },
      ],
    },
  }),
  "blocked-images": policy({
    recipe: "blocked-images",
    input: { rules: [{ hostname: "docker.io", port: 443, imageName: "busybox", tag: "latest" }] },
  }),
  "require-signature": policy({
    recipe: "require-signature",
    input: {
      authorities: [
        { name: "k", key: { pem: KEY } },
        { name: "s", key: { secretRef: { name: "cosign", namespace: "ops", key: "cosign.pub" } } },
        {
          name: "kl",
          keyless: {
            issuer: "https://accounts.google.com",
            subjectRegExp: ".*@corp\\.com",
            trustedRoot: "public-good",
          },
        },
      ],
      count: 2,
      requireTransparencyLog: true,
      tagHandling: "pin",
    },
  }),
  "require-provenance": policy({
    recipe: "require-provenance",
    input: {
      authorities: [{ name: "ci", keyless: { issuerRegExp: "https://.*", subject: "ci@corp" } }],
      builders: ["https://github.com/*", { regExp: "https://gitlab\\.corp/.+" }],
      sourceRepositories: ["https://github.com/acme/*"],
      requireCommit: true,
      requireSbom: false,
      tagHandling: "refuse",
    },
  }),
  "require-labels": policy({
    recipe: "require-labels",
    input: {
      labels: [{ key: "org.opencontainers.image.source", value: "https://github.com/*" }],
      annotations: [{ key: "org.opencontainers.image.revision", valueRegExp: "[0-9a-f]{40}" }],
    },
  }),
  "non-root-user": policy({ recipe: "non-root-user", action: "audit", input: { audit: true } }),
  "max-image-age": policy({ recipe: "max-image-age", input: { maxAge: "90d" } }),
  "approved-base-images": policy({
    recipe: "approved-base-images",
    input: { rules: [{ hostname: "cgr.dev", imageName: "chainguard/*", tag: "latest" }] },
  }),
  "vulnerability-threshold": policy({
    recipe: "vulnerability-threshold",
    input: {
      severity: "high",
      fixableOnly: true,
      allowlist: [{ id: "CVE-2024-1", expires: "2026-12-31", reason: "not reachable" }],
      maxReportAge: "7d",
      missingReport: "warn",
      tagHandling: "pin",
    },
  }),
  "require-pull-policy": policy({
    recipe: "require-pull-policy",
    input: { immutableTags: ["v*"], exemptImages: ["registry.k8s.io/*"] },
  }),
  "require-pull-secret": policy({
    recipe: "require-pull-secret",
    input: { rules: [{ hostname: "registry.corp.example", port: "5000" }, { hostname: "*.corp" }] },
  }),
  "minimum-version": policy({
    recipe: "minimum-version",
    input: {
      rules: [
        {
          hostname: "registry.k8s.io",
          imageName: "ingress-nginx/controller",
          minVersion: "v1.11.2",
        },
        { imageName: "library/nginx", minVersion: "1.27.0-rc.1" },
      ],
    },
  }),
  "max-image-size": policy({ recipe: "max-image-size", input: { maxSize: "500Mi" } }),
  "no-volumes": policy({ recipe: "no-volumes", input: { allowed: ["/data"] } }),
  workspace: workspace({ namespaces: ["team-a", "c1.example/team-b"] }),
  extensible: policy({
    recipe: "allowed-name-tag",
    extensible: true,
    input: { rules: [{ imageName: "corp/*" }] },
  }),
  extension: policy({
    namespace: "team-a",
    namespaceSelector: { matchLabels: { env: "dev" } },
    extends: "corp-registries",
    input: {
      rules: [
        { hostname: "ghcr.io", port: "443", imageName: "team-a/*", tag: "v*", requireDigest: true },
      ],
    },
  }),
};

type Path = readonly (string | number)[];

interface Spot {
  readonly path: Path;
  readonly schema: Schema | undefined;
  readonly value: unknown;
}

const isObject = (v: unknown): v is Doc => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every value of the document with the schema that describes it (none: not described). */
function* spots(value: unknown, schema: Schema | undefined, path: Path): Generator<Spot> {
  yield { path, schema, value };
  // A string-or-object's fields are those of its object form.
  const s = schema?.kind === "either" ? schema.object : schema;
  if (Array.isArray(value)) {
    const items = s?.kind === "list" ? s.items : undefined;
    for (const [i, v] of value.entries()) yield* spots(v, items, [...path, i]);
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const child =
        s?.kind === "object" ? s.properties[k] : s?.kind === "map" ? s.values : undefined;
      yield* spots(v, child, [...path, k]);
    }
  }
}

/** The document with the value at `path` replaced (`undefined`: removed). */
function at(doc: Doc, path: Path, value: unknown): Doc {
  const copy = structuredClone(doc);
  let node: unknown = copy;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[key];
  const last = path[path.length - 1] as string | number;
  if (value === undefined && !Array.isArray(node)) delete (node as Doc)[last as string];
  else (node as Record<string | number, unknown>)[last] = value;
  return copy;
}

/** Values of another JSON type than the schema's: each must be refused by both. */
function wrongTypes(s: Schema): unknown[] {
  switch (s.kind) {
    case "string":
      return [5, true];
    case "boolean":
      return ["yes", 1];
    case "integer":
      return ["1", 1.5];
    case "int-or-string":
      return [true, 1.5];
    case "list":
      return [{ a: 1 }, "x"];
    case "object":
    case "map":
      return [["x"], "x"];
    case "either":
      // With a list form, a list is a value of its type; a list of numbers is not.
      return s.list === undefined ? [5, true, ["x"]] : [5, true, [5]];
    case "any":
      return [];
  }
}

const shown = (path: Path) =>
  path.map((k) => (typeof k === "number" ? `[${k}]` : `.${k}`)).join("");

/** Mutations of every base at every field (never status, apiVersion or kind). */
export function mutations(): Case[] {
  const cases: Case[] = [];
  for (const [base, doc] of Object.entries(BASES)) {
    const schema = doc.kind === "Workspace" ? WORKSPACE_SCHEMA : IMAGE_POLICY_SCHEMA;
    for (const { path, schema: s, value } of spots(doc, schema, [])) {
      const name = (what: string) => `${base}${shown(path)}: ${what}`;
      if (path.length === 0) continue;
      if (["apiVersion", "kind", "status"].includes(String(path[0]))) continue;
      if (isObject(value) && (s?.kind === "object" || s?.kind === "either")) {
        cases.push({
          name: name("unknown field"),
          doc: at(doc, [...path, "zzUnknown"], "x"),
          valid: false,
        });
      }
      if (s === undefined) continue;
      for (const wrong of wrongTypes(s)) {
        cases.push({
          name: name(`${JSON.stringify(wrong)}`),
          doc: at(doc, path, wrong),
          valid: false,
        });
      }
      if (s.kind === "string" && s.enum !== undefined) {
        cases.push({ name: name("bad enum value"), doc: at(doc, path, "Bogus"), valid: false });
      }
      if (s.kind === "string") cases.push({ name: name('""'), doc: at(doc, path, "") });
      if (s.kind === "list") cases.push({ name: name("[]"), doc: at(doc, path, []) });
      cases.push({ name: name("null"), doc: at(doc, path, null) });
      if (typeof path[path.length - 1] === "string") {
        cases.push({ name: name("removed"), doc: at(doc, path, undefined) });
      }
    }
  }
  return cases;
}

// ---- documents of the repository -------------------------------------------------------------

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return filesUnder(path, ext);
    return ext.test(entry) ? [path] : [];
  });
}

/** YAML documents of a file: the whole file, or the ```yaml blocks of a Markdown page. */
function yamlTexts(path: string): string[] {
  const text = readFileSync(path, "utf8");
  if (!path.endsWith(".md")) return [text];
  return [...text.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
}

/**
 * The ImagePolicies and Workspaces the repository shows people: examples/, docs/ (whole
 * documents, and specs written alone as `recipe: …`), and the test fixtures.
 */
export function repositoryCases(): Case[] {
  const files = [
    ...filesUnder(join(ROOT, "examples"), /\.ya?ml$/),
    ...filesUnder(join(ROOT, "docs"), /\.md$/),
    ...filesUnder(join(ROOT, "test/fixtures"), /\.ya?ml$/),
  ];
  const cases: Case[] = [];
  for (const file of files) {
    for (const [b, text] of yamlTexts(file).entries()) {
      for (const [d, parsed] of parseAllDocuments(text).entries()) {
        if (parsed.errors.length > 0) continue;
        const value: unknown = parsed.toJS();
        if (!isObject(value)) continue;
        const where = `${relative(ROOT, file)}#${b}.${d}`;
        if (value.apiVersion === "customs.dev/v1alpha1") {
          if (value.kind === "ImagePolicy" || value.kind === "Workspace") {
            cases.push({ name: where, doc: value });
          }
        } else if (typeof value.recipe === "string" && value.apiVersion === undefined) {
          cases.push({ name: `${where} (spec)`, doc: policy(value, "from-docs") });
        }
      }
    }
  }
  for (const [name, spec] of VAP_POLICIES) {
    cases.push({ name: `test/fixtures/vap/scenarios.ts ${name}`, doc: policy(spec, name) });
  }
  return cases;
}

/** The gap that explains every error of the validator, if one does. */
export function gapOf(issues: readonly PolicyIssue[]): Gap | undefined {
  const errors = issues.filter((i) => i.severity === "error");
  const of = (i: PolicyIssue): Gap | undefined => {
    if (i.message.includes("is not a valid RE2 expression")) return "regexp";
    if (i.message.includes("is not a date (")) return "date";
    if (i.message === "expected a string (glob) or {regExp: …}, got null") return "null";
    return undefined;
  };
  const gaps = new Set(errors.map(of));
  if (errors.length === 0 || gaps.has(undefined)) return undefined;
  return [...gaps][0];
}
