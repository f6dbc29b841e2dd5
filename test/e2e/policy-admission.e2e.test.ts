/**
 * Policies are never silently ignored in a cluster (against a real kube-apiserver): what the
 * engine refuses, `kubectl apply` refuses, by the CRD's schema and CEL rules (generated from
 * core/schema) or, for what no schema can say, by Customs' own admission check of
 * ImagePolicies; and the webhook that reads the policies reports on each in its status.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customs, ROOT } from "../support/cli.js";
import {
  type Cluster,
  eventually,
  type KubectlResult,
  kubeAvailability,
  startCluster,
} from "./cluster.js";

const { skipReason } = kubeAvailability();
if (skipReason !== undefined) console.warn(`skipping the policy admission e2e: ${skipReason}`);

function ok(r: KubectlResult): string {
  if (r.code !== 0) throw new Error(`kubectl failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

const policy = (name: string, spec: string) =>
  `apiVersion: customs.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: ${name}}\nspec:\n${spec}`;

/** The policy of the report: accepted by the old CRD, refused by the engine, then ignored. */
const HOST_WITH_PORT = policy(
  "corp-registry",
  `  recipe: custom
  input:
    rules:
      - {hostname: "registry.mycorp.local:5000", port: "50x0", imageName: "team/*"}
`,
);

/** Valid in shape; only the validator (RE2) can tell that the expression does not compile. */
const BAD_REGEXP = policy(
  "bad-regexp",
  `  recipe: require-signature
  input:
    authorities:
      - name: ci
        keyless: {issuer: "https://token.actions.githubusercontent.com", subjectRegExp: "(unclosed"}
`,
);

const GOOD = policy(
  "corp-only",
  `  namespace: team-a
  recipe: custom
  input:
    rules:
      - {hostname: registry.mycorp.local, port: "5000", imageName: "team/*", tag: "v*"}
`,
);

describe.skipIf(skipReason !== undefined)("policies in a real cluster are never silently ignored", () => {
  let cluster: Cluster;
  let webhook: ChildProcess | undefined;
  let log = "";
  const kubectl = (args: string[], input?: string) =>
    cluster.kubectl(args, input === undefined ? {} : { input });

  beforeAll(async () => {
    cluster = await startCluster({ controllerManager: false });
    const install = JSON.parse(customs(["install", "-o", "json"]).stdout) as {
      items: Array<{ kind: string }>;
    };
    const crds = install.items.filter((o) => o.kind === "CustomResourceDefinition");
    ok(
      await kubectl(
        ["apply", "-f", "-"],
        JSON.stringify({ apiVersion: "v1", kind: "List", items: crds }),
      ),
    );
    ok(
      await kubectl([
        "wait",
        "--for=condition=Established",
        "crd/imagepolicies.customs.dev",
        "crd/workspaces.customs.dev",
        "--timeout=60s",
      ]),
    );
  }, 180_000);

  afterAll(async () => {
    webhook?.kill("SIGKILL");
    await cluster?.stop();
  });

  it("the CRD refuses a hostname with a port and a port with letters, naming the fields", async () => {
    const r = await kubectl(["apply", "-f", "-"], HOST_WITH_PORT);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("spec.input.rules[0].hostname");
    expect(r.stderr).toContain("includes a port");
    expect(r.stderr).toContain("spec.input.rules[0].port");
  });

  it("the CRD accepts a valid policy, the tag written short", async () => {
    ok(await kubectl(["apply", "-f", "-"], GOOD));
  });
});
