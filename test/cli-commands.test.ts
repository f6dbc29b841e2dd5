import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { customs, tempFiles } from "./support/cli.js";

describe("customs image parse", () => {
  it("prints one JSON object per reference, as the spec says", () => {
    const r = customs([
      "image",
      "parse",
      "-o",
      "json",
      "busybox",
      "localhost:5000/app:v1",
      "upper/Case",
    ]);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      {
        input: "busybox",
        normalized: "docker.io/library/busybox",
        familiar: "busybox",
        domain: "docker.io",
        path: "library/busybox",
      },
      {
        input: "localhost:5000/app:v1",
        normalized: "localhost:5000/app:v1",
        familiar: "localhost:5000/app:v1",
        domain: "localhost:5000",
        path: "app",
        tag: "v1",
      },
      {
        input: "upper/Case",
        error: "invalid reference format: repository name (upper/Case) must be lowercase",
        code: "IMAGE_REFERENCE_UPPERCASE",
      },
    ]);
    expect(r.status).toBe(2);
  });

  it("reads references from standard input", () => {
    const r = customs(["image", "parse", "-o", "json", "--stdin"], {
      input: `nginx:1.25\n\nindex.docker.io/foo/bar@sha256:${"c".repeat(64)}\n`,
    });
    expect(r.status).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.normalized)).toEqual([
      "docker.io/library/nginx:1.25",
      `docker.io/foo/bar@sha256:${"c".repeat(64)}`,
    ]);
    expect(lines[1].digest).toBe(`sha256:${"c".repeat(64)}`);
  });

  it("needs references or --stdin", () => {
    expect(customs(["image", "parse"]).status).toBe(2);
  });
});

describe("customs policy validate", () => {
  const good = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: hub-busybox}
spec:
  recipe: custom
  input:
    rules: [{imageName: busybox}]
`;
  const bad = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: bad}
spec:
  recipe: custom
  input:
    rules: [{port: "5000", imageNam: x}]
`;
  const files = tempFiles({ "good.yaml": good, "bad.yaml": bad });
  afterAll(files.cleanup);

  it("prints lint warnings and succeeds; --strict fails on them", () => {
    const r = customs(["policy", "validate", join(files.dir, "good.yaml")]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("warning LINT_DOCKER_HUB_SHORT_NAME");
    expect(r.stdout).toContain(
      'document 0: spec.input.rules[0].imageName: "busybox" never matches a Docker Hub image',
    );
    expect(r.stdout).toContain('Write "library/busybox"');
    expect(customs(["policy", "validate", "--strict", join(files.dir, "good.yaml")]).status).toBe(
      2,
    );
  });

  it("lists every error with file, document and field path, and exits 2", () => {
    const r = customs(["policy", "validate", "-o", "json", join(files.dir, "bad.yaml")]);
    expect(r.status).toBe(2);
    const out = JSON.parse(r.stdout);
    const paths = out.issues
      .filter((i: { severity: string }) => i.severity === "error")
      .map((i: { path: string }) => i.path);
    expect(paths).toEqual(["spec.input.rules[0].imageNam", "spec.input.rules[0].port"]);
    expect(out.issues[0].source).toContain("bad.yaml");
    expect(out.issues[0].message).toContain("did you mean `imageName`?");
  });
});

describe("customs policy explain", () => {
  const base = ["policy", "explain", "-p", "examples/policies"];

  it("says which policies apply, why, and why each passes or fails", () => {
    const r = customs([...base, "--namespace", "tanzu", "-o", "json", "busybox"]);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.verdict).toBe("deny");
    expect(out.workspaces).toEqual(["tko-day1-ops-ws"]);
    expect(
      out.policies.map((p: { policy: string; result: string }) => `${p.policy}:${p.result}`),
    ).toEqual(["corp-registry-only:fail", "no-latest:fail", "no-busybox:fail"]);
  });

  it("honours namespace labels: the sandbox is excluded by the selector", () => {
    const r = customs([
      ...base,
      "--namespace",
      "tanzu",
      "--namespace-labels",
      "env=sandbox",
      "-o",
      "json",
      "nginx:1.25",
    ]);
    expect(r.status).toBe(0);
    const corp = JSON.parse(r.stdout).policies[0];
    expect(corp).toMatchObject({ policy: "corp-registry-only", applies: false, result: "skip" });
    expect(corp.why).toContain("do not match the policy's namespaceSelector");
  });

  it("passes an image the policies allow", () => {
    const image = `registry.mycorp.local:5000/team/api:v1@sha256:${"d".repeat(64)}`;
    const r = customs([...base, "--namespace", "tanzu", image]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("pass corp-registry-only");
    expect(r.stdout).toContain("rule 1 matches");
  });

  it("refuses malformed labels", () => {
    const r = customs([...base, "--namespace-labels", "no equals sign", "busybox"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--namespace-labels");
  });
});

describe("hostile input on the command line and in manifests", () => {
  // (A NUL byte cannot be an argument; it reaches `image parse --stdin` below.)
  const hostile = ["a".repeat(10_000), "x\u001b[2J\u0007", "ímage/ünicode:☃", "@sha256:", ":::"];

  it("image parse answers every one, without raw control characters", () => {
    for (const ref of hostile) {
      const text = customs(["image", "parse", ref]);
      expect(text.status).toBe(2);
      expect(text.stdout).toMatch(/error: /);
      expect(text.stdout).not.toMatch(/[\u0000-\u0008\u001b]/);
      const json = customs(["image", "parse", "-o", "json", ref]);
      expect(JSON.parse(json.stdout)).toMatchObject({
        input: ref,
        code: expect.stringMatching(/^IMAGE_REFERENCE_/),
      });
    }
  });

  it("image parse --stdin answers a NUL byte and a 10 KB line", () => {
    const r = customs(["image", "parse", "-o", "json", "--stdin"], {
      input: `a\u0000b\n${"b".repeat(10_000)}\n`,
    });
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.code)).toEqual([
      "IMAGE_REFERENCE_INVALID",
      "IMAGE_REFERENCE_TOO_LONG",
    ]);
    expect(r.status).toBe(2);
  });

  it("policy explain denies an unparsable image under every applicable policy", () => {
    for (const ref of hostile) {
      const r = customs([
        "policy",
        "explain",
        "-p",
        "examples/policies",
        "--namespace",
        "tanzu",
        ref,
      ]);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain("IMAGE_REFERENCE_INVALID");
      expect(r.stdout).not.toMatch(/[\u0000-\u0008\u001b]/);
      expect(r.stdout.length).toBeLessThan(5_000);
    }
  });

  it("policy explain refuses a namespace that cannot exist", () => {
    const r = customs([
      "policy",
      "explain",
      "-p",
      "examples/policies",
      "--namespace",
      "Bad\u001b[2J",
      "busybox",
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("is not a valid namespace name");
    expect(r.stderr).not.toContain("\u001b");
  });

  it("check escapes control characters in resource and container names", () => {
    const pod = JSON.stringify({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "evil\u001b[2J" },
      spec: { containers: [{ name: "c\u0007", image: "busybox" }] },
    });
    const r = customs(["check", "-p", "examples/policies", "-"], { input: pod });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("evil\\u001b[2J");
    expect(r.stdout).toContain('container "c\\u0007"');
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u001b]/);
  });
});
