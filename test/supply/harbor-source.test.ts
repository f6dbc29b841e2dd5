import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customsInProcess, tempFiles } from "../support/cli.js";
import {
  D,
  type HarborStandIn,
  PASSWORD,
  startHarborStandIn,
  USER,
} from "../vuln/harbor-stand-in.js";
import { deployment } from "./cosign-fixture.js";

// Harbor cannot run here: `customs check` talks to a stand-in written from Harbor's API schema.
const POLICY = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: no-criticals}
spec:
  recipe: vulnerability-threshold
  input: {severity: critical, missingReport: deny}
`;

describe("customs check reads vulnerability reports from Harbor", () => {
  let harbor: HarborStandIn;
  let files: ReturnType<typeof tempFiles>;

  beforeAll(async () => {
    harbor = await startHarborStandIn();
    files = tempFiles({ "policy.yaml": POLICY, "ca.pem": harbor.pki.caPem });
  });
  afterAll(async () => {
    files?.cleanup();
    await harbor?.close();
  });

  const check = async (image: string, harborFlags: string[], password = PASSWORD) => {
    const t = tempFiles({ "deploy.yaml": deployment(image) });
    const before = process.env.CUSTOMS_HARBOR_PASSWORD;
    process.env.CUSTOMS_HARBOR_PASSWORD = password;
    try {
      const r = await customsInProcess([
        "check",
        "-o",
        "json",
        "-p",
        `${files.dir}/policy.yaml`,
        "--ca-file",
        `${files.dir}/ca.pem`,
        ...harborFlags,
        `${t.dir}/deploy.yaml`,
      ]);
      const violations: { policy: string; code: string; message: string }[] =
        r.stdout === "" ? [] : JSON.parse(r.stdout).results[0].violations;
      return { ...r, violations };
    } finally {
      if (before === undefined) delete process.env.CUSTOMS_HARBOR_PASSWORD;
      else process.env.CUSTOMS_HARBOR_PASSWORD = before;
      t.cleanup();
    }
  };
  const image = (path: string, digest: string) => `127.0.0.1:${harbor.port}/${path}@${digest}`;
  const flags = () => ["--harbor-url", harbor.url, "--harbor-username", USER];

  it("refuses an image whose Harbor report has a critical, naming it", async () => {
    const r = await check(image("shop/team/api", D(1)), flags());
    expect(r.stderr).toBe("");
    expect(r.violations.map((v) => v.code)).toEqual(["VULNERABILITY_FOUND"]);
    expect(r.violations[0]?.message).toContain(
      "1 critical (CVE-2023-45853); the policy refuses findings at or above critical",
    );
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain(PASSWORD);
  });

  it("an image Harbor never scanned has no report", async () => {
    const r = await check(image("shop/new", D(3)), flags());
    expect(r.violations.map((v) => v.code)).toEqual(["VULNERABILITY_REPORT_MISSING"]);
  });

  it("refused credentials are REGISTRY_AUTH_FAILED, not a missing report", async () => {
    const r = await check(image("shop/team/api", D(1)), flags(), "wrong");
    expect(r.violations.map((v) => v.code)).toEqual(["REGISTRY_AUTH_FAILED"]);
    expect(r.stdout).not.toContain("wrong");
  });

  it("an image on another host, or no Harbor at all, has no source: fail closed", async () => {
    const other = await check(`127.0.0.1:1/shop/team/api@${D(1)}`, flags());
    const none = await check(image("shop/team/api", D(1)), []);
    for (const [r, why] of [
      [other, "the image is not in the configured Harbor"],
      [none, "no Harbor is configured"],
    ] as const) {
      expect(r.violations.map((v) => v.code)).toEqual(["SOURCE_NOT_CONFIGURED"]);
      expect(r.violations[0]?.message).toContain(`none applies, and ${why}`);
    }
  });
});
