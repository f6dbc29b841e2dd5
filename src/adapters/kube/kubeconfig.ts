/**
 * Kubeconfig files as kubectl reads them (k8s.io/client-go/tools/clientcmd): the v1 `Config`
 * wire format, the merge of several files, the choice of a context. No file is read here:
 * config.ts reads them and the files they name, so the rules below are testable on text.
 *
 * Wire format: https://kubernetes.io/docs/reference/config-api/kubeconfig.v1/
 * Merge rules: https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/#merging-kubeconfig-files
 */
import { isAbsolute, join, resolve, sep } from "node:path";
import { parse } from "yaml";
import { CustomsError } from "../../core/errors.js";

export interface KubeconfigCluster {
  readonly server?: string;
  readonly "tls-server-name"?: string;
  readonly "insecure-skip-tls-verify"?: boolean;
  readonly "certificate-authority"?: string;
  readonly "certificate-authority-data"?: string;
  readonly "proxy-url"?: string;
  readonly "disable-compression"?: boolean;
  readonly extensions?: readonly { name: string; extension?: unknown }[];
}

export interface KubeconfigExec {
  readonly command?: string;
  readonly args?: readonly string[];
  readonly env?: readonly { name: string; value: string }[];
  readonly apiVersion?: string;
  readonly installHint?: string;
  readonly provideClusterInfo?: boolean;
  readonly interactiveMode?: string;
}

export interface KubeconfigUser {
  readonly "client-certificate"?: string;
  readonly "client-certificate-data"?: string;
  readonly "client-key"?: string;
  readonly "client-key-data"?: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly as?: string;
  readonly "as-uid"?: string;
  readonly "as-groups"?: readonly string[];
  readonly "as-user-extra"?: Readonly<Record<string, readonly string[]>>;
  readonly username?: string;
  readonly password?: string;
  readonly "auth-provider"?: { name?: string };
  readonly exec?: KubeconfigExec;
}

export interface KubeconfigContext {
  readonly cluster?: string;
  readonly user?: string;
  readonly namespace?: string;
}

/** One named entry and the file it came from: relative paths in it resolve against that file's folder. */
export interface Origin<T> {
  readonly name: string;
  readonly value: T;
  readonly file: string;
}

export interface Kubeconfig {
  /** The files read, in order; for messages. */
  readonly files: readonly string[];
  readonly currentContext: string | undefined;
  readonly clusters: ReadonlyMap<string, Origin<KubeconfigCluster>>;
  readonly users: ReadonlyMap<string, Origin<KubeconfigUser>>;
  readonly contexts: ReadonlyMap<string, Origin<KubeconfigContext>>;
}

function invalid(file: string, path: string, problem: string): CustomsError {
  return new CustomsError("KUBECONFIG_INVALID", `${file}: ${path}: ${problem}`, path);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Checks the scalar fields kubectl would decode into Go strings and bools (a number is not a string there). */
function checkFields(
  file: string,
  path: string,
  value: unknown,
  strings: readonly string[],
  bools: readonly string[] = [],
): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (!isRecord(value)) throw invalid(file, path, "not a mapping");
  for (const f of strings)
    if (value[f] !== undefined && value[f] !== null && typeof value[f] !== "string")
      throw invalid(file, `${path}.${f}`, "not a string");
  for (const f of bools)
    if (value[f] !== undefined && value[f] !== null && typeof value[f] !== "boolean")
      throw invalid(file, `${path}.${f}`, "not true or false");
  return value;
}

function stringList(file: string, path: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value) || value.some((s) => typeof s !== "string"))
    throw invalid(file, path, "not a list of strings");
}

function checkExec(file: string, path: string, exec: unknown): void {
  const e = checkFields(
    file,
    path,
    exec,
    ["command", "apiVersion", "installHint", "interactiveMode"],
    ["provideClusterInfo"],
  );
  stringList(file, `${path}.args`, e.args);
  if (e.env === undefined || e.env === null) return;
  if (!Array.isArray(e.env)) throw invalid(file, `${path}.env`, "not a list");
  e.env.forEach((v, i) => {
    const entry = checkFields(file, `${path}.env[${i}]`, v, ["name", "value"]);
    if (typeof entry.name !== "string" || entry.name === "")
      throw invalid(file, `${path}.env[${i}].name`, "missing");
  });
}

function checkUser(file: string, path: string, user: unknown): void {
  const u = checkFields(file, path, user, [
    "client-certificate",
    "client-certificate-data",
    "client-key",
    "client-key-data",
    "token",
    "tokenFile",
    "as",
    "as-uid",
    "username",
    "password",
  ]);
  stringList(file, `${path}.as-groups`, u["as-groups"]);
  const extra = u["as-user-extra"];
  if (extra !== undefined && extra !== null) {
    if (!isRecord(extra)) throw invalid(file, `${path}.as-user-extra`, "not a mapping");
    for (const [k, v] of Object.entries(extra)) stringList(file, `${path}.as-user-extra.${k}`, v);
  }
  if (u["auth-provider"] !== undefined && u["auth-provider"] !== null)
    checkFields(file, `${path}.auth-provider`, u["auth-provider"], ["name"]);
  if (u.exec !== undefined && u.exec !== null) checkExec(file, `${path}.exec`, u.exec);
}

type Section = "clusters" | "users" | "contexts";
const ENTRY_KEY = { clusters: "cluster", users: "user", contexts: "context" } as const;

