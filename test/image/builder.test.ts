import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type BaseImage,
  buildDockerfile,
  type Mount,
} from "../../scripts/image/dockerfile-build.js";
import { makeLayer, serializeImage } from "../../scripts/image/oci.js";
import { imageConfig, listLayers } from "./support.js";

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), "customs-image-builder-"));
  const stage = join(dir, "stage");
  mkdirSync(join(stage, "out/deep/er"), { recursive: true });
  writeFileSync(join(stage, "out/run.js"), "console.log(1)\n", { mode: 0o755 });
  // Longer than ustar's 100-byte name field: needs a PAX header.
  const long = `${"x".repeat(120)}.txt`;
  writeFileSync(join(stage, "out/deep/er", long), "long\n", { mode: 0o600 });
  symlinkSync("run.js", join(stage, "out/link.js"));
  const context = join(dir, "context");
  mkdirSync(context);
  writeFileSync(join(context, "app.conf"), "a=1\n", { mode: 0o644 });
  return { stage, context, long };
}

const base: BaseImage = {
  image: {
    layers: [makeLayer([{ type: "dir", path: "home", mode: 0o755, uid: 0, gid: 0 }], 0)],
    config: { Env: ["PATH=/usr/bin:/bin"], Cmd: ["base-cmd"], User: "0" },
    history: [],
  },
  dirs: new Set(["home"]),
};

const DOCKERFILE = `FROM example.com/builder:1@sha256:${"a".repeat(64)} AS build
RUN make
FROM example.com/base:1@sha256:${"b".repeat(64)}
ARG ROOT=/srv
WORKDIR \${ROOT}/app
ENV MODE=prod GREETING="hello world"
LABEL org.example.name="demo app"
COPY --from=build --chown=1000:2000 /src/out ./out
COPY app.conf /etc/app/
USER 65532:65532
EXPOSE 8443 53/udp
ENTRYPOINT ["/bin/app", "--mode=\${MODE}"]
`;

function build(text = DOCKERFILE, stages: Record<string, Mount[]> | undefined = undefined) {
  const f = fixture();
  const result = buildDockerfile({
    text,
    file: "Dockerfile",
    context: f.context,
    base,
    stages: stages ?? { build: [{ at: "/src", dir: f.stage }] },
    epoch: 0,
  });
  return { ...f, result, image: serializeImage(result.image, 0) };
}

describe("buildDockerfile", () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Docker does not expand the exec form
  const notExpanded = "--mode=${MODE}";
  it("sets the run config the final stage describes, on top of the base's", () => {
    const { image } = build();
    const { config } = imageConfig(image);
    expect(config).toEqual({
      Env: ["PATH=/usr/bin:/bin", "MODE=prod", "GREETING=hello world"],
      User: "65532:65532",
      WorkingDir: "/srv/app",
      Labels: { "org.example.name": "demo app" },
      ExposedPorts: { "8443/tcp": {}, "53/udp": {} },
      // The exec form is not expanded (as in Docker), and ENTRYPOINT drops the base's CMD.
      Entrypoint: ["/bin/app", notExpanded],
    });
  });

  it("copies with --chown owners, the source modes, links kept, and long names intact", () => {
    const { image, long } = build();
    // The base layer, WORKDIR's folder, and one layer per COPY.
    expect(image.layers).toHaveLength(4);
    const files = listLayers(image.layers);
    expect(files.get("srv")).toMatchObject({ kind: "dir", uid: 0, gid: 0, mode: 0o755 });
    expect(files.get("srv/app/out/run.js")).toMatchObject({
      kind: "file",
      uid: 1000,
      gid: 2000,
      mode: 0o755,
    });
    expect(files.get(`srv/app/out/deep/er/${long}`)).toMatchObject({
      kind: "file",
      uid: 1000,
      gid: 2000,
      mode: 0o600,
    });
    expect(files.get("srv/app/out/link.js")).toMatchObject({ kind: "symlink", target: "run.js" });
    expect(files.get("etc/app/app.conf")).toMatchObject({
      kind: "file",
      uid: 0,
      gid: 0,
      mode: 0o644,
    });
    // /etc/app did not exist: made root-owned, as BuildKit does; /home was not touched.
    expect(files.get("etc/app")).toMatchObject({ kind: "dir", uid: 0, mode: 0o755 });
    expect([...files.keys()].filter((p) => p === "home")).toHaveLength(1);
  });

  it("gives the same digest for the same files (deterministic layers and config)", () => {
    expect(build().image.manifest.digest).toBe(build().image.manifest.digest);
  });

  it.each([
    [
      "RUN in the final stage",
      `FROM a@sha256:${"c".repeat(64)}\nRUN echo hi\n`,
      "IMAGE_BUILD_DOCKERFILE_UNSUPPORTED",
      /Dockerfile:2: RUN cannot be done without running a container/,
    ],
    [
      "ADD",
      `FROM a@sha256:${"c".repeat(64)}\nADD x /x\n`,
      "IMAGE_BUILD_DOCKERFILE_UNSUPPORTED",
      /ADD/,
    ],
    [
      "a wildcard",
      `FROM a@sha256:${"c".repeat(64)}\nCOPY *.conf /etc/\n`,
      "IMAGE_BUILD_DOCKERFILE_UNSUPPORTED",
      /wildcards/,
    ],
    [
      "a --chown by name",
      `FROM a@sha256:${"c".repeat(64)}\nCOPY --chown=app app.conf /x\n`,
      "IMAGE_BUILD_DOCKERFILE_UNSUPPORTED",
      /numeric/,
    ],
    [
      "a stage with no folder",
      `FROM a@sha256:${"c".repeat(64)}\nCOPY --from=other /x /x\n`,
      "IMAGE_BUILD_STAGE_MISSING",
      /stage "other"/,
    ],
    [
      "a path outside the stage's folders",
      `FROM a@sha256:${"c".repeat(64)}\nCOPY --from=build /etc/passwd /x\n`,
      "IMAGE_BUILD_STAGE_MISSING",
      /no prepared folder holds/,
    ],
    [
      "a missing source",
      `FROM a@sha256:${"c".repeat(64)}\nCOPY nothere /x\n`,
      "IMAGE_BUILD_SOURCE_MISSING",
      /nothere/,
    ],
    ["a syntax problem", "COPY x /x\n", "IMAGE_BUILD_DOCKERFILE_INVALID", /Dockerfile:1:/],
  ])("refuses %s with a code and the line", (_, text, code, message) => {
    expect(() => build(text)).toThrow(
      expect.objectContaining({ code, message: expect.stringMatching(message) }),
    );
  });
});
