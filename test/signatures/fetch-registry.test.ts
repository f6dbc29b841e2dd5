import { generateKeyPairSync, sign } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Digest, RegistryClient } from "../../src/adapters/registry/index.js";
import {
  COSIGN_ANNOTATIONS,
  COSIGN_SIGN_PREDICATE,
  parsePublicKey,
  preAuthEncoding,
  publicGoodTrust,
  type TrustPolicy,
} from "../../src/adapters/sigstore/index.js";
import { fetchSignatureFacts } from "../../src/app/supply/signatures.js";
import { parseNormalized } from "../../src/core/reference/index.js";
import { type FaultProxy, startFaultProxy } from "../registry/fault-proxy.js";
import {
  createTestPki,
  type RunningRegistry,
  skipReason,
  startRegistry,
  type TestPki,
} from "../registry/harness.js";
import { buildImage, type Content, content, OCI, Pusher } from "../registry/images.js";

/**
 * Fetching against Debian's registry, with signatures in both layouts written here in
 * cosign's formats (the cosign interop suite covers cosign's own output), and a fault proxy
 * for registries that are down, slow, rate-limiting, or that have the referrers API.
 */
const skip = skipReason("signature fetching against docker-registry");

const BUNDLE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
const EMPTY = content(Buffer.from("{}"), "application/vnd.oci.empty.v1+json");
const descriptor = (c: Content) => ({ mediaType: c.mediaType, digest: c.digest, size: c.size });

