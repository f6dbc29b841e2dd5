/** What real cosign attests in the supply-chain end-to-end test, and the policies it meets. */
export const BUILDER = "https://ci.acme.test/builder";
export const REPO = "https://github.com/acme/app";
export const COMMIT = "a".repeat(40);

export const provenance = (builder = BUILDER) => ({
  builder: { id: builder },
  buildType: "https://ci.acme.test/build/v1",
  invocation: {
    configSource: { uri: `git+${REPO}@refs/heads/main`, digest: { sha1: COMMIT }, entryPoint: "" },
  },
});

export interface Finding {
  readonly id: string;
  readonly severity: "CRITICAL" | "HIGH";
  readonly fixed?: string;
}

/** cosign's vulnerability predicate around a Trivy report. */
export const vulnPredicate = (findings: readonly Finding[], finished: string) => ({
  invocation: { parameters: null, uri: "", event_id: "", "builder.id": "" },
  scanner: {
    uri: "pkg:github/aquasecurity/trivy@v0.50.1",
    version: "0.50.1",
    db: { uri: "", version: "" },
    result: {
      SchemaVersion: 2,
      CreatedAt: finished,
      ArtifactName: "app",
      ArtifactType: "container_image",
      Results: [
        {
          Target: "app (debian 12.5)",
          Class: "os-pkgs",
          Type: "debian",
          Vulnerabilities: findings.map((f) => ({
            VulnerabilityID: f.id,
            PkgName: "libssl3",
            InstalledVersion: "3.0.11",
            ...(f.fixed ? { FixedVersion: f.fixed } : {}),
            Severity: f.severity,
          })),
        },
      ],
    },
  },
  metadata: { scanStartedOn: finished, scanFinishedOn: finished },
});

export const policies = (pem: string) => {
  const key = `      - name: ci\n        key:\n          pem: |\n${pem
    .trim()
    .split("\n")
    .map((l) => `            ${l}`)
    .join("\n")}\n`;
  return `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: signed-by-ci}
spec:
  recipe: require-signature
  input:
    authorities:
${key}---
apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: built-by-our-builder}
spec:
  recipe: require-provenance
  input:
    authorities:
${key}    builders: ["${BUILDER}"]
    sourceRepositories: ["${REPO}"]
    requireCommit: true
---
apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: no-fixable-criticals}
spec:
  recipe: vulnerability-threshold
  input: {severity: critical, fixableOnly: true, missingReport: deny}
`;
};

export const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: app, image: "${image}"}]
`;
