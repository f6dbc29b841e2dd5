import bcrypt from "bcryptjs";
import type { RegistryUser } from "./options.js";

/** bcrypt cost of the htpasswd hashes: 10 is `htpasswd -B`'s default. */
export const BCRYPT_COST = 10;

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/**
 * One htpasswd line. Docker Distribution accepts only bcrypt there. bcryptjs writes `$2b$`;
 * `$2y$` (what `htpasswd -B` writes) is the same algorithm, and the prefix every htpasswd
 * reader knows, so we print that.
 */
export function toHtpasswdLine(user: RegistryUser, cost = BCRYPT_COST): string {
  const hash = bcrypt.hashSync(user.password, cost).replace(/^\$2[abxy]\$/, "$2y$");
  return `${user.name}:${hash}`;
}

export function toHtpasswd(users: readonly RegistryUser[], cost = BCRYPT_COST): string {
  return users.map((u) => `${toHtpasswdLine(u, cost)}\n`).join("");
}

export interface DockerCredential {
  readonly server: string;
  readonly username: string;
  readonly password: string;
  readonly email?: string;
}

/**
 * The `.dockerconfigjson` kubectl writes (`kubectl create secret docker-registry`,
 * k8s.io/kubectl/pkg/generate/versioned/secret_for_docker_registry.go): auths keyed by the
 * server as given, each with username, password, email (only when set) and auth.
 */
export function toDockerConfigJson(c: DockerCredential): string {
  const entry = {
    username: c.username,
    password: c.password,
    ...(c.email ? { email: c.email } : {}),
    auth: b64(`${c.username}:${c.password}`),
  };
  return JSON.stringify({ auths: { [c.server]: entry } });
}

export function buildPullSecret(c: DockerCredential, name: string, namespace?: string) {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, ...(namespace ? { namespace } : {}) },
    type: "kubernetes.io/dockerconfigjson",
    data: { ".dockerconfigjson": b64(toDockerConfigJson(c)) },
  };
}

/** An entry of `imagePullSecrets` (a LocalObjectReference), kept verbatim when merging. */
export type ImagePullSecretEntry = Readonly<Record<string, unknown>>;

/** What `--attach` needs of the live `default` ServiceAccount (undefined: there is none yet). */
export interface ServiceAccountState {
  readonly resourceVersion: string | undefined;
  readonly imagePullSecrets: readonly ImagePullSecretEntry[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Reads the state `--attach` merges into out of a ServiceAccount as the API server (or
 * `kubectl get -o json`) returns it; a string says why it cannot.
 */
export function toServiceAccountState(object: unknown): ServiceAccountState | string {
  if (!isRecord(object) || !isRecord(object.metadata)) return "not a Kubernetes object";
  if (object.kind !== undefined && object.kind !== "ServiceAccount")
    return `kind is ${JSON.stringify(object.kind)}, not ServiceAccount`;
  if (object.metadata.name !== "default")
    return `the ServiceAccount is ${JSON.stringify(object.metadata.name)}, not "default"`;
  const list = object.imagePullSecrets ?? [];
  if (!Array.isArray(list) || !list.every(isRecord)) return "imagePullSecrets is not a list";
  const rv = object.metadata.resourceVersion;
  return {
    resourceVersion: typeof rv === "string" && rv !== "" ? rv : undefined,
    imagePullSecrets: list,
  };
}

/**
 * The namespace's `default` ServiceAccount naming the pull secret, for `kubectl apply`.
 *
 * A ServiceAccount's `imagePullSecrets` is an atomic list (k8s.io/api core/v1 types.go:
 * `+listType=atomic`, no `patchMergeKey`; unlike a PodSpec's, which merges by name). A
 * client-side apply, a strategic merge patch and a server-side apply all replace it whole, so
 * printing only this secret would drop every other one. With `current` (the live object) the
 * list printed is the live one, in its order, with this secret appended unless already named;
 * and the object carries the resourceVersion it was read at, so an apply after someone else
 * changed the ServiceAccount fails with a conflict instead of silently dropping their entry.
 */
export function buildDefaultServiceAccount(
  secretName: string,
  namespace?: string,
  current?: ServiceAccountState,
) {
  const existing = current?.imagePullSecrets ?? [];
  const named = existing.some((entry) => entry.name === secretName);
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: {
      name: "default",
      ...(namespace ? { namespace } : {}),
      ...(current?.resourceVersion ? { resourceVersion: current.resourceVersion } : {}),
    },
    imagePullSecrets: named ? [...existing] : [...existing, { name: secretName }],
  };
}