describe.skipIf(skip !== undefined)("signature facts from a real registry", () => {
  let pki: TestPki;
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let pusher: Pusher;
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const policy: TrustPolicy = {
    keys: [parsePublicKey(publicKey.export({ type: "spki", format: "pem" }).toString(), "k.pub")],
    identities: [],
    trust: publicGoodTrust(),
    requireTlog: false,
  };
  let n = 0;

  const client = (timeoutMs = 5000) =>
    new RegistryClient({
      tls: { ca: [pki.ca.certPem] },
      timeoutMs,
      retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
    });

  const facts = async (host: string, repo: string, digest: string, timeoutMs?: number) => {
    const parsed = parseNormalized(`${host}/${repo}@${digest}`);
    if (!parsed.ok) throw new Error(parsed.message);
    const c = client(timeoutMs);
    try {
      return await fetchSignatureFacts(c, parsed.ref, digest as Digest, policy);
    } finally {
      c.close();
    }
  };

  const pushImage = async (repo: string) => {
    const image = buildImage({ os: "linux", architecture: "amd64" }, "oci", 1);
    await pusher.pushImage(repo, image, [`v${n++}`]);
    return image.manifest.digest;
  };

  /** A cosign v2 `.sig` manifest for `digest`, signed here with the test key. */
  const pushSimpleSigning = async (repo: string, digest: string) => {
    const payload = content(
      Buffer.from(
        JSON.stringify({
          critical: {
            identity: { "docker-reference": repo },
            image: { "docker-manifest-digest": digest },
            type: "cosign container image signature",
          },
          optional: null,
        }),
      ),
      "application/vnd.dev.cosign.simplesigning.v1+json",
    );
    const sig = sign("sha256", payload.bytes, privateKey).toString("base64");
    await pusher.pushBlob(repo, payload);
    await pusher.pushBlob(repo, EMPTY);
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI.manifest,
      config: descriptor(EMPTY),
      layers: [{ ...descriptor(payload), annotations: { [COSIGN_ANNOTATIONS.signature]: sig } }],
    };
    await pusher.pushManifest(
      repo,
      `${digest.replace(":", "-")}.sig`,
      content(Buffer.from(JSON.stringify(manifest)), OCI.manifest),
    );
  };

  /** A key-signed Sigstore bundle (DSSE, cosign's sign predicate) as an OCI 1.1 referrer. */
  const pushBundleReferrer = async (repo: string, digest: string) => {
    const statement = {
      _type: "https://in-toto.io/Statement/v1",
      subject: [{ name: repo, digest: { sha256: digest.slice(7) } }],
      predicateType: COSIGN_SIGN_PREDICATE,
      predicate: {},
    };
    const payload = Buffer.from(JSON.stringify(statement));
    const sig = sign(
      "sha256",
      preAuthEncoding("application/vnd.in-toto+json", payload),
      privateKey,
    );
    const bundle = content(
      Buffer.from(
        JSON.stringify({
          mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
          verificationMaterial: {
            publicKey: { hint: "k" },
            tlogEntries: [],
            timestampVerificationData: {},
          },
          dsseEnvelope: {
            payload: payload.toString("base64"),
            payloadType: "application/vnd.in-toto+json",
            signatures: [{ sig: sig.toString("base64"), keyid: "" }],
          },
        }),
      ),
      BUNDLE_TYPE,
    );
    await pusher.pushBlob(repo, bundle);
    await pusher.pushBlob(repo, EMPTY);
    const manifest = content(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI.manifest,
          artifactType: BUNDLE_TYPE,
          config: descriptor(EMPTY),
          layers: [descriptor(bundle)],
          subject: { mediaType: OCI.manifest, digest, size: 0 },
        }),
      ),
      OCI.manifest,
    );
    await pusher.pushManifest(repo, manifest.digest, manifest);
    const index = content(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI.index,
          manifests: [{ ...descriptor(manifest), artifactType: BUNDLE_TYPE }],
        }),
      ),
      OCI.index,
    );
    return index;
  };

  beforeAll(async () => {
    pki = await createTestPki();
    registry = await startRegistry({ kind: "none" }, pki.server);
    proxy = await startFaultProxy(pki.server, registry.url, pki.ca.certPem);
    pusher = new Pusher(registry.url, pki.ca.certPem);
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  it("verifies a v2 signature; an unsigned image is empty facts (missing)", async () => {
    const signed = await pushImage("team/a");
    await pushSimpleSigning("team/a", signed);
    const unsigned = await pushImage("team/a");
    expect(await facts(registry.host, "team/a", signed)).toEqual({
      ok: true,
      value: {
        verified: [
          {
            signer: { kind: "key", keyId: "k.pub" },
            digest: signed,
            transparencyLog: false,
            format: "cosign-v2",
          },
        ],
        rejected: [],
      },
    });
    expect(await facts(registry.host, "team/a", unsigned)).toEqual({
      ok: true,
      value: { verified: [], rejected: [] },
    });
  });

  it("finds bundles under the referrers fallback tag (distribution 2.8 has no referrers API)", async () => {
    const digest = await pushImage("team/b");
    const index = await pushBundleReferrer("team/b", digest);
    await pusher.pushManifest("team/b", digest.replace(":", "-"), index);
    const r = await facts(registry.host, "team/b", digest);
    expect(r).toMatchObject({
      ok: true,
      value: { verified: [{ format: "sigstore-bundle", digest }], rejected: [] },
    });
  });

  it("uses the referrers API when the registry answers it", async () => {
    const digest = await pushImage("team/c");
    const index = await pushBundleReferrer("team/c", digest);
    proxy.fault = (req) =>
      req.path === `/v2/team/c/referrers/${digest}`
        ? { kind: "status", status: 200, headers: { "content-type": OCI.index }, body: index.bytes }
        : undefined;
    try {
      const r = await facts(proxy.host, "team/c", digest);
      expect(r).toMatchObject({ ok: true, value: { verified: [{ format: "sigstore-bundle" }] } });
      expect(proxy.log.some((s) => s.path.endsWith(`${digest.replace(":", "-")}`))).toBe(false);
    } finally {
      proxy.fault = () => undefined;
    }
  });

  it.each([
    ["503 on the signature tag", { kind: "status", status: 503 } as const, "REGISTRY_UNREACHABLE"],
    [
      "429 on the signature tag",
      { kind: "status", status: 429, headers: { "retry-after": "0" } } as const,
      "RATE_LIMITED",
    ],
    ["no answer", { kind: "hang" } as const, "SOURCE_TIMEOUT"],
    ["401", { kind: "status", status: 401 } as const, "REGISTRY_AUTH_FAILED"],
  ])("%s: its own code, not a missing signature", async (_name, fault, code) => {
    const digest = await pushImage("team/d");
    await pushSimpleSigning("team/d", digest);
    proxy.fault = (req) => (req.path.includes(".sig") ? fault : undefined);
    try {
      const r = await facts(proxy.host, "team/d", digest, 1000);
      expect(r).toMatchObject({ ok: false, code });
    } finally {
      proxy.fault = () => undefined;
    }
  });

  it("a signature blob whose bytes do not match its digest rejects that signature only", async () => {
    const digest = await pushImage("team/e");
    await pushSimpleSigning("team/e", digest);
    proxy.fault = (req) =>
      req.path.includes("/blobs/")
        ? { kind: "rewrite", body: (b) => Buffer.from(b.toString().replace("cosign", "Cosign")) }
        : undefined;
    try {
      const r = await facts(proxy.host, "team/e", digest);
      expect(r).toMatchObject({
        ok: true,
        value: { verified: [], rejected: [{ code: "SIGNATURE_INVALID" }] },
      });
    } finally {
      proxy.fault = () => undefined;
    }
  });
});
