/**
 * Builds the final stage of a Dockerfile into an OCI image without a container runtime, by
 * interpreting it with Customs' own Dockerfile reader (src/core/dockerfile).
 *
 * What runs where (docs/images.md): the final stage's FROM is replaced by a base image built
 * here; earlier stages are not executed — the caller hands over, for each stage a COPY
 * --from names, host folders standing for paths of that stage's filesystem (the result of
 * its RUN steps, done on the host). The final stage may only hold instructions that need no
 * container: COPY, ENV, ARG, WORKDIR, USER, LABEL, EXPOSE, VOLUME, ENTRYPOINT, CMD,
 * STOPSIGNAL. Anything else is refused with IMAGE_BUILD_DOCKERFILE_UNSUPPORTED rather than
 * silently skipped, so the image never differs quietly from what the Dockerfile says.
 */
import { statSync } from "node:fs";
import { isAbsolute, join, posix, relative, resolve } from "node:path";
import type { EscapeChar } from "../../src/core/dockerfile/index.js";
import {
  execForm,
  expandVariables,
  type Instruction,
  keyValues,
  leadingFlags,
  readDockerfile,
  splitWords,
  unquote,
} from "../../src/core/dockerfile/index.js";
import { CustomsError } from "../../src/core/errors.js";
import { copyEntries, missingParents, type Owner } from "./files.js";
import {
  type HistoryEntry,
  type Image,
  isoTime,
  type Layer,
  type LayerCache,
  makeLayer,
  type RunConfig,
} from "./oci.js";
import type { TarEntry } from "./tar.js";

/** A host folder standing for `at` (absolute) in an earlier stage's filesystem. */
export interface Mount {
  readonly at: string;
  readonly dir: string;
}

export interface BaseImage {
  readonly image: Image;
  /** Folders the base holds (tar paths), so COPY does not re-create (and re-own) them. */
  readonly dirs: ReadonlySet<string>;
}

export interface DockerfileBuild {
  readonly text: string;
  /** For messages: `deploy/Dockerfile:12: …`. */
  readonly file: string;
  /** The build context: where COPY without --from reads. */
  readonly context: string;
  /** Stands for the final stage's FROM image. */
  readonly base: BaseImage;
  readonly stages: Readonly<Record<string, readonly Mount[]>>;
  readonly epoch: number;
  readonly cache?: LayerCache;
}

export interface BuildResult {
  readonly image: Image;
  /** The final stage's FROM as written (what the base stood for). */
  readonly from: string;
}

const SUPPORTED = new Set([
  "COPY",
  "ENV",
  "ARG",
  "WORKDIR",
  "USER",
  "LABEL",
  "EXPOSE",
  "VOLUME",
  "ENTRYPOINT",
  "CMD",
  "STOPSIGNAL",
]);
const COPY_FLAGS = new Set(["from", "chown", "chmod", "link"]);

interface State {
  config: RunConfig;
  env: Map<string, string | undefined>;
  cmdSet: boolean;
  layers: Layer[];
  history: HistoryEntry[];
  dirs: Set<string>;
}

function fail(file: string, at: Instruction, message: string): never {
  throw new CustomsError(
    "IMAGE_BUILD_DOCKERFILE_UNSUPPORTED",
    `${file}:${at.line}: ${at.keyword} ${message}`,
  );
}

function expand(
  file: string,
  at: Instruction,
  text: string,
  state: State,
  esc: EscapeChar,
): string {
  const result = expandVariables(text, state.env, esc);
  if (result.missing.length > 0)
    fail(file, at, `uses ${result.missing.join(", ")}, which has no value`);
  return unquote(result.value, esc);
}

function parseOwner(file: string, at: Instruction, text: string | undefined): Owner {
  if (text === undefined) return { uid: 0, gid: 0 };
  // Names would need the base's /etc/passwd and /etc/group; numeric ids say the same thing.
  const m = /^(\d+)(?::(\d+))?$/.exec(text);
  if (m === null) fail(file, at, `--chown=${text}: only numeric UID[:GID] is supported`);
  const uid = Number(m[1]);
  return { uid, gid: m[2] === undefined ? uid : Number(m[2]) };
}

function parseMode(file: string, at: Instruction, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-7]{3,4}$/.test(text)) fail(file, at, `--chmod=${text}: only octal modes are supported`);
  return Number.parseInt(text, 8);
}

