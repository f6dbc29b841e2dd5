/**
 * What `customs check` learns about pull secrets from its inputs (require-pull-secret):
 * Secrets of type kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg, of which only
 * the registry keys of `auths` are kept (never a credential), and ServiceAccounts'
 * `imagePullSecrets`, which the API server's ServiceAccount admission plugin copies into
 * every Pod that runs as that account.
 */
import { field, isRecord, type UnknownRecord } from "./read.js";

export interface PullSecretDoc {
  readonly namespace: string | undefined;
  readonly name: string;
  /** The `auths` keys; empty when the Secret's data cannot be read (it then covers nothing). */
  readonly registries: readonly string[];
}

export interface ServiceAccountDoc {
  readonly namespace: string | undefined;
  readonly name: string;
  readonly imagePullSecrets: readonly string[];
}

const DOCKER_CONFIG_JSON = "kubernetes.io/dockerconfigjson";
const DOCKER_CFG = "kubernetes.io/dockercfg";

function nameAndNamespace(
  resource: UnknownRecord,
): { name: string; namespace?: string } | undefined {
  const metadata = field(resource, "metadata");
  if (!isRecord(metadata)) return undefined;
  const name = field(metadata, "name");
  const namespace = field(metadata, "namespace");
  if (typeof name !== "string" || name === "") return undefined;
  return typeof namespace === "string" ? { name, namespace } : { name };
}

/** The text of a data key: `stringData` as written, else `data` base64-decoded. */
function dataOf(resource: UnknownRecord, key: string): string | undefined {
  const plain = field(resource, "stringData");
  if (isRecord(plain) && typeof field(plain, key) === "string") return field(plain, key) as string;
  const data = field(resource, "data");
  const encoded = isRecord(data) ? field(data, key) : undefined;
  if (typeof encoded !== "string") return undefined;
  try {
    return atob(encoded);
  } catch {
    return undefined;
  }
}

function keysOf(text: string | undefined, nested: boolean): string[] {
  if (text === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    const auths = nested && isRecord(parsed) ? field(parsed, "auths") : parsed;
    return isRecord(auths) ? Object.keys(auths) : [];
  } catch {
    return [];
  }
}

/** A pull Secret, or undefined for any other Secret. */
export function readPullSecret(resource: UnknownRecord): PullSecretDoc | undefined {
  const type = field(resource, "type");
  if (type !== DOCKER_CONFIG_JSON && type !== DOCKER_CFG) return undefined;
  const id = nameAndNamespace(resource);
  if (id === undefined) return undefined;
  const registries =
    type === DOCKER_CONFIG_JSON
      ? keysOf(dataOf(resource, ".dockerconfigjson"), true)
      : keysOf(dataOf(resource, ".dockercfg"), false);
  return { namespace: id.namespace, name: id.name, registries };
}

export function readServiceAccount(resource: UnknownRecord): ServiceAccountDoc | undefined {
  const id = nameAndNamespace(resource);
  if (id === undefined) return undefined;
  const list = field(resource, "imagePullSecrets");
  const imagePullSecrets = Array.isArray(list)
    ? list.flatMap((e) =>
        isRecord(e) && typeof field(e, "name") === "string" ? [field(e, "name") as string] : [],
      )
    : [];
  return { namespace: id.namespace, name: id.name, imagePullSecrets };
}
