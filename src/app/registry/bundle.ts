import {
  buildCertificate,
  buildDeployment,
  buildHtpasswdSecret,
  buildImagePolicy,
  buildIngress,
  buildNamespace,
  buildNetworkPolicy,
  buildPersistentVolumeClaim,
  buildPullSecret,
  buildService,
  buildTlsSecret,
  type RegistryBundleOptions,
  type RegistryUser,
  registryDnsNames,
  type TokenBundleOptions,
  toHtpasswd,
} from "../../adapters/registry-bundle/index.js";
import { renderTokenAuth } from "./bundle-token.js";

export interface RenderRegistryOptions extends RegistryBundleOptions {
  /** htpasswd users; unused with `auth` (the token service's accounts are generated). */
  readonly users: readonly RegistryUser[];
  readonly pullSecretName: string;
  /** One pull Secret (the same credential) in each of these namespaces. */
  readonly pullSecretNamespaces: readonly string[];
  readonly certDays: number;
  /** false: no ImagePolicy (`--no-image-policy`), e.g. until the mirrors are in place. */
  readonly imagePolicy: boolean;
  /** `--auth token`: a token service instead of htpasswd. */
  readonly auth?: TokenBundleOptions;
}

export interface RenderedRegistry {
  readonly objects: Record<string, unknown>[];
  /** The CA that signed the serving certificate (self-signed mode only). */
  readonly caPem: string | undefined;
}

type Objects = Record<string, unknown>[];

/**
 * Everything `customs registry manifests` prints, in apply order: the namespace, secrets and
 * storage before the Deployment; the ImagePolicy and the pull secret last.
 */
export async function renderRegistryBundle(o: RenderRegistryOptions): Promise<RenderedRegistry> {
  // Loaded on use: the X.509 library costs ~200 ms of start-up that other commands need not pay.
  const { createCertificateAuthority, issueServerCertificate } = await import(
    "../../adapters/pki/index.js"
  );
  const withToken = o.auth !== undefined;
  const tls: Objects = [];
  let caPem: string | undefined;
  if (o.tls.kind === "self-signed") {
    const ca = await createCertificateAuthority(`${o.host.hostname} registry CA`);
    const names = { dns: registryDnsNames(o, withToken) };
    const serving = await issueServerCertificate(ca, names, o.certDays);
    caPem = ca.certPem;
    tls.push(buildTlsSecret(o, serving, ca.certPem));
  } else if (o.tls.kind === "cert-manager") {
    tls.push(buildCertificate(o, o.tls.issuer, o.tls.issuerKind, withToken));
  }
  const policy = o.imagePolicy ? [buildImagePolicy(o)] : [];
  if (o.auth !== undefined) {
    const signer = await createCertificateAuthority(`${o.host.hostname} registry token signer`);
    const t = renderTokenAuth(o, o.auth, signer);
    return {
      caPem,
      objects: [
        buildNamespace(o),
        ...t.config,
        ...tls,
        buildPersistentVolumeClaim(o),
        buildDeployment(o, t.registryAuth),
        ...t.workload,
        buildService(o),
        ...t.service,
        buildIngress(o, t.ingressBackend),
        buildNetworkPolicy(o),
        ...t.networkPolicy,
        ...policy,
        ...t.credentials,
      ],
    };
  }
  const first = o.users[0];
  const pull =
    first === undefined
      ? []
      : o.pullSecretNamespaces.map((ns) =>
          buildPullSecret(
            { server: o.host.domain, username: first.name, password: first.password },
            o.pullSecretName,
            ns,
          ),
        );
  return {
    caPem,
    objects: [
      buildNamespace(o),
      buildHtpasswdSecret(o, toHtpasswd(o.users)),
      ...tls,
      buildPersistentVolumeClaim(o),
      buildDeployment(o),
      buildService(o),
      buildIngress(o),
      buildNetworkPolicy(o),
      ...policy,
      ...pull,
    ],
  };
}
