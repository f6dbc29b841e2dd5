/**
 * `npm run bench:signatures`: 200 images signed by real cosign in Debian's registry, their
 * signatures fetched and verified by Customs, cold (a fresh registry client) and warm (the
 * same client again: manifests and blobs cached, trusted root and verifier loaded). Writes
 * the "Signatures" section of bench/RESULTS.md with the machine it ran on.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, platform, release, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { type Digest, RegistryClient } from "../src/adapters/registry/index.js";
import {
  parsePublicKey,
  publicGoodTrust,
  type TrustPolicy,
} from "../src/adapters/sigstore/index.js";
import { fetchSignatureFacts } from "../src/app/supply/signatures.js";
import { parseNormalized } from "../src/core/reference/index.js";
import { createTestPki, registryMissing, startRegistry } from "../test/registry/harness.js";
import { buildImage, Pusher } from "../test/registry/images.js";
import { cosignMissing, cosignPath, runCosign } from "../test/signatures/cosign.js";
import { writeResultsSection } from "./results.js";

const _ROOT = resolve(import.meta.dirname, "../../..");
const IMAGES = Number(process.env.BENCH_SIGNED_IMAGES ?? 200);
const CONCURRENCY = 16;

async function verifyAll(client: RegistryClient, refs: readonly string[], policy: TrustPolicy) {
  const start = performance.now();
  let verified = 0;
  let next = 0;
  const worker = async () => {
    while (next < refs.length) {
      const text = refs[next++] as string;
      const parsed = parseNormalized(text);
      if (!parsed.ok) throw new Error(parsed.message);
      const facts = await fetchSignatureFacts(
        client,
        parsed.ref,
        parsed.ref.digest as Digest,
        policy,
      );
      if (facts.ok && facts.value.verified.length > 0) verified++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { seconds: (performance.now() - start) / 1000, verified };
}

async function main(): Promise<void> {
  const missing = registryMissing() ?? cosignMissing();
  if (missing !== undefined) {
    console.error(`bench:signatures skipped: ${missing}`);
    return;
  }
  const cosign = cosignPath(2) as string;
  const dir = mkdtempSync(join(tmpdir(), "customs-bench-sig-"));
  const pki = await createTestPki();
  const registry = await startRegistry({ kind: "none" }, pki.server);
  try {
    const env = { caFile: join(dir, "ca.pem"), home: join(dir, "home") };
    writeFileSync(env.caFile, pki.ca.certPem);
    const run = async (args: string[]) => {
      const r = await runCosign(cosign, args, env);
      if (r.code !== 0) throw new Error(`cosign ${args[0]}: ${r.stderr}`);
    };
    await run(["generate-key-pair", "--output-key-prefix", join(dir, "bench")]);
    const pusher = new Pusher(registry.url, pki.ca.certPem);
    const refs: string[] = [];
    for (let i = 0; i < IMAGES; i++) {
      const image = buildImage({ os: "linux", architecture: "amd64" }, "oci", 1);
      const repo = `bench/app${i % 20}`;
      await pusher.pushImage(repo, image, [`v${i}`]);
      refs.push(`${registry.host}/${repo}@${image.manifest.digest}`);
    }
    const signStart = performance.now();
    for (let i = 0; i < refs.length; i += 50) {
      await run([
        "sign",
        "--key",
        join(dir, "bench.key"),
        "--tlog-upload=false",
        ...refs.slice(i, i + 50),
      ]);
    }
    const signSeconds = (performance.now() - signStart) / 1000;
    const policy: TrustPolicy = {
      keys: [parsePublicKey(readFileSync(join(dir, "bench.pub"), "utf8"), "bench.pub")],
      identities: [],
      trust: publicGoodTrust(),
      requireTlog: false,
    };
    const client = new RegistryClient({ tls: { ca: [pki.ca.certPem] }, cacheTtlMs: 600_000 });
    const load = loadavg()[0]?.toFixed(1);
    const cold = await verifyAll(client, refs, policy);
    const warm = await verifyAll(client, refs, policy);
    client.close();
    const row = (label: string, r: { seconds: number; verified: number }) =>
      `| ${label} | ${refs.length} | ${r.verified} | ${r.seconds.toFixed(2)} | **${Math.round(refs.length / r.seconds)}** |`;
    const cpu = cpus()[0]?.model ?? "unknown";
    const section = `## Signatures: verify cosign signatures of ${refs.length} images

Made by \`npm run bench:signatures\` (bench/signatures.ts) on ${new Date().toISOString().slice(0, 10)}: ${cpu}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}, node ${process.version}. Debian's docker-registry (distribution 2.8) on 127.0.0.1 over TLS on the same machine; every image signed by cosign ${readFileSync(`${cosign}.version`, "utf8").trim()} (\`sign --key --tlog-upload=false\`, ECDSA P-256; signing took ${signSeconds.toFixed(1)} s); ${CONCURRENCY} verifications in flight; load average ${load} when verification started (the machine is shared: other builds and tests compete for its cores). Each verification asks for the \`.sig\` tag, the referrers API (404 on distribution 2.8) and the fallback tag, and the payload blob, then checks the signature and the payload's digest.

| pass | images | verified | seconds | images / s |
|---|---:|---:|---:|---:|
${row("cold: fresh client (TLS handshakes, every request to the registry)", cold)}
${row("warm: same client (manifests, blobs and referrers from the cache)", warm)}
`;
    writeResultsSection("## Signatures", section);
    process.stdout.write(section);
  } finally {
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
