import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { customsInProcess, ROOT, tempFiles } from "../support/cli.js";

const JUNIT_XSD = join(ROOT, "test/fixtures/schemas/junit-10.xsd");
const HAS_XMLLINT = spawnSync("xmllint", ["--version"]).status === 0;
const WRONG = "test/fixtures/policy-test/wrong";
const D = (c: string) => `sha256:${c.repeat(64)}`;

function expectValidJunit(xml: string): void {
  const r = spawnSync("xmllint", ["--noout", "--schema", JUNIT_XSD, "-"], {
    input: xml,
    encoding: "utf8",
  });
  expect(r.stderr).toBe("- validates\n");
  expect(r.status).toBe(0);
}

/** Runs `customs test` in the folder given, as a user in it would. */
async function customsIn(dir: string, args: string[]) {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return await customsInProcess(["test", ...args]);
  } finally {
    process.chdir(cwd);
  }
}

const POLICY = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: { name: no-busybox }
spec:
  recipe: blocked-images
  input: { rules: [{ imageName: busybox }] }
`;
const PODS = `apiVersion: v1
kind: Pod
metadata: { name: a, namespace: team-a }
spec: { containers: [{ name: c, image: busybox }] }
---
apiVersion: v1
kind: Pod
metadata: { name: b, namespace: team-a }
spec: { containers: [{ name: c, image: alpine }] }
`;
const test = (body: string) => `apiVersion: customs.dev/v1alpha1
kind: PolicyTest
metadata: { name: t }
policies: [policies]
resources: [pods.yaml]
${body}`;
const ASSERT_A = "results: [{ resource: Pod/team-a/a, policy: no-busybox, result: fail }]\n";

describe("customs test on the project's examples", () => {
  it("runs every example's tests offline and passes", async () => {
    const r = await customsInProcess(["test", "examples"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("PASS: 27 expectations in 3 test files: 27 passed, 0 failed\n");
    expect(r.stdout).toMatch(/^FILE +TEST +RESOURCE +POLICY +EXPECTED +ACTUAL +RESULT$/m);
    expect(r.status).toBe(0);
  });

  it("exits 1 on a wrong copy, with a diff for each mismatch", async () => {
    const r = await customsInProcess(["test", WRONG]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("FAIL: 7 expectations in 1 test files: 1 passed, 6 failed\n");
    expect(r.stdout).toContain(
      [
        `--- expected  ${WRONG}/customs-test.yaml results[0]`,
        "+++ actual    Deployment/tanzu/busybox verdict",
        "- allow",
        "+ deny (IMAGE_NOT_ALLOWED, LATEST_TAG_BLOCKED, IMAGE_BLOCKED)",
        '  violation: container "busybox" (containers): image "busybox" (docker.io/library/busybox:latest) is not allowed by policy "corp-registry-only"',
      ].join("\n"),
    );
    expect(r.stdout).toContain(
      "- fail (DIGEST_REQUIRED)\n+ fail (IMAGE_NOT_ALLOWED)\n  expected code DIGEST_REQUIRED, the violations carry IMAGE_NOT_ALLOWED\n",
    );
    expect(r.stdout).toContain(
      '+++ actual    Pod/team-a/scratch policy corp-registry-only\n- pass\n+ skip\n  policy "corp-registry-only" does not apply to namespace team-a (its scope or namespaceSelector)\n',
    );
    expect(r.stdout).toContain('  no policy "no-such-policy" among the test\'s policies');
    expect(r.stdout).toContain("  no resource Pod/team-a/nothing in the test's resources\n");
    expect(r.stdout).toContain(
      '  Deployment/tanzu/api has no container "sidecar" (it has "api", "migrate")\n',
    );
  });

  it("-o json gives every expectation with its actual result", async () => {
    const r = await customsInProcess(["test", "-o", "json", WRONG, "examples"]);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.summary).toEqual({
      files: 4,
      expectations: 34,
      passed: 28,
      failed: 6,
      unasserted: 0,
    });
    expect(out.tests.map((t: { name: string }) => t.name)).toEqual([
      "quick-start-wrong",
      "quick-start-with-exception",
      "quick-start",
      "signed-built-scanned",
    ]);
    expect(out.tests[0].results[2]).toMatchObject({
      path: "results[2]",
      resource: "Deployment/tanzu/busybox",
      policy: "corp-registry-only",
      expected: "fail",
      code: "DIGEST_REQUIRED",
      actual: "fail",
      codes: ["IMAGE_NOT_ALLOWED"],
      passed: false,
    });
    expect(out.tests[0].results[2].messages).toHaveLength(1);
  });

  it("--exclude skips test files found in folders", async () => {
    const r = await customsInProcess([
      "test",
      "--exclude",
      "examples/tests/supply-chain/",
      "examples",
    ]);
    expect(r.stdout).toContain("PASS: 16 expectations in 2 test files");
    expect(r.status).toBe(0);
  });
});

describe.skipIf(!HAS_XMLLINT)("customs test -o junit (needs xmllint, Debian libxml2-utils)", () => {
  it("validates against the JUnit schema, passing and failing, one testsuite per file", async () => {
    const pass = await customsInProcess(["test", "-o", "junit", "examples"]);
    expectValidJunit(pass.stdout);
    expect(pass.stdout.match(/<testsuite /g)).toHaveLength(3);
    expect(pass.stdout.match(/<testcase /g)).toHaveLength(27);
    const fail = await customsInProcess(["test", "-o", "junit", WRONG]);
    expect(fail.status).toBe(1);
    expectValidJunit(fail.stdout);
    expect(fail.stdout).toContain(
      '<testsuites name="customs test" tests="7" failures="6" errors="0">',
    );
    expect(fail.stdout).toContain(
      '<failure type="mismatch" message="expected allow, got deny (IMAGE_NOT_ALLOWED, LATEST_TAG_BLOCKED, IMAGE_BLOCKED)">',
    );
  });
});

describe.skipIf(!HAS_XMLLINT)(
  "customs test -o junit with unasserted resources and markup in names",
  () => {
    const files = tempFiles({
      "p.yaml": POLICY,
      "r.yaml": `apiVersion: v1
