/**
 * Properties of reading raw prefixes (docs/import.md, "Image strings"), checked through the
 * engine on generated images: a translated blocklist blocks at least every image the raw
 * prefix blocks, and a translated allowlist never admits another registry host.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { re2Engine } from "../../src/adapters/re2/index.js";
import { importPolicies } from "../../src/core/import/index.js";
import { validateDocument } from "../../src/core/policy/index.js";
import { parseNormalized, toImageParts } from "../../src/core/reference/index.js";
import { customsRefuses } from "./library-support.js";

const host = fc.constantFrom(
  "k8s.gcr.io",
  "K8S.gcr.io",
  "k8s.gcr.io:443",
  "k8s.gcr.io.evil.com",
  "gcr.io",
  "ghcr.io",
  "localhost:5000",
  "",
);
const segment = fc.constantFrom("team", "team-x", "app", "nginx", "library", "kustomize", "nginxy");
const tail = fc.constantFrom("", ":v1", ":latest", `@sha256:${"a".repeat(64)}`);
const image = fc
  .tuple(host, fc.array(segment, { minLength: 1, maxLength: 3 }), tail)
  .map(([h, path, t]) => `${h === "" ? "" : `${h}/`}${path.join("/")}${t}`)
  .filter((s) => parseNormalized(s).ok);
const prefix = fc.constantFrom(
  "k8s.gcr.io/",
  "k8s.gcr.io",
  "gcr.io/team/",
  "ghcr.io/team",
  "nginx",
  "team/",
  "localhost:5000/app",
);

const constraint = (kind: string, repos: string[]) =>
  importPolicies("gatekeeper", [
    {
      source: "c.yaml",
      value: {
        apiVersion: "constraints.gatekeeper.sh/v1beta1",
        kind,
        metadata: { name: "c" },
        spec: { parameters: { repos } },
      },
    },
  ]);

describe("raw prefixes, translated", () => {
  it("a blocklist blocks every image whose string starts with the prefix", () => {
    fc.assert(
      fc.property(image, prefix, (img, p) => {
        if (!img.startsWith(p)) return;
        expect(customsRefuses(constraint("K8sDisallowedRepos", [p]), img)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("an allowlist of a host admits no image of another host", () => {
    fc.assert(
      fc.property(
        image,
        fc.constantFrom("k8s.gcr.io/", "k8s.gcr.io", "gcr.io/team/", "localhost:5000/app"),
        (img, p) => {
          const wanted = (p.split("/")[0] ?? "").split(":")[0];
          const parsed = parseNormalized(img);
          if (!parsed.ok) return;
          const admitted = !customsRefuses(constraint("K8sAllowedRepos", [p]), img);
          if (admitted) expect(toImageParts(parsed.ref).hostname).toBe(wanted);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("whatever the peer's strings, the output validates or is listed", () => {
  const chars = fc.constantFrom(..."abcAB.:/-_@*?019 ".split(""));
  const entry = fc.array(chars, { maxLength: 24 }).map((a) => a.join(""));
  const kind = fc.constantFrom(
    "K8sAllowedRepos",
    "K8sAllowedReposv2",
    "K8sDisallowedRepos",
    "K8sDisallowedTags",
    "K8sImageDigests",
  );

  it("every translated Gatekeeper constraint passes the policy validator", () => {
    fc.assert(
      fc.property(
        kind,
        fc.array(entry, { maxLength: 4 }),
        fc.array(entry, { maxLength: 3 }),
        (k, list, exempt) => {
          const parameters: Record<string, unknown> = {
            K8sAllowedRepos: { repos: list },
            K8sAllowedReposv2: { allowedImages: list },
            K8sDisallowedRepos: { repos: list },
            K8sDisallowedTags: { tags: list, exemptImages: exempt },
            K8sImageDigests: { exemptImages: exempt },
          }[k] as Record<string, unknown>;
          const result = importPolicies("gatekeeper", [
            {
              source: "c.yaml",
              value: {
                apiVersion: "constraints.gatekeeper.sh/v1beta1",
                kind: k,
                metadata: { name: "c" },
                spec: { parameters },
              },
            },
          ]);
          expect(result.documents.length + result.untranslated.length).toBeGreaterThan(0);
          for (const d of result.documents) {
            const issues = validateDocument(d.document, undefined, {
              regex: re2Engine,
              now: 0,
            }).issues;
            expect(issues.filter((i) => i.severity === "error")).toEqual([]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("whatever the Kyverno pattern or CEL literal, the output validates or is listed", () => {
  const chars = fc.constantFrom(..."abcA.:/-_@*?!| 019".split(""));
  const text = fc.array(chars, { maxLength: 24 }).map((a) => a.join(""));

  it("patterns, deny values and CEL startsWith literals", () => {
    fc.assert(
      fc.property(text, fc.constantFrom("pattern", "deny", "cel"), (s, shape) => {
        const validate =
          shape === "pattern"
            ? { pattern: { spec: { containers: [{ image: s }] } } }
            : shape === "deny"
              ? {
                  foreach: [
                    {
                      list: "request.object.spec.containers",
                      deny: {
                        conditions: {
                          any: [{ key: "{{ element.image }}", operator: "Equals", value: s }],
                        },
                      },
                    },
                  ],
                }
              : {
                  cel: {
                    expressions: [
                      {
                        expression: `object.spec.containers.all(c, c.image.startsWith('${s.split("'").join("")}'))`,
                      },
                    ],
                  },
                };
        const result = importPolicies("kyverno", [
          {
            source: "p.yaml",
            value: {
              apiVersion: "kyverno.io/v1",
              kind: "ClusterPolicy",
              metadata: { name: "p" },
              spec: {
                rules: [
                  { name: "r", match: { any: [{ resources: { kinds: ["Pod"] } }] }, validate },
                ],
              },
            },
          },
        ]);
        expect(result.documents.length + result.untranslated.length).toBeGreaterThan(0);
        for (const d of result.documents) {
          const issues = validateDocument(d.document, undefined, {
            regex: re2Engine,
            now: 0,
          }).issues;
          expect(issues.filter((i) => i.severity === "error")).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
