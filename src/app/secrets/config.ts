/**
 * Loads `.customs/secrets.yaml` (or `--config FILE`): YAML into the pure validator, user
 * regular expressions into RE2 (re2js: linear time, whatever the pattern), and every problem
 * reported as `FILE:LINE: field.path: message`.
 */
import { join } from "node:path";
import { RE2JS } from "re2js";
import { parseDocument } from "yaml";
import { readOptionalTextFile, readTextFile } from "../../adapters/files/index.js";
import { CustomsError } from "../../core/errors.js";
import {
  builtinDetectors,
  EMPTY_SECRETS_CONFIG,
  type RegexHit,
  type SecretRegex,
  type SecretsConfig,
  validateSecretsConfig,
} from "../../core/secrets/index.js";
import { LineIndex, locateInYaml } from "../documents/index.js";

export const DEFAULT_SECRETS_CONFIG = join(".customs", "secrets.yaml");

/** A user's pattern compiled by RE2; the secret is `secretGroup` (0: the whole match). */
export function compileRe2(source: string, secretGroup: number): SecretRegex | string {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (e) {
    return `not a valid RE2 regular expression: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (secretGroup > re.groupCount())
    return `secretGroup ${secretGroup} but the expression has ${re.groupCount()} group(s)`;
  return {
    *matchAll(text: string): Iterable<RegexHit> {
      const m = re.matcher(text);
      while (m.find()) {
        const start = m.start(secretGroup);
        const end = m.end(secretGroup);
        if (start >= 0 && end > start) yield { start, end };
      }
    },
    test: (value) => re.test(value),
  };
}

/**
 * The config to use: `explicit` must exist; otherwise `base/.customs/secrets.yaml` when
 * present, else the defaults.
 */
export async function loadSecretsConfig(
  explicit: string | undefined,
  base: string,
): Promise<SecretsConfig> {
  const path = explicit ?? join(base, DEFAULT_SECRETS_CONFIG);
  const text = explicit === undefined ? await readOptionalTextFile(path) : await readTextFile(path);
  if (text === undefined) return EMPTY_SECRETS_CONFIG;
  return parseSecretsConfig(text, path);
}

export function parseSecretsConfig(text: string, path: string): SecretsConfig {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const lines = new LineIndex(text);
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const line = lines.positionAt(syntax.pos[0]).line;
    throw new CustomsError(
      "SECRETS_CONFIG_INVALID",
      `${path}:${line}: ${syntax.message.split("\n")[0]}`,
    );
  }
  const ids = builtinDetectors().map((d) => d.id);
  const { config, issues } = validateSecretsConfig(
    doc.toJS({ maxAliasCount: 100 }),
    compileRe2,
    ids,
  );
  if (issues.length === 0) return config;
  const messages = issues.map((issue) => {
    const offset = locateInYaml(doc, toSegments(issue.path));
    const line = offset === undefined ? "" : `:${lines.positionAt(offset).line}`;
    return `${path}${line}: ${issue.path || "(document)"}: ${issue.message}`;
  });
  throw new CustomsError("SECRETS_CONFIG_INVALID", messages.join("\n"), issues[0]?.path);
}

/** `detectors[0].regex` → ["detectors", "0", "regex"]. */
function toSegments(path: string): string[] {
  return path.split(/\.|\[(\d+)\]/).filter((s): s is string => s !== undefined && s !== "");
}
