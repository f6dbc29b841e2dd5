/**
 * `customs secrets scan`: built-in and custom detectors over files, git history and image
 * layers, as one FindingReport. Secrets are redacted before they become findings.
 */

import type { HistoryScope } from "../../adapters/git/index.js";
import type { BlobFetcher, PlatformResolver } from "../../adapters/registry/index.js";
import { toRepository } from "../../adapters/registry/index.js";
import { CustomsError } from "../../core/errors.js";
import type { FindingReport } from "../../core/findings/index.js";
import type { Glob } from "../../core/glob.js";
import { parseImageReference } from "../../core/reference/index.js";
import {
  builtinDetectors,
  compileScanRules,
  type ScanRules,
  type SecretsConfig,
} from "../../core/secrets/index.js";
import { type BaselineFiles, withBaseline } from "./baseline.js";
import { Collector } from "./collect.js";
import { loadSecretsConfig } from "./config.js";
import { bufferSource, scanGitHistory, scanImageLayout, scanLayer, scanPath } from "./sources.js";

export const DEFAULT_MAX_FILE_BYTES = 10 << 20;

export interface SecretsScanOptions extends BaselineFiles {
  /** Files and folders; with `git`, repositories whose history is scanned. */
  readonly paths: readonly string[];
  readonly git?: boolean;
  /** With `git`: only commits after a ref, or in a range (default: every ref). */
  readonly history?: HistoryScope;
  readonly imageLayouts?: readonly string[];
  readonly images?: readonly string[];
  /** Needed for `images`: the registry client. */
  readonly registry?: PlatformResolver & BlobFetcher;
  /** `--config`; else `.customs/secrets.yaml` under `configBase` when present. */
  readonly configFile?: string;
  readonly configBase?: string;
  /** Preloaded config (tests, embedding); wins over configFile. */
  readonly config?: SecretsConfig;
  /** false: only custom detectors (`--no-builtin`). */
  readonly builtin?: boolean;
  readonly maxFileBytes?: number;
  /** Files found in folders that match one of these are not read (`--exclude`). */
  readonly exclude?: readonly Glob[];
}

export async function scanSecrets(options: SecretsScanOptions): Promise<FindingReport> {
  const config =
    options.config ?? (await loadSecretsConfig(options.configFile, options.configBase ?? "."));
  const collector = new Collector(
    toRules(config, options.builtin !== false),
    config.allowPaths,
    options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
  );
  for (const path of options.paths) {
    if (options.git) await scanGitHistory(path, collector, options.history ?? {});
    else scanPath(path, collector, options.exclude);
  }
  for (const dir of options.imageLayouts ?? []) await scanImageLayout(dir, collector);
  for (const image of options.images ?? []) await scanRegistryImage(image, options, collector);
  const report: FindingReport = {
    tool: "secrets",
    findings: collector.findings,
    rules: collector.usedRules(),
    scanned: collector.counts,
  };
  return withBaseline(report, options, new Date().toISOString().slice(0, 10));
}

export function toRules(config: SecretsConfig, builtin: boolean): ScanRules {
  const builtins = builtin && config.builtin ? builtinDetectors() : [];
  const detectors = [...builtins, ...config.detectors].filter(
    (d) => !config.disable.includes(d.id),
  );
  const values = new Set(config.allowValues);
  const regexes = config.allowRegexes;
  return compileScanRules(
    detectors,
    (secret) => values.has(secret) || regexes.some((r) => r.test(secret)),
  );
}

async function scanRegistryImage(
  image: string,
  options: SecretsScanOptions,
  collector: Collector,
): Promise<void> {
  const registry = options.registry;
  if (registry === undefined)
    throw new CustomsError("INTERNAL", "scanSecrets: images given without a registry client");
  const ref = parseImageReference(image);
  const fetched = await registry.resolvePlatform(ref);
  if (fetched.manifest.kind !== "image") return;
  collector.count("images");
  const repo = toRepository(ref);
  for (const layer of fetched.manifest.layers) {
    const bytes = await registry.fetchBlob(repo, layer);
    await scanLayer(bufferSource(bytes), image, layer, collector);
  }
}
