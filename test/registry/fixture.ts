import { type ImageReference, parseImageReference } from "../../src/core/reference/index.js";
import { createTestPki, type RunningRegistry, startRegistry, type TestPki } from "./harness.js";
import { type BuiltImage, buildImage, buildIndex, type Content, Pusher } from "./images.js";

export const ALICE = { username: "alice", password: "correct horse battery" } as const;
export const MANY_TAGS = Array.from({ length: 7 }, (_, i) => `t${String(i).padStart(2, "0")}`);

/** A docker config.json that logs in to `host` as alice with `password`. */
export function dockerConfigJson(host: string, password: string): string {
  const auth = Buffer.from(`${ALICE.username}:${password}`).toString("base64");
  return JSON.stringify({ auths: { [host]: { auth } } });
}

/** A TLS registry with htpasswd auth and a known set of pushed images. */
export interface BasicFixture {
  readonly pki: TestPki;
  readonly registry: RunningRegistry;
  readonly app: BuiltImage;
  readonly amd64: BuiltImage;
  readonly arm64: BuiltImage;
  readonly index: Content;
  readonly dockerAmd64: BuiltImage;
  readonly dockerArm: BuiltImage;
  readonly dockerList: Content;
  /** `HOST/path` parsed by the engine's reference parser. */
  ref(path: string, host?: string): ImageReference;
  stop(): Promise<void>;
}

export async function startBasicFixture(): Promise<BasicFixture> {
  const pki = await createTestPki();
  const registry = await startRegistry(
    { kind: "htpasswd", users: { [ALICE.username]: ALICE.password, bob: "bobs password" } },
    pki.server,
  );
  const basic = `Basic ${Buffer.from(`${ALICE.username}:${ALICE.password}`).toString("base64")}`;
  const pusher = new Pusher(registry.url, pki.ca.certPem, () => basic);

  const app = buildImage({ os: "linux", architecture: "amd64" });
  await pusher.pushImage("team/app", app, ["v1", "v1.0"]);

  const amd64 = buildImage({ os: "linux", architecture: "amd64" });
  const arm64 = buildImage({ os: "linux", architecture: "arm64", variant: "v8" }, "oci", 1);
  const index = buildIndex([amd64, arm64]);
  await pusher.pushIndex("team/multi", [amd64, arm64], index, "v2");

  const dockerAmd64 = buildImage({ os: "linux", architecture: "amd64" }, "docker");
  const dockerArm = buildImage({ os: "linux", architecture: "arm", variant: "v7" }, "docker", 1);
  const dockerList = buildIndex([dockerAmd64, dockerArm], "docker");
  await pusher.pushIndex("team/docker", [dockerAmd64, dockerArm], dockerList, "list");
  await pusher.pushManifest("team/docker", "single", dockerAmd64.manifest);

  await pusher.pushImage(
    "team/many",
    buildImage({ os: "linux", architecture: "amd64" }),
    MANY_TAGS,
  );

  return {
    pki,
    registry,
    app,
    amd64,
    arm64,
    index,
    dockerAmd64,
    dockerArm,
    dockerList,
    ref: (path, host = registry.host) => parseImageReference(`${host}/${path}`),
    stop: () => registry.stop(),
  };
}
