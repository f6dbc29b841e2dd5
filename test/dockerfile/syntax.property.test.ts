// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfiles use ${VAR} substitution
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  evaluateDockerfile,
  expandVariables,
  parseDockerfile,
  readDockerfile,
  scanDockerfile,
  splitCommands,
} from "../../src/core/dockerfile/index.js";
import { isCustomsError } from "../../src/core/errors.js";

/** Dockerfile-ish text: keywords, escapes, quotes, heredoc markers, variables, newlines. */
const piece = fc.constantFrom(
  "FROM ",
  "RUN ",
  "ARG ",
  "ENV ",
  "COPY ",
  "ADD ",
  "USER ",
  "CMD ",
  "# ",
  "# escape=`\n",
  "\\\n",
  "`\n",
  "\n",
  "<<EOF",
  "<<-'E'",
  "EOF\n",
  "\t",
  " ",
  '"',
  "'",
  "${A:-x}",
  "$B",
  "alpine:3",
  "@sha256:",
  " AS b",
  "--platform=x ",
  "apt-get install ",
  "| sh",
  "&&",
  "=",
  "\r\n",
);
const dockerish = fc
  .array(fc.oneof(piece, fc.string({ maxLength: 4 })), { maxLength: 40 })
  .map((p) => p.join(""));

/** A word without blanks, escapes, quotes or `$` (arguments that stay as they are). */
const plain = fc.stringMatching(/^[a-z0-9./:=_-]{1,8}$/);

describe("the Dockerfile reader never crashes", () => {
  it("reads and lints arbitrary text without throwing; parse throws only CustomsError", () => {
    fc.assert(
      fc.property(fc.oneof(dockerish, fc.string()), (text) => {
        const file = readDockerfile(text);
        evaluateDockerfile(file, "f");
        for (const i of file.syntax.instructions) {
          expect(i.offsets).toHaveLength(i.args.length + 1);
        }
        try {
          parseDockerfile(text, "f");
        } catch (e) {
          expect(isCustomsError(e)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("maps every argument character back to the same character of the file", () => {
    fc.assert(
      fc.property(dockerish, (text) => {
        for (const i of scanDockerfile(text).instructions) {
          for (let k = 0; k < i.args.length; k++)
            expect(text[i.offsets[k] as number]).toBe(i.args[k]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("splitting arguments over continuation lines does not change them", () => {
    fc.assert(
      fc.property(
        fc.array(plain, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        (words, backtick) => {
          const esc = backtick ? "`" : "\\";
          const head = backtick ? "# escape=`\n" : "";
          const oneLine = scanDockerfile(`${head}FROM a\nRUN ${words.join(" ")}\n`);
          const split = scanDockerfile(
            `${head}FROM a\nRUN ${words.join(` ${esc}\n  # note\n `)}\n`,
          );
          const norm = (s: string | undefined) => s?.replace(/\s+/g, " ");
          expect(norm(split.instructions[1]?.args)).toBe(norm(oneLine.instructions[1]?.args));
          expect(split.instructions).toHaveLength(2);
        },
      ),
    );
  });

  it("a here-document body comes back line for line, and the next instruction follows it", () => {
    const bodyLine = fc
      .string({ maxLength: 12 })
      .filter((l) => !l.includes("\n") && !l.includes("\r") && l !== "EOF");
    fc.assert(
      fc.property(fc.array(bodyLine, { maxLength: 6 }), (body) => {
        const text = `FROM a\nRUN <<EOF\n${body.map((l) => `${l}\n`).join("")}EOF\nUSER app\n`;
        const s = scanDockerfile(text);
        expect(s.problems).toEqual([]);
        expect(s.instructions[1]?.heredocs[0]?.body).toBe(body.map((l) => `${l}\n`).join(""));
        expect(s.instructions[2]).toMatchObject({ keyword: "USER", line: body.length + 4 });
      }),
    );
  });

  it("variable expansion never throws and leaves text without $ alone", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.dictionary(fc.stringMatching(/^[A-Z]{1,3}$/), fc.string()),
        (text, vars) => {
          const r = expandVariables(text, new Map(Object.entries(vars)));
          if (!text.includes("$")) expect(r.value).toBe(text);
        },
      ),
    );
  });

  it("shell splitting never throws and keeps plain words", () => {
    fc.assert(
      fc.property(fc.string(), (script) => {
        splitCommands(script);
      }),
    );
    fc.assert(
      fc.property(fc.array(plain, { minLength: 1, maxLength: 6 }), (words) => {
        expect(splitCommands(words.join(" "))).toEqual([{ words, joinedBy: "" }]);
      }),
    );
  });
});
