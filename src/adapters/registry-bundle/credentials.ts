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

/**
 * The namespace's `default` ServiceAccount naming the pull secret. `imagePullSecrets` merges
 * by `name` in a strategic merge patch, so `kubectl apply` adds this entry and keeps the
 * ones already there.
 */
export function buildDefaultServiceAccount(secretName: string, namespace?: string) {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "default", ...(namespace ? { namespace } : {}) },
    imagePullSecrets: [{ name: secretName }],
  };
}
