// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfiles use ${VAR} substitution
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scanDockerfilesForPinning } from "../../src/app/pin/dockerfile.js";
import { type DigestResolver, pinTexts } from "../../src/app/pin/pin.js";
import { toNormalizedString } from "../../src/core/reference/index.js";

/** A registry stand-in that serves one digest per repository: enough to see rewrites. */
const byName: DigestResolver = async (ref) => {
  const hex = Buffer.from(toNormalizedString(ref)).toString("hex").padEnd(64, "0").slice(0, 64);
  return `sha256:${hex}`;
};

async function pin(text: string): Promise<string> {
  const { files } = await pinTexts([{ source: "D", text }], byName, scanDockerfilesForPinning);
  return files[0]?.after ?? "";
}

describe("pinning rewrites only the image words", () => {
  it.each([
    ["CRLF line ends", "FROM alpine:3.19 AS a\r\nRUN true\r\n"],
    ["backtick escape and a continued RUN", "# escape=`\nFROM  alpine:3.19\nRUN echo `\n  x\n"],
    ["lower-case keyword, tabs, --platform", "from\t--platform=linux/arm64\talpine:3.19\tas\tb\n"],
    ["no final newline", "FROM alpine:3.19"],
    ["an image without a tag", "FROM alpine\n"],
  ])("%s", async (_name, text) => {
    const after = await pin(text);
    expect(after).not.toBe(text);
    // Removing what was inserted gives the file back byte for byte.
    expect(after.replace(/(?::latest)?@sha256:[0-9a-f]{64}/g, "")).toBe(text);
    expect(await pin(after)).toBe(after);
  });

  it("leaves stages, scratch, pinned and ARG-built FROMs alone", async () => {
    const text = [
      "ARG BASE=alpine:3.19",
      `FROM alpine@sha256:${"b".repeat(64)} AS one`,
      "FROM one",
      "FROM scratch",
      "FROM ${BASE}",
      "",
    ].join("\n");
    expect(await pin(text)).toBe(text);
    const entries = scanDockerfilesForPinning([{ source: "D", text }])[0]?.entries ?? [];
    expect(entries.map((e) => [e.line, e.status, e.message])).toEqual([
      [2, "pinned", undefined],
      [
        5,
        "unrewritable",
        "cannot pin: built from ARG BASE (pin its default by hand: ARG BASE=alpine:3.19@sha256:…)",
      ],
    ]);
    const partial = "ARG V=3.19\nFROM alpine:${V}\n";
    expect(
      scanDockerfilesForPinning([{ source: "D", text: partial }])[0]?.entries[0]?.message,
    ).toBe(
      "cannot pin: built from ARG V (a digest would override the ARG; write the image out, or make it one ARG with a pinned default)",
    );
  });

  it("any Dockerfile of FROM lines keeps every byte outside the image words", async () => {
    const image = fc.constantFrom("alpine:3.19", "busybox", "registry.example:5000/a/b:v1", "one");
    const line = fc.tuple(
      fc.constantFrom("FROM", "from", "From"),
      fc.constantFrom(" ", "\t", "  "),
      fc.constantFrom("", "--platform=linux/amd64 ", "--platform=$BUILDPLATFORM "),
      image,
      fc.constantFrom("", " AS one", " as two"),
      fc.constantFrom("\n", "\r\n", "\n# comment\n", "\nRUN a \\\n  b\n"),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 6 }), async (lines) => {
        const text = lines.map((parts) => parts.join("")).join("");
        const after = await pin(text);
        expect(after.replace(/(?::latest)?@sha256:[0-9a-f]{64}/g, "")).toBe(text);
      }),
      { numRuns: 100 },
    );
  });
});
