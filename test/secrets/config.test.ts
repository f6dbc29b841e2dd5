import { afterEach, describe, expect, it } from "vitest";
import { parseSecretsConfig } from "../../src/app/secrets/config.js";
import { scanSecrets } from "../../src/app/secrets/scan.js";
import { isCustomsError } from "../../src/core/errors.js";
import { tempFiles } from "../support/cli.js";
import { plant } from "./corpus.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function dir(files: Record<string, string>): string {
  const t = tempFiles(files);
  cleanups.push(t.cleanup);
  return t.dir;
}

async function scan(files: Record<string, string>, config: string, builtin = true) {
  const root = dir(files);
  const report = await scanSecrets({
    paths: [root],
    config: parseSecretsConfig(config, "secrets.yaml"),
    builtin,
  });
  return report.findings.map(
    (f) => `${f.location?.path.slice(root.length + 1)}:${f.location?.line} ${f.ruleId}`,
  );
}

function configError(text: string): string {
  try {
    parseSecretsConfig(text, "secrets.yaml");
  } catch (e) {
    if (isCustomsError(e) && e.code === "SECRETS_CONFIG_INVALID") return e.message;
    throw e;
  }
  throw new Error("expected SECRETS_CONFIG_INVALID");
}

const CUSTOM = `
detectors:
  - id: acme-token
    description: ACME internal token
    severity: critical
    regex: 'acme_tok=([A-Za-z0-9]{24})'
    secretGroup: 1
    keywords: [acme_tok=]
    entropy: 3.5
`;

describe("custom detectors (RE2)", () => {
  it("finds a custom token with its capture group and entropy threshold", async () => {
    const random = "q7Wd93KfPz2LmX8RtY4vBn6C";
    const low = "aaaaaaaaaaaaaaaaaaaaaaaa";
    const found = await scan({ "a.env": `acme_tok=${random}\nacme_tok=${low}\n` }, CUSTOM);
    expect(found).toEqual(["a.env:1 acme-token"]);
  });

  it("--no-builtin runs only the custom detectors", async () => {
    const gh = plant("github-pat", 1);
    const files = { "a.txt": `${gh.line}\nacme_tok=q7Wd93KfPz2LmX8RtY4vBn6C\n` };
    expect(await scan(files, CUSTOM, false)).toEqual(["a.txt:2 acme-token"]);
    expect(await scan(files, CUSTOM, true)).toEqual(["a.txt:1 github-pat", "a.txt:2 acme-token"]);
  });

  it("a catastrophic-backtracking pattern runs in linear time under RE2", async () => {
    const config = "detectors:\n  - id: redos\n    regex: '(a+)+$'\n";
    const started = performance.now();
    await scan({ "x.txt": `${"a".repeat(50_000)}!\n` }, config);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe("allowlists, disable and inline ignores", () => {
  const gh = plant("github-pat", 2);
  const stripe = plant("stripe-secret-key", 2);

  it.each([
    [
      "paths: a glob on the file name",
      "allowlist:\n  paths: ['*.md']\n",
      ["src/a.ts:1 github-pat"],
    ],
    ["paths: a folder", "allowlist:\n  paths: ['docs/']\n", ["src/a.ts:1 github-pat"]],
    ["paths: ** across folders", "allowlist:\n  paths: ['**/a.ts']\n", ["docs/x.md:1 github-pat"]],
    ["values: exact", `allowlist:\n  values: ['${gh.secret}']\n`, []],
    ["regexes: RE2", "allowlist:\n  regexes: ['^gh[p]_']\n", []],
    ["disable a built-in", "disable: [github-pat]\n", []],
  ])("%s", async (_name, config, expected) => {
    const files = { "src/a.ts": `${gh.line}\n`, "docs/x.md": `${gh.line}\n` };
    expect(await scan(files, config)).toEqual(expected);
  });

  it.each([
    ["customs-ignore silences every detector on the line", `${gh.line} // customs-ignore`, []],
    ["customs-ignore ID silences that detector", `${gh.line} # customs-ignore github-pat`, []],
    [
      "customs-ignore OTHER-ID does not",
      `${gh.line} # customs-ignore stripe-secret-key`,
      ["f:1 github-pat"],
    ],
    [
      "an ignore on another line does not count",
      `# customs-ignore\n${stripe.line}`,
      ["f:2 stripe-secret-key"],
    ],
  ])("%s", async (_name, text, expected) => {
    expect(await scan({ f: `${text}\n` }, "")).toEqual(expected);
  });
});

describe("strict validation with file, line and field path", () => {
  it.each([
    [
      "unknown field with a suggestion",
      "detectors:\n  - id: x\n    regex: a\n    keyword: [a]\n",
      "secrets.yaml:4: detectors[0].keyword: unknown field `keyword`; did you mean `keywords`?",
    ],
    [
      "a regex RE2 refuses",
      "detectors:\n  - id: x\n    regex: '(a)\\1'\n",
      "secrets.yaml:3: detectors[0].regex: not a valid RE2 regular expression",
    ],
    [
      "a group that is not there",
      "detectors:\n  - id: x\n    regex: 'a(b)'\n    secretGroup: 2\n",
      "secrets.yaml:3: detectors[0].regex: secretGroup 2 but the expression has 1 group(s)",
    ],
    ["a missing regex", "detectors:\n  - id: x\n", "detectors[0].regex: is required"],
    [
      "a bad severity",
      "detectors:\n  - id: x\n    regex: a\n    severity: hgih\n",
      'secrets.yaml:4: detectors[0].severity: "hgih" is not one of',
    ],
    [
      "a duplicate of a built-in ID",
      "detectors:\n  - id: github-pat\n    regex: a\n",
      "detectors[0].id: duplicate ID `github-pat`",
    ],
    [
      "disabling an unknown detector",
      "disable: [github-patt]\n",
      "secrets.yaml:1: disable[0]: no detector has the ID `github-patt`",
    ],
    [
      "an unknown top-level key",
      "allowlists: {}\n",
      "secrets.yaml:1: allowlists: unknown field `allowlists`; did you mean `allowlist`?",
    ],
    ["YAML syntax", "detectors: [\n", "secrets.yaml:"],
    [
      "entropy out of range",
      "detectors:\n  - id: x\n    regex: a\n    entropy: 9\n",
      "detectors[0].entropy: expected a number from 0 to 8",
    ],
  ])("%s", (_name, text, message) => {
    expect(configError(text)).toContain(message);
  });
});
