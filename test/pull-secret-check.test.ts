import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { extractResources } from "../src/core/workload/index.js";
import { customsInProcess, tempFiles } from "./support/cli.js";
import { policyDoc } from "./support/policies.js";

const policy = policyDoc("corp-secret", {
  recipe: "require-pull-secret",
  input: { rules: [{ hostname: "registry.corp.example" }] },
});

const deployment = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "team-a" },
  spec: {
    template: {
      spec: { containers: [{ name: "app", image: "registry.corp.example/team/app:v1" }], ...spec },
    },
  },
});

const dockerconfig = (name: string, host: string, asStringData = false) => {
  const json = JSON.stringify({ auths: { [host]: { auth: "dXNlcjpwYXNz" } } });
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: "team-a" },
    type: "kubernetes.io/dockerconfigjson",
    ...(asStringData
      ? { stringData: { ".dockerconfigjson": json } }
      : { data: { ".dockerconfigjson": Buffer.from(json).toString("base64") } }),
  };
};

async function check(docs: unknown[]): Promise<Record<string, string[]>> {
  const files = tempFiles({
    "policy.yaml": stringify(policy),
    "inputs.yaml": docs.map((d) => stringify(d)).join("---\n"),
  });
  try {
    const r = await customsInProcess([
      "check",
      "-p",
      `${files.dir}/policy.yaml`,
      "-o",
      "json",
      `${files.dir}/inputs.yaml`,
    ]);
    expect([0, 1]).toContain(r.status);
    const out = JSON.parse(r.stdout) as {
      results: { name: string; violations: { code: string }[] }[];
    };
    return Object.fromEntries(out.results.map((x) => [x.name, x.violations.map((v) => v.code)]));
  } finally {
    files.cleanup();
  }
}

describe("require-pull-secret in customs check", () => {
  it("decides on the Secrets and ServiceAccounts among the inputs", async () => {
    const result = await check([
      deployment("none", {}),
      deployment("unknown-secret", { imagePullSecrets: [{ name: "elsewhere" }] }),
      deployment("right-secret", { imagePullSecrets: [{ name: "corp" }] }),
      deployment("wrong-secret", { imagePullSecrets: [{ name: "quay" }] }),
      deployment("string-data", { imagePullSecrets: [{ name: "corp-plain" }] }),
      deployment("by-account", { serviceAccountName: "builder" }),
      dockerconfig("corp", "https://registry.corp.example/v1/"),
      dockerconfig("corp-plain", "registry.corp.example", true),
      dockerconfig("quay", "quay.io"),
      {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "builder", namespace: "team-a" },
        imagePullSecrets: [{ name: "corp" }],
      },
    ]);
    expect(result).toEqual({
      none: ["PULL_SECRET_MISSING"],
      "unknown-secret": [],
      "right-secret": [],
      "wrong-secret": ["PULL_SECRET_NOT_FOR_REGISTRY"],
      "string-data": [],
      "by-account": [],
    });
  });

  it("the default ServiceAccount's secrets count for a workload that names none", async () => {
    const result = await check([
      deployment("app", {}),
      {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "default", namespace: "team-a" },
        imagePullSecrets: [{ name: "corp" }],
      },
    ]);
    expect(result).toEqual({ app: [] });
  });

  it("keeps only registry keys of a Secret, never a credential", () => {
    const r = extractResources(dockerconfig("corp", "registry.corp.example"));
    expect(r.pullSecrets).toEqual([
      { namespace: "team-a", name: "corp", registries: ["registry.corp.example"] },
    ]);
    expect(JSON.stringify(r)).not.toContain("dXNlcjpwYXNz");
  });
});
