/** ImagePolicyExceptions in `customs check` and `customs policy validate|explain`. */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { customs, tempFiles } from "./support/cli.js";

const policy = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: corp-registry-only}
spec:
  recipe: custom
  input: {rules: [{hostname: registry.corp}]}
`;
const exception = (name: string, expires: string, extra = "") => `apiVersion: customs.dev/v1alpha1
kind: ImagePolicyException
metadata: {name: ${name}}
spec:
  policies: [corp-registry-only]
  namespace: team-a
  images: ["docker.io/library/busybox:*"]
  reason: vendor image, JIRA-123
  owner: team-a@example.com
  expires: "${expires}"
${extra}`;
const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: legacy, namespace: team-a}
spec:
  template:
    spec:
      containers:
        - {name: app, image: "busybox:1.36"}
`;

describe("customs check with exceptions", () => {
  const files = tempFiles({
    "p/policy.yaml": policy,
    "p/exception.yaml": exception("legacy-busybox", "2999-01-31"),
    "expired/policy.yaml": policy,
    "expired/exception.yaml": exception("legacy-busybox", "2020-01-31"),
    "only/exception.yaml": exception("legacy-busybox", "2999-01-31"),
    "m.yaml": manifest,
  });
  afterAll(files.cleanup);
  const at = (p: string) => join(files.dir, p);

  it("allows an exempted workload and lists the exemption in the JSON output", () => {
    const r = customs(["check", "-p", at("p"), "-o", "json", at("m.yaml")]);
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout).results[0];
    expect(result.verdict).toBe("allow");
    expect(result.violations).toEqual([]);
    expect(result.exemptions).toHaveLength(1);
    expect(Object.keys(result.exemptions[0])).toEqual([
      "policy",
      "exception",
      "expires",
      "container",
      "containerType",
      "image",
      "normalizedImage",
      "code",
      "message",
    ]);
    expect(result.exemptions[0]).toMatchObject({
      policy: "corp-registry-only",
      exception: "legacy-busybox",
      expires: "2999-01-31",
      normalizedImage: "docker.io/library/busybox:1.36",
      code: "IMAGE_NOT_ALLOWED",
    });
  });

  it("says so in the human output", () => {
    const r = customs(["check", "-p", at("p"), at("m.yaml")]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("exempted by exception legacy-busybox (expires 2999-01-31)");
  });

  it("does not report exempted violations as SARIF results", () => {
    const r = customs(["check", "-p", at("p"), "-o", "sarif", at("m.yaml")]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).runs[0].results).toEqual([]);
  });

  it("an expired exception exempts nothing", () => {
    const r = customs(["check", "-p", at("expired"), "-o", "json", at("m.yaml")]);
    expect(r.status).toBe(1);
    const result = JSON.parse(r.stdout).results[0];
    expect(result.verdict).toBe("deny");
    expect(result.exemptions).toBeUndefined();
  });

  it("exceptions without any ImagePolicy are still an error", () => {
    const r = customs(["check", "-p", at("only"), at("m.yaml")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("no ImagePolicy found");
  });

  it("policy validate counts exceptions and warns about expiry and unknown policies", () => {
    const r = customs(["policy", "validate", "-o", "json", at("expired"), at("only")]);
    const out = JSON.parse(r.stdout);
    expect(out.exceptions).toBe(1);
    expect(out.issues.map((i: { code: string }) => i.code)).toContain("LINT_EXCEPTION_EXPIRED");
    const alone = JSON.parse(customs(["policy", "validate", "-o", "json", at("only")]).stdout);
    expect(alone.issues).toMatchObject([
      { code: "LINT_EXCEPTION_POLICY_UNKNOWN", path: "spec.policies[0]", severity: "warning" },
    ]);
  });

  it("policy explain names the exception that exempts an image", () => {
    const args = ["policy", "explain", "-p", at("p"), "-n", "team-a"];
    const json = customs([...args, "-o", "json", "busybox:1.36"]);
    expect(json.status).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(out.verdict).toBe("allow");
    expect(out.policies[0]).toMatchObject({
      policy: "corp-registry-only",
      result: "exempted",
      exception: "legacy-busybox",
      expires: "2999-01-31",
    });
    const human = customs([...args, "busybox:1.36"]);
    expect(human.stdout).toContain("EXEMPTED corp-registry-only");
    expect(human.stdout).toContain("exempted by exception legacy-busybox");
    const elsewhere = customs(["policy", "explain", "-p", at("p"), "-n", "team-b", "busybox:1.36"]);
    expect(elsewhere.status).toBe(1);
  });
});
