/**
 * `customs import` as a user runs it: output that `customs policy validate` accepts, every
 * untranslated part on stderr, and the exit status (0 all translated, 1 something left out,
 * 2 unreadable input or usage).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { customs, tempFiles } from "../support/cli.js";

const FIX = "test/fixtures/import";
const GK_CONSTRAINTS = ["allowedrepos", "allowedreposv2", "disallowedrepos", "imagedigests"].map(
  (k) =>
    join(
      FIX,
      "gatekeeper",
      k,
      "samples",
      k === "disallowedrepos"
        ? "repo-must-not-be-k8s-gcr-io"
        : k === "imagedigests"
          ? "container-image-must-have-digest"
          : "repo-must-be-openpolicyagent",
      "constraint.yaml",
    ),
);

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
