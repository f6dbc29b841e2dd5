/**
 * `customs check` on a repository folder that holds more than manifests: Helm charts and tool
 * configs found in folders are skipped with a note, `--exclude` leaves files out, and nothing
 * that is a Kubernetes object, or a file named on the command line, is ever skipped.
 */
import { afterAll, describe, expect, it } from "vitest";
import { customs, tempFiles } from "./support/cli.js";

const POLICY = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata:
  name: no-latest
spec:
  action: deny
  recipe: block-latest-tag
`;

const deployment = (name: string, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    spec:
      containers:
        - name: app
          image: ${image}
`;

// A chart's template: `{{- if }}` lines make it YAML only once Helm has rendered it.
const TEMPLATE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  template:
    spec:
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
{{- if .Values.extra }}
  extra: true
{{- end }}
`;

const repo = tempFiles({
  "policy.yaml": POLICY,
  "deploy/web.yaml": deployment("web", "nginx:1.27"),
  "deploy/old.yaml": deployment("old", "nginx:latest"),
  "chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
  "chart/values.yaml": "image:\n  repository: nginx\n  tag: latest\n",
  "chart/templates/deployment.yaml": TEMPLATE,
  "broken/typo.yaml": deployment("typo", "nginx:1.27").replace("containers:", "containers: 3"),
  // A kustomize patch that deletes an object: shaped like one, but no object to check.
  "kustomize/delete.patch.yaml":
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n$patch: delete\n",
});
afterAll(() => repo.cleanup());

const check = (...args: string[]) =>
  customs(["check", "-p", "policy.yaml", ...args], { cwd: repo.dir });

describe("customs check over folders with non-Kubernetes YAML", () => {
  it("skips the chart's files with a note each and decides on the manifests", () => {
    const r = check("deploy", "chart", "-o", "json");
    expect(r.stderr.split("\n").filter(Boolean).sort()).toEqual([
      "note: chart/Chart.yaml: skipped: no document is a whole Kubernetes object (apiVersion and kind, no $patch)",
      "note: chart/templates/deployment.yaml: skipped: a template ({{ … }}), not YAML until rendered",
      "note: chart/values.yaml: skipped: no document is a whole Kubernetes object (apiVersion and kind, no $patch)",
    ]);
    const report = JSON.parse(r.stdout);
    expect(report.summary).toEqual({ resources: 2, denied: 1, warned: 0, allowed: 1 });
    expect(report.notes).toHaveLength(3);
    // The denial still decides the exit status.
    expect(r.status).toBe(1);
  });

  it("--exclude leaves matching files out, by folder or by name, without notes", () => {
    for (const exclude of [
      ["chart/"],
      ["chart/**"],
      ["Chart.yaml", "values.yaml", "**/templates/"],
    ]) {
      const r = check(...exclude.flatMap((e) => ["--exclude", e]), "deploy", "chart");
      expect(r.stderr, exclude.join(" ")).toBe("");
      expect(r.status).toBe(1);
    }
    const onlyWeb = check("--exclude", "old.yaml", "deploy", "-o", "json");
    expect(JSON.parse(onlyWeb.stdout).summary.resources).toBe(1);
    expect(onlyWeb.status).toBe(0);
  });

  it("skips a kustomize patch found in a folder, with a note", () => {
    const r = check("deploy", "kustomize", "-o", "json");
    expect(r.stderr).toBe(
      "note: kustomize/delete.patch.yaml: skipped: no document is a whole Kubernetes object (apiVersion and kind, no $patch)\n",
    );
    expect(JSON.parse(r.stdout).summary.resources).toBe(2);
  });

  it("never skips a file named on the command line", () => {
    for (const file of ["chart/values.yaml", "chart/templates/deployment.yaml"]) {
      const r = check(file, "--exclude", "chart/");
      expect(r.status, file).toBe(2);
      expect(r.stderr).toContain(file);
    }
  });

  it("never skips a Kubernetes object with a problem, even in a folder", () => {
    const r = check("deploy", "broken");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("broken/typo.yaml: document 0");
  });
});
