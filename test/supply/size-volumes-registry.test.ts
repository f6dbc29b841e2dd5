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

const skip = skipReason("max-image-size and no-volumes against docker-registry");

/** An OCI image with a layer of `layerBytes` random bytes (gzipped) and config Volumes. */
function imageWith(layerBytes: number, volumes: string[], architecture = "amd64"): BuiltImage {
  const platform = { os: "linux", architecture };
  const layer = content(gzipSync(randomBytes(layerBytes)), OCI.layer);
  const config = content(
    Buffer.from(
      JSON.stringify({
        ...platform,
        config: {
          User: "65532",
          ...(volumes.length > 0
            ? { Volumes: Object.fromEntries(volumes.map((v) => [v, {}])) }
            : {}),
        },
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
      }),
    ),
    OCI.manifest,
  );
  return { platform, config, layers: [layer], manifest };
}

const POLICIES = `
apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: small}
spec: {recipe: max-image-size, input: {maxSize: 4Ki}}
---
apiVersion: customs.dev/v1alpha1
kind: ImagePolicy
metadata: {name: stateless}
spec: {recipe: no-volumes, input: {allowed: [/tmp]}}
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

describe.skipIf(skip !== undefined)("max-image-size and no-volumes against a real registry", () => {
  let pki: TestPki;
  let registry: RunningRegistry;
  let files: ReturnType<typeof tempFiles>;

  beforeAll(async () => {
    pki = await createTestPki();
    registry = await startRegistry(
      { kind: "htpasswd", users: { [ALICE.username]: ALICE.password } },
      pki.server,
    );
    const basic = `Basic ${Buffer.from(`${ALICE.username}:${ALICE.password}`).toString("base64")}`;
    const pusher = new Pusher(registry.url, pki.ca.certPem, () => basic);
    await pusher.pushImage("team/slim", imageWith(64, ["/tmp"]), ["v1"]);
    await pusher.pushImage("team/fat", imageWith(16_384, ["/var/lib/mysql", "/tmp"]), ["v1"]);
    // An index: the linux/amd64 image is the one decided, not the larger arm64 one.
    const amd64 = imageWith(64, []);
    const arm64 = imageWith(16_384, ["/data"], "arm64");
    await pusher.pushIndex("team/multi", [amd64, arm64], buildIndex([amd64, arm64]), "v1");
    const auth = Buffer.from(`${ALICE.username}:${ALICE.password}`).toString("base64");
    files = tempFiles({
      "policies.yaml": POLICIES,
      "ca.pem": pki.ca.certPem,
      "config.json": JSON.stringify({ auths: { [registry.host]: { auth } } }),
    });
  });
  afterAll(async () => {
    files?.cleanup();
    await registry?.stop();
  });

  const check = async (image: string) => {
    const t = tempFiles({ "deploy.yaml": deployment(image) });
    try {
      const r = await customsInProcess([
        "check",
        "-o",
        "json",
        "-p",
        `${files.dir}/policies.yaml`,
        "--ca-file",
        `${files.dir}/ca.pem`,
        "--registry-config",
        `${files.dir}/config.json`,
        `${t.dir}/deploy.yaml`,
      ]);
      const report = JSON.parse(r.stdout) as {
        results: { violations: { policy: string; code: string; message: string }[] }[];
      };
      return { status: r.status, violations: report.results[0]?.violations ?? [] };
    } finally {
      t.cleanup();
    }
  };

  it("allows a small image whose only volume is allowed", async () => {
    const r = await check(`${registry.host}/team/slim:v1`);
    expect(r.violations).toEqual([]);
    expect(r.status).toBe(0);
  });

  it("refuses a large image that declares a volume, saying the size and the path", async () => {
    const r = await check(`${registry.host}/team/fat:v1`);
    expect(r.status).toBe(1);
    expect(r.violations.map((v) => [v.policy, v.code])).toEqual([
      ["small", "IMAGE_TOO_LARGE"],
      ["stateless", "IMAGE_VOLUMES_DECLARED"],
    ]);
    expect(r.violations[0]?.message).toContain("more than maxSize 4Ki");
    expect(r.violations[1]?.message).toContain("VOLUME /var/lib/mysql");
    expect(r.violations[1]?.message).not.toContain("/tmp,");
  });

  it("decides an index on its linux/amd64 image", async () => {
    const r = await check(`${registry.host}/team/multi:v1`);
    expect(r.violations).toEqual([]);
  });
});
