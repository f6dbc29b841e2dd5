import { readTextFile } from "../../adapters/files/index.js";
import {
  HarborClient,
  type HarborOptions,
  toHarborArtifact,
  toVulnerabilityFact,
} from "../../adapters/harbor/index.js";
import { isCustomsError } from "../../core/errors.js";
import type { ImageReference } from "../../core/reference/index.js";
import type { Fact, VulnerabilityReport } from "../../core/supply/facts.js";

/** The reports Harbor holds for the images it hosts (docs/supply-chain.md, "Sources"). */
export interface HarborReports {
  /** Whether the image is in this Harbor: its registry host is Harbor's. */
  covers(ref: ImageReference): boolean;
  reportFor(ref: ImageReference, digest: string): Promise<Fact<VulnerabilityReport | undefined>>;
  close(): void;
}

/**
 * Harbor as a source of vulnerability reports. Its reports are trusted as its registry is:
 * Harbor scanned the very digest, and it is asked over verified TLS with the configured
 * account. A Harbor that cannot be asked is a fact error (fail closed), never "no report".
 */
export function harborReports(options: HarborOptions): HarborReports {
  const client = new HarborClient(options);
  const host = new URL(options.url).host.toLowerCase();
  return {
    covers: (ref) => ref.domain.toLowerCase() === host,
    async reportFor(ref, digest) {
      try {
        const artifact = toHarborArtifact(ref.path, digest);
        return await toVulnerabilityFact(client.fetchVulnerabilityReport(artifact));
      } catch (e) {
        if (!isCustomsError(e)) throw e;
        return { ok: false, code: "FACTS_UNREADABLE", message: `Harbor: ${e.message}` };
      }
    },
    close: () => client.close(),
  };
}

/** The command-line view of a Harbor: `--harbor-url`, `--harbor-username`, `--ca-file`. */
export interface HarborFlags {
  readonly harborUrl?: string;
  readonly harborUsername?: string;
  readonly caFile?: readonly string[];
}

/**
 * Harbor's options from flags, or undefined without `--harbor-url`. The password comes from
 * CUSTOMS_HARBOR_PASSWORD only (as for `customs vuln harbor`): process lists show flags.
 */
export async function harborOptionsFrom(flags: HarborFlags): Promise<HarborOptions | undefined> {
  if (flags.harborUrl === undefined) return undefined;
  const ca = await Promise.all((flags.caFile ?? []).map((file) => readTextFile(file)));
  const password = process.env.CUSTOMS_HARBOR_PASSWORD;
  return {
    url: flags.harborUrl,
    ...(flags.harborUsername !== undefined ? { username: flags.harborUsername } : {}),
    ...(password !== undefined ? { password } : {}),
    ca,
  };
}
