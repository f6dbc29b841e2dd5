/**
 * "Add cluster" in one step: the answer that creates a cluster carries the agent's manifest
 * (rendered by the builders of `customs install agent`) and the Helm values, with the token in
 * a Secret, the control plane's external URL and CA, the agent's serving certificate and its
 * webhook configuration. Run against the real `customs serve control-plane`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { ROOT, tempFiles } from "../support/cli.js";

// Rendered objects are walked freely here; their shapes are asserted field by field.
// biome-ignore lint/suspicious/noExplicitAny: test-only access to nested manifest fields
type Obj = Record<string, any>;

const ADMIN = `cst_0123456789abcdef_${"s".repeat(43)}`;

describe("customs serve control-plane: Add cluster yields a ready agent install", () => {
  const files = tempFiles({ admin: `${ADMIN}\n` });
  let child: ChildProcess;
  let url = "";
  let caPem = "";
  let logs = "";

  beforeAll(async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    child = spawn(process.execPath, [
      join(ROOT, "bin/customs"),
      "serve",
      "control-plane",
      "--listen",
      `127.0.0.1:${port}`,
      "--data-dir",
      join(files.dir, "data"),
      "--external-url",
      "https://customs.example.com:8643",
      "--bootstrap-token-file",
      join(files.dir, "admin"),
    ]);
    child.stderr?.on("data", (d: Buffer) => {
      logs += d.toString();
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on("data", (d: Buffer) => {
        logs += d.toString();
        const m = /listening on (\S+)/.exec(logs);
        if (m?.[1]) {
          url = m[1];
          resolve();
        }
      });
      child.once("exit", () => reject(new Error(`control plane exited: ${logs}`)));
    });
    caPem = readFileSync(join(files.dir, "data", "tls", "ca.crt"), "utf8");
  }, 30_000);
  afterAll(() => {
    child.kill("SIGKILL");
    files.cleanup();
  });

  const create = (name: string) =>
    new Promise<Obj>((resolve, reject) => {
      const { port } = new URL(url);
      const req = request(
        {
          host: "127.0.0.1",
          port: Number(port),
          method: "POST",
          path: "/api/v1/organizations/default/clusters",
          ca: caPem,
          servername: "localhost",
          agent: false,
          headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
        },
        (res) => {
          let text = "";
          res.on("data", (c: Buffer) => {
            text += c.toString();
          });
          res.on("end", () => {
            if (res.statusCode !== 201) reject(new Error(`${res.statusCode}: ${text} ${logs}`));
            else resolve(JSON.parse(text) as Obj);
          });
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify({ metadata: { name } }));
    });

  it("the admin token is the one in --bootstrap-token-file, and it is not printed", () => {
    expect(logs).not.toContain(ADMIN);
  });

  it("answers with a manifest: token in a Secret, CA, serving certificate, webhook configuration", async () => {
    const cluster = await create("prod-eu");
    const { install } = cluster;
    expect(install.manifest.filename).toBe("customs-agent-prod-eu.yaml");
    expect(install.commands.kubectl).toBe("kubectl apply -f customs-agent-prod-eu.yaml");
    const objects = parseAllDocuments(install.manifest.yaml).map((d) => d.toJS() as Obj);
    const byName = (kind: string, name: string) =>
      objects.find((o) => o.kind === kind && o.metadata.name === name) as Obj;
    expect(byName("Secret", "customs-agent-token").stringData.token).toBe(cluster.agentToken);
    expect(byName("ConfigMap", "customs-agent-control-plane-ca").data["ca.crt"]).toBe(caPem);
    const deployment = byName("Deployment", "customs-agent");
    const args: string[] = deployment.spec.template.spec.containers[0].args;
    expect(args.join(" ")).toContain("--control-plane https://customs.example.com:8643");
    // The background audit is on, so the cluster's inventory reaches the control plane.
    expect(args.join(" ")).toContain("--audit-interval 600000");
    const role = byName("ClusterRole", "customs-agent");
    expect(JSON.stringify(role.rules)).toContain("policyreports");
    expect(JSON.stringify(deployment)).not.toContain(cluster.agentToken);
    const hook = byName("ValidatingWebhookConfiguration", "customs-agent").webhooks[0];
    const ca = new X509Certificate(Buffer.from(hook.clientConfig.caBundle, "base64"));
    const tls = byName("Secret", "customs-agent-tls");
    expect(new X509Certificate(tls.stringData["tls.crt"]).verify(ca.publicKey)).toBe(true);
    // Nothing to fill in.
    expect(install.manifest.yaml).not.toMatch(/<[a-z-]+>|ca\.pem|REPLACE|TODO/i);
  });

  it("and the Helm values for the chart: the same URL, CA and token, no token on the command line", async () => {
    const cluster = await create("prod-us");
    const { install } = cluster;
    expect(install.commands.helm).toBe(
      "helm install customs-agent oci://ghcr.io/customs-dev/charts/customs -n customs-system --create-namespace -f customs-agent-prod-us-values.yaml",
    );
    expect(install.commands.helm).not.toContain(cluster.agentToken);
    expect(install.commands.kubectl).not.toContain(cluster.agentToken);
    const values = parse(install.values.yaml) as Obj;
    expect(values).toEqual({
      webhook: { enabled: false },
      agent: {
        enabled: true,
        controlPlane: { url: "https://customs.example.com:8643", caBundle: caPem },
        token: cluster.agentToken,
        auditIntervalMs: 600000,
      },
    });
  });
});