kind: Pod
metadata: { name: a }
spec: { containers: [{ name: c, image: busybox }] }
---
apiVersion: v1
kind: Pod
metadata: { name: "b<&>" }
spec: { containers: [{ name: c, image: alpine }] }
`,
      "customs-test.yaml": `apiVersion: customs.dev/v1alpha1
kind: PolicyTest
metadata: { name: "x<&\\"'>" }
policies: [p.yaml]
resources: [r.yaml]
results: [{ resource: Pod/a, result: allow }]
`,
    });
    afterAll(files.cleanup);

    it("escapes every name and lists unasserted resources as the suite's system-out", async () => {
      const r = await customsIn(files.dir, ["-o", "junit"]);
      expect(r.status).toBe(1);
      expectValidJunit(r.stdout);
      expect(r.stdout).toContain('classname="customs.test.x&lt;&amp;&quot;&apos;&gt;"');
      expect(r.stdout).toContain("<system-out>unasserted: Pod/default/b&lt;&amp;&gt;</system-out>");
    });
  },
);

describe("customs test input", () => {
  const files = tempFiles({
    "policies/p.yaml": POLICY,
    "pods.yaml": PODS,
    "ok/customs-test.yaml": test(ASSERT_A)
      .replace("[policies]", "[../policies]")
      .replace("[pods.yaml]", "[../pods.yaml]"),
    "unknown/customs-test.yaml": test(`${ASSERT_A}rule: x\n`),
    "missing-policy/customs-test.yaml": test(ASSERT_A).replace("[policies]", "[nope.yaml]"),
    "bad-policy/customs-test.yaml": test(ASSERT_A).replace("[policies]", "[bad.yaml]"),
    "bad-policy/bad.yaml": POLICY.replace("blocked-images", "blocked-imagez"),
    "bad-policy/pods.yaml": PODS,
    "bad-resource/customs-test.yaml": test(ASSERT_A).replace("[policies]", "[../policies]"),
    "bad-resource/pods.yaml":
      "apiVersion: v1\nkind: Pod\nmetadata: { name: x }\nspec: { containers: 3 }\n",
    "bad-facts/customs-test.yaml": test(`facts: facts.yaml\n${ASSERT_A}`)
      .replace("[policies]", "[../policies]")
      .replace("[pods.yaml]", "[../pods.yaml]"),
    "bad-facts/facts.yaml":
      "apiVersion: customs.dev/v1alpha1\nkind: ImageFacts\nimages: { busybox: {} }\n",
    "twice/customs-test.yaml": test(`namespaces: { team-a: {} }\n${ASSERT_A}`)
      .replace("[policies]", "[../policies]")
      .replace("[pods.yaml]", "[ns.yaml, ../pods.yaml]"),
    "twice/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: { name: team-a }\n",
    "dup/customs-test.yaml": test(ASSERT_A)
      .replace("[policies]", "[../policies]")
      .replace("[pods.yaml]", "[../pods.yaml, ../pods.yaml]"),
    "two-docs/x.customs-test.yaml": `${test(ASSERT_A)}---\n${test(ASSERT_A)}`,
    "empty/readme.yaml": "a: 1\n",
    "labels/customs-test.yaml": `apiVersion: customs.dev/v1alpha1
kind: PolicyTest
metadata: { name: labels }
policies: [policy.yaml]
resources: [pods.yaml]
namespaces:
  team-a: { customs.dev/workspace: payments }
results:
  - { resource: Pod/team-a/a, policy: payments-no-busybox, result: fail }
  - { resource: Pod/team-b/a, policy: payments-no-busybox, result: skip }
`,
    "labels/policy.yaml": `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: { name: payments-no-busybox }
spec:
  workspace: payments
  recipe: blocked-images
  input: { rules: [{ imageName: busybox }] }
`,
    "labels/pods.yaml": `apiVersion: v1
kind: Pod
metadata: { name: a, namespace: team-a }
spec: { containers: [{ name: c, image: busybox }] }
---
apiVersion: v1
kind: Pod
metadata: { name: a, namespace: team-b }
spec: { containers: [{ name: c, image: busybox }] }
`,
  });
  afterAll(files.cleanup);

  it("reads paths relative to the test file and warns of unasserted resources", async () => {
    const r = await customsIn(files.dir, ["ok"]);
    expect(r.stdout).toContain(
      "warning: ok/customs-test.yaml: Pod/team-a/b is unasserted: no expectation names it\n",
    );
    expect(r.stdout).toContain(
      "PASS: 1 expectations in 1 test files: 1 passed, 0 failed, 1 resources unasserted",
    );
    expect(r.status).toBe(0);
  });

  it("gives the test's namespace labels to the engine (workspace membership by label)", async () => {
    const r = await customsIn(files.dir, ["-o", "json", "labels"]);
    const results = JSON.parse(r.stdout).tests[0].results;
    expect(results.map((x: { actual: string }) => x.actual)).toEqual(["fail", "skip"]);
    expect(r.status).toBe(0);
  });

  it.each([
    ["unknown", "POLICY_TEST_INVALID", "unknown/customs-test.yaml: rule: unknown field `rule`"],
    [
      "missing-policy",
      "FILE_UNREADABLE",
      "missing-policy/customs-test.yaml: policies[0]: missing-policy/nope.yaml: cannot read: ENOENT",
    ],
    [
      "bad-policy",
      "POLICY_INVALID",
      "bad-policy/customs-test.yaml: policies: bad-policy/bad.yaml: document 0: spec.recipe:",
    ],
    [
      "bad-resource",
      "MANIFEST_INVALID",
      "bad-resource/customs-test.yaml: resources: bad-resource/pods.yaml: document 0:",
    ],
    [
      "bad-facts",
      "POLICY_TEST_INVALID",
      "bad-facts/customs-test.yaml: facts: bad-facts/facts.yaml: images.busybox.digest: is required",
    ],
    [
      "twice",
      "POLICY_TEST_INVALID",
      "twice/customs-test.yaml: namespaces.team-a: is also a Namespace in resources",
    ],
    ["dup", "POLICY_TEST_INVALID", "dup/customs-test.yaml: resources: Pod/team-a/a is given twice"],
    ["two-docs", "POLICY_TEST_INVALID", "two-docs/x.customs-test.yaml: holds 2 documents"],
    ["empty", "POLICY_TEST_INVALID", "no customs-test.yaml or *.customs-test.yaml found in empty"],
  ])("%s is bad input (exit 2), named with its file and field", async (folder, code, message) => {
    const r = await customsIn(files.dir, ["-o", "json", folder]);
    expect(r.status).toBe(2);
    const error = JSON.parse(r.stderr).error;
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
  });
});

const SIGNED = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: { name: signed }
spec:
  recipe: require-signature
  input:
    authorities: [{ name: ci, key: { pem: "${"-----BEGIN PUBLIC KEY-----\\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEN3YMHU3Uvp6NtGyJBna3KHhuLgB1\\nhT7UBNf5lLXaiz7WcY0+xPhPlaHWNsR7olSPaHhl0vvDWRKD8B/3EiqgYg==\\n-----END PUBLIC KEY-----\\n"}" } }]
---
apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: { name: fresh }
spec:
  recipe: max-image-age
  input: { maxAge: 30d }
`;
// Images on a registry that cannot be reached (port 1): were it asked, the run would fail or
// hang; the facts file must be the only source.
const UNREACHABLE = `apiVersion: v1
kind: Pod
metadata: { name: app }
spec:
  containers:
    - { name: signed, image: "127.0.0.1:1/acme/app@${D("a")}" }
    - { name: unknown, image: "127.0.0.1:1/acme/other@${D("b")}" }
`;
const FACTS = `apiVersion: customs.dev/v1alpha1
kind: ImageFacts
images:
  127.0.0.1:1/acme/app@${D("a")}:
    signatures: [{ key: ci }]
    metadata: { created: "2026-01-01T00:00:00Z" }
`;
const offlineTest = (now: string) => `apiVersion: customs.dev/v1alpha1
kind: PolicyTest
metadata: { name: offline }
policies: [policies.yaml]
resources: [pod.yaml]
facts: facts.yaml
now: "${now}"
results:
  - { resource: Pod/app, policy: signed, container: signed, result: pass }
  - { resource: Pod/app, policy: signed, container: unknown, result: fail, code: DIGEST_UNRESOLVED }
  - { resource: Pod/app, policy: fresh, container: signed, result: pass }
`;

describe("customs test is offline", () => {
  const files = tempFiles({
    "policies.yaml": SIGNED,
    "pod.yaml": UNREACHABLE,
    "facts.yaml": FACTS,
    "customs-test.yaml": offlineTest("2026-01-10T00:00:00Z"),
    "later/customs-test.yaml": offlineTest("2026-03-01T00:00:00Z")
      .replace("[policies.yaml]", "[../policies.yaml]")
      .replace("[pod.yaml]", "[../pod.yaml]")
      .replace("facts: facts.yaml", "facts: ../facts.yaml"),
  });
  afterAll(files.cleanup);

  it("decides supply-chain policies from the facts file and opens no connection", async () => {
    const connect = vi.spyOn(net.Socket.prototype, "connect");
    try {
      // The spy sees a connection when one is made (so its silence below means something).
      const probe = net.connect({ host: "127.0.0.1", port: 1 });
      probe.on("error", () => undefined);
      probe.destroy();
      expect(connect).toHaveBeenCalledTimes(1);
      connect.mockClear();
      const r = await customsIn(files.dir, ["customs-test.yaml"]);
      expect(r.stdout).toContain("PASS: 3 expectations in 1 test files: 3 passed, 0 failed");
      expect(r.status).toBe(0);
      expect(connect).not.toHaveBeenCalled();
    } finally {
      connect.mockRestore();
    }
  });

  it("decides on the test's clock, not the machine's", async () => {
    const r = await customsIn(files.dir, ["-o", "json", "later"]);
    expect(r.status).toBe(1);
    const results = JSON.parse(r.stdout).tests[0].results;
    expect(results[2]).toMatchObject({ policy: "fresh", actual: "fail", passed: false });
  });
});

describe("customs test with ImagePolicyExceptions", () => {
  const EXAMPLE = join(ROOT, "examples/tests/exceptions");
  const files = tempFiles({
    "customs-test.yaml": readFileSync(join(EXAMPLE, "customs-test.yaml"), "utf8")
      .replace("../../policies", join(ROOT, "examples/policies"))
      .replace("../../manifests", join(ROOT, "examples/manifests"))
      .replace("legacy-busybox.yaml", join(EXAMPLE, "legacy-busybox.yaml"))
      .replace("2027-01-15T00:00:00Z", "2027-02-01T00:00:00Z"),
  });
  afterAll(files.cleanup);

  it("reports a policy an exception relaxed as exempt, naming the exception", async () => {
    const r = await customsInProcess(["test", "-o", "json", "examples/tests/exceptions"]);
    expect(r.status).toBe(0);
    const results = JSON.parse(r.stdout).tests[0].results;
    expect(results[1]).toMatchObject({ policy: "no-busybox", actual: "exempt", passed: true });
    expect(results[1].exemptions).toEqual([
      'exception "legacy-busybox" relaxes policy "no-busybox" for container "busybox"',
    ]);
  });

  it("decides expiry on the test's clock: past it, the policies fail again", async () => {
    const r = await customsIn(files.dir, ["customs-test.yaml"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      "+++ actual    Deployment/tanzu/busybox policy no-busybox\n- exempt\n+ fail (IMAGE_BLOCKED)\n",
    );
    expect(r.stdout).toContain("FAIL: 6 expectations in 1 test files: 3 passed, 3 failed");
  });
});

describe("customs test facts: scanner reports and tags", () => {
  const TRIVY = join(ROOT, "test/vuln/fixtures/trivy-new.json");
  const policies = (fixableOnly: boolean) => `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: { name: scanned }
spec:
  recipe: vulnerability-threshold
  input: { severity: critical, fixableOnly: ${fixableOnly} }
`;
  const pod = `apiVersion: v1
kind: Pod
metadata: { name: api }
spec: { containers: [{ name: api, image: "registry.example.com/shop/api:1.5.0" }] }
`;
  const facts = `apiVersion: customs.dev/v1alpha1
kind: ImageFacts
images:
  registry.example.com/shop/api:1.5.0:
    digest: ${D("c")}
    vulnerabilities: { report: ${TRIVY} }
`;
  const testFile = (
    policy: string,
    extra: string,
    result: string,
  ) => `apiVersion: customs.dev/v1alpha1
kind: PolicyTest
metadata: { name: scanned }
policies: [${policy}]
resources: [pod.yaml]
facts: facts.yaml
now: "2026-12-01T00:00:00Z"
${extra}results: [{ resource: Pod/api, policy: scanned, result: ${result} }]
`;
  const files = tempFiles({
    "pod.yaml": pod,
    "facts.yaml": facts,
    "all.yaml": policies(false),
    "fixable.yaml": policies(true),
    "all-pinned.customs-test.yaml": testFile(
      "all.yaml",
      "tagHandling: pin\n",
      "fail, code: VULNERABILITY_FOUND",
    ),
    "fixable-pinned.customs-test.yaml": testFile("fixable.yaml", "tagHandling: pin\n", "pass"),
    "all-by-tag.customs-test.yaml": testFile("all.yaml", "", "fail, code: TAG_NOT_PINNED"),
  });
  afterAll(files.cleanup);

  it("reads a scanner's report file, and decides tags as --tag-handling does", async () => {
    const r = await customsIn(files.dir, ["-o", "json", "."]);
    const results = JSON.parse(r.stdout).tests.map(
      (t: { file: string; results: Array<{ actual: string; codes: string[] }> }) => [
        t.file,
        t.results[0]?.actual,
        t.results[0]?.codes,
      ],
    );
    expect(results).toEqual([
      ["all-by-tag.customs-test.yaml", "fail", ["TAG_NOT_PINNED"]],
      ["all-pinned.customs-test.yaml", "fail", ["VULNERABILITY_FOUND"]],
      ["fixable-pinned.customs-test.yaml", "pass", []],
    ]);
    expect(r.status).toBe(0);
  });
});
