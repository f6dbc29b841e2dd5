import { parseNormalized } from "../reference/index.js";
import { expandVariables } from "./substitute.js";
import {
  type DockerfileSyntax,
  type Instruction,
  positionOf,
  type SyntaxProblem,
  scanDockerfile,
} from "./syntax.js";
import { keyValues, leadingFlags, splitWords, type Word } from "./words.js";

/**
 * What a FROM names: an image from a registry, an earlier stage of the same file, the empty
 * `scratch`, or something that depends on a build argument without a default.
 */
export type BaseKind = "image" | "stage" | "scratch" | "unresolved" | "invalid";

export interface BaseImage {
  readonly kind: BaseKind;
  /** The image word as written (`${BASE}`, `alpine:3.19`). */
  readonly written: string;
  /** After substituting the ARG defaults declared before the first FROM. */
  readonly value: string;
  /** ARGs the written value refers to. */
  readonly args: readonly string[];
  /** ARGs with no default that the value needed (kind `unresolved`). */
  readonly missing: readonly string[];
  /** Why the value is not a reference (kind `invalid`). */
  readonly problem?: string;
  /** 1-based position of the image word. */
  readonly line: number;
  readonly column: number;
  /**
   * File offsets of the image word, when it sits on one line as written (what pinning
   * rewrites); undefined when a line continuation splits it.
   */
  readonly span?: { readonly start: number; readonly end: number };
  readonly platform?: string;
}

export interface Stage {
  readonly index: number;
  /** Lower-case, as BuildKit compares stage names. */
  readonly name?: string;
  readonly from: Instruction;
  readonly base: BaseImage;
  /** The stage's instructions after FROM. */
  readonly instructions: readonly Instruction[];
}

export interface Dockerfile {
  readonly syntax: DockerfileSyntax;
  /** ARGs declared before the first FROM, with their defaults. */
  readonly globalArgs: ReadonlyMap<string, string | undefined>;
  readonly stages: readonly Stage[];
  readonly problems: readonly SyntaxProblem[];
}

/**
 * Works out what a FROM names. Only ARGs declared before the first FROM are in scope, as in
 * BuildKit; the platform ARGs BuildKit defines itself (TARGETARCH, …) depend on the build,
 * so a FROM that uses one without a declared default is `unresolved`.
 */
function resolveBase(
  syntax: DockerfileSyntax,
  from: Instruction,
  word: Word | undefined,
  args: ReadonlyMap<string, string | undefined>,
  stageNames: readonly string[],
  platform: string | undefined,
): BaseImage {
  const written = word?.text ?? "";
  const startIndex = word?.index ?? from.args.length;
  const start = from.offsets[startIndex] ?? 0;
  const end = from.offsets[startIndex + written.length] ?? start;
  const at = positionOf(syntax, start);
  const base = {
    written,
    line: at.line,
    column: at.column,
    platform,
    span: end - start === written.length ? { start, end } : undefined,
  };
  const expanded = expandVariables(written, args, syntax.escape);
  const common = { ...base, value: expanded.value, args: expanded.used, missing: expanded.missing };
  if (expanded.missing.length > 0) return { kind: "unresolved", ...common };
  const value = expanded.value;
  if (stageNames.includes(value.toLowerCase())) return { kind: "stage", ...common };
  if (value === "scratch") return { kind: "scratch", ...common };
  const parsed = parseNormalized(value);
  if (!parsed.ok) return { kind: "invalid", ...common, problem: parsed.message };
  return { kind: "image", ...common };
}

function readFrom(
  file: DockerfileSyntax,
  from: Instruction,
  args: ReadonlyMap<string, string | undefined>,
  names: readonly string[],
  problems: SyntaxProblem[],
): { base: BaseImage; name?: string } {
  const { flags, rest } = leadingFlags(splitWords(from.args, file.escape));
  const [image, as, name, ...extra] = rest;
  const ok =
    image !== undefined &&
    (as === undefined || (as.text.toLowerCase() === "as" && name !== undefined)) &&
    extra.length === 0;
  if (!ok) {
    problems.push({ line: from.line, message: "FROM takes an image and optionally AS name" });
  }
  const stageName = name?.text.toLowerCase();
  const base = resolveBase(file, from, image, args, names, flags.get("platform"));
  return { base, name: stageName };
}

/** Reads a Dockerfile into stages. Never throws; problems are listed with their line. */
export function readDockerfile(text: string): Dockerfile {
  const syntax = scanDockerfile(text);
  const problems = [...syntax.problems];
  const globalArgs = new Map<string, string | undefined>();
  const stages: Stage[] = [];
  let current: { from: Instruction; base: BaseImage; name?: string; body: Instruction[] } | null =
    null;
  const finish = () => {
    if (current === null) return;
    stages.push({
      index: stages.length,
      name: current.name,
      from: current.from,
      base: current.base,
      instructions: current.body,
    });
  };
  for (const instruction of syntax.instructions) {
    if (instruction.keyword === "FROM") {
      finish();
      const names = stages.flatMap((s) => (s.name === undefined ? [] : [s.name]));
      const read = readFrom(syntax, instruction, globalArgs, names, problems);
      current = { from: instruction, base: read.base, name: read.name, body: [] };
    } else if (current !== null) {
      current.body.push(instruction);
    } else if (instruction.keyword === "ARG") {
      for (const { key, value } of keyValues(instruction, syntax.escape)) {
        globalArgs.set(key, value);
      }
    } else {
      problems.push({
        line: instruction.line,
        message: `${instruction.keyword} before the first FROM (only ARG may come before it)`,
      });
    }
  }
  finish();
  if (stages.length === 0 && problems.length === 0) {
    problems.push({ line: 1, message: "no FROM instruction" });
  }
  return { syntax, globalArgs, stages, problems };
}
