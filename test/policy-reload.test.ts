/**
 * `customs serve -p` reloads: a policy file rewritten in place passes through prefixes of
 * itself, and a prefix holding only the first documents validates. None may ever decide a
 * review. The webhook is the real listener; the reloader is the one `customs serve` wires.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InputText } from "../src/adapters/files/index.js";
import { readInputs } from "../src/adapters/files/index.js";
import { digestInputs, watchStableInputs } from "../src/adapters/files/stable.js";
import { loadPolicySet } from "../src/app/documents/policies.js";
import { NamespaceCache } from "../src/app/webhook/namespaces.js";
import { createEvaluator, type Evaluator } from "../src/core/evaluate/index.js";
import { createMetrics } from "../src/server/metrics.js";
import { startWebhook, type WebhookServer } from "../src/server/webhook.js";
import { deployment, review } from "./support/admission.js";
import { httpsCall, type TestPki, testPki } from "./support/tls.js";

const doc = (name: string, spec: string) => `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: ${name}}
spec: ${spec}
`;
/** The first document allows busybox:1.36; the second, corp-only, denies it. */
const harmless = doc("a-harmless", "{recipe: block-latest-tag}");
const corpOnly = doc(
  "corp-only",
  "{recipe: custom, input: {rules: [{hostname: registry.corp.example}]}}",
);
const VERSION_1 = `${harmless}---\n${corpOnly}`;
const VERSION_2 = `${harmless}---\n${corpOnly}---\n${doc("z-audit", "{recipe: block-latest-tag, action: audit}")}`;
const DENIED_IMAGE = "busybox:1.36";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "customs-reload-"));
}

describe("policy reloads never apply a half-written file", () => {
  let pki: TestPki;
  let server: WebhookServer;
  let current: Evaluator | undefined;
  const dirs: string[] = [];

  beforeAll(async () => {
    pki = await testPki();
    server = await startWebhook({
      host: "127.0.0.1",
      port: 0,
      tlsCert: pki.certFile,
      tlsKey: pki.keyFile,
      maxBodyBytes: 64 * 1024,
      requestTimeoutMs: 5_000,
      logger: pino({ level: "silent" }),
      metrics: createMetrics(),
      namespaces: new NamespaceCache(),
      evaluator: () => current,
    });
  });
  afterAll(async () => {
    await server.drain(100);
    pki.cleanup();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function allowed(image: string): Promise<boolean> {
    const body = JSON.stringify(review(deployment("app", [image])));
    const r = await httpsCall(server.port, pki.caPem, "POST", "/validate", body);
    expect(r.status).toBe(200);
    return (r.json() as { response: { allowed: boolean } }).response.allowed;
  }

  /**
   * Truncates the file, then writes `text` in `size`-byte pieces; `between` runs after the
   * truncation and after each piece, in every state a slow writer leaves the file in.
   */
  async function rewriteInPlace(
    path: string,
    text: string,
    size: number,
    between: () => Promise<void>,
  ) {
    const file = await open(path, "r+");
    try {
      await file.truncate(0);
      await between();
      const bytes = Buffer.from(text);
      for (let at = 0; at < bytes.length; at += size) {
        await file.write(bytes, at, Math.min(size, bytes.length - at), at);
        await between();
      }
    } finally {
      await file.close();
    }
  }

  it("a file rewritten in small chunks: every review of the denied image during the rewrite is denied", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const path = join(dir, "policies.yaml");
    writeFileSync(path, VERSION_1);
    const initial = await readInputs([path]);
    current = createEvaluator(loadPolicySet(initial).set);
    expect(await allowed(DENIED_IMAGE)).toBe(false);

    const finalDigest = digestInputs([{ source: path, text: VERSION_2 }]);
    const applied: string[] = [];
    let clock = 0;
    const watcher = watchStableInputs({
      paths: [path],
      // No timer: the watcher reads the file when the writer below has written a piece.
      intervalMs: 3_600_000,
      quietMs: 250,
      initial,
      apply: (texts: readonly InputText[]) => {
        current = createEvaluator(loadPolicySet(texts).set);
        applied.push(digestInputs(texts));
      },
      onError: () => {},
      now: () => clock,
    });
    const results: boolean[] = [];
    // The writer pauses 2 ms (by the watcher's clock) after each piece, well below the quiet
    // period. In each state the file passes through, the watcher reads it at the start and at
    // the end of the pause (the same bytes twice: a prefix must still not be applied), then a
    // review is decided by whatever is in force.
    const step = async () => {
      await watcher.check();
      clock += 2;
      await watcher.check();
      results.push(await allowed(DENIED_IMAGE));
    };
    try {
      for (let round = 0; round < 3; round++) {
        await rewriteInPlace(path, round === 2 ? VERSION_2 : VERSION_1, 7, step);
      }
      expect(applied).toEqual([]);
      // Left alone for the quiet period, the whole final version is applied.
      clock += 250;
      expect(await watcher.check()).toBe(true);
    } finally {
      watcher.stop();
    }
    expect(results.length).toBeGreaterThan(50);
    expect(results.filter((a) => a)).toEqual([]);
    // Only whole versions were ever applied: the final one (VERSION_1 again is no change).
    expect(applied).toEqual([finalDigest]);
    expect(await allowed(DENIED_IMAGE)).toBe(false);
  });

  it("a content is applied only after it stayed the same for the quiet period (injected clock)", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const path = join(dir, "p.yaml");
    writeFileSync(path, VERSION_1);
    let clock = 0;
    const applied: string[] = [];
    const watcher = watchStableInputs({
      paths: [path],
      intervalMs: 3_600_000,
      quietMs: 1_000,
      initial: await readInputs([path]),
      apply: (texts) => {
        applied.push(texts[0]?.text ?? "");
      },
      onError: (e) => {
        throw e;
      },
      now: () => clock,
    });
    try {
      writeFileSync(path, harmless);
      expect(await watcher.check()).toBe(false); // first seen
      clock += 999;
      expect(await watcher.check()).toBe(false); // not quiet long enough
      writeFileSync(path, VERSION_2);
      clock += 5_000;
      expect(await watcher.check()).toBe(false); // changed again: the wait starts over
      clock += 1_000;
      expect(await watcher.check()).toBe(true);
      expect(applied).toEqual([VERSION_2]);
      expect(await watcher.check()).toBe(false); // nothing new
    } finally {
      watcher.stop();
    }
  });

  it("a ConfigMap volume: files are read through the `..data` link, and a swap applies at once", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const version = (name: string, text: string) => {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, "policies.yaml"), text);
    };
    version("..2025_01_01_00_00_00.1", VERSION_1);
    symlinkSync("..2025_01_01_00_00_00.1", join(dir, "..data"));
    symlinkSync("..data/policies.yaml", join(dir, "policies.yaml"));
    const initial = await readInputs([dir]);
    expect(initial.map((t) => t.text)).toEqual([VERSION_1]);
    const applied: string[] = [];
    const watcher = watchStableInputs({
      paths: [dir],
      intervalMs: 3_600_000,
      quietMs: 3_600_000,
      initial,
      apply: (texts) => {
        applied.push(texts.map((t) => t.text).join(""));
      },
      onError: (e) => {
        throw e;
      },
    });
    try {
      // As kubelet's atomic writer does: a new folder, a new link, renamed over `..data`.
      version("..2025_01_01_00_00_01.2", VERSION_2);
      symlinkSync("..2025_01_01_00_00_01.2", join(dir, "..data_tmp"));
      renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
      expect(await watcher.check()).toBe(true);
      expect(applied).toEqual([VERSION_2]);
    } finally {
      watcher.stop();
    }
  });
});
