import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { customs, ROOT, tempFiles } from "./support/cli.js";

const EXAMPLE = ["check", "-p", "examples/policies", "examples/manifests"];

describe("customs check on the bundled example (README quick start)", () => {
  const json = customs([...EXAMPLE, "-o", "json"]);
  const report = JSON.parse(json.stdout);

  it("exits 1 because something is denied", () => {
    expect(json.status).toBe(1);
    expect(json.stderr).toBe("");
  });

  it("prints the spec's JSON shape, field for field", () => {
    expect(Object.keys(report)).toEqual(["summary", "results"]);
    expect(report.summary).toEqual({ resources: 3, denied: 1, warned: 1, allowed: 1 });
    for (const r of report.results) {
      expect(Object.keys(r)).toEqual([
        "apiVersion",
        "kind",
        "namespace",
        "name",
        "source",
        "verdict",
        "violations",
      ]);
      for (const v of r.violations) {
        expect(Object.keys(v)).toEqual([
          "policy",
          "action",
          "container",
          "containerType",
          "image",
          "normalizedImage",
          "code",
          "message",
        ]);
      }
    }
  });

  it("denies the busybox Deployment with every failing policy, and says why", () => {
    const busybox = report.results.find((r: { name: string }) => r.name === "busybox");
    expect(busybox).toMatchObject({
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: "tanzu",
      source: join("examples", "manifests", "tanzu.yaml"),
      verdict: "deny",
    });
    const byPolicy = Object.fromEntries(
      busybox.violations.map((v: { policy: string; code: string }) => [v.policy, v.code]),
    );
    expect(byPolicy).toEqual({
      "corp-registry-only": "IMAGE_NOT_ALLOWED",
      "no-latest": "LATEST_TAG_BLOCKED",
      "no-busybox": "IMAGE_BLOCKED",
    });
    const v = busybox.violations.find((x: { policy: string }) => x.policy === "corp-registry-only");
    expect(v).toMatchObject({
      action: "deny",
      container: "busybox",
      containerType: "containers",
      image: "busybox",
      normalizedImage: "docker.io/library/busybox:latest",
    });
    expect(v.message).toContain(
      "allowed: hostname registry.mycorp.local, port 5000, image name team/*, with a digest",
    );
  });

  it("allows the pinned corporate images and only warns in the sandbox namespace", () => {
    const verdicts = Object.fromEntries(
      report.results.map((r: { name: string; verdict: string }) => [r.name, r.verdict]),
    );
    expect(verdicts).toEqual({ busybox: "deny", api: "allow", scratch: "warn" });
    const scratch = report.results.find((r: { name: string }) => r.name === "scratch");
    expect(scratch.violations.map((v: { policy: string }) => v.policy)).toEqual(["no-latest"]);
  });

  it("human output is grouped by resource, without colour when not a terminal", () => {
    const human = customs(EXAMPLE);
    expect(human.status).toBe(1);
    expect(human.stdout).not.toContain("\u001b[");
    expect(human.stdout).toMatch(
      /^DENY {2}Deployment tanzu\/busybox \(examples\/manifests\/tanzu\.yaml\)$/m,
    );
    expect(human.stdout).toMatch(/^WARN {2}Pod team-a\/scratch/m);
    expect(human.stdout).toContain("3 resources checked: 1 denied, 1 warned, 1 allowed");
    expect(human.stdout).not.toContain("tanzu/api");
    expect(customs([...EXAMPLE, "--verbose"]).stdout).toContain("allow Deployment tanzu/api");
  });

  it("SARIF 2.1.0 points at the line of each image", () => {
    const sarif = JSON.parse(customs([...EXAMPLE, "-o", "sarif"]).stdout);
    expect(sarif.version).toBe("2.1.0");
    const run = sarif.runs[0];
    expect(run.tool.driver.name).toBe("customs");
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual([
      "IMAGE_BLOCKED",
      "IMAGE_NOT_ALLOWED",
      "LATEST_TAG_BLOCKED",
    ]);
    const lines = readFileSync(join(ROOT, "examples/manifests/tanzu.yaml"), "utf8").split("\n");
    const busyboxLine = lines.findIndex((l) => l.trim() === "image: busybox") + 1;
    const sandboxLines = readFileSync(join(ROOT, "examples/manifests/sandbox.yaml"), "utf8").split(
      "\n",
    );
    const alpineLine =
      sandboxLines.findIndex((l) => l.includes("image: docker.io/library/alpine")) + 1;
    const located = run.results.map(
      (r: {
        ruleId: string;
        level: string;
        locations: Array<{
          physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
        }>;
      }) => [
        r.ruleId,
        r.level,
        r.locations[0]!.physicalLocation.artifactLocation.uri,
        r.locations[0]!.physicalLocation.region.startLine,
      ],
    );
    // Files are read in sorted order: sandbox.yaml, then tanzu.yaml.
    expect(located).toEqual([
      ["LATEST_TAG_BLOCKED", "warning", "examples/manifests/sandbox.yaml", alpineLine],
      ["IMAGE_NOT_ALLOWED", "error", "examples/manifests/tanzu.yaml", busyboxLine],
      ["LATEST_TAG_BLOCKED", "warning", "examples/manifests/tanzu.yaml", busyboxLine],
      ["IMAGE_BLOCKED", "error", "examples/manifests/tanzu.yaml", busyboxLine],
    ]);
    expect(busyboxLine).toBeGreaterThan(1);
  });
});

