/**
 * Properties of reading raw prefixes (docs/import.md, "Image strings"), checked through the
 * engine on generated images: a translated blocklist blocks at least every image the raw
 * prefix blocks, and a translated allowlist never admits another registry host.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { importPolicies } from "../../src/core/import/index.js";
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
