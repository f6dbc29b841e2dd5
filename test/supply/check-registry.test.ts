import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE } from "../registry/fixture.js";
import {
  createTestPki,
  type RunningRegistry,
  skipReason,
  startRegistry,
  type TestPki,
} from "../registry/harness.js";
import { type BuiltImage, buildIndex, content, OCI, Pusher } from "../registry/images.js";
import { customsInProcess, tempFiles } from "../support/cli.js";

const skip = skipReason("supply-chain metadata recipes against docker-registry");

const DAY = 86_400_000;

/** An OCI image whose config and manifest carry what the metadata recipes read. */
function imageWith(options: {
  user: string;
  created?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  architecture?: string;
}): BuiltImage {
  const platform = { os: "linux", architecture: options.architecture ?? "amd64" };
  const layer = content(gzipSync(randomBytes(32)), OCI.layer);
  const config = content(
    Buffer.from(
      JSON.stringify({
        ...platform,
        ...(options.created ? { created: options.created } : {}),
        config: { User: options.user, Labels: options.labels ?? {} },
        rootfs: { type: "layers", diff_ids: [`sha256:${"0".repeat(64)}`] },
      }),
    ),
    OCI.config,
  );
  const desc = (c: typeof config) => ({ mediaType: c.mediaType, digest: c.digest, size: c.size });
  const manifest = content(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI.manifest,
        config: desc(config),
        layers: [desc(layer)],
        ...(options.annotations ? { annotations: options.annotations } : {}),
      }),
    ),
    OCI.manifest,
  );
  return { platform, config, layers: [layer], manifest };
}

const POLICIES = `
apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: source-label}
spec:
  recipe: require-labels
  input:
    labels:
      - key: org.opencontainers.image.source
        valueRegExp: https://github\\.com/acme/.+
---
apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: non-root}
spec: {recipe: non-root-user}
---
apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: fresh}
spec: {recipe: max-image-age, input: {maxAge: 90d}}
---
apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: base}
spec:
  recipe: approved-base-images
  input:
    rules: [{hostname: cgr.dev, imageName: chainguard/*}]
`;

const deployment = (image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: team-a}
spec:
  template:
    spec:
      containers: [{name: app, image: "${image}"}]
`;

interface JsonReport {
  summary: { denied: number };
  results: Array<{ violations: Array<{ policy: string; code: string; message: string }> }>;
}

describe.skipIf(skip !== undefined)(
  "customs check: metadata recipes against a real registry",
  () => {
    let pki: TestPki;
    let registry: RunningRegistry;
    let files: ReturnType<typeof tempFiles>;
    let flags: string[];

    beforeAll(async () => {
      pki = await createTestPki();
      registry = await startRegistry(
        { kind: "htpasswd", users: { [ALICE.username]: ALICE.password } },
        pki.server,
      );
      const basic = `Basic ${Buffer.from(`${ALICE.username}:${ALICE.password}`).toString("base64")}`;
      const pusher = new Pusher(registry.url, pki.ca.certPem, () => basic);
      const recent = new Date(Date.now() - 10 * DAY).toISOString();
      const good = {
        user: "65532",
        created: recent,
        labels: { "org.opencontainers.image.source": "https://github.com/acme/good" },
        annotations: { "org.opencontainers.image.base.name": "cgr.dev/chainguard/static:latest" },
      };
      await pusher.pushImage("team/good", imageWith(good), ["v1"]);
      await pusher.pushImage(
        "team/rooty",
        imageWith({
          user: "",
          created: "2020-01-01T00:00:00Z",
          labels: { "org.opencontainers.image.source": "https://gitlab.com/other/x" },
          annotations: { "org.opencontainers.image.base.name": "docker.io/library/ubuntu:22.04" },
        }),
        ["v1"],
      );
      // A multi-platform index: the linux/amd64 image is read, not the arm64 one.
      const amd64 = imageWith(good);
      const arm64 = imageWith({ user: "root", architecture: "arm64" });
      await pusher.pushIndex("team/multi", [amd64, arm64], buildIndex([amd64, arm64]), "v1");
      const auth = Buffer.from(`${ALICE.username}:${ALICE.password}`).toString("base64");
      files = tempFiles({
        "policies.yaml": POLICIES,
        "ca.pem": pki.ca.certPem,
        "config.json": JSON.stringify({ auths: { [registry.host]: { auth } } }),
        "signed.yaml": `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: signed}
spec:
  recipe: require-signature
  input:
    authorities:
      - name: ci
        keyless: {issuer: https://token.actions.githubusercontent.com, subjectRegExp: "https://github\\\\.com/acme/.*"}
`,
        "secret.yaml": `apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: signed}
spec:
  recipe: require-signature
  input:
    authorities:
      - name: ci
        key: {secretRef: {name: cosign-ci, namespace: customs-system}}