function checkEntry(file: string, section: Section, path: string, value: unknown): void {
  if (section === "clusters")
    checkFields(
      file,
      path,
      value,
      [
        "server",
        "tls-server-name",
        "certificate-authority",
        "certificate-authority-data",
        "proxy-url",
      ],
      ["insecure-skip-tls-verify", "disable-compression"],
    );
  else if (section === "users") checkUser(file, path, value);
  else checkFields(file, path, value, ["cluster", "user", "namespace"]);
}

/** The named entries of one section of one file; a name twice in one file is an error, as in kubectl. */
function section<T>(file: string, config: Record<string, unknown>, name: Section): Origin<T>[] {
  const list = config[name];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw invalid(file, name, "not a list");
  const seen = new Set<string>();
  return list.map((item, i) => {
    const path = `${name}[${i}]`;
    if (!isRecord(item)) throw invalid(file, path, "not a mapping");
    if (typeof item.name !== "string") throw invalid(file, `${path}.name`, "missing");
    if (seen.has(item.name)) throw invalid(file, `${path}.name`, `"${item.name}" is listed twice`);
    seen.add(item.name);
    const key = ENTRY_KEY[name];
    checkEntry(file, name, `${path}.${key}`, item[key]);
    return { name: item.name, value: (item[key] ?? {}) as T, file };
  });
}

/** One kubeconfig file's text. An empty file is an empty config, as kubectl has it. */
export function parseKubeconfig(text: string, file: string): Kubeconfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new CustomsError(
      "KUBECONFIG_INVALID",
      `${file}: not YAML: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`,
    );
  }
  const config = doc === null || doc === undefined ? {} : doc;
  if (!isRecord(config)) throw invalid(file, "(document)", "not a mapping");
  const current = config["current-context"];
  if (current !== undefined && current !== null && typeof current !== "string")
    throw invalid(file, "current-context", "not a string");
  const byName = <T>(name: Section) =>
    new Map(section<T>(file, config, name).map((e) => [e.name, e]));
  return {
    files: [file],
    currentContext: current || undefined,
    clusters: byName<KubeconfigCluster>("clusters"),
    users: byName<KubeconfigUser>("users"),
    contexts: byName<KubeconfigContext>("contexts"),
  };
}

/**
 * Several files as one, by kubectl's rules: the first file to define a cluster, user or
 * context name wins it whole (later files never change a field of it), and the first file
 * that sets current-context sets it.
 */
export function mergeKubeconfigs(configs: readonly Kubeconfig[]): Kubeconfig {
  const first = <T>(pick: (c: Kubeconfig) => ReadonlyMap<string, Origin<T>>) => {
    const merged = new Map<string, Origin<T>>();
    for (const c of configs)
      for (const [name, entry] of pick(c)) if (!merged.has(name)) merged.set(name, entry);
    return merged;
  };
  return {
    files: configs.flatMap((c) => c.files),
    currentContext: configs.find((c) => c.currentContext !== undefined)?.currentContext,
    clusters: first((c) => c.clusters),
    users: first((c) => c.users),
    contexts: first((c) => c.contexts),
  };
}

/**
 * A path named in a kubeconfig, relative to the folder of the file that named it (kubectl's
 * ResolveLocalPaths). An exec command without a separator is looked up on PATH instead.
 */
export function resolvePath(path: string, file: string): string {
  return isAbsolute(path) ? path : join(resolve(file, ".."), path);
}

export function resolveCommand(command: string, file: string): string {
  return command.includes(sep) ? resolvePath(command, file) : command;
}

export interface SelectedContext {
  readonly name: string;
  readonly context: Origin<KubeconfigContext>;
  readonly cluster: Origin<KubeconfigCluster>;
  /** Undefined for a context that names no user: requests go without credentials. */
  readonly user: Origin<KubeconfigUser> | undefined;
  /** The context's namespace, else `default` (what kubectl uses without --namespace). */
  readonly namespace: string;
}

function where(config: Kubeconfig): string {
  return config.files.join(", ");
}

/** The context `--context` names, else the current one, with the cluster and user it names. */
export function selectContext(config: Kubeconfig, contextName?: string): SelectedContext {
  const name = contextName || config.currentContext;
  if (name === undefined)
    throw new CustomsError(
      "KUBECONFIG_INVALID",
      `${where(config)}: no current-context is set: pass --context (contexts: ${[...config.contexts.keys()].join(", ") || "none"})`,
    );
  const context = config.contexts.get(name);
  if (context === undefined)
    throw new CustomsError(
      "KUBECONFIG_INVALID",
      `${where(config)}: context "${name}" does not exist (contexts: ${[...config.contexts.keys()].join(", ") || "none"})`,
    );
  const clusterName = context.value.cluster ?? "";
  const cluster = config.clusters.get(clusterName);
  if (cluster === undefined)
    throw new CustomsError(
      "KUBECONFIG_INVALID",
      `${context.file}: context "${name}" names cluster "${clusterName}", which no kubeconfig defines`,
      "context.cluster",
    );
  const userName = context.value.user ?? "";
  const user = userName === "" ? undefined : config.users.get(userName);
  // kubectl would go on without credentials; a misspelt name then shows up as a 401 or as
  // "system:anonymous" much later, so it is named here instead.
  if (userName !== "" && user === undefined)
    throw new CustomsError(
      "KUBECONFIG_INVALID",
      `${context.file}: context "${name}" names user "${userName}", which no kubeconfig defines`,
      "context.user",
    );
  return {
    name,
    context,
    cluster,
    user,
    namespace: context.value.namespace || "default",
  };
}
