/**
 * Where Customs and the peer decide differently on purpose (docs/import.md, "Deliberate
 * differences"). The peers match the image string AS WRITTEN; each case starts from an image
 * of the peer's own test resources, spells it another way, and states both verdicts: the
 * peer's (from a model of its Rego, CEL or pattern, quoted beside it) and Customs'.
 */
import { describe, expect, it } from "vitest";
import { importPolicies } from "../../src/core/import/index.js";
import { customsRefuses, FIXTURES, importFiles, join } from "./library-support.js";

const gatekeeper = (kind: string, parameters: Record<string, unknown>) =>
  importPolicies("gatekeeper", [
    {
      source: "constraint.yaml",
      value: {
        apiVersion: "constraints.gatekeeper.sh/v1beta1",
        kind,
        metadata: { name: "c" },
        spec: { parameters },
      },
    },
  ]);

describe("Gatekeeper: `startswith(image, repo)` on the image as written", () => {
  // disallowedrepos/samples: repos ["k8s.gcr.io/"], image k8s.gcr.io/kustomize/kustomize:v3.8.9.
  const blocked = gatekeeper("K8sDisallowedRepos", { repos: ["k8s.gcr.io/"] });
  const peerBlocks = (image: string) => image.startsWith("k8s.gcr.io/");

  it.each([
    // The peer is wrong here: the same registry, spelled with capitals or its port, slips past.
    ["K8S.GCR.IO/kustomize/kustomize:v3.8.9"],
    ["k8s.gcr.io:443/kustomize/kustomize:v3.8.9"],
  ])("%s slips past the peer's blocklist; Customs blocks it", (image) => {
    expect(peerBlocks(image)).toBe(false);
    expect(customsRefuses(blocked, image)).toBe(true);
  });

  it("the library's own image is blocked by both", () => {
    expect(peerBlocks("k8s.gcr.io/kustomize/kustomize:v3.8.9")).toBe(true);
    expect(customsRefuses(blocked, "k8s.gcr.io/kustomize/kustomize:v3.8.9")).toBe(true);
  });

  it("an allowlist prefix without '/' admits another host for the peer, not for Customs", () => {
    const allowed = gatekeeper("K8sAllowedRepos", { repos: ["myregistry.io"] });
    // The peer is wrong: myregistry.io.evil.com is someone else's registry.
    expect("myregistry.io.evil.com/x".startsWith("myregistry.io")).toBe(true);
    expect(customsRefuses(allowed, "myregistry.io.evil.com/x")).toBe(true);
    // Both admit the host on another port (Customs: a hostname rule leaves the port open).
    expect("myregistry.io:5000/x".startsWith("myregistry.io")).toBe(true);
    expect(customsRefuses(allowed, "myregistry.io:5000/x")).toBe(false);
    expect(customsRefuses(allowed, "MYREGISTRY.IO/x")).toBe(false);
  });

  it("the peer refuses its own allowed image spelled in full; Customs admits it (same image)", () => {
    // allowedrepos/samples: repos ["openpolicyagent/"], image openpolicyagent/opa:0.9.2.
    const allowed = importFiles("gatekeeper", [
      join(
        FIXTURES,
        "gatekeeper/allowedrepos/samples/repo-must-be-openpolicyagent/constraint.yaml",
      ),
    ]);
    const image = "docker.io/openpolicyagent/opa:0.9.2";
    expect(image.startsWith("openpolicyagent/")).toBe(false);
    expect(customsRefuses(allowed, image)).toBe(false);
  });

  it("K8sAllowedReposv2's exact `ubuntu:20.14` is the image, however it is spelled", () => {
    const allowed = gatekeeper("K8sAllowedReposv2", { allowedImages: ["ubuntu:20.14"] });
    expect(customsRefuses(allowed, "docker.io/library/ubuntu:20.14")).toBe(false);
    expect(customsRefuses(allowed, "ubuntumalicious")).toBe(true);
    expect(customsRefuses(allowed, "ubuntu:20.14-evil")).toBe(true);
  });

  it("K8sDisallowedTags: a tag pinned by digest is still the tag", () => {
    const tags = gatekeeper("K8sDisallowedTags", { tags: ["latest"] });
    const image =
      "openpolicyagent/opa:latest@sha256:04ff8fce2afd1a3bc26260348e5b290e8d945b1fad4b4c16d22834c2f3a1814a";
    // Rego: strings.any_suffix_match(image, [":latest"]) and "last path part has ':'".
    expect(image.endsWith(":latest")).toBe(false);
    expect(customsRefuses(tags, image)).toBe(true);
    // Digest-only: neither refuses.
    expect(
      customsRefuses(
        tags,
        "openpolicyagent/opa@sha256:04ff8fce2afd1a3bc26260348e5b290e8d945b1fad4b4c16d22834c2f3a1814a",
      ),
    ).toBe(false);
  });
});

describe("Kyverno: wildcards and CEL on the image as written", () => {
  const kyverno = (path: string) => importFiles("kyverno", [join(FIXTURES, "kyverno", path)]);

  it("restrict-deprecated-registry: capitals or a port slip past `k8s.gcr.io/*`; Customs blocks them", () => {
    for (const path of [
      "other/restrict-deprecated-registry/restrict-deprecated-registry.yaml",
      "other-cel/restrict-deprecated-registry/restrict-deprecated-registry.yaml",
      "other-vpol/restrict-deprecated-registry/restrict-deprecated-registry.yaml",
    ]) {
      const imported = kyverno(path);
      for (const image of ["K8S.GCR.IO/pause:3.9", "k8s.gcr.io:443/pause:3.9"]) {
        // CEL: !container.image.startsWith('k8s.gcr.io/') is true, so the peer admits it.
        expect(image.startsWith("k8s.gcr.io/")).toBe(false);
        expect(customsRefuses(imported, image)).toBe(true);
      }
    }
  });

  it("restrict-image-registries: the peer refuses an allowed registry spelled in capitals; Customs admits it", () => {
    const imported = kyverno(
      "best-practices/restrict-image-registries/restrict-image-registries.yaml",
    );
    expect("EU.FOO.IO/nginx".startsWith("eu.foo.io/")).toBe(false);
    expect(customsRefuses(imported, "EU.FOO.IO/nginx")).toBe(false);
    // The one way Customs is wider: `eu.foo.io/*` says nothing of ports, a Customs hostname
    // rule leaves the port open (docs/import.md).
    expect(customsRefuses(imported, "eu.foo.io:5000/nginx")).toBe(false);
    expect(customsRefuses(imported, "eu.foo.io.evil.com/nginx")).toBe(true);
  });

  it("disallow-latest-tag `*:*`: a registry port is not a tag, and an explicit :latest is refused too", () => {
    const imported = kyverno("best-practices/disallow-latest-tag/disallow-latest-tag.yaml");
    const requireTag = {
      ...imported,
      documents: imported.documents.filter((d) => d.origin.rule === "require-image-tag"),
    };
    // Pattern `*:*` matches "localhost:5000/app": the peer admits an image without a tag.
    expect(customsRefuses(requireTag, "localhost:5000/app")).toBe(true);
    // The rule alone admits nginx:latest (the peer's other rule refuses it); Customs' one
    // recipe for both refuses it in either policy.
    expect(customsRefuses(requireTag, "nginx:latest")).toBe(true);
  });

  it("the -cel disallow-latest-tag checks only `containers`; Customs checks init containers too", () => {
    const imported = kyverno("best-practices-cel/disallow-latest-tag/disallow-latest-tag.yaml");
    expect(customsRefuses(imported, "nginx:latest", "initContainers")).toBe(true);
  });
});