`,
      });
      flags = ["--ca-file", `${files.dir}/ca.pem`, "--registry-config", `${files.dir}/config.json`];
    });
    afterAll(async () => {
      files?.cleanup();
      await registry?.stop();
    });

    const check = async (image: string, policy = "policies.yaml", extra = flags) => {
      const t = tempFiles({ "deploy.yaml": deployment(image) });
      try {
        const r = await customsInProcess([
          "check",
          "-o",
          "json",
          "-p",
          policy.startsWith("/") ? policy : `${files.dir}/${policy}`,
          ...extra,
          `${t.dir}/deploy.yaml`,
        ]);
        return { ...r, report: r.stdout ? (JSON.parse(r.stdout) as JsonReport) : undefined };
      } finally {
        t.cleanup();
      }
    };

    it("allows an image that meets every metadata requirement", async () => {
      const r = await check(`${registry.host}/team/good:v1`);
      expect(r.stderr).toBe("");
      expect(r.report?.results[0]?.violations).toEqual([]);
      expect(r.status).toBe(0);
    });

    it("refuses an image that fails each requirement, saying which and why", async () => {
      const r = await check(`${registry.host}/team/rooty:v1`);
      expect(r.status).toBe(1);
      const violations = r.report?.results[0]?.violations ?? [];
      expect(violations.map((v) => [v.policy, v.code])).toEqual([
        ["source-label", "LABEL_VALUE_MISMATCH"],
        ["non-root", "IMAGE_USER_ROOT"],
        ["fresh", "IMAGE_TOO_OLD"],
        ["base", "BASE_IMAGE_NOT_APPROVED"],
      ]);
      expect(violations[0]?.message).toMatch(
        /label org.opencontainers.image.source is "https:\/\/gitlab.com\/other\/x"; it must match \/https:\/\/github\\.com\/acme\/\.\+\//,
      );
      expect(violations[2]?.message).toMatch(
        /created 2020-01-01T00:00:00Z, \d+ days ago; at most 90d allowed/,
      );
      expect(violations[3]?.message).toMatch(
        /built on docker.io\/library\/ubuntu:22.04 \(org.opencontainers.image.base.name annotation\); approved: hostname cgr.dev, image name chainguard\/\*/,
      );
    });

    it("reads the linux/amd64 image of a multi-platform index", async () => {
      const r = await check(`${registry.host}/team/multi:v1`);
      expect(r.report?.results[0]?.violations).toEqual([]);
      expect(r.status).toBe(0);
    });

    it("an unknown tag is DIGEST_UNRESOLVED, never a pass", async () => {
      const r = await check(`${registry.host}/team/good:nope`);
      expect(r.status).toBe(1);
      const codes = new Set(r.report?.results[0]?.violations.map((v) => v.code));
      expect([...codes]).toEqual(["DIGEST_UNRESOLVED"]);
    });

    it("refused credentials are REGISTRY_AUTH_FAILED and never quoted", async () => {
      const bad = tempFiles({
        "config.json": JSON.stringify({
          auths: {
            [registry.host]: { auth: Buffer.from("alice:wrong-secret").toString("base64") },
          },
        }),
      });
      try {
        const r = await check(`${registry.host}/team/good:v1`, "policies.yaml", [
          "--ca-file",
          `${files.dir}/ca.pem`,
          "--registry-config",
          `${bad.dir}/config.json`,
        ]);
        expect(r.status).toBe(1);
        expect(r.report?.results[0]?.violations.map((v) => v.code)).toContain(
          "REGISTRY_AUTH_FAILED",
        );
        expect(r.stdout).not.toContain("wrong-secret");
      } finally {
        bad.cleanup();
      }
    });

    it("a registry that is down is REGISTRY_UNREACHABLE, not a failed requirement", async () => {
      const r = await check("127.0.0.1:1/team/good:v1", "policies.yaml", [
        "--facts-timeout",
        "20000",
      ]);
      expect(r.status).toBe(1);
      const codes = new Set(r.report?.results[0]?.violations.map((v) => v.code));
      expect([...codes]).toEqual(["REGISTRY_UNREACHABLE"]);
    });

    it("a keyless signature policy reads the registry: an unsigned image is SIGNATURE_MISSING", async () => {
      // With pin, a tag is decided on the digest it names now (the webhook would pin that one).
      const r = await check(`${registry.host}/team/good:v1`, "signed.yaml", [
        ...flags,
        "--tag-handling",
        "pin",
      ]);
      expect(r.status).toBe(1);
      const v = r.report?.results[0]?.violations[0];
      expect(v?.code).toBe("SIGNATURE_MISSING");
      expect(v?.message).toMatch(
        /no cosign signature found for sha256:[0-9a-f]{64}; policy wants one of "ci"/,
      );
    });

    it("a key the command cannot read fails closed, naming the authority and the Secret", async () => {
      const r = await check(`${registry.host}/team/good:v1`, "secret.yaml", [
        ...flags,
        "--tag-handling",
        "pin",
      ]);
      expect(r.status).toBe(1);
      const v = r.report?.results[0]?.violations[0];
      expect(v?.code).toBe("SOURCE_NOT_CONFIGURED");
      expect(v?.message).toMatch(
        /could not check signatures: the policy's authorities cannot be used: authority "ci": its key is in the Secret customs-system\/cosign-ci, which is not read; give it inline \(pem\); the policy fails closed/,
      );
    });

    it("by default a tag under a signature policy is refused (TAG_NOT_PINNED), naming the digest it names now", async () => {
      const r = await check(`${registry.host}/team/good:v1`, "signed.yaml");
      expect(r.status).toBe(1);
      const v = r.report?.results[0]?.violations[0];
      expect(v?.code).toBe("TAG_NOT_PINNED");
      expect(v?.message).toMatch(/named by tag \(the tag names sha256:[0-9a-f]{64} now\)/);
    });

    it("policies without supply-chain recipes never contact a registry", async () => {
      const t = tempFiles({
        "p.yaml":
          "apiVersion: customs.dev/v1alpha1\nkind: ImagePolicy\nmetadata: {name: d}\nspec: {recipe: require-digest}\n",
      });
      try {
        const r = await check("127.0.0.1:1/team/x:v1", `${t.dir}/p.yaml`, []);
        expect(r.report?.results[0]?.violations.map((v) => v.code)).toEqual(["DIGEST_REQUIRED"]);
      } finally {
        t.cleanup();
      }
    });
  },
);
