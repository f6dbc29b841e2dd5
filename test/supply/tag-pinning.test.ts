/**
 * A signature verified on a tag must hold for what the kubelet pulls. With real cosign (v2
 * and v3) and a real registry: sign tag v1, /mutate pins the workload to the digest D1, the
 * tag is moved to an unsigned image, and the pinned workload still names D1 and is admitted;
 * a tag that was not pinned is refused (TAG_NOT_PINNED), and so is a pin to the unsigned
 * digest.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "../../src/adapters/registry/index.js";
import { loadPolicySet } from "../../src/app/documents/policies.js";
import { webhookSupplyContext } from "../../src/app/supply/context.js";
import type { SupplyContext } from "../../src/app/supply/review.js";
import { handleMutation } from "../../src/app/webhook/mutate.js";
import { NamespaceCache } from "../../src/app/webhook/namespaces.js";
import { handleAdmissionWithSupply } from "../../src/app/webhook/supply-admission.js";
import { createEvaluator, type Evaluator } from "../../src/core/evaluate/index.js";
import { parseImageReference } from "../../src/core/reference/index.js";
import {
  createTestPki,
  type RunningRegistry,
  registryMissing,
  startRegistry,
  type TestPki,
} from "../registry/harness.js";
import { buildImage, Pusher } from "../registry/images.js";
import { cosignMissing, cosignPath, runCosign } from "../signatures/cosign.js";
import { deployment, review } from "../support/admission.js";
import { errorsOf, PEM } from "./support.js";

const skip = registryMissing() ?? cosignMissing() ?? (cosignPath(3) ? undefined : "no cosign v3");
if (skip !== undefined) console.warn(`[tag pinning] skipped: ${skip}`);

const policy = (pem: string, tagHandling?: "pin" | "refuse") => `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: signed-by-ci}
spec:
  recipe: require-signature
  input:
${tagHandling ? `    tagHandling: ${tagHandling}\n` : ""}    authorities:
      - name: ci
        key:
          pem: |
${pem
  .trim()
  .split("\n")
  .map((l) => `            ${l}`)
  .join("\n")}
`;

interface PatchOp {
  readonly op: string;
  readonly path: string;
  readonly value: string;
}

/** The JSONPatch of a /mutate answer (only `replace` of image strings is ever sent). */
function patchOf(response: { patch?: string } | undefined): PatchOp[] {
  return response?.patch ? JSON.parse(Buffer.from(response.patch, "base64").toString()) : [];
}

function applyPatch(object: Record<string, unknown>, ops: readonly PatchOp[]) {
  const copy = structuredClone(object);
  for (const op of ops) {
    const parts = op.path.split("/").slice(1);
    const last = parts.pop() as string;
    // biome-ignore lint/suspicious/noExplicitAny: walking a JSON pointer in a test
    let at: any = copy;
    for (const p of parts) at = at[p];
    at[last] = op.value;
  }
  return copy;
}

const imageOf = (object: Record<string, unknown>) =>
  // biome-ignore lint/suspicious/noExplicitAny: test-only access to a nested field
  (object as any).spec.template.spec.containers[0].image as string;

