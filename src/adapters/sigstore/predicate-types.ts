/**
 * cosign's `--type` short names and the in-toto predicate types they stand for
 * (cosign pkg/cosign/attestation). Anything else given is taken as a predicate type URI.
 */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  slsaprovenance: "https://slsa.dev/provenance/v0.2",
  slsaprovenance02: "https://slsa.dev/provenance/v0.2",
  slsaprovenance1: "https://slsa.dev/provenance/v1",
  link: "https://in-toto.io/Link/v1",
  spdx: "https://spdx.dev/Document",
  spdxjson: "https://spdx.dev/Document",
  cyclonedx: "https://cyclonedx.org/bom",
  vuln: "https://cosign.sigstore.dev/attestation/vuln/v1",
  openvex: "https://openvex.dev/ns",
  custom: "https://cosign.sigstore.dev/attestation/v1",
};

export function toPredicateType(name: string): string {
  return SHORT_NAMES[name] ?? name;
}

/** The predicate type cosign v3 gives an image signature made as a Sigstore bundle. */
export const COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
