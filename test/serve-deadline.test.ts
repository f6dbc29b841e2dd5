/**
 * The webhook answers within the webhook configuration's timeoutSeconds even when a registry
 * hangs: `customs install` passes that timeout to `customs serve --timeout-seconds`, and the
 * facts budget is the timeout less a margin. A `warn` policy whose facts time out must then be
 * an admission with a warning, never the API server's failurePolicy (a refusal).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderInstall } from "../src/app/webhook/install.js";
import { deployment, review } from "./support/admission.js";
import { ROOT, tempFiles } from "./support/cli.js";
import { httpsCall, type TestPki, testPki } from "./support/tls.js";
import { eventually } from "./support/wait.js";

const KEY = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEN3YMHU3Uvp6NtGyJBna3KHhuLgB1
hT7UBNf5lLXaiz7WcY0+xPhPlaHWNsR7olSPaHhl0vvDWRKD8B/3EiqgYg==
-----END PUBLIC KEY-----`;

const signed = (
  name: string,
  namespace: string,
  action: string,
) => `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: ${name}}
spec:
  namespace: ${namespace}
  action: ${action}
  recipe: require-signature
  input:
    authorities:
      - name: ci
        key:
          pem: |
${KEY.split("\n")
  .map((l) => `            ${l}`)
  .join("\n")}
---
`;

/** Asks `customs serve` (a child process) until it answers; a refused connection is "not yet". */
function until<T>(f: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  return eventually("customs serve", () => f().catch(() => undefined), ms, 100);
}

interface Answer {
  response: { allowed: boolean; warnings?: string[]; status?: { message?: string } };
}

describe("customs serve --timeout-seconds against a registry that never answers", () => {
  const TIMEOUT_SECONDS = 2;
  let pki: TestPki;
  let hanging: Server;
  const sockets: Socket[] = [];
  let registry = "";
  const files = tempFiles({
    "policies/p.yaml":
      signed("warn-signed", "shop", "warn") + signed("deny-signed", "bank", "deny"),
  });
  let child: ChildProcess;
  let port = 0;
  let logs = "";

  beforeAll(async () => {
    pki = await testPki();
    // Accepts connections and never says a word: not even the TLS handshake completes.
    hanging = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => hanging.listen(0, "127.0.0.1", r));
    const address = hanging.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    registry = `127.0.0.1:${address.port}`;
    port = 20_000 + Math.floor(Math.random() * 20_000);
    child = spawn(process.execPath, [
      join(ROOT, "bin/customs"),
      "serve",
      "webhook",
      "-p",
      join(files.dir, "policies"),
      "--listen",
      `127.0.0.1:${port}`,
      "--tls-cert",
      pki.certFile,
      "--tls-key",
      pki.keyFile,
      "--timeout-seconds",
      String(TIMEOUT_SECONDS),
    ]);
    child.stdout?.on("data", (d: Buffer) => {
      logs += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      logs += d.toString();
    });
    await until(async () =>
      (await httpsCall(port, pki.caPem, "GET", "/readyz")).status === 200 ? true : undefined,
    );
  }, 30_000);
  afterAll(() => {
    child.kill("SIGKILL");
    for (const s of sockets) s.destroy();
    hanging.close();
    pki.cleanup();
    files.cleanup();
  });

  const decide = async (namespace: string) => {
    const started = Date.now();
    const r = await httpsCall(
      port,
      pki.caPem,
      "POST",
      "/validate",
      JSON.stringify(
        review(deployment("d", [`${registry}/app:1@sha256:${"a".repeat(64)}`]), { namespace }),
      ),
    );
    return { ms: Date.now() - started, answer: r.json() as Answer };
  };

  it("a warn policy admits with a warning naming SOURCE_TIMEOUT, within the timeout", async () => {
    const { ms, answer } = await decide("shop");
    expect(answer.response.allowed, logs).toBe(true);
    // Warnings are cut at 250 characters, at a word boundary, the code kept at the end.
    expect(answer.response.warnings?.join("\n")).toMatch(/^warn-signed: container "c0"/);
    expect(answer.response.warnings?.join("\n")).toMatch(/\S… \[SOURCE_TIMEOUT\]$/);
    // The API server would have given up at TIMEOUT_SECONDS and applied failurePolicy: Fail.
    expect(ms).toBeLessThan(TIMEOUT_SECONDS * 1000);
  });

  it("a deny policy refuses in time, saying why (not the API server's timeout)", async () => {
    const { ms, answer } = await decide("bank");
    expect(answer.response.allowed).toBe(false);
    // The budget ends either in the fetch as a whole or in the one request under way.
    expect(answer.response.status?.message).toMatch(/no (complete )?answer within the time budget/);
    expect(ms).toBeLessThan(TIMEOUT_SECONDS * 1000);
  });

  it("customs install renders the server's --timeout-seconds from the configuration's", async () => {
    for (const timeoutSeconds of [1, 5, 30]) {
      const { objects } = await renderInstall({
        namespace: "customs-system",
        image: "r.example/customs:1",
        replicas: 1,
        timeoutSeconds,
        certManager: true,
        certDays: 30,
      });
      // biome-ignore lint/suspicious/noExplicitAny: test-only access to nested manifest fields
      const byKind = (k: string) => objects.find((o) => o.kind === k) as any;
      const args: string[] = byKind("Deployment").spec.template.spec.containers[0].args;
      const hook = byKind("ValidatingWebhookConfiguration").webhooks[0];
      expect(hook.timeoutSeconds).toBe(timeoutSeconds);
      expect(args[args.indexOf("--timeout-seconds") + 1]).toBe(String(timeoutSeconds));
    }
  });
});