describe.skipIf(skip !== undefined)(
  "tags under signature policies, real cosign and registry",
  () => {
    let pki: TestPki;
    let registry: RunningRegistry;
    let pusher: Pusher;
    let client: RegistryClient;
    let dir: string;
    let env: { caFile: string; home: string };
    let pem: string;
    const namespaces = new NamespaceCache();

    const context = (tagHandling: "pin" | "refuse"): SupplyContext =>
      webhookSupplyContext(() => Promise.resolve(client), {
        timeoutSeconds: 10,
        ttlMs: 300_000,
        negativeTtlMs: 1_000,
        graceMs: 0,
        tagHandling,
      });
    const evaluatorFor = (tagHandling?: "pin" | "refuse") =>
      createEvaluator(loadPolicySet([{ source: "p.yaml", text: policy(pem, tagHandling) }]).set);

    /** Pushes a new image under `repo:tag` (moving the tag if it exists); its digest. */
    const push = async (repo: string, tag: string) => {
      const image = buildImage({ os: "linux", architecture: "amd64" });
      // buildImage makes random layers: a moved tag names a new digest.
      await pusher.pushImage(repo, image, [tag]);
      return image.manifest.digest;
    };
    const sign = async (major: 2 | 3, ref: string) => {
      const extra = major === 3 ? ["--use-signing-config=false"] : [];
      const bin = cosignPath(major) as string;
      const args = ["sign", "--key", join(dir, "ci.key"), "--tlog-upload=false", ...extra, ref];
      const r = await runCosign(bin, args, env);
      if (r.code !== 0) throw new Error(`cosign v${major} sign failed:\n${r.stderr}`);
    };
    const mutate = (object: Record<string, unknown>, evaluator: Evaluator, supply: SupplyContext) =>
      handleMutation(
        JSON.stringify(review(object)),
        evaluator,
        namespaces,
        () => Promise.reject(new Error("pinDigests is not used here")),
        5_000,
        supply,
      );
    const validate = (
      object: Record<string, unknown>,
      evaluator: Evaluator,
      supply: SupplyContext,
    ) => handleAdmissionWithSupply(JSON.stringify(review(object)), evaluator, namespaces, supply);

    beforeAll(async () => {
      pki = await createTestPki();
      registry = await startRegistry({ kind: "none" }, pki.server);
      pusher = new Pusher(registry.url, pki.ca.certPem);
      client = new RegistryClient({ tls: { ca: [pki.ca.certPem] } });
      dir = mkdtempSync(join(tmpdir(), "customs-tag-pinning-"));
      env = { caFile: join(dir, "ca.pem"), home: join(dir, "home") };
      const { writeFileSync } = await import("node:fs");
      writeFileSync(env.caFile, pki.ca.certPem);
      const r = await runCosign(
        cosignPath(2) as string,
        ["generate-key-pair", "--output-key-prefix", join(dir, "ci")],
        env,
      );
      if (r.code !== 0) throw new Error(r.stderr);
      pem = readFileSync(join(dir, "ci.pub"), "utf8");
    }, 120_000);
    afterAll(async () => {
      client?.close();
      await registry?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it.each([
      2, 3,
    ] as const)("cosign v%i: sign v1, /mutate pins D1, move v1 to an unsigned image: the pinned workload still runs D1", async (major) => {
      const repo = `shop/app-v${major}`;
      const tagged = `${registry.host}/${repo}:v1`;
      const evaluator = evaluatorFor();
      const supply = context("pin");
      const d1 = await push(repo, "v1");
      await sign(major, `${registry.host}/${repo}@${d1}`);

      const object = deployment("app", [tagged]);
      const mutation = await mutate(object, evaluator, supply);
      const ops = patchOf(mutation.response);
      expect(ops).toEqual([
        { op: "replace", path: "/spec/template/spec/containers/0/image", value: `${tagged}@${d1}` },
      ]);
      const pinned = applyPatch(object, ops);
      expect((await validate(pinned, evaluator, supply)).response?.allowed).toBe(true);

      // The tag moves to an image nobody signed.
      const d2 = await push(repo, "v1");
      expect(d2).not.toBe(d1);
      expect(await client.resolveDigest(parseImageReference(tagged))).toBe(d2);

      // What was admitted still names D1, and D1 is still what was verified.
      expect(imageOf(pinned)).toBe(`${tagged}@${d1}`);
      expect((await validate(pinned, evaluator, supply)).response?.allowed).toBe(true);

      // A tag that reaches /validate unpinned is refused, the code first in the message.
      const unpinned = await validate(object, evaluator, supply);
      expect(unpinned.response?.allowed).toBe(false);
      expect(unpinned.violations?.map((v) => v.code)).toEqual(["TAG_NOT_PINNED"]);
      expect(unpinned.response?.status?.message).toMatch(/^- TAG_NOT_PINNED: .*not pinned/m);

      // Pinned now, the tag names the unsigned D2: the pin is accepted only for a verified digest.
      const again = applyPatch(object, patchOf((await mutate(object, evaluator, supply)).response));
      expect(imageOf(again)).toBe(`${tagged}@${d2}`);
      const refused = await validate(again, evaluator, supply);
      expect(refused.response?.allowed).toBe(false);
      expect(refused.violations?.map((v) => v.code)).toEqual(["SIGNATURE_MISSING"]);
    }, 120_000);

    it("refuse (the default without --mutate): /mutate leaves the tag, /validate refuses it", async () => {
      const repo = "shop/refused";
      const d1 = await push(repo, "v1");
      await sign(2, `${registry.host}/${repo}@${d1}`);
      const object = deployment("app", [`${registry.host}/${repo}:v1`]);
      const supply = context("refuse");
      const evaluator = evaluatorFor();
      expect(patchOf((await mutate(object, evaluator, supply)).response)).toEqual([]);
      const r = await validate(object, evaluator, supply);
      expect(r.response?.allowed).toBe(false);
      expect(r.violations?.map((v) => v.code)).toEqual(["TAG_NOT_PINNED"]);
      expect(r.response?.status?.message).toContain("tagHandling refuse");
      // The signed digest itself is admitted.
      const byDigest = deployment("app", [`${registry.host}/${repo}:v1@${d1}`]);
      expect((await validate(byDigest, evaluator, supply)).response?.allowed).toBe(true);
    }, 120_000);

    it("a policy's own tagHandling wins over the process default, both ways", async () => {
      const repo = "shop/override";
      const d1 = await push(repo, "v1");
      await sign(2, `${registry.host}/${repo}@${d1}`);
      const object = deployment("app", [`${registry.host}/${repo}:v1`]);
      const refusing = evaluatorFor("refuse");
      expect(patchOf((await mutate(object, refusing, context("pin"))).response)).toEqual([]);
      const pinning = evaluatorFor("pin");
      const ops = patchOf((await mutate(object, pinning, context("refuse"))).response);
      expect(ops.map((o) => o.value)).toEqual([`${registry.host}/${repo}:v1@${d1}`]);
    }, 120_000);
  },
);

describe("customs serve's default tag handling", () => {
  const flags = {
    timeoutSeconds: "10",
    factsTtl: "1000",
    factsNegativeTtl: "1000",
    lastKnownGood: "0",
  };
  it("is pin with --mutate (which pins), refuse without, and --tag-handling overrides it", async () => {
    const { supplyContext } = await import("../../src/cli/commands/serve.js");
    expect((await supplyContext({ ...flags, mutate: true })).tags).toEqual({
      defaultHandling: "pin",
      admission: true,
    });
    expect((await supplyContext(flags)).tags.defaultHandling).toBe("refuse");
    const chosen = await supplyContext({ ...flags, mutate: true, tagHandling: "refuse" });
    expect(chosen.tags.defaultHandling).toBe("refuse");
    await expect(supplyContext({ ...flags, tagHandling: "allow" })).rejects.toThrow(
      /--tag-handling must be pin or refuse/,
    );
  });
});

describe("input.tagHandling", () => {
  const signature = (tagHandling: unknown) => ({
    recipe: "require-signature",
    input: { authorities: [{ name: "ci", key: { pem: PEM } }], tagHandling },
  });
  it("is pin or refuse, on the recipes that verify content only", () => {
    expect(errorsOf(signature("pin"))).toEqual([]);
    expect(errorsOf(signature("refuse"))).toEqual([]);
    expect(errorsOf(signature("allow")).join("\n")).toMatch(/spec\.input\.tagHandling/);
    expect(
      errorsOf({
        recipe: "vulnerability-threshold",
        input: { severity: "high", tagHandling: "pin" },
      }),
    ).toEqual([]);
    expect(errorsOf({ recipe: "non-root-user", input: { tagHandling: "pin" } }).join("\n")).toMatch(
      /tagHandling/,
    );
  });
});
