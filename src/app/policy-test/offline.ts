import type { Authority } from "../../core/policy/index.js";
import { type OfflineImage, offlineImageFor } from "../../core/policy-test/index.js";
import type { ImageReference } from "../../core/reference/index.js";
import { toNormalizedString } from "../../core/reference/index.js";
import type {
  AttestationFacts,
  Fact,
  ImageMetadata,
  SignatureFacts,
  VulnerabilityReport,
} from "../../core/supply/facts.js";

/**
 * The sources of a `customs test` run: the registry, signature, attestation and report
 * sources that `customs check` asks over the network, answered from the facts file. They are
 * given to the same gatherer, so digests, groups and failures reach the engine by the one
 * path. An image the file does not list has no digest (DIGEST_UNRESOLVED): every
 * supply-chain policy that checks it fails closed, as against a registry that cannot answer.
 */
export class OfflineSources {
  constructor(
    private readonly images: readonly OfflineImage[],
    private readonly file: string,
  ) {}

  private entry(ref: ImageReference): OfflineImage | undefined {
    return offlineImageFor(this.images, ref);
  }

  private absent(ref: ImageReference): Fact<never> {
    const where = this.file === "" ? "the test names no facts file" : `not in ${this.file}`;
    return {
      ok: false,
      code: "DIGEST_UNRESOLVED",
      message: `${toNormalizedString(ref)}: no facts (${where}); customs test never asks a registry`,
    };
  }

  async digestOf(ref: ImageReference): Promise<Fact<string>> {
    return this.entry(ref)?.digest ?? this.absent(ref);
  }

  async metadataOf(ref: ImageReference): Promise<Fact<ImageMetadata>> {
    return this.entry(ref)?.metadata ?? this.absent(ref);
  }

  async signaturesFor(
    ref: ImageReference,
    _digest: string,
    _authorities: readonly Authority[],
  ): Promise<Fact<SignatureFacts>> {
    return this.entry(ref)?.signatures ?? this.absent(ref);
  }

  async attestationsFor(
    ref: ImageReference,
    _digest: string,
    _authorities: readonly Authority[],
  ): Promise<Fact<AttestationFacts>> {
    return this.entry(ref)?.attestations ?? this.absent(ref);
  }

  async reportFor(
    ref: ImageReference,
    _digest: string,
    _authorities: readonly Authority[],
  ): Promise<Fact<VulnerabilityReport | undefined>> {
    return this.entry(ref)?.vulnerabilities ?? this.absent(ref);
  }
}
