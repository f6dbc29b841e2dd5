/**
 * The built CLI end to end: what `customs registry manifests --auth token` and `customs registry
 * pull-secret` print is scanned by `customs secrets scan`, which finds every credential in
 * those Secrets and prints none of them.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { Finding, FindingReport } from "../../src/core/findings/index.js";
import { customs, tempFiles } from "../support/cli.js";
import { ALNUM, pick, random } from "./corpus.js";

const files = tempFiles({});
afterAll(() => files.cleanup());

function printed(args: string[], input?: string): string {
  const r = customs(args, input === undefined ? {} : { input });
  expect(r.stderr.split("\n").filter((l) => l.includes("rror"))).toEqual([]);
  expect(r.status).toBe(0);
  return r.stdout;
}

/** Every value of every Secret, decoded: none may appear in any output. */
function secretValues(yamlText: string): string[] {
  const values: string[] = [];
  for (const doc of parseAllDocuments(yamlText)) {
    const o = doc.toJS() as { kind?: string; data?: Record<string, string> } | null;
    if (o?.kind !== "Secret") continue;
    for (const v of Object.values(o.data ?? {})) {
      const text = Buffer.from(v, "base64").toString("utf8");
      values.push(v, ...text.split("\n").filter((l) => l.length >= 16 && !l.startsWith("-----")));
      for (const m of text.matchAll(/"(?:password|auth)":"([^"]+)"/g)) values.push(m[1] as string);
    }
  }
  return values;
}

function scan(path: string, format: string): { status: number | null; stdout: string } {
  const r = customs(["secrets", "scan", "-o", format, path]);
  expect(r.stderr).toBe("");
  return r;
}

describe("customs secrets scan over the registry's own Secrets (built CLI)", () => {
  const password = pick(random(5), ALNUM, 24);
  const manifests = printed(["registry", "manifests", "--host", "r.example", "--auth", "token"]);
  const pullSecret = printed(
    ["registry", "pull-secret", "--server", "r.example", "--username", "u", "--password-stdin"],
    `${password}\n`,
  );

  it.each([
    [
      "registry manifests --auth token",
      manifests,
      [
        ["private-key", "registry/registry-token-signing", "signing.key"],
        ["private-key", "registry/registry-tls", "tls.key"],
        ["docker-config-password", "default/regcred", ".dockerconfigjson"],
        ["docker-config-password", "registry/registry-push", ".dockerconfigjson"],
      ],
    ],
    [
      "registry pull-secret",
      pullSecret,
      [["docker-config-password", "regcred", ".dockerconfigjson"]],
    ],
  ])("%s: the keys and credentials, redacted", (name, text, want) => {
    const path = join(files.dir, `${name.replace(/[^a-z]+/g, "-")}.yaml`);
    writeFileSync(path, text);
    const json = scan(path, "json");
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout).reports[0] as FindingReport;
    const got = report.findings.map((f: Finding) => [
      f.ruleId,
      f.properties?.secret,
      f.properties?.key,
    ]);
    expect(got).toEqual(want);
    const lines = text.split("\n");
    for (const f of report.findings) {
      const line = lines[(f.location?.line ?? 0) - 1] ?? "";
      expect(line.trimStart().startsWith(`${f.properties?.key}:`)).toBe(true);
      expect(f.message).toMatch(/…\(\d+ chars\) in Secret /);
    }
    const outputs = ["json", "human", "sarif", "junit", "github"].map((o) =>
      o === "json" ? json.stdout : scan(path, o).stdout,
    );
    const values = secretValues(text);
    if (name === "registry pull-secret") values.push(password);
    expect(values.length).toBeGreaterThan(want.length);
    for (const out of outputs) for (const v of values) expect(out).not.toContain(v);
  });
});
