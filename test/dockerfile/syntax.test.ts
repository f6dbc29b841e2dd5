// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfiles use ${VAR} substitution
import { describe, expect, it } from "vitest";
import {
  expandVariables,
  parseDockerfile,
  readDockerfile,
  scanDockerfile,
} from "../../src/core/dockerfile/index.js";
import { isCustomsError } from "../../src/core/errors.js";

const lines = (...l: string[]) => `${l.join("\n")}\n`;

/** keyword, line, endLine and joined arguments of every instruction. */
function shape(text: string) {
  return scanDockerfile(text).instructions.map((i) => [i.keyword, i.line, i.endLine, i.args]);
}

describe("Dockerfile syntax", () => {
  it.each([
    ["one instruction", "FROM alpine\n", [["FROM", 1, 1, "alpine"]]],
    ["lower-case keyword", "from alpine as b\n", [["FROM", 1, 1, "alpine as b"]]],
    ["no final newline", "FROM alpine", [["FROM", 1, 1, "alpine"]]],
    [
      "CRLF",
      "FROM alpine\r\nRUN true\r\n",
      [
        ["FROM", 1, 1, "alpine"],
        ["RUN", 2, 2, "true"],
      ],
    ],
    [
      "continuation",
      lines("FROM a", "RUN apt-get update \\", "  && echo x"),
      [
        ["FROM", 1, 1, "a"],
        ["RUN", 2, 3, "apt-get update   && echo x"],
      ],
    ],
    [
      "continuation with blanks after the escape",
      lines("FROM a", "RUN echo a \\   ", "b"),
      [
        ["FROM", 1, 1, "a"],
        ["RUN", 2, 3, "echo a b"],
      ],
    ],
    [
      "comments and blank lines inside a continuation are dropped",
      lines("FROM a", "RUN echo a \\", "# a comment", "", "  b"),
      [
        ["FROM", 1, 1, "a"],
        ["RUN", 2, 5, "echo a   b"],
      ],
    ],
    [
      "backtick escape",
      lines("# escape=`", "FROM a", "RUN dir c:\\ `", "  && echo x"),
      [
        ["FROM", 2, 2, "a"],
        ["RUN", 3, 4, "dir c:\\   && echo x"],
      ],
    ],
    [
      "backslash is not a continuation with the backtick escape",
      lines("# escape=`", "FROM a", "RUN echo \\", "RUN true"),
      [
        ["FROM", 2, 2, "a"],
        ["RUN", 3, 3, "echo \\"],
        ["RUN", 4, 4, "true"],
      ],
    ],
    [
      "a continuation at the end of the file",
      "FROM a\nRUN echo \\",
      [
        ["FROM", 1, 1, "a"],
        ["RUN", 2, 2, "echo"],
      ],
    ],
    [
      "comments between instructions",
      lines("# hello", "FROM a", "  # indented", "RUN true"),
      [
        ["FROM", 2, 2, "a"],
        ["RUN", 4, 4, "true"],
      ],
    ],
  ])("%s", (_name, text, expected) => {
    expect(shape(text)).toEqual(expected);
  });

  it("reads here-documents: <<EOF, <<-EOF with tabs, quoted names, two in one RUN", () => {
    const text = lines(
      "FROM a",
      "RUN <<EOF",
      "apt-get update",
      "  EOF indented is not the end",
      "EOF",
      "RUN <<-'END' cat > /x",
      "\techo $HOME",
      "\tEND",
      'COPY <<A <<"B" /dir/',
      "one",
      "A",
      "two",
      "B",
      "RUN true",
    );
    const s = scanDockerfile(text);
    expect(s.problems).toEqual([]);
    expect(s.instructions.map((i) => [i.keyword, i.line, i.endLine])).toEqual([
      ["FROM", 1, 1],
      ["RUN", 2, 5],
      ["RUN", 6, 8],
      ["COPY", 9, 13],
      ["RUN", 14, 14],
    ]);
    expect(s.instructions[1]?.heredocs).toEqual([
      {
        name: "EOF",
        body: "apt-get update\n  EOF indented is not the end\n",
        line: 3,
        stripTabs: false,
      },
    ]);
    expect(s.instructions[2]?.heredocs).toEqual([
      { name: "END", body: "echo $HOME\n", line: 7, stripTabs: true },
    ]);
    expect(s.instructions[3]?.heredocs.map((h) => [h.name, h.body, h.line])).toEqual([
      ["A", "one\n", 10],
      ["B", "two\n", 12],
    ]);
  });

  it("does not read here-documents after other instructions, or << inside quotes", () => {
    const s = scanDockerfile(lines("FROM a", "ENV X=<<EOF", 'RUN echo "<<EOF"', "RUN true"));
    expect(s.instructions.map((i) => i.heredocs.length)).toEqual([0, 0, 0, 0]);
    expect(s.instructions).toHaveLength(4);
  });

  it("reads parser directives only at the top", () => {
    const s = scanDockerfile(
      lines("# syntax=docker/dockerfile:1", "#escape = `", "", "# escape=\\", "FROM a"),
    );
    expect(s.directives).toEqual([
      { name: "syntax", value: "docker/dockerfile:1", line: 1 },
      { name: "escape", value: "`", line: 2 },
    ]);
    expect(s.escape).toBe("`");
    // After the blank line, `# escape=\` is an ordinary comment.
    expect(s.comments).toEqual([{ line: 4, text: "escape=\\" }]);
  });

  it("keeps the file offset of every argument character", () => {
    const text = lines("FROM a", "RUN  echo one \\", "   # c", "  two");
    const s = scanDockerfile(text);
    const run = s.instructions[1];
    expect(run?.args).toBe("echo one   two");
    for (let k = 0; k < (run?.args.length ?? 0); k++) {
      expect(text[run?.offsets[k] ?? -1]).toBe(run?.args[k]);
    }
  });

  it.each([
    ["unknown instruction", lines("FROM a", "RUNN true"), 'x:2: unknown instruction "RUNN"'],
    [
      "unclosed here-document",
      lines("FROM a", "RUN <<EOF", "echo"),
      "x:2: here-document <<EOF has no closing",
    ],
    ["instruction before FROM", lines("RUN true", "FROM a"), "x:1: RUN before the first FROM"],
    ["no FROM", lines("ARG X=1"), "x:1: no FROM instruction"],
    ["empty file", "", "x:1: no FROM instruction"],
    ["FROM without image", lines("FROM"), "x:1: FROM takes an image"],
    ["FROM with extra words", lines("FROM a AS b c"), "x:1: FROM takes an image"],
    ["bad escape", lines("# escape=x", "FROM a"), "x:1: escape must be"],
    [
      "directive twice",
      lines("# escape=`", "# escape=`", "FROM a"),
      "x:2: the escape parser directive is given twice",
    ],
  ])("refuses %s with file:line", (_name, text, message) => {
    let error: unknown;
    try {
      parseDockerfile(text, "x");
    } catch (e) {
      error = e;
    }
    expect(isCustomsError(error) && error.code).toBe("DOCKERFILE_INVALID");
    expect((error as Error).message).toContain(message);
  });
});

