import {
  buildCertManagerObjects,
  buildDeployment,
  buildImagePolicyCrd,
  buildMutatingWebhookConfiguration,
  buildNamespace,
  buildRbac,
  buildServiceAndBudget,
  buildTlsSecret,
  buildWebhookConfiguration,
  buildWorkspaceCrd,
  type InstallOptions,
  serviceDnsNames,
} from "../adapters/install/index.js";
import type { PemPair } from "../adapters/pki/index.js";

export interface RenderInstallOptions extends Omit<InstallOptions, "caBundle"> {
  /** Reuse this CA (so a re-render only issues a new serving certificate). */
  readonly ca?: PemPair;
  /** Also trusted during a CA rotation: the CA that signed the certificate still being served. */
  readonly previousCaPem?: string;
  readonly certDays: number;
}

export interface RenderedInstall {
  readonly objects: Record<string, unknown>[];
  /** The CA in use (new or reused), so a later rotation can name it as the previous one. */
  readonly ca: PemPair | undefined;
}

/**
 * Everything `customs install` prints, in apply order: CRDs and namespace first, the webhook
 * configuration last (so the API server does not call a webhook that is not running yet —
 * with failurePolicy Fail that would block the rollout of its own Deployment's pods... which
 * the namespace exclusion also prevents).
 */
export async function renderInstall(o: RenderInstallOptions): Promise<RenderedInstall> {
  // Loaded on use: the X.509 library costs ~200 ms of start-up that other commands need not pay.
  const { createCertificateAuthority, issueServerCertificate } = await import(
    "../adapters/pki/index.js"
  );
  let ca: PemPair | undefined;
  const tls: Record<string, unknown>[] = [];
  let caBundle: string | undefined;
  if (o.certManager) {
    tls.push(...buildCertManagerObjects({ ...o, caBundle: undefined }));
  } else {
    ca = o.ca ?? (await createCertificateAuthority("customs webhook CA"));
    const serving = await issueServerCertificate(
      ca,
      { dns: serviceDnsNames(o.namespace) },
      o.certDays,
    );
    caBundle = o.previousCaPem === undefined ? ca.certPem : `${ca.certPem}${o.previousCaPem}`;
    tls.push(buildTlsSecret({ ...o, caBundle }, serving, ca.certPem));
  }
  const options: InstallOptions = { ...o, caBundle };
  return {
    ca,
    objects: [
      buildImagePolicyCrd(),
      buildWorkspaceCrd(),
      buildNamespace(options),
      ...buildRbac(options),
      ...tls,
      buildDeployment(options),
      ...buildServiceAndBudget(options),
      buildWebhookConfiguration(options),
      ...(o.mutate ? [buildMutatingWebhookConfiguration(options)] : []),
    ],
  };
}
