import { RegistryError } from "./errors.js";

/** A username and password (or token used as a password) for one registry. */
export interface Credential {
  readonly username: string;
  readonly password: string;
}

export interface CredentialStore {
  /** Credentials for `repository` (e.g. `library/busybox`) on `registry` (e.g. `docker.io`). */
  credentialsFor(registry: string, repository: string): Credential | undefined;
}

/** Every host name Docker Hub answers to; config files spell it each of these ways. */
const DOCKER_HUB = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

interface Entry {
  readonly registry: string;
  /** Repository prefix ("" for the whole registry), as kubelet allows in pull secrets. */
  readonly prefix: string;
  readonly credential: Credential;
}

/**
 * A key of `auths` as docker login, kubectl and hand-written files spell it: `host`,
 * `host:port`, `https://host/`, `https://index.docker.io/v1/`, `host/some/repo`. A trailing
 * API version (`/v1/`, `/v2/`) is no repository prefix, it is what `docker login` records.
 */
export function normalizeAuthKey(key: string): { registry: string; prefix: string } {
  const bare = key.trim().replace(/^https?:\/\//i, "");
  const slash = bare.indexOf("/");
  const host = (slash === -1 ? bare : bare.slice(0, slash)).toLowerCase();
  let prefix = slash === -1 ? "" : bare.slice(slash + 1).replace(/\/+$/, "");
  if (prefix === "v1" || prefix === "v2") prefix = "";
  return { registry: DOCKER_HUB.has(host) ? "docker.io" : host, prefix };
}

/** The canonical registry name credentials are filed under (Docker Hub's aliases fold). */
export function canonicalRegistry(registry: string): string {
  const lower = registry.toLowerCase();
  return DOCKER_HUB.has(lower) ? "docker.io" : lower;
}

function invalid(source: string, why: string): RegistryError {
  // Names the file or Secret and the problem, never a value: values are secrets.
  return new RegistryError("CREDENTIALS_INVALID", `${source}: ${why}`);
}

function toCredential(value: unknown, source: string, key: string): Credential | undefined {
  if (typeof value !== "object" || value === null) {
    throw invalid(source, `the entry for "${key}" is not an object`);
  }
  const entry = value as Record<string, unknown>;
  if (typeof entry.auth === "string" && entry.auth !== "") {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (!/^[A-Za-z0-9+/]+=*$/.test(entry.auth.trim()) || colon <= 0) {
      throw invalid(source, `the "auth" of "${key}" is not base64 of "username:password"`);
    }
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof entry.username === "string" && typeof entry.password === "string") {
    return { username: entry.username, password: entry.password };
  }
  // An empty entry is what `docker login` leaves when a credsStore holds the secret.
  return undefined;
}

function toEntries(auths: unknown, source: string): Entry[] {
  if (typeof auths !== "object" || auths === null || Array.isArray(auths)) {
    throw invalid(source, "expected an object of registry entries");
  }
  const entries: Entry[] = [];
  for (const [key, value] of Object.entries(auths)) {
    const credential = toCredential(value, source, key);
    if (credential !== undefined) entries.push({ ...normalizeAuthKey(key), credential });
  }
  return entries;
}

function storeOf(entries: readonly Entry[]): CredentialStore {
  return {
    credentialsFor(registry, repository) {
      const wanted = canonicalRegistry(registry);
      let best: Entry | undefined;
      for (const e of entries) {
        if (e.registry !== wanted) continue;
        const matches =
          e.prefix === "" || repository === e.prefix || repository.startsWith(`${e.prefix}/`);
        // The longest prefix wins; among equals the first in the file, as kubelet does.
        if (matches && (best === undefined || e.prefix.length > best.prefix.length)) best = e;
      }
      return best?.credential;
    },
  };
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(source, "not valid JSON");
  }
}

/** A docker `config.json` (`{"auths": {...}}`). `credsStore`/`credHelpers` are not run. */
export function parseDockerConfig(text: string, source = "docker config"): CredentialStore {
  const doc = parseJson(text, source) as { auths?: unknown } | null;
  if (typeof doc !== "object" || doc === null) throw invalid(source, "expected an object");
  return storeOf(doc.auths === undefined ? [] : toEntries(doc.auths, `${source} auths`));
}

/** The legacy `~/.dockercfg` form: the `auths` object itself at the top level. */
export function parseDockerCfg(text: string, source = "dockercfg"): CredentialStore {
  return storeOf(toEntries(parseJson(text, source), source));
}

/**
 * A pull Secret: `kubernetes.io/dockerconfigjson` (key `.dockerconfigjson`) or
 * `kubernetes.io/dockercfg` (key `.dockercfg`), from `data` (base64) or `stringData`.
 */
export function parsePullSecret(secret: unknown): CredentialStore {
  const s = (typeof secret === "object" && secret !== null ? secret : {}) as {
    type?: unknown;
    metadata?: { name?: unknown; namespace?: unknown };
    data?: Record<string, unknown>;
    stringData?: Record<string, unknown>;
  };
  const name = `Secret ${String(s.metadata?.namespace ?? "")}/${String(s.metadata?.name ?? "")}`;
  const key =
    s.type === "kubernetes.io/dockerconfigjson"
      ? ".dockerconfigjson"
      : s.type === "kubernetes.io/dockercfg"
        ? ".dockercfg"
        : undefined;
  if (key === undefined) {
    throw invalid(name, "type must be kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg");
  }
  const encoded = s.data?.[key];
  const plain = s.stringData?.[key];
  const text =
    typeof plain === "string"
      ? plain
      : typeof encoded === "string"
        ? Buffer.from(encoded, "base64").toString("utf8")
        : undefined;
  if (text === undefined) throw invalid(name, `has no ${key}`);
  return key === ".dockercfg" ? parseDockerCfg(text, name) : parseDockerConfig(text, name);
}

/** Credentials for one registry (all of its repositories), e.g. from flags. */
export function staticCredentials(registry: string, credential: Credential): CredentialStore {
  return storeOf([{ registry: canonicalRegistry(registry), prefix: "", credential }]);
}

/** Asks each store in turn; the first that has credentials answers (the lookup order). */
export function chainCredentials(...stores: readonly CredentialStore[]): CredentialStore {
  return {
    credentialsFor(registry, repository) {
      for (const store of stores) {
        const found = store.credentialsFor(registry, repository);
        if (found !== undefined) return found;
      }
      return undefined;
    },
  };
}

export const NO_CREDENTIALS: CredentialStore = { credentialsFor: () => undefined };
