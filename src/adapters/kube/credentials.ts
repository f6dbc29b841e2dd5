import { readFileSync } from "node:fs";

/** What one request authenticates with: headers (Authorization, Impersonate-*) and a TLS client pair. */
export interface KubeCredentials {
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly cert?: string;
  readonly key?: string;
}

/**
 * Where a client gets the credentials of each request. Asked per request because some change
 * while a process runs: exec plugins hand out short-lived tokens, token files are rotated.
 */
export interface CredentialSource {
  current(): Promise<KubeCredentials>;
  /**
   * The API server answered 401 to `used`. True when asking `current()` again may give other
   * credentials, so that one retry of the request is worth it.
   */
  refused(used: KubeCredentials): boolean;
}

/** Credentials that never change (a token, a client certificate, basic auth in the kubeconfig). */
export function staticCredentials(credentials: KubeCredentials): CredentialSource {
  return { current: async () => credentials, refused: () => false };
}

/** `Authorization: Bearer`, or nothing for an empty token. */
export function bearer(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/**
 * A token read from a file on every request (a kubeconfig's `tokenFile`, a pod's projected
 * service account token): those files are rewritten in place when the token rotates. A read
 * that fails keeps the last token read, as a rotation replaces the file non-atomically on
 * some volume types.
 */
export function tokenFileCredentials(
  file: string,
  rest: Omit<KubeCredentials, "headers"> & { headers?: KubeCredentials["headers"] } = {},
  fallback?: string,
): CredentialSource {
  let last = fallback;
  return {
    async current() {
      try {
        last = readFileSync(file, "utf8").trim();
      } catch (e) {
        if (last === undefined) throw e;
      }
      return { ...rest, headers: { ...rest.headers, ...bearer(last) } };
    },
    // The next request reads the file again anyway; retrying at once would only repeat this one.
    refused: () => false,
  };
}

/**
 * `source` with more headers (impersonation). The same credentials come back as the same
 * object, so that `refused` can still tell the source which ones the server refused.
 */
export function withHeaders(
  source: CredentialSource,
  headers: KubeCredentials["headers"],
): CredentialSource {
  const wrapped = new WeakMap<KubeCredentials, KubeCredentials>();
  const unwrapped = new WeakMap<KubeCredentials, KubeCredentials>();
  return {
    async current() {
      const inner = await source.current();
      let outer = wrapped.get(inner);
      if (outer === undefined) {
        outer = { ...inner, headers: { ...headers, ...inner.headers } };
        wrapped.set(inner, outer);
        unwrapped.set(outer, inner);
      }
      return outer;
    },
    refused: (used) => source.refused(unwrapped.get(used) ?? used),
  };
}
