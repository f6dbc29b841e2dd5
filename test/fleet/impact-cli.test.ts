/** `customs policy impact` against a real control plane (SQLite) started in the test. */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customsInProcess, tempFiles } from "../support/cli.js";
import { named, startTestControlPlane, type TestControlPlane } from "./api-harness.js";

const ORG = "/api/v1/organizations/default";

const POLICY = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata:
  name: corp-registry-only
spec:
  recipe: custom
  input:
    rules:
      - hostname: registry.corp
---
apiVersion: customs.dev/v1alpha1
kind: Workspace
metadata:
  name: ignored
spec:
  namespaces: [c1/web]
`;

const BAD = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata:
  name: bad
spec:
  recipe: custom
  input:
    rules:
      - hostname: 7
`;

describe("customs policy impact", () => {
  let cp: TestControlPlane;
  let files: ReturnType<typeof tempFiles>;
  let common: string[];

  beforeAll(async () => {
    cp = await startTestControlPlane();
    const admin = (method: string, path: string, body?: unknown) =>
      cp.call(method, path, { token: cp.admin, body });
    const c = await admin("POST", `${ORG}/clusters`, named("c1"));
    await admin("POST", `${ORG}/clusters`, named("c2"));
    const workloads = ["registry.corp/shop:1", "docker.io/library/redis:7", "quay.io/x/y:1"].map(
      (image, i) => ({
        namespace: "web",
        kind: "Deployment",
        name: `app-${i}`,
        containers: [{ name: "app", image, type: "container" }],
        results: [],
      }),
    );
    const put = await cp.call("PUT", "/api/v1/agent/inventory", {
      token: c.body.agentToken,
      body: { revision: 1, generatedAt: new Date().toISOString(), workloads },
    });
    expect(put.status).toBe(204);
    files = tempFiles({ "policy.yaml": POLICY, "bad.yaml": BAD, token: `${cp.admin}\n` });
    common = [
      "--control-plane",
      cp.base,
      "--token-file",
      join(files.dir, "token"),
      "--ca-file",
      join(cp.dir, "tls", "ca.crt"),
    ];
  });
  afterAll(async () => {
    files?.cleanup();
    await cp?.close();
  });

  it("prints what a new policy would deny, grouped, and exits 0", async () => {
    const r = await customsInProcess([
      "policy",
      "impact",
      "-p",
      join(files.dir, "policy.yaml"),
      ...common,
    ]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Impact of: create ImagePolicy/corp-registry-only");
    expect(r.stdout).toContain("would deny 2 workloads in 1 cluster");
    expect(r.stdout).toContain(
      "  c1/web Deployment/app-1: docker.io/library/redis:7 by corp-registry-only",
    );
    expect(r.stdout).toContain("no inventory yet from: c2");
  });

  it("answers JSON, and --fail-on-deny exits 1 when something would be denied", async () => {
    const r = await customsInProcess([
      "policy",
      "impact",
      "-p",
      join(files.dir, "policy.yaml"),
      ...common,
      "-o",
      "json",
      "--fail-on-deny",
      "--days",
      "3",
    ]);
    expect(r.status).toBe(1);
    const answer = JSON.parse(r.stdout);
    expect(answer.days).toBe(3);
    expect(answer.inventory.wouldDeny.workloads).toBe(2);
    expect(
      answer.inventory.wouldDeny.groups.map((g: { owner: { name: string } }) => g.owner.name),
    ).toEqual(["app-1", "app-2"]);
  });

  it("previews a delete of a policy that does not exist as the server's 404", async () => {
    const r = await customsInProcess(["policy", "impact", "--delete", "nope", ...common]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('refused the preview: 404 NOT_FOUND policy "nope" not found');
  });

  it("reports an invalid document with its field path, and needs a token", async () => {
    const bad = await customsInProcess([
      "policy",
      "impact",
      "-p",
      join(files.dir, "bad.yaml"),
      ...common,
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("changes[0].document.spec.input.rules[0].hostname");
    const noToken = await customsInProcess([
      "policy",
      "impact",
      "-p",
      join(files.dir, "policy.yaml"),
      "--control-plane",
      cp.base,
    ]);
    expect(noToken.status).toBe(2);
    expect(noToken.stderr).toContain("--token-file");
  });
});
