/**
 * `customs dockerfile pin`: each FROM that names a registry image by tag becomes
 * `image:tag@sha256:…`. The digests come from the same resolution as `customs pin`
 * (pin.ts), and so does the rewrite: this file only finds each FROM's image word,
 * so every other byte of the file stays as it was.
 */
import { type BaseImage, parseDockerfile, type Stage } from "../../core/dockerfile/index.js";
import { printable } from "../../core/policy/index.js";
import { parseNormalized, toNormalizedString } from "../../core/reference/index.js";
import {
  type DigestResolver,
  type PinEntry,
  type Resolution,
  resolveUnpinned,
  type ScannedFile,
} from "./pin.js";

/** A FROM's image, as a pin entry, with where its word sits in the file. */
export interface FromEntry extends PinEntry {
  /** A pinned image's normalized reference, digest included: what verification fetches. */
  readonly verify?: string;
}

export interface ScannedDockerfile extends ScannedFile {
  readonly entries: readonly FromEntry[];
}

/**
 * One FROM as pinning sees it. A FROM built from ARGs is never rewritten: the digest belongs
 * to the ARG's default, and writing it into the FROM would silently defeat every
 * `--build-arg` that changes the image. It is reported, to be pinned by hand in the ARG.
 */
function toEntry(source: string, stage: Stage): FromEntry | undefined {
  const base: BaseImage = stage.base;
  if (base.kind === "stage" || base.kind === "scratch") return undefined;
  const common = { source, line: base.line, pointer: "", image: base.written };
  if (base.kind === "unresolved") {
    const args = base.missing.join(", ");
    return { ...common, status: "invalid", message: `built from ARG ${args} with no default` };
  }
  const parsed = parseNormalized(base.value);
  if (!parsed.ok) return { ...common, status: "invalid", message: parsed.message };
  if (parsed.ref.digest !== undefined) {
    return { ...common, status: "pinned", verify: toNormalizedString(parsed.ref) };
  }
  if (base.args.length > 0) {
    const args = base.args.join(", ");
    // `FROM ${BASE}`: the ARG is the whole image, and its default can carry the digest.
    const whole = /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(base.written);
    const how = whole
      ? `pin its default by hand: ARG ${args}=${base.value}@sha256:…`
      : "a digest would override the ARG; write the image out, or make it one ARG with a pinned default";
    const message = `cannot pin: built from ARG ${args} (${how})`;
    return { ...common, status: "unrewritable", message };
  }
  if (base.span === undefined) {
    return { ...common, status: "unrewritable", message: "a line continuation splits the image" };
  }
  // The image word is unquoted text: the edit replaces exactly its characters.
  const edit = { start: base.span.start, end: base.span.end, quote: "" as const };
  return { ...common, status: "unpinned", key: toNormalizedString(parsed.ref), edit };
}

/** The FROMs of each input. Throws DOCKERFILE_INVALID (with file:line) on a broken file. */
export function scanDockerfilesForPinning(
  inputs: readonly { source: string; text: string }[],
): ScannedDockerfile[] {
  return inputs.map(({ source, text }) => {
    const file = parseDockerfile(text, source);
    const entries = file.stages.flatMap((s) => toEntry(source, s) ?? []);
    return { source, text, entries };
  });
}

/**
 * Checks that every pinned FROM's digest is served by its registry (a pin to a digest that
 * was deleted breaks the build): `fetch` gets the manifest by digest, which the registry
 * client verifies against the digest. Failures are collected like resolution failures.
 */
export function verifyPinned(
  files: readonly ScannedDockerfile[],
  fetch: DigestResolver,
): Promise<Resolution> {
  const asKeys = files.map((f) => ({
    ...f,
    entries: f.entries.flatMap((e) => (e.verify === undefined ? [] : [{ ...e, key: e.verify }])),
  }));
  return resolveUnpinned(asKeys, fetch);
}

/** `file:line: image: why`, for what pinning leaves alone. */
export function describeEntry(entry: FromEntry): string {
  return `${entry.source}:${entry.line}: ${printable(entry.image)}: ${printable(entry.message ?? "", 300)}`;
}