describe("stages and base images", () => {
  it("names stages, resolves ARG defaults, and knows stages and scratch are not images", () => {
    const text = lines(
      "ARG REGISTRY=registry.example",
      "ARG TAG",
      "ARG DISTRO=debian",
      "FROM --platform=$BUILDPLATFORM ${REGISTRY}/go:1.22 AS Build",
      "FROM ${DISTRO:-ubuntu}:${TAG:-12} AS base",
      "FROM build",
      "FROM scratch",
      "FROM alpine:$TAG",
      "FROM $NOPE",
    );
    const file = readDockerfile(text);
    expect(file.problems).toEqual([]);
    expect(file.stages.map((s) => [s.name, s.base.kind, s.base.value, s.base.missing])).toEqual([
      ["build", "image", "registry.example/go:1.22", []],
      ["base", "image", "debian:12", []],
      [undefined, "stage", "build", []],
      [undefined, "scratch", "scratch", []],
      [undefined, "unresolved", "alpine:", ["TAG"]],
      [undefined, "unresolved", "", ["NOPE"]],
    ]);
    const first = file.stages[0]?.base;
    expect([first?.line, first?.column, first?.platform]).toEqual([4, 32, "$BUILDPLATFORM"]);
    expect(text.slice(first?.span?.start, first?.span?.end)).toBe("${REGISTRY}/go:1.22");
  });

  it("an image word split by a continuation has no span to rewrite", () => {
    const file = readDockerfile(lines("FROM alpine\\", ":3.19"));
    expect(file.stages[0]?.base.value).toBe("alpine:3.19");
    expect(file.stages[0]?.base.span).toBeUndefined();
  });

  it.each([
    ["$A", { A: "x" }, "x", []],
    ["${A}b", { A: "x" }, "xb", []],
    ["${A:-d}", {}, "d", []],
    ["${A:-d}", { A: "" }, "d", []],
    ["${A-d}", { A: "" }, "", []],
    ["${A:+alt}", { A: "x" }, "alt", []],
    ["${A:+alt}", {}, "", []],
    ["${A:-${B}}", { B: "y" }, "y", []],
    ["\\$A", { A: "x" }, "$A", []],
    ["$A", {}, "", ["A"]],
    ["${A#x}", { A: "xy" }, "", ["A"]],
    ["${A", { A: "x" }, "${A", []],
    ["$", {}, "$", []],
  ])("expands %s", (text, vars, value, missing) => {
    const result = expandVariables(text, new Map(Object.entries(vars)));
    expect([result.value, result.missing]).toEqual([value, missing]);
  });
});
