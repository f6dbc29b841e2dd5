import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type DigestResolver,
  pinTexts,
  scanForPinning,
  toPinnedImage,
  unifiedDiff,
  unpinnedEntries,
} from "../src/app/pin/pin.js";
import { toNormalizedString } from "../src/core/reference/index.js";
import { customsInProcess } from "./support/cli.js";

const digestOf = (name: string) => `sha256:${createHash("sha256").update(name).digest("hex")}`;

/** A resolver from the normalized reference to a made-up digest; records each call. */
function fakeResolver(): { resolve: DigestResolver; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    resolve: async (ref) => {
      const name = toNormalizedString(ref);
      calls.push(name);
      return digestOf(name);
    },
  };
}

async function pin(text: string, source = "m.yaml") {
  const { resolve, calls } = fakeResolver();
  const result = await pinTexts([{ source, text }], resolve);
  return { ...result, after: result.files[0]?.after ?? "", calls };
}

const NGINX = digestOf("docker.io/library/nginx:1.25");
const BUSY = digestOf("docker.io/library/busybox:1.36");

describe("pin rewrites only the image scalars", () => {
  it("keeps comments, quoting styles and layout byte for byte", async () => {
    const text = [
      "# top comment",
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata: {name: web}   # flow map",
      "spec:",
      "  template:",
      "    spec:",
      "      containers:",
      "        - name: a",
      "          image: nginx:1.25   # the web server",
      "        - name: b",
      '          image: "busybox:1.36"',
      "        - {name: c, image: 'nginx:1.25'}",
      "      initContainers:",
      "      - name: init",
      "        image:   busybox:1.36",
      "",
    ].join("\n");
    const { after, calls } = await pin(text);
    expect(after).toBe(
      [
        "# top comment",
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata: {name: web}   # flow map",
        "spec:",
        "  template:",
        "    spec:",
        "      containers:",
        "        - name: a",
        `          image: nginx:1.25@${NGINX}   # the web server`,
        "        - name: b",
        `          image: "busybox:1.36@${BUSY}"`,
        `        - {name: c, image: 'nginx:1.25@${NGINX}'}`,
        "      initContainers:",
        "      - name: init",
        `        image:   busybox:1.36@${BUSY}`,
        "",
      ].join("\n"),
    );
    // Each distinct image once, whatever its spelling elsewhere.
    expect(calls.sort()).toEqual([
      "docker.io/library/busybox:1.36",
      "docker.io/library/nginx:1.25",
    ]);
  });

  it("handles multi-document streams, Lists, CronJobs and ephemeral containers", async () => {
    const text = `---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data: {image: "nginx:1.25"}  # not a workload: untouched
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      containers: [{name: a, image: registry.example.com/team/app:v1}]
      ephemeralContainers:
        - name: debug
          image: docker.io/library/busybox:1.36
---
# a comment-only document
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: job}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: j
              image: ghcr.io/org/tool   # no tag
`;
    const { after } = await pin(text);
    const app = digestOf("registry.example.com/team/app:v1");
    const tool = digestOf("ghcr.io/org/tool");
    expect(after).toBe(
      text
        .replace("team/app:v1}", `team/app:v1@${app}}`)
        .replace("busybox:1.36\n", `busybox:1.36@${BUSY}\n`)
        .replace("org/tool   #", `org/tool:latest@${tool}   #`),
    );
    expect(after).toContain('data: {image: "nginx:1.25"}');
  });

  it("rewrites JSON manifests at the exact string token", async () => {
    const text = `{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "p", "labels": {"image": "nginx:1.25"}},
  "spec": {
\t"containers": [
\t  {"name": "a", "image": "nginx:1.25"},
\t  {"name": "b", "image": "busybox:1.36@${BUSY}"}
\t]
  }
}
`;
    const { after } = await pin(text, "pod.json");
    expect(after).toBe(
      text.replace('"a", "image": "nginx:1.25"}', `"a", "image": "nginx:1.25@${NGINX}"}`),
    );
    expect(JSON.parse(after).spec.containers[0].image).toBe(`nginx:1.25@${NGINX}`);
    expect(JSON.parse(after).metadata.labels.image).toBe("nginx:1.25");
  });

  it("is idempotent: pinning a pinned file changes nothing and asks no registry", async () => {
    const text = "kind: Pod\nspec:\n  containers:\n  - image: 'nginx:1.25' # x\n";
    const once = await pin(text);
    const twice = await pin(once.after);
    expect(twice.after).toBe(once.after);
    expect(twice.calls).toEqual([]);
    expect(unpinnedEntries(scanForPinning([{ source: "m", text: once.after }]))).toEqual([]);
  });

  it("reports images that do not parse, and leaves them alone", async () => {
    const text =
      "kind: Pod\nspec:\n  containers:\n  - image: Upper/Case:1\n  - image: nginx:1.25\n";
    const { after, scanned } = await pin(text);
    expect(after).toBe(text.replace("nginx:1.25", `nginx:1.25@${NGINX}`));
    const invalid = scanned[0]?.entries.filter((e) => e.status === "invalid");
    expect(invalid).toMatchObject([{ image: "Upper/Case:1", line: 4, source: "m.yaml" }]);
  });

  it("reports block scalars instead of reflowing them", async () => {
    const text = "kind: Pod\nspec:\n  containers:\n  - image: >-\n      nginx:1.25\n";
    const { after, scanned } = await pin(text);
    expect(after).toBe(text);
    expect(scanned[0]?.entries[0]?.status).toBe("unrewritable");
  });

  it("pins an anchored image once, at its anchor", async () => {
    const text = "kind: Pod\nspec:\n  containers:\n  - image: &img nginx:1.25\n  - image: *img\n";
    const { after } = await pin(text);
    expect(after).toBe(text.replace("&img nginx:1.25", `&img nginx:1.25@${NGINX}`));
  });

  it("lists unpinned images with their lines for --check", () => {
    const text = `kind: Pod\nspec:\n  containers:\n  - image: nginx:1.25\n  - image: busybox@${BUSY}\n`;
    const entries = unpinnedEntries(scanForPinning([{ source: "a.yaml", text }]));
    expect(entries.map((e) => [e.source, e.line, e.image, e.status])).toEqual([
      ["a.yaml", 4, "nginx:1.25", "unpinned"],
    ]);
  });

  it("keeps what failed to resolve as it was", async () => {
    const text =
      "kind: Pod\nspec:\n  containers:\n  - image: nginx:1.25\n  - image: busybox:1.36\n";
    const result = await pinTexts([{ source: "m", text }], async (ref) => {
      if (ref.path === "library/nginx") throw new Error("NOT_FOUND");
      return BUSY;
    });
    expect(result.files[0]?.after).toBe(text.replace("busybox:1.36", `busybox:1.36@${BUSY}`));
    expect([...result.resolution.failures.keys()]).toEqual(["docker.io/library/nginx:1.25"]);
  });

  it("keeps CRLF line ends and a merged-in image reported, not rewritten", async () => {
    const crlf = "kind: Pod\r\nspec:\r\n  containers:\r\n  - image: nginx:1.25 # c\r\n";
    expect((await pin(crlf)).after).toBe(crlf.replace("nginx:1.25", `nginx:1.25@${NGINX}`));
    const merged = [
      "base: &base {name: a, image: nginx:1.25}",
      "kind: Pod",
      "spec:",
      "  containers:",
      "  - <<: *base",
      "",
    ].join("\n");
    const { after, scanned } = await pin(merged);
    expect(after).toBe(merged);
    expect(scanned[0]?.entries[0]?.status).toBe("unrewritable");
  });

  it("keeps the familiar form familiar", () => {
    expect(toPinnedImage("nginx:1.25", NGINX)).toBe(`nginx:1.25@${NGINX}`);
    expect(toPinnedImage("nginx", NGINX)).toBe(`nginx:latest@${NGINX}`);
  });
});

