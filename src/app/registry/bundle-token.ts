import { stringify } from "yaml";
import type { PemPair } from "../../adapters/pki/index.js";
import {
  buildPullSecret,
  buildTokenAccountsSecret,
  buildTokenConfigMap,
  buildTokenDeployment,
  buildTokenNetworkPolicy,
  buildTokenRootsConfigMap,
  buildTokenService,
  buildTokenSigningSecret,
  REGISTRY_AUTH_DIR,
  type RegistryAuthMount,
  type RegistryBundleOptions,
  TOKEN_NAME,
  type TokenBundleOptions,
  tokenAuthEnv,
} from "../../adapters/registry-bundle/index.js";
import { generateSecret, hashSecret } from "../../adapters/registry-token/index.js";
import { type Account, toAccountsDocument } from "../../core/registry-token/index.js";

type Objects = Record<string, unknown>[];

export interface RenderedTokenAuth {
  /** ConfigMaps and Secrets the workloads mount. */
  readonly config: Objects;
  readonly registryAuth: RegistryAuthMount;
  readonly workload: Objects;
  readonly service: Objects;
  readonly ingressBackend: { name: string; port: string };
  readonly networkPolicy: Objects;
  /** The cluster's pull Secret and CI's push credential. */
  readonly credentials: Objects;
}

/**
 * `--auth token`: two robot accounts with fresh random secrets (the pull account may pull
 * everything, the push account pushes and pulls its repositories), nothing for anyone else.
 */
export function renderTokenAuth(
  o: RegistryBundleOptions & {
    pullSecretName: string;
    pullSecretNamespaces: readonly string[];
  },
  t: TokenBundleOptions,
  signer: PemPair,
): RenderedTokenAuth {
  const pull = generateSecret();
  const push = generateSecret();
  const accounts: Account[] = [
    {
      name: t.pushAccount,
      type: "robot",
      secretHash: hashSecret(push),
      grants: [{ repositories: [...t.pushRepositories], actions: ["pull", "push"] }],
    },
    {
      name: t.pullAccount,
      type: "robot",
      secretHash: hashSecret(pull),
      grants: [{ repositories: ["*"], actions: ["pull"] }],
    },
    // Already hashed (`customs registry account add` wrote them): copied as given.
    ...t.extraAccounts,
  ];
  const server = o.host.domain;
  return {
    config: [
      buildTokenConfigMap(o),
      buildTokenAccountsSecret(o, stringify(toAccountsDocument(accounts))),
      buildTokenSigningSecret(o, signer),
      buildTokenRootsConfigMap(o, [signer.certPem]),
    ],
    registryAuth: {
      env: tokenAuthEnv(o, `${REGISTRY_AUTH_DIR}/rootcertbundle.pem`),
      volume: { configMap: { name: `${TOKEN_NAME}-roots` } },
    },
    workload: [buildTokenDeployment(o, t)],
    service: [buildTokenService(o)],
    ingressBackend: { name: TOKEN_NAME, port: "https" },
    networkPolicy: [buildTokenNetworkPolicy(o)],
    credentials: [
      ...o.pullSecretNamespaces.map((ns) =>
        buildPullSecret({ server, username: t.pullAccount, password: pull }, o.pullSecretName, ns),
      ),
      buildPullSecret(
        { server, username: t.pushAccount, password: push },
        t.pushSecretName,
        o.namespace,
      ),
    ],
  };
}
