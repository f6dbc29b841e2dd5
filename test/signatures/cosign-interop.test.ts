import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestPki,
  type RunningRegistry,
  registryMissing,
  startRegistry,
  type TestPki,
} from "../registry/harness.js";
import { buildImage, content, OCI, Pusher } from "../registry/images.js";
import { customsInProcess } from "../support/cli.js";
import {
  cosignMissing,
  cosignPath,
  getBytes,
  getJson,
  runCosign,
  writePrivateKey,
} from "./cosign.js";

/**
 * cosign itself signs and attests images in Debian's registry (keys made here, nothing sent
 * to a transparency log); `customs verify` must accept exactly what it should.
 */
const skip = registryMissing() ?? cosignMissing();
if (skip !== undefined) console.warn(`[cosign interop] skipped: ${skip}`);

const PROVENANCE_V1 = {
  buildDefinition: {
    buildType: "https://customs.test/b",
    externalParameters: { ref: "main" },
  },
  runDetails: { builder: { id: "https://customs.test/builder" } },
};

interface Manifest {
  layers: {
    mediaType: string;
    digest: string;
    size: number;
    annotations?: Record<string, string>;
  }[];
  config: { mediaType: string; digest: string; size: number };
  [k: string]: unknown;
}

describe.skipIf(skip !== undefined)("customs verify against real cosign", () => {
  let pki: TestPki;
  let registry: RunningRegistry;
  let pusher: Pusher;
  let dir: string;
  let env: { caFile: string; home: string };
  let n = 0;
  const v2 = cosignPath(2) as string;

  const cosign = async (args: string[], bin = v2) => {
    const r = await runCosign(bin, args, env);
    if (r.code !== 0) throw new Error(`cosign ${args.join(" ")} failed:\n${r.stderr}`);
    return r;
  };

  /** A freshly pushed image: `HOST/repo@digest`. */
  const pushImage = async (repo = "team/app") => {
    const image = buildImage({ os: "linux", architecture: "amd64" });
    await pusher.pushImage(repo, image, [`v${n++}`]);
    return {
      ref: `${registry.host}/${repo}@${image.manifest.digest}`,
      digest: image.manifest.digest,
      repo,
    };
  };

  const verify = async (ref: string, ...args: string[]) => {
    const r = await customsInProcess([
      "verify",
      ref,
      "--ca-file",
      env.caFile,
      "-o",
      "json",
      ...args,
    ]);
    return {
      status: r.status,
      stderr: r.stderr,
      report: r.stdout ? JSON.parse(r.stdout) : undefined,
    };
  };

  const sigTag = (digest: string, suffix = ".sig") => `${digest.replace(":", "-")}${suffix}`;
  const manifestUrl = (repo: string, ref: string) => `${registry.url}/v2/${repo}/manifests/${ref}`;
  const readManifest = (repo: string, ref: string) =>
    getJson(manifestUrl(repo, ref), pki.ca.certPem, OCI.manifest) as Promise<Manifest>;

  beforeAll(async () => {
    pki = await createTestPki();
    registry = await startRegistry({ kind: "none" }, pki.server);
    pusher = new Pusher(registry.url, pki.ca.certPem);
    dir = mkdtempSync(join(tmpdir(), "customs-cosign-"));
    env = { caFile: join(dir, "ca.pem"), home: join(dir, "home") };
    writeFileSync(env.caFile, pki.ca.certPem);
    await cosign(["generate-key-pair", "--output-key-prefix", join(dir, "cosign")]);
    await cosign(["generate-key-pair", "--output-key-prefix", join(dir, "other")]);
  }, 120_000);
  afterAll(async () => {
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("accepts a cosign v2 signature made with cosign's own key pair", async () => {
    const { ref, digest } = await pushImage();
    await cosign(["sign", "--key", join(dir, "cosign.key"), "--tlog-upload=false", ref]);
    const r = await verify(ref, "--key", join(dir, "cosign.pub"));
    expect(r.report).toMatchObject({ status: "verified", digest, kind: "signatures" });
    expect(r.report.verified).toEqual([
      {
        signer: { kind: "key", keyId: join(dir, "cosign.pub") },
        digest,
        transparencyLog: false,
        format: "cosign-v2",
      },
    ]);
    expect(r.status).toBe(0);
    const text = await customsInProcess([
      "verify",
      ref,
      "--key",
      join(dir, "cosign.pub"),
      "--ca-file",
      env.caFile,
    ]);
    expect(text.stdout).toBe(
      `verified: cosign-v2 signature by key ${join(dir, "cosign.pub")}\n${ref}: 1 signatures verified\n`,
    );
    // The same signature, but a transparency-log entry is required.
    const strict = await verify(ref, "--key", join(dir, "cosign.pub"), "--require-tlog");
    expect(strict).toMatchObject({ status: 1, report: { code: "SIGNATURE_UNTRUSTED" } });
  }, 120_000);

  it.each([
    "p384",
    "ed25519",
    "rsa",
  ] as const)("accepts signatures by an imported %s key", async (kind) => {
    const pem = writePrivateKey(dir, `node-${kind}`, kind);
    await cosign([
      "import-key-pair",
      "--key",
      pem,
      "--output-key-prefix",
      join(dir, `imported-${kind}`),
    ]);
    const { ref } = await pushImage();
    await cosign(["sign", "--key", join(dir, `imported-${kind}.key`), "--tlog-upload=false", ref]);
    const r = await verify(ref, "--key", join(dir, `imported-${kind}.pub`));
    expect(r).toMatchObject({ status: 0, report: { status: "verified" } });
    const wrong = await verify(ref, "--key", join(dir, "cosign.pub"));
    expect(wrong).toMatchObject({ status: 1, report: { code: "SIGNATURE_INVALID" } });
  }, 120_000);

  it("rejects a wrong key, a tampered payload, a copied signature; reports a missing one", async () => {
    const a = await pushImage();
    const b = await pushImage();
    await cosign(["sign", "--key", join(dir, "cosign.key"), "--tlog-upload=false", a.ref]);
    const key = ["--key", join(dir, "cosign.pub")];

    expect(await verify(a.ref, "--key", join(dir, "other.pub"))).toMatchObject({
      status: 1,
      report: { status: "rejected", code: "SIGNATURE_INVALID" },
    });

    // b has no signature yet: missing, not invalid.
    expect(await verify(b.ref, ...key)).toMatchObject({
      status: 1,
      report: { code: "SIGNATURE_MISSING", verified: [], rejected: [] },
    });

    // a's signature manifest pushed as b's: a valid signature of another digest.
    const sig = await readManifest(a.repo, sigTag(a.digest));
    const copied = content(Buffer.from(JSON.stringify(sig)), OCI.manifest);
    await pusher.pushManifest(b.repo, sigTag(b.digest), copied);
    expect(await verify(b.ref, ...key)).toMatchObject({
      status: 1,
      report: { code: "SIGNATURE_DIGEST_MISMATCH" },
    });

    // a's payload rewritten to name b, signature kept: the signature no longer verifies.
    const layer = sig.layers[0];
    if (layer === undefined) throw new Error("cosign pushed no layer");
    const payload = await getBytes(
      `${registry.url}/v2/${a.repo}/blobs/${layer.digest}`,
      pki.ca.certPem,
    );
    const forged = content(
      Buffer.from(payload.toString("utf8").replace(a.digest, b.digest)),
      layer.mediaType,
    );
    await pusher.pushBlob(b.repo, forged);
    const tampered = { ...sig, layers: [{ ...layer, digest: forged.digest, size: forged.size }] };
    await pusher.pushManifest(
      b.repo,
      sigTag(b.digest),
      content(Buffer.from(JSON.stringify(tampered)), OCI.manifest),
    );
    expect(await verify(b.ref, ...key)).toMatchObject({
      status: 1,
      report: { code: "SIGNATURE_INVALID" },
    });
    // a itself is untouched.
    expect(await verify(a.ref, ...key)).toMatchObject({ status: 0 });
  }, 120_000);

  it("verifies cosign attestations (SLSA provenance) and filters by predicate type", async () => {
    const { ref, digest } = await pushImage();
    const predicate = join(dir, "provenance.json");
    writeFileSync(
      predicate,
      JSON.stringify({
        builder: { id: "https://customs.test/builder" },
        buildType: "https://customs.test/build",
      }),
    );
    await cosign([
      "attest",
      "--key",
      join(dir, "cosign.key"),
      "--type",
      "slsaprovenance",
      "--predicate",
      predicate,
      "--tlog-upload=false",
      ref,
    ]);
    const r = await verify(
      ref,
      "--key",
      join(dir, "cosign.pub"),
      "--attestations",
      "--type",
      "slsaprovenance",
    );
    expect(r.status).toBe(0);
    expect(r.report.verified).toEqual([
      {
        signer: { kind: "key", keyId: join(dir, "cosign.pub") },
        predicateType: "https://slsa.dev/provenance/v0.2",
        predicate: expect.objectContaining({ builder: { id: "https://customs.test/builder" } }),
      },
    ]);
    expect(digest).toBe(r.report.digest);
    const other = await verify(
      ref,
      "--key",
      join(dir, "cosign.pub"),
      "--attestations",
      "--type",
      "cyclonedx",
    );
    expect(other).toMatchObject({ status: 1, report: { code: "ATTESTATION_MISSING" } });
    const wrong = await verify(ref, "--key", join(dir, "other.pub"), "--attestations");
    expect(wrong).toMatchObject({ status: 1, report: { code: "SIGNATURE_INVALID" } });
  }, 120_000);

  it("verifies attestations stored as Sigstore bundles (cosign v2 --new-bundle-format)", async () => {
    const { ref, digest } = await pushImage();
    const predicate = join(dir, "provenance1.json");
    writeFileSync(predicate, JSON.stringify(PROVENANCE_V1));
    await cosign([
      "attest",
      "--key",
      join(dir, "cosign.key"),
      "--type",
      "slsaprovenance1",
      "--predicate",
      predicate,
      "--tlog-upload=false",
      "--new-bundle-format",
      ref,
    ]);
    const r = await verify(
      ref,
      "--key",
      join(dir, "cosign.pub"),
      "--attestations",
      "--type",
      "slsaprovenance1",
    );
    expect(r).toMatchObject({ status: 0, report: { digest } });
    expect(r.report.verified).toEqual([
      {
        signer: { kind: "key", keyId: join(dir, "cosign.pub") },
        predicateType: "https://slsa.dev/provenance/v1",
        // cosign normalizes the predicate (adds empty optional fields such as metadata).
        predicate: expect.objectContaining({
          buildDefinition: expect.objectContaining({ buildType: "https://customs.test/b" }),
        }),
      },
    ]);
    // The attestation bundle is not an image signature.
    expect(await verify(ref, "--key", join(dir, "cosign.pub"))).toMatchObject({
      status: 1,
      report: { code: "SIGNATURE_MISSING" },
    });
  }, 120_000);

  /** Signs with `bin` as a Sigstore bundle referrer; expects accept, wrong key, copy refused. */
  const expectBundleVerdicts = async (bin: string, extra: string[]) => {
    const a = await pushImage();
    await cosign(
      ["sign", "--key", join(dir, "cosign.key"), "--tlog-upload=false", ...extra, a.ref],
      bin,
    );
    const r = await verify(a.ref, "--key", join(dir, "cosign.pub"));
    expect(r.report).toMatchObject({ status: "verified" });
    expect(r.report.verified).toEqual([
      expect.objectContaining({ format: "sigstore-bundle", digest: a.digest }),
    ]);
    const wrong = await verify(a.ref, "--key", join(dir, "other.pub"));
    expect(wrong).toMatchObject({ status: 1, report: { code: "SIGNATURE_INVALID" } });
    // a's referrers index served as b's fallback tag: bundles about another digest.
    const b = await pushImage();
    const index = await getJson(
      manifestUrl(a.repo, a.digest.replace(":", "-")),
      pki.ca.certPem,
      OCI.index,
    );
    await pusher.pushManifest(
      b.repo,
      b.digest.replace(":", "-"),
      content(Buffer.from(JSON.stringify(index)), OCI.index),
    );
    expect(await verify(b.ref, "--key", join(dir, "cosign.pub"))).toMatchObject({
      status: 1,
      report: { code: "SIGNATURE_DIGEST_MISMATCH" },
    });
  };

  it.skipIf(cosignPath(3) === undefined)(
    "accepts Sigstore bundles from cosign v3 (referrers fallback tag) and rejects them copied",
    // v3 signs with a TUF-provided signing config unless told not to (none is reachable here).
    () => expectBundleVerdicts(cosignPath(3) as string, ["--use-signing-config=false"]),
    120_000,
  );

  it(
    "accepts Sigstore bundles from cosign v2 --new-bundle-format and rejects them copied",
    () => expectBundleVerdicts(v2, ["--new-bundle-format"]),
    120_000,
  );

  it("a registry that is down is REGISTRY_UNREACHABLE, never SIGNATURE_MISSING", async () => {
    const { digest } = await pushImage();
    const down = await startRegistry({ kind: "none" }, pki.server);
    const host = down.host;
    await down.stop();
    const r = await verify(`${host}/team/app@${digest}`, "--key", join(dir, "cosign.pub"));
    expect(r).toMatchObject({
      status: 2,
      report: { status: "unavailable", code: "REGISTRY_UNREACHABLE" },
    });
  }, 60_000);
});
