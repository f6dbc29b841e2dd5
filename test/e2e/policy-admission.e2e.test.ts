/**
 * Policies are never silently ignored in a cluster (against a real kube-apiserver): what the
 * engine refuses, `kubectl apply` refuses, by the CRD's schema and CEL rules (generated from
 * core/schema) or, for what no schema can say, by Customs' own admission check of
 * ImagePolicies; and the webhook that reads the policies reports on each in its status.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLICY_ADMISSION_RULES } from "../../src/adapters/install/index.js";
import { freePort } from "../agent/support.js";
import { customs, ROOT } from "../support/cli.js";
import {
  type Cluster,
  eventually,
  get,
  type KubectlResult,
  kubeAvailability,
  localWebhookConfiguration,
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

describe.skipIf(skipReason !== undefined)(
  "policies in a real cluster are never silently ignored",
  () => {
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
      const stored = JSON.parse(
        ok(await kubectl(["get", "imagepolicy", "corp-only", "-o", "json"])),
      );
      expect(stored.spec.input.rules[0]).toMatchObject({
        hostname: "registry.mycorp.local",
        tag: "v*",
      });
    });

    it("the CRD alone lets through what only the validator can refuse (an RE2 expression)", async () => {
      // As before the admission check existed, or while the webhook is down: it gets in.
      ok(await kubectl(["apply", "-f", "-"], BAD_REGEXP));
      const stored = JSON.parse(
        ok(await kubectl(["get", "imagepolicy", "bad-regexp", "-o", "json"])),
      );
      expect(stored.spec.input.authorities[0].keyless.subjectRegExp).toBe("(unclosed");
    });

    describe("customs serve --from-cluster", () => {
      let port = 0;
      let caPem = "";
      const readyCondition = async (name: string) => {
        const r = await kubectl(["get", "imagepolicy", name, "-o", "json"]);
        const conditions = (JSON.parse(ok(r)).status?.conditions ?? []) as Record<
          string,
          unknown
        >[];
        return conditions.find((c) => c.type === "Ready");
      };

      beforeAll(async () => {
        const cert = await cluster.issueServingCert("customs-webhook", ["127.0.0.1"]);
        caPem = cluster.caPem;
        // A port the system just gave out, not a random one: the other suites' clusters hold
        // ports in the same range.
        port = await freePort();
        webhook = spawn(process.execPath, [
          join(ROOT, "bin/customs"),
          "serve",
          "webhook",
          "--from-cluster",
          "--kubeconfig",
          cluster.kubeconfig,
          "--listen",
          `127.0.0.1:${port}`,
          "--tls-cert",
          cert.certFile,
          "--tls-key",
          cert.keyFile,
        ]);
        webhook.stdout?.on("data", (d: Buffer) => {
          log += d.toString();
        });
        webhook.stderr?.on("data", (d: Buffer) => {
          log += d.toString();
        });
        await eventually("policies loaded by the webhook", async () => {
          if (log.includes("policies loaded from the cluster")) return true;
          // A webhook that exited will never load them: say why now, with what it wrote.
          if (webhook?.exitCode !== null) {
            throw new Error(`the webhook exited with status ${webhook?.exitCode}`);
          }
          return undefined;
        }).catch((e: Error) => {
          throw new Error(`${e.message}\nwebhook output:\n${log.slice(-2000)}`);
        });
        const url = `https://127.0.0.1:${port}/validate`;
        const configuration = localWebhookConfiguration("customs", url, caPem);
        const [hook] = configuration.webhooks;
        const policies = {
          name: "policies.customs.dev",
          admissionReviewVersions: ["v1"],
          sideEffects: "None",
          failurePolicy: "Fail",
          timeoutSeconds: 5,
          clientConfig: hook?.clientConfig,
          rules: POLICY_ADMISSION_RULES,
        };
        ok(
          await kubectl(
            ["apply", "-f", "-"],
            JSON.stringify({ ...configuration, webhooks: [...configuration.webhooks, policies] }),
          ),
        );
      }, 180_000);

      it("writes Ready True on a valid policy", async () => {
        const ready = await eventually("Ready on corp-only", () => readyCondition("corp-only"));
        expect(ready).toMatchObject({ status: "True", reason: "Valid" });
      });

      it("writes Ready False, reason Invalid, with the field path, on a policy it leaves out", async () => {
        const ready = await eventually("Ready on bad-regexp", () => readyCondition("bad-regexp"));
        expect(ready).toMatchObject({ status: "False", reason: "Invalid" });
        expect(ready?.message).toContain("spec.input.authorities[0].keyless.subjectRegExp");
        const table = ok(await kubectl(["get", "imagepolicies"]));
        expect(table).toMatch(/READY/);
      });

      it("stays ready, and /readyz and the metric report the invalid policy", async () => {
        const readyz = await get(`https://127.0.0.1:${port}/readyz`, { ca: caPem });
        expect(readyz.status).toBe(200);
        expect(readyz.body).toContain("warning: 1 invalid policy left out");
        expect(readyz.body).toContain("ImagePolicy/bad-regexp");
        const metrics = await get(`https://127.0.0.1:${port}/metrics`, { ca: caPem });
        expect(metrics.body).toMatch(/^customs_policies_invalid 1$/m);
      });

      it("refuses at kubectl apply what only the validator can tell, naming the field", async () => {
        const again = BAD_REGEXP.replace("name: bad-regexp", "name: bad-regexp-2");
        const r = await eventually("the policy webhook to be called", async () => {
          const attempt = await kubectl(["apply", "-f", "-"], again);
          return attempt.code !== 0 ? attempt : undefined;
        });
        expect(r.stderr).toContain('admission webhook "policies.customs.dev" denied the request');
        expect(r.stderr).toContain("spec.input.authorities[0].keyless.subjectRegExp");
        expect(r.stderr).toContain("is not a valid RE2 expression");
      });

      it("still admits valid policy changes, and refuses workloads by the policies", async () => {
        ok(await kubectl(["apply", "-f", "-"], GOOD.replace("v*", "release-*")));
        ok(await kubectl(["create", "namespace", "team-a"]));
        const r = await kubectl(["create", "deployment", "b", "--image=busybox", "-n", "team-a"]);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain("corp-only");
      });
    });
  },
);