describe("unifiedDiff", () => {
  it("prints diff -u hunks with three lines of context", () => {
    const before = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n";
    const after = "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nL\nm\n";
    expect(unifiedDiff(before, after, "a/x.yaml", "b/x.yaml")).toBe(
      [
        "--- a/x.yaml",
        "+++ b/x.yaml",
        "@@ -1,5 +1,5 @@",
        " a",
        "-b",
        "+B",
        " c",
        " d",
        " e",
        "@@ -9,5 +9,5 @@",
        " i",
        " j",
        " k",
        "-l",
        "+L",
        " m",
        "",
      ].join("\n"),
    );
  });

  it("joins changes closer than seven lines into one hunk, and marks a missing newline", () => {
    const before = "1\n2\n3\n4\n5\n6\n7\n8";
    const after = "1\nTWO\n3\n4\n5\n6\n7\nEIGHT";
    expect(unifiedDiff(before, after, "a", "b")).toBe(
      [
        "--- a",
        "+++ b",
        "@@ -1,8 +1,8 @@",
        " 1",
        "-2",
        "+TWO",
        " 3",
        " 4",
        " 5",
        " 6",
        " 7",
        "-8",
        "\\ No newline at end of file",
        "+EIGHT",
        "\\ No newline at end of file",
        "",
      ].join("\n"),
    );
  });

  it("handles insertions, deletions and equal texts", () => {
    expect(unifiedDiff("x\n", "x\n", "a", "b")).toBe("");
    expect(unifiedDiff("", "new\n", "a", "b")).toBe("--- a\n+++ b\n@@ -0,0 +1 @@\n+new\n");
    expect(unifiedDiff("a\nb\n", "a\n", "a", "b")).toBe("--- a\n+++ b\n@@ -1,2 +1 @@\n a\n-b\n");
  });
});

describe("customs pin --check (no registry needed)", () => {
  const run = customsInProcess;

  it("exits 1 on unpinned images (block scalars included), 0 when all are pinned", async () => {
    const dir = mkdtempSync(join(tmpdir(), "customs-pin-check-"));
    try {
      const file = join(dir, "pod.yaml");
      const text =
        "kind: Pod\nspec:\n  containers:\n  - image: nginx:1.25\n  - image: >-\n      busybox:1\n  - image: Bad:Ref\n";
      writeFileSync(file, text);
      const r = await run(["pin", "--check", file]);
      expect(r).toEqual({
        status: 1,
        stdout:
          `${file}:4: nginx:1.25: not pinned to a digest\n` +
          `${file}:5: busybox:1: not pinned to a digest (pin it by hand: written as a BLOCK_FOLDED scalar)\n` +
          "2 unpinned image(s)\n",
        stderr: `${file}:7: "Bad:Ref": not changed: invalid reference format: repository name (library/Bad) must be lowercase\n`,
      });
      expect(readFileSync(file, "utf8")).toBe(text);
      writeFileSync(file, `kind: Pod\nspec:\n  containers:\n  - image: nginx@${NGINX}\n`);
      expect(await run(["pin", "--check", dir])).toMatchObject({ status: 0, stderr: "" });
      expect((await run(["pin", "--check", "--diff", file])).status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