describe("customs check inputs", () => {
  const policy = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: digests}
spec: {recipe: require-digest}
`;
  const pod = (image: string, ns = "") => `apiVersion: v1
kind: Pod
metadata: {name: p${ns ? `, namespace: ${ns}` : ""}}
spec:
  containers: [{name: c, image: ${JSON.stringify(image)}}]
`;
  const files = tempFiles({ "p.yaml": policy });
  afterAll(files.cleanup);
  const P = join(files.dir, "p.yaml");

  it("reads standard input with -", () => {
    const r = customs(["check", "-p", P, "-o", "json", "-"], { input: pod("nginx:1") });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).results[0]).toMatchObject({
      source: "<stdin>",
      namespace: "default",
      verdict: "deny",
    });
  });

  it("reads JSON manifests and Lists", () => {
    const list = JSON.stringify({
      apiVersion: "v1",
      kind: "List",
      items: [
        {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "a" },
          spec: { containers: [{ name: "c", image: `x@sha256:${"b".repeat(64)}` }] },
        },
      ],
    });
    const r = customs(["check", "-p", P, "-o", "json", "-"], { input: list });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).summary).toEqual({
      resources: 1,
      denied: 0,
      warned: 0,
      allowed: 1,
    });
  });

  it("an image that does not parse is a denial (exit 1), not a crash", () => {
    // (`UPPER/case` would be valid: an uppercase first element is a registry host.)
    for (const image of [
      "upper/Case",
      "a".repeat(10_000),
      "bad\u0000image",
      "ímage/ünicode",
      "   ",
    ]) {
      const r = customs(["check", "-p", P, "-o", "json", "-"], { input: pod(image) });
      expect(r.status, image.slice(0, 20)).toBe(1);
      const v = JSON.parse(r.stdout).results[0].violations[0];
      expect(v.code).toBe("IMAGE_REFERENCE_INVALID");
      expect(v.message.length).toBeLessThan(600);
    }
  });

  it.each([
    ["malformed YAML", "a: [1, 2\nb: c\n", /<stdin>: document 0 .*line \d+/],
    ["a document that is a list", "- 1\n- 2\n", /<stdin>: document 0/],
    [
      "containers not a list",
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: {name: c}}\n",
      /<stdin>: document 0: \/spec\/containers/,
    ],
    [
      "image not a string, in the second document",
      `${pod("a:1")}---\napiVersion: v1\nkind: Pod\nmetadata: {name: q}\nspec: {containers: [{name: c, image: 5}]}\n`,
      /<stdin>: document 1: \/spec\/containers\/0\/image/,
    ],
  ])("%s: exit 2 with a message naming the file, document and field", (_name, input, message) => {
    const r = customs(["check", "-p", P, "-"], { input });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    [
      "an unknown recipe",
      policy.replace("require-digest", "require-digests"),
      /p\.yaml: document 0: spec\.recipe: "require-digests" is not one of/,
    ],
    [
      "a document that is not a policy",
      pod("x"),
      /document 0: apiVersion: expected customs\.dev\/v1alpha1/,
    ],
    ["no policy at all", "# nothing\n", /no ImagePolicy found/],
  ])("a policy file with %s: exit 2", (_name, text, message) => {
    const f = tempFiles({ "p.yaml": text });
    try {
      const r = customs(["check", "-p", join(f.dir, "p.yaml"), "-"], { input: pod("x") });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    } finally {
      f.cleanup();
    }
  });

  it("usage errors exit 2", () => {
    expect(customs(["check", "-"]).status).toBe(2);
    expect(customs(["check", "-p", P, "-o", "xml", "-"]).status).toBe(2);
    expect(customs(["nonsense"]).status).toBe(2);
    expect(customs(["check", "-p", P, join(files.dir, "missing.yaml")]).stderr).toMatch(
      /missing\.yaml: cannot read: ENOENT/,
    );
  });

  it("walks folders for .yaml, .yml and .json, in order", () => {
    const f = tempFiles({
      "b/z.yml": pod("z:1"),
      "a.json": JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "j" },
        spec: { containers: [{ name: "c", image: "j:1" }] },
      }),
      "c.txt": pod("ignored"),
      ".git/x.yaml": pod("ignored"),
    });
    try {
      const r = customs(["check", "-p", P, "-o", "json", f.dir]);
      const sources = JSON.parse(r.stdout).results.map((x: { source: string }) =>
        x.source.replace(f.dir, ""),
      );
      expect(sources.map((s: string) => s.split("/").pop())).toEqual(["a.json", "z.yml"]);
    } finally {
      f.cleanup();
    }
  });
});
