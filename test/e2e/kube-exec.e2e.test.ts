/**
 * Kubeconfig exec plugins, contexts and impersonation against a real kube-apiserver
 * (test/e2e/cluster.ts). The plugin is a node script in a temporary folder that prints the
 * ExecCredential of its plan step and counts its runs: the API server's answers (401 for a
 * token it does not know, the user a SelfSubjectReview names) prove what was sent.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
  KubeClient,
  type KubeConnection,
  type KubeObject,
  loadKubeconfig,
  startInformer,
} from "../../src/adapters/kube/index.js";
import { customs, tempFiles } from "../support/cli.js";
import { type Cluster, kubeAvailability, startCluster } from "./cluster.js";

const { skipReason } = kubeAvailability();
if (skipReason !== undefined) console.warn(`skipping the kube exec e2e suite: ${skipReason}`);

const V1 = "client.authentication.k8s.io/v1";

const PLUGIN = `
import { appendFileSync, readFileSync } from "node:fs";
const dir = process.argv[2];
const run = readFileSync(dir + "/runs", "utf8").length;
appendFileSync(dir + "/runs", "x");
const plan = JSON.parse(readFileSync(dir + "/plan.json", "utf8"));
const status = plan[Math.min(run, plan.length - 1)];
process.stdout.write(JSON.stringify({ apiVersion: "${V1}", kind: "ExecCredential", status }));
`;

describe.skipIf(skipReason !== undefined)("kubeconfig access to a real API server", () => {
  let cluster: Cluster;
  let work: { dir: string; cleanup(): void };
  const quiet = new PassThrough().resume();

  beforeAll(async () => {
    cluster = await startCluster({
      controllerManager: false,
      log: (line) => console.log(`[cluster] ${line}`),
    });
    work = tempFiles({ "plugin.mjs": PLUGIN, "ca.crt": cluster.caPem });
    // Two files, as $KUBECONFIG lists them: the first holds contexts, the second the cluster
    // and users (its relative certificate-authority resolves against its own folder).
    writeFileSync(
      join(work.dir, "contexts"),
      stringify({
        "current-context": "exec-token",
        contexts: [
          {
            name: "exec-token",
            context: { cluster: "e2e", user: "exec-token", namespace: "team-x" },
          },
          { name: "exec-cert", context: { cluster: "e2e", user: "exec-cert" } },
          { name: "impersonating", context: { cluster: "e2e", user: "impersonating" } },
        ],
      }),
    );
    const exec = (name: string) => ({
      apiVersion: V1,
      command: process.execPath,
      args: [join(work.dir, "plugin.mjs"), join(work.dir, name)],
      interactiveMode: "Never",
    });
    writeFileSync(
      join(work.dir, "clusters"),
      stringify({
        clusters: [
          { name: "e2e", cluster: { server: cluster.server, "certificate-authority": "ca.crt" } },
        ],
        users: [
          { name: "exec-token", user: { exec: exec("token") } },
          { name: "exec-cert", user: { exec: exec("cert") } },
          {
            name: "impersonating",
            user: { token: cluster.token, as: "jane", "as-groups": ["auditors"] },
          },
        ],
      }),
    );
    const cert = await cluster.issueClientCert("exec-cert", "exec-cert-user", "system:masters");
    for (const [name, plan] of [
      // A token the server does not know first: the 401 makes the client run the plugin again.
      ["token", [{ token: "not-a-token-of-this-cluster" }, { token: cluster.token }]],
      ["cert", [{ clientCertificateData: cert.certPem, clientKeyData: cert.keyPem }]],
    ] as const) {
      tempFilesInto(join(work.dir, name), { runs: "", "plan.json": JSON.stringify(plan) });
    }
  });

  afterAll(async () => {
    await cluster?.stop();
    work?.cleanup();
  });

  function tempFilesInto(dir: string, files: Record<string, string>) {
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  }

  const runs = (name: string) => readFileSync(join(work.dir, name, "runs"), "utf8").length;
  const env = () => ({
    KUBECONFIG: [join(work.dir, "contexts"), join(work.dir, "clusters")].join(delimiter),
  });
  const connect = (context?: string): KubeConnection =>
    loadKubeconfig({ env: env(), exec: { stderr: quiet }, ...(context ? { context } : {}) });

  /** Who the API server says we are. */
  async function whoAmI(client: KubeClient): Promise<{ username: string; groups: string[] }> {
    const review = await client.send("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
      apiVersion: "authentication.k8s.io/v1",
      kind: "SelfSubjectReview",
    });
    return (review.status as { userInfo: { username: string; groups: string[] } }).userInfo;
  }

  it("signs in with the exec plugin's token, after one 401 and one more run of it", async () => {
    const connection = connect();
    expect(connection.namespace).toBe("team-x");
    const client = new KubeClient(connection);
    expect((await whoAmI(client)).username).toBe("customs-e2e-admin");
    expect(runs("token")).toBe(2);
    await client.list("/api/v1/namespaces");
    expect(runs("token")).toBe(2);
    client.close();
  });

  it("signs in with the client certificate the plugin returns (--context)", async () => {
    const client = new KubeClient(connect("exec-cert"));
    const me = await whoAmI(client);
    expect(me.username).toBe("exec-cert-user");
    expect(me.groups).toContain("system:masters");
    expect(runs("cert")).toBe(1);
    client.close();
  });

  it("impersonates the kubeconfig's `as` user and groups", async () => {
    const client = new KubeClient(connect("impersonating"));
    const me = await whoAmI(client);
    expect(me.username).toBe("jane");
    expect(me.groups).toContain("auditors");
    client.close();
  });

  it("watches through an exec-plugin connection", async () => {
    const client = new KubeClient(connect("exec-cert"));
    let seen: (names: string[]) => void = () => {};
    const arrived = new Promise<string[]>((resolve) => {
      seen = resolve;
    });
    const informer = startInformer(
      client,
      "/api/v1/namespaces",
      (items) => {
        const names = items.map((o: KubeObject) => o.metadata.name);
        if (names.includes("watched")) seen(names);
      },
      (e) => console.warn(`informer: ${(e as Error).message}`),
    );
    await informer.synced;
    const created = await cluster.kubectl(["create", "namespace", "watched"]);
    expect(created.code).toBe(0);
    expect(await arrived).toContain("watched");
    informer.stop();
    client.close();
  });

  it("the CLI takes --context and reads the namespace from it", () => {
    const r = customs(
      [
        "registry",
        "pull-secret",
        "--server",
        "registry.example.com",
        "--username",
        "u",
        "--password",
        "p",
        "--attach",
        "--context",
        "exec-cert",
        "-o",
        "json",
      ],
      { env: env() },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    // exec-cert names no namespace: kubectl's `default`.
    expect(r.stdout).toContain('"namespace": "default"');

    const missing = customs(
      [
        "registry",
        "pull-secret",
        "--server",
        "r.example",
        "--username",
        "u",
        "--password",
        "p",
        "--attach",
        "--context",
        "nope",
      ],
      { env: env() },
    );
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('context "nope" does not exist');
  });
});
