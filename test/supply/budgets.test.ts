/**
 * Every command answers within its budget when a registry accepts connections and never says
 * a word (not even the TLS handshake): `customs check --facts-timeout`, `customs ci
 * --facts-timeout`, `customs verify --timeout` exit soon after it with SOURCE_TIMEOUT, and no
 * request, retry or socket outlives it. A 429 whose Retry-After outlasts the budget stays
 * RATE_LIMITED.
 */
import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient, withTimeBudget } from "../../src/adapters/registry/index.js";
import { FactsGatherer } from "../../src/app/supply/facts.js";
import { registrySource } from "../../src/app/supply/registry.js";
import { parseImageReference } from "../../src/core/reference/index.js";
import { type FaultProxy, startFaultProxy } from "../registry/fault-proxy.js";
import { createTestPki, type TestPki } from "../registry/harness.js";
import { ROOT, tempFiles } from "../support/cli.js";

const PEM = generateKeyPairSync("ec", { namedCurve: "P-256" })
  .publicKey.export({ type: "spki", format: "pem" })
  .toString();

const CLI = join(ROOT, "bin/customs");
const built = existsSync(join(ROOT, "dist/cli/main.js"));
if (!built) console.warn("[budgets] CLI runs skipped: dist/ is not built (npm run build)");

/** Runs the real CLI as a process: a socket left open would keep it from exiting. */
function run(args: string[]): Promise<{ status: number | null; out: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, NO_COLOR: "1" },
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const killer = setTimeout(() => child.kill("SIGKILL"), 40_000);
    child.on("exit", (status) => {
      clearTimeout(killer);
      resolve({ status, out, ms: Date.now() - started });
    });
  });
}

const POLICY = `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: signed}
spec:
  recipe: require-signature
  input:
    authorities:
      - name: ci
        key:
          pem: |
${PEM.trim()
  .split("\n")
  .map((l) => `            ${l}`)
  .join("\n")}
`;

describe("budgets against a registry that accepts and never answers", () => {
  let silent: Server;
  const sockets: Socket[] = [];
  let host = "";
  let files: { dir: string; cleanup: () => void };
  /** Margin for starting node and loading the CLI on a busy machine. */
  const MARGIN = 3_000;

  beforeAll(async () => {
    // Reads (so that a client's close is seen) and never writes.
    silent = createServer((s) => {
      sockets.push(s);
      s.resume();
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const address = silent.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    host = `127.0.0.1:${address.port}`;
    const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: app, image: "${host}/shop/app@sha256:${"a".repeat(64)}"}]
`;
    files = tempFiles({
      "policies/p.yaml": POLICY,
      "deploy/app.yaml": deployment,
      "ci.pub": PEM,
      "customs.yaml":
        "apiVersion: customs.dev/v1alpha1\nkind: CIConfig\nchecks:\n  manifests:\n    policies: [policies]\n    paths: [deploy]\n",
    });
  });
  afterAll(() => {
    for (const s of sockets) s.destroy();
    silent.close();
    files.cleanup();
  });

  it("a request is abandoned, its socket closed, when the budget ends (not at the 30 s timeout)", async () => {
    const client = new RegistryClient({ tls: {} });
    const started = Date.now();
    // The client's socket, from the moment the silent registry accepts it until it closes.
    const closed = once(silent, "connection").then(
      ([s]: Socket[]) =>
        new Promise<number>((resolve) => s?.once("close", () => resolve(Date.now() - started))),
    );
    const ref = parseImageReference(`${host}/shop/app:v1`);
    await expect(withTimeBudget(500, () => client.resolveDigest(ref))).rejects.toMatchObject({
      code: "REGISTRY_TIMEOUT",
    });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(await closed).toBeLessThan(1_500);
    client.close();
  });

  it.skipIf(!built)(
    "customs check --facts-timeout 2000 exits within the budget, SOURCE_TIMEOUT",
    async () => {
      const r = await run([
        "check",
        "-p",
        join(files.dir, "policies"),
        "--facts-timeout",
        "2000",
        "-o",
        "json",
        join(files.dir, "deploy"),
      ]);
      expect(r.out).toContain("SOURCE_TIMEOUT");
      expect(r.status).toBe(1);
      expect(r.ms).toBeLessThan(2_000 + MARGIN);
    },
    45_000,
  );

  it.skipIf(!built)(
    "customs ci --facts-timeout 2000 exits within the budget, SOURCE_TIMEOUT",
    async () => {
      const r = await run([
        "ci",
        "-c",
        join(files.dir, "customs.yaml"),
        "--facts-timeout",
        "2000",
        "-o",
        "json",
      ]);
      expect(r.out).toContain("SOURCE_TIMEOUT");
      expect(r.ms).toBeLessThan(2_000 + MARGIN);
    },
    45_000,
  );

  it.skipIf(!built)(
    "customs verify --timeout 2000 exits 2 within the budget, SOURCE_TIMEOUT",
    async () => {
      const r = await run([
        "verify",
        `${host}/shop/app:v1`,
        "--key",
        join(files.dir, "ci.pub"),
        "--timeout",
        "2000",
        "-o",
        "json",
      ]);
      expect(JSON.parse(r.out)).toMatchObject({ status: "unavailable", code: "SOURCE_TIMEOUT" });
      expect(r.status).toBe(2);
      expect(r.ms).toBeLessThan(2_000 + MARGIN);
    },
    45_000,
  );
});

describe("a 429 under a short budget", () => {
  let pki: TestPki;
  let proxy: FaultProxy;

  beforeAll(async () => {
    pki = await createTestPki();
    // Never forwards: every request is answered 429 with a wait longer than the budget.
    proxy = await startFaultProxy(pki.server, "https://127.0.0.1:1", pki.ca.certPem);
    proxy.fault = () => ({ kind: "status", status: 429, headers: { "retry-after": "5" } });
  });
  afterAll(() => proxy.stop());

  it("stays RATE_LIMITED rather than becoming SOURCE_TIMEOUT, and answers at once", async () => {
    const client = new RegistryClient({ tls: { ca: [pki.ca.certPem] } });
    const gatherer = new FactsGatherer({ registry: registrySource(client) });
    const started = Date.now();
    const facts = await gatherer.factsFor(
      `${proxy.host}/shop/app:v1`,
      {
        needs: { signatures: false, attestations: false, metadata: true, vulnerabilities: false },
        authorities: [],
      },
      Date.now() + 1_000,
    );
    expect(facts.digest).toMatchObject({ ok: false, code: "RATE_LIMITED" });
    expect(Date.now() - started).toBeLessThan(1_000);
    client.close();
  });
});