/** Where a COPY source lives on the host: in the context, or in a mount of an earlier stage. */
function sourceOnHost(
  b: DockerfileBuild,
  at: Instruction,
  from: string | undefined,
  source: string,
): string {
  if (/[*?[]/.test(source)) fail(b.file, at, `${source}: wildcards are not supported`);
  if (from === undefined) {
    return resolve(b.context, `.${posix.resolve("/", source)}`);
  }
  const mounts = b.stages[from.toLowerCase()];
  if (mounts === undefined) {
    throw new CustomsError(
      "IMAGE_BUILD_STAGE_MISSING",
      `${b.file}:${at.line}: COPY --from=${from}: no prepared folder stands for stage "${from}" (it is not run here)`,
    );
  }
  const path = posix.resolve("/", source);
  // The longest mount containing the path wins: `/src/node_modules` before `/src`.
  const mount = [...mounts]
    .sort((x, y) => y.at.length - x.at.length)
    .find((m) => path === m.at || path.startsWith(`${m.at.replace(/\/$/, "")}/`));
  if (mount === undefined) {
    throw new CustomsError(
      "IMAGE_BUILD_STAGE_MISSING",
      `${b.file}:${at.line}: COPY --from=${from} ${source}: no prepared folder holds this path of stage "${from}"`,
    );
  }
  const rest = posix.relative(mount.at, path);
  const host = join(mount.dir, rest);
  if (relative(mount.dir, host).startsWith("..") || isAbsolute(relative(mount.dir, host))) {
    fail(b.file, at, `${source} leaves the stage's folder`);
  }
  return host;
}

function copy(b: DockerfileBuild, at: Instruction, state: State, esc: EscapeChar): void {
  if (at.heredocs.length > 0) fail(b.file, at, "with here-documents is not supported");
  const { flags, rest } = leadingFlags(splitWords(at.args, esc));
  for (const name of flags.keys()) {
    if (!COPY_FLAGS.has(name)) fail(b.file, at, `--${name} is not supported`);
  }
  const json = execForm(at.args.slice(rest[0]?.index ?? at.args.length));
  const words = (json ?? rest.map((w) => w.text)).map((w) =>
    json ? w : expand(b.file, at, w, state, esc),
  );
  if (words.length < 2) fail(b.file, at, "needs a source and a destination");
  const destWritten = words[words.length - 1] as string;
  const sources = words.slice(0, -1);
  const workdir = state.config.WorkingDir ?? "/";
  const dest = posix.resolve(workdir, destWritten);
  const intoFolder = destWritten.endsWith("/") || destWritten === "." || sources.length > 1;
  const owner = parseOwner(b.file, at, flags.get("chown"));
  const mode = parseMode(b.file, at, flags.get("chmod"));
  const from = flags.get("from");
  const located = sources.map((source) => ({ source, host: sourceOnHost(b, at, from, source) }));
  const entries: TarEntry[] = [];
  for (const { host, source } of located) {
    const isDir = isFolder(host);
    // A file copied into a folder keeps its name; a folder's contents go into the destination.
    const target =
      intoFolder && !isDir ? posix.join(dest, posix.basename(posix.resolve("/", source))) : dest;
    const added = [
      ...missingParents(target, state.dirs),
      ...copyEntries(host, target, { owner, mode }),
    ];
    for (const e of added) if (e.type === "dir") state.dirs.add(e.path);
    entries.push(...added);
  }
  addLayer(state, makeLayer(entries, b.epoch, b.cache), `COPY ${at.args.trim()}`, b.epoch);
}

function isFolder(host: string): boolean {
  try {
    return statSync(host).isDirectory();
  } catch {
    throw new CustomsError("IMAGE_BUILD_SOURCE_MISSING", `${host}: no such file or folder`);
  }
}

function addLayer(state: State, layer: Layer, createdBy: string, epoch: number): void {
  state.layers.push(layer);
  state.history.push({
    created: isoTime(epoch),
    created_by: createdBy,
    comment: "customs image builder",
  });
}

function note(state: State, createdBy: string, epoch: number): void {
  state.history.push({ created: isoTime(epoch), created_by: createdBy, empty_layer: true });
}

function commandOf(args: string): string[] {
  // The shell form runs under /bin/sh -c, as Docker does.
  return execForm(args) ?? ["/bin/sh", "-c", args.trim()];
}

function envList(env: ReadonlyMap<string, string | undefined>, keys: readonly string[]): string[] {
  return keys.flatMap((k) => (env.get(k) === undefined ? [] : [`${k}=${env.get(k)}`]));
}

function apply(
  b: DockerfileBuild,
  at: Instruction,
  state: State,
  esc: EscapeChar,
  envKeys: string[],
  globalArgs: ReadonlyMap<string, string | undefined>,
): void {
  const c = state.config;
  switch (at.keyword) {
    case "COPY":
      copy(b, at, state, esc);
      return;
    case "ENV":
      for (const { key, value } of keyValues(at, esc)) {
        if (value === undefined) fail(b.file, at, `${key} has no value`);
        const expanded = expandVariables(value, state.env, esc).value;
        state.env.set(key, expanded);
        if (!envKeys.includes(key)) envKeys.push(key);
      }
      c.Env = envList(state.env, envKeys);
      break;
    case "ARG":
      for (const { key, value } of keyValues(at, esc)) {
        // A variable for the lines after it (no --build-arg here): its default, else the
        // global ARG's; an ENV of the same name wins, as in BuildKit.
        if (!envKeys.includes(key)) state.env.set(key, value ?? globalArgs.get(key));
      }
      break;
    case "WORKDIR": {
      const dir = posix.resolve(
        c.WorkingDir ?? "/",
        expand(b.file, at, at.args.trim(), state, esc),
      );
      c.WorkingDir = dir;
      // BuildKit creates a missing working directory (root-owned) in its own layer.
      const entries = missingParents(`${dir}/x`, state.dirs);
      if (entries.length > 0) {
        for (const e of entries) state.dirs.add(e.path);
        addLayer(state, makeLayer(entries, b.epoch), `WORKDIR ${dir}`, b.epoch);
        return;
      }
      break;
    }
    case "USER":
      c.User = expand(b.file, at, at.args.trim(), state, esc);
      break;
    case "LABEL":
      c.Labels = { ...c.Labels };
      for (const { key, value } of keyValues(at, esc)) {
        c.Labels[key] = expandVariables(value ?? "", state.env, esc).value;
      }
      break;
    case "EXPOSE":
      c.ExposedPorts = { ...c.ExposedPorts };
      for (const w of splitWords(at.args, esc)) {
        const port = expand(b.file, at, w.text, state, esc);
        if (!/^\d+(\/(tcp|udp|sctp))?$/.test(port))
          fail(b.file, at, `${port} is not PORT[/PROTOCOL]`);
        c.ExposedPorts[port.includes("/") ? port : `${port}/tcp`] = {};
      }
      break;
    case "VOLUME":
      c.Volumes = { ...c.Volumes };
      for (const v of execForm(at.args) ??
        splitWords(at.args, esc).map((w) => unquote(w.text, esc))) {
        c.Volumes[v] = {};
      }
      break;
    case "ENTRYPOINT":
      c.Entrypoint = commandOf(at.args);
      // Docker drops a CMD inherited from the base when the stage sets ENTRYPOINT.
      if (!state.cmdSet) delete c.Cmd;
      break;
    case "CMD":
      c.Cmd = commandOf(at.args);
      state.cmdSet = true;
      break;
    case "STOPSIGNAL":
      c.StopSignal = expand(b.file, at, at.args.trim(), state, esc);
      break;
  }
  note(state, `${at.keyword} ${at.args.trim()}`, b.epoch);
}

/** Builds the final stage of `b.text` on `b.base`. */
export function buildDockerfile(b: DockerfileBuild): BuildResult {
  const parsed = readDockerfile(b.text);
  if (parsed.problems.length > 0) {
    const first = parsed.problems[0];
    throw new CustomsError(
      "IMAGE_BUILD_DOCKERFILE_INVALID",
      `${b.file}:${first?.line}: ${first?.message}`,
    );
  }
  const final = parsed.stages[parsed.stages.length - 1];
  if (final === undefined)
    throw new CustomsError("IMAGE_BUILD_DOCKERFILE_INVALID", `${b.file}: no FROM`);
  if (final.base.kind !== "image" && final.base.kind !== "scratch") {
    fail(b.file, final.from, `${final.base.written}: the final stage must start from an image`);
  }
  const esc = parsed.syntax.escape;
  const baseConfig = structuredClone(b.base.image.config);
  const env = new Map<string, string | undefined>();
  const envKeys: string[] = [];
  for (const item of baseConfig.Env ?? []) {
    const eq = item.indexOf("=");
    env.set(item.slice(0, eq), item.slice(eq + 1));
    envKeys.push(item.slice(0, eq));
  }
  const state: State = {
    config: baseConfig,
    env,
    cmdSet: false,
    layers: [...b.base.image.layers],
    history: [...b.base.image.history],
    dirs: new Set(b.base.dirs),
  };
  for (const at of final.instructions) {
    if (!SUPPORTED.has(at.keyword)) {
      fail(b.file, at, "cannot be done without running a container; move it to an earlier stage");
    }
    apply(b, at, state, esc, envKeys, parsed.globalArgs);
  }
  return {
    image: { layers: state.layers, config: state.config, history: state.history },
    from: final.base.value,
  };
}
