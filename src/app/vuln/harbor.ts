/**
 * `customs vuln harbor IMAGE`: the report Harbor holds for an image pinned by digest
 * (docs/vulnerabilities.md, "Harbor").
 */
import { readTextFile } from "../../adapters/files/index.js";
import { HarborClient, toHarborArtifact } from "../../adapters/harbor/index.js";
import { CustomsError } from "../../core/errors.js";
import { parseImageReference } from "../../core/reference/index.js";
import type { VulnerabilityReport } from "../../core/supply/facts.js";

export interface HarborFetchOptions {
  /** Harbor's URL; by default https:// and the image's registry host. */
  readonly url?: string;
  readonly username?: string;
  readonly password?: string;
  /** Files of PEM CA certificates. */
  readonly caFiles?: readonly string[];
  readonly timeoutMs?: number;
}

export async function fetchHarborReport(
  image: string,
  options: HarborFetchOptions,
): Promise<VulnerabilityReport> {
  const ref = parseImageReference(image);
  if (ref.digest === undefined)
    throw new CustomsError("USAGE", `${image}: give the image by digest (NAME@sha256:…)`);
  const ca = await Promise.all((options.caFiles ?? []).map((file) => readTextFile(file)));
  const client = new HarborClient({
    url: options.url ?? `https://${ref.domain}`,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ca,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  try {
    return await client.fetchVulnerabilityReport(toHarborArtifact(ref.path, ref.digest));
  } finally {
    client.close();
  }
}
