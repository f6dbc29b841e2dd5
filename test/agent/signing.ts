/** Signing keys for agent tests: bundles signed as the control plane signs them. */
import {
  contentEtag,
  generateKeyPair,
  type KeyPair,
  signerOf,
} from "../../src/adapters/bundle-signing/index.js";
import { KeyPins } from "../../src/app/agent/trust.js";
import { toCanonicalJson } from "../../src/core/fleet/bundle.js";
import { type BundleSignature, toBundleStatement } from "../../src/core/fleet/bundle-signature.js";

export interface BundleBody {
  readonly revision: number | string;
  readonly cluster: string;
  readonly policies: readonly unknown[];
  readonly workspaces?: readonly unknown[];
}

export interface TestSigner {
  readonly key: KeyPair;
  /** Pins trusting this key only (generation 1). */
  readonly pins: KeyPins;
  /** The body with its `signature`, and its ETag. */
  sign(
    body: BundleBody,
    organization?: string,
  ): { body: BundleBody & { signature: BundleSignature }; etag: string };
}

export function testSigner(): TestSigner {
  const key = generateKeyPair();
  const sign = signerOf(key.privateKey);
  return {
    key,
    pins: new KeyPins([{ id: key.id, generation: 1, publicKey: key.publicKey }]),
    sign(body, organization = "default") {
      const workspaces = body.workspaces ?? [];
      const etag = contentEtag(
        toCanonicalJson({ cluster: body.cluster, policies: body.policies, workspaces }),
      );
      const statement = toBundleStatement({
        organization,
        cluster: body.cluster,
        revision: String(body.revision),
        etag,
        keyId: key.id,
      });
      return {
        body: {
          ...body,
          workspaces,
          signature: { keyId: key.id, organization, etag, value: sign(statement) },
        },
        etag,
      };
    },
  };
}
