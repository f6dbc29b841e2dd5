/**
 * The CLI with extensions (docs/policy-language.md, "Widening an allowlist"): check, policy
 * validate and explain, compile vap; a set whose extension has no extensible parent is bad
 * input (exit 2) with the file, the document and `spec.extends`.
 */
import { afterAll, describe, expect, it } from "vitest";
import { customsInProcess, tempFiles } from "../support/cli.js";

const PARENT = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: { name: corp-registries }
spec:
  recipe: custom
  extensible: true
  input:
    rules: [ { hostname: registry.corp.example } ]
`;
const EXTENSION = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: { name: team-a-registries }
spec:
  namespace: team-a
  extends: corp-registries
  input:
    rules: [ { hostname: ghcr.io, imageName: "team-a/*" } ]
`;
const pod = (ns: string, image: string) => `---
apiVersion: v1
kind: Pod
metadata: { name: p-${ns}, namespace: ${ns} }
spec: { containers: [ { name: c, image: "${image}" } ] }
`;

const files = tempFiles({
  "policies/corp.yaml": PARENT,
  "policies/team-a.yaml": EXTENSION,
  "closed/corp.yaml": PARENT.replace("extensible: true", "extensible: false"),
  "closed/team-a.yaml": EXTENSION,
  "orphan/team-a.yaml": EXTENSION,
  "pods.yaml": pod("team-a", "ghcr.io/team-a/app:1") + pod("team-b", "ghcr.io/team-a/app:1"),
});
afterAll(files.cleanup);
const at = (p: string) => `${files.dir}/${p}`;

describe("customs with extensions", () => {
  it("check: the extension widens the allowlist in its namespace only", async () => {
    const r = await customsInProcess([
      "check",
      "-o",
      "json",
      "-p",
      at("policies"),
      at("pods.yaml"),
    ]);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { results: { namespace: string; verdict: string }[] };
    expect(out.results.map((x) => [x.namespace, x.verdict])).toEqual([
      ["team-a", "allow"],
      ["team-b", "deny"],
    ]);
  });

  it.each([
    ["closed", "corp-registries is not extensible"],
    ["orphan", 'no ImagePolicy "corp-registries" in this set'],
  ])("check: exit 2 for an extension of a %s parent, naming file, document and field", async (dir, why) => {
    const r = await customsInProcess(["check", "-p", at(dir), at("pods.yaml")]);
    expect(r.status).toBe(2);
    // The file as the CLI names it: relative to the working directory when that is shorter.
    expect(r.stderr).toContain(
      `${dir}/team-a.yaml: document 0: spec.extends: ImagePolicy team-a-registries: ${why}`,
    );
  });

  it("policy validate reports the set's errors too", async () => {
    const r = await customsInProcess(["policy", "validate", "-o", "json", at("orphan")]);
    expect(r.status).toBe(2);
    const out = JSON.parse(r.stdout) as { issues: { path: string; severity: string }[] };
    expect(out.issues.map((i) => [i.severity, i.path])).toEqual([["error", "spec.extends"]]);
  });

  it("policy explain names the rule, the extension and the scopes that allowed an image", async () => {
    const r = await customsInProcess([
      "policy",
      "explain",
      "-o",
      "json",
      "-p",
      at("policies"),
      "-n",
      "team-a",
      "ghcr.io/team-a/app:1",
    ]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { policies: { detail: string; extensions: unknown[] }[] };
    expect(out.policies[0]?.detail).toContain(
      "rule 1 of team-a-registries (namespace team-a), which extends corp-registries (organization)",
    );
    expect(out.policies[0]?.extensions).toHaveLength(1);
  });

  it("compile vap builds the extension into its parent's native policy", async () => {
    const r = await customsInProcess(["compile", "vap", "-o", "json", "-p", at("policies")]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { items: { kind: string; metadata: { name: string } }[] };
    expect(
      out.items.filter((o) => o.kind === "ValidatingAdmissionPolicy").map((o) => o.metadata.name),
    ).toEqual(["customs-corp-registries"]);
    expect(r.stdout).toContain("widen0");
  });
});
