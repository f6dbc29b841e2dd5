/**
 * `customs import` as a user runs it: output that `customs policy validate` accepts, every
 * untranslated part on stderr, and the exit status (0 all translated, 1 something left out,
 * 2 unreadable input or usage).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { customs, tempFiles } from "../support/cli.js";

const FIX = "test/fixtures/import";
const GK_CONSTRAINTS = [
  "allowedrepos/samples/repo-must-be-openpolicyagent",
  "allowedreposv2/samples/repo-must-be-openpolicyagent",
  "disallowedrepos/samples/repo-must-not-be-k8s-gcr-io",
  "disallowedtags/samples/container-image-must-not-have-latest-tag",
  "imagedigests/samples/container-image-must-have-digest",
].map((d) => join(FIX, "gatekeeper", d, "constraint.yaml"));

describe("customs import", () => {
  it("gatekeeper: the library's constraints translate completely (exit 0), and the output validates", () => {
    const r = customs(["import", "gatekeeper", ...GK_CONSTRAINTS]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("customs.dev/imported-from:");
    const out = tempFiles({ "imported.yaml": r.stdout });
    try {
      const v = customs(["policy", "validate", join(out.dir, "imported.yaml")]);
      expect(v.stdout + v.stderr).toContain("0 errors");
      expect(v.status).toBe(0);
    } finally {
      out.cleanup();
    }
  });

  it("kyverno: a folder; what is left out is on stderr with its reason, exit 1, and the rest validates", () => {
    const r = customs(["import", "kyverno", join(FIX, "kyverno")]);
    expect(r.status).toBe(1);
    const untranslated = r.stderr.split("\n").filter((l) => l.startsWith("untranslated: "));
    expect(untranslated).toEqual([
      expect.stringMatching(
        /advanced-restrict-image-registries\.yaml: ClusterPolicy\/advanced-restrict-image-registries rule validate-corp-registries: rule reads context/,
      ),
      expect.stringMatching(
        /allowed-image-repos\.yaml: ClusterPolicy\/allowed-image-repos rule good-repos: deny condition on .*images/,
      ),
      expect.stringMatching(
        /other-cel\/advanced-restrict-image-registries\/.*: CEL expression not recognized: /,
      ),
      expect.stringMatching(
        /other-vpol\/advanced-restrict-image-registries\/.*: CEL expression not recognized: /,
      ),
      expect.stringMatching(/other-vpol\/allowed-image-repos\/.*: CEL expression not recognized: /),
    ]);
    // Package metadata beside the policies is skipped with a note, not counted.
    expect(r.stderr).toMatch(
      /note: .*artifacthub-pkg\.yml: skipped: no document is a Kubernetes object/,
    );
    const out = tempFiles({ "imported.yaml": r.stdout });
    try {
      const v = customs(["policy", "validate", join(out.dir, "imported.yaml")]);
      expect(v.stdout + v.stderr).toMatch(/13 policies, 0 workspaces: 0 errors/);
      expect(v.status).toBe(0);
    } finally {
      out.cleanup();
    }
  });

  it("-o json: {documents, untranslated}; standard input with -", () => {
    const policy = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: p}
spec:
  validationFailureAction: Enforce
  rules:
    - name: digest
      match: {any: [{resources: {kinds: [Pod]}}]}
      validate: {pattern: {spec: {containers: [{image: "*@*"}]}}}
    - name: labels
      match: {any: [{resources: {kinds: [Pod]}}]}
      validate: {pattern: {metadata: {labels: {app: "?*"}}}}
`;
    const r = customs(["import", "kyverno", "-o", "json", "-"], { input: policy });
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(["documents", "untranslated"]);
    expect(out.documents).toEqual([
      {
        apiVersion: "customs.dev/v1alpha1",
        kind: "ImagePolicy",
        metadata: {
          name: "p-digest",
          annotations: { "customs.dev/imported-from": "<stdin> ClusterPolicy/p rule digest" },
        },
        spec: { action: "deny", recipe: "require-digest" },
      },
    ]);
    expect(out.untranslated).toEqual([
      {
        source: "<stdin>",
        kind: "ClusterPolicy",
        name: "p",
        rule: "labels",
        reason: "pattern checks more than spec.*Containers[].image",
      },
    ]);
    expect(r.stderr).toBe(
      "untranslated: <stdin>: ClusterPolicy/p rule labels: pattern checks more than spec.*Containers[].image\n",
    );
  });

  it.each([
    [["import", "kyverno", "/nonexistent/policy.yaml"], /cannot read/],
    [["import", "opa", "x.yaml"], /must be one of kyverno, gatekeeper/],
    [["import", "kyverno", "--expires", "next week", "x.yaml"], /--expires must be a date/],
  ])("exit 2: %j", (args, message) => {
    const r = customs(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
  });

  it("exit 2 on YAML that cannot be read, naming the place", () => {
    const r = customs(["import", "gatekeeper", "-"], { input: "kind: [\n" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/<stdin>: document 0/);
  });
});

describe("customs import kyverno: a PolicyException, end to end", () => {
  const exception = `apiVersion: kyverno.io/v2
kind: PolicyException
metadata: {name: delta-exception, namespace: kyverno}
spec:
  exceptions:
    - policyName: disallow-latest-tag
      ruleNames: [validate-image-tag]
  match:
    any:
      - resources: {kinds: [Pod], namespaces: [delta], names: ["important-tool*"]}
`;
  const pods = ["important-tool-1", "other-tool"]
    .map(
      (name) =>
        `---\napiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: delta}\nspec:\n  containers: [{name: c, image: "nginx:latest"}]\n`,
    )
    .join("");

  it("exempts the workloads the peer's exception names, and no other", () => {
    const files = tempFiles({ "exception.yaml": exception, "pods.yaml": pods });
    try {
      const policy = join(
        FIX,
        "kyverno/best-practices/disallow-latest-tag/disallow-latest-tag.yaml",
      );
      const r = customs([
        "import",
        "kyverno",
        "--owner",
        "platform",
        "--expires",
        "2099-12-31",
        policy,
        join(files.dir, "exception.yaml"),
      ]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const imported = tempFiles({ "imported.yaml": r.stdout });
      try {
        const check = customs([
          "check",
          "-o",
          "json",
          "-p",
          join(imported.dir, "imported.yaml"),
          join(files.dir, "pods.yaml"),
        ]);
        const report = JSON.parse(check.stdout);
        const byName = Object.fromEntries(
          report.results.map((x: { name: string; violations: { policy: string }[] }) => [
            x.name,
            x.violations.map((v) => v.policy),
          ]),
        );
        // The exception names rule validate-image-tag only: the other rule's policy still fails.
        expect(byName["important-tool-1"]).toEqual(["disallow-latest-tag-require-image-tag"]);
        expect(byName["other-tool"]).toEqual([
          "disallow-latest-tag-require-image-tag",
          "disallow-latest-tag-validate-image-tag",
        ]);
      } finally {
        imported.cleanup();
      }
    } finally {
      files.cleanup();
    }
  });
});
