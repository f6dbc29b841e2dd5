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
  toHtpasswd,
} from "../adapters/registry-bundle/index.js";

export interface RenderRegistryOptions extends RegistryBundleOptions {
  readonly users: readonly RegistryUser[];
  readonly pullSecretName: string;
  readonly pullSecretNamespace: string;
  readonly certDays: number;
}

export interface RenderedRegistry {
  readonly objects: Record<string, unknown>[];
  /** The CA that signed the serving certificate (self-signed mode only). */
  readonly caPem: string | undefined;
}

/**
 * Everything `customs registry manifests` prints, in apply order: the namespace, secrets and
 * storage before the Deployment; the ImagePolicy and the pull secret last.
 */
export async function renderRegistryBundle(o: RenderRegistryOptions): Promise<RenderedRegistry> {
  // Loaded on use: the X.509 library costs ~200 ms of start-up that other commands need not pay.
  const { createCertificateAuthority, issueServerCertificate } = await import(
    "../adapters/pki/index.js"
  );
  const tls: Record<string, unknown>[] = [];
  let caPem: string | undefined;
  if (o.tls.kind === "self-signed") {
    const ca = await createCertificateAuthority(`${o.host.hostname} registry CA`);
    const serving = await issueServerCertificate(ca, { dns: registryDnsNames(o) }, o.certDays);
    caPem = ca.certPem;
    tls.push(buildTlsSecret(o, serving, ca.certPem));
  } else if (o.tls.kind === "cert-manager") {
    tls.push(buildCertificate(o, o.tls.issuer, o.tls.issuerKind));
  }
  const first = o.users[0];
  const pull =
    first === undefined
      ? []
      : [
          buildPullSecret(
            { server: o.host.domain, username: first.name, password: first.password },
            o.pullSecretName,
            o.pullSecretNamespace,
          ),
        ];
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
      buildImagePolicy(o),
      ...pull,
    ],
  };
}
