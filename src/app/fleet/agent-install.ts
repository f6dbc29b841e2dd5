/**
 * What "Add cluster" hands out: the agent's manifest, rendered here by the same builders as
 * `customs install agent` (src/app/webhook/install.ts), and the equivalent values file for the Helm
 * chart. Both carry the token (in a Secret, mounted as a file), the control plane's URL and CA:
 * nothing is left for the user to fill in, and the token never appears in a command line.
 */
import { stringify } from "yaml";
import { DEFAULT_EXEMPT_NAMESPACES } from "../../core/policy/index.js";
import { DEFAULT_AGENT_AUDIT_INTERVAL_MS, renderAgentInstall } from "../webhook/index.js";

/** What the control plane knows about itself for agents (flags of `customs serve control-plane`). */
export interface AgentInstallContext {
  /** The URL agents reach the control plane at (--external-url). */
  readonly externalUrl: string;
  /** The CA that signed the control plane's certificate; undefined: agents use system CAs. */
  readonly caPem: string | undefined;
  /** The image agents run (--agent-image; the chart's default when it is the same). */
  readonly image: string;
  /** The chart's default image (ghcr.io/customs-dev/customs:<version>). */
  readonly defaultImage: string;
}

export interface AgentInstall {
  readonly namespace: string;
  readonly manifest: { readonly filename: string; readonly yaml: string };
  readonly values: { readonly filename: string; readonly yaml: string };
  readonly commands: { readonly kubectl: string; readonly helm: string };
}

export const AGENT_NAMESPACE = "customs-system";
export const CHART = "oci://ghcr.io/customs-dev/charts/customs";

/** repository, tag and digest of an image reference, as the chart's image values. */
export function imageValues(image: string): { repository: string; tag: string; digest: string } {
  const at = image.indexOf("@");
  const named = at === -1 ? image : image.slice(0, at);
  const digest = at === -1 ? "" : image.slice(at + 1);
  const slash = named.lastIndexOf("/");
  const colon = named.lastIndexOf(":");
  const hasTag = colon > slash;
  return {
    repository: hasTag ? named.slice(0, colon) : named,
    tag: hasTag ? named.slice(colon + 1) : "",
    digest,
  };
}

export async function agentInstallFor(
  ctx: AgentInstallContext,
  cluster: string,
  token: string,
): Promise<AgentInstall> {
  const rendered = await renderAgentInstall({
    namespace: AGENT_NAMESPACE,
    createNamespace: true,
    image: ctx.image,
    replicas: 2,
    timeoutSeconds: 5,
    certManager: false,
    certDays: 365,
    exemptNamespaces: DEFAULT_EXEMPT_NAMESPACES,
    controlPlaneUrl: ctx.externalUrl,
    token,
    // The background audit sends the inventory the control plane's Insights need.
    auditIntervalMs: DEFAULT_AGENT_AUDIT_INTERVAL_MS,
    ...(ctx.caPem === undefined ? {} : { controlPlaneCaPem: ctx.caPem }),
  });
  const manifest = rendered.objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join("");
  const values = {
    ...(ctx.image === ctx.defaultImage ? {} : { image: imageValues(ctx.image) }),
    webhook: { enabled: false },
    agent: {
      enabled: true,
      controlPlane: { url: ctx.externalUrl, caBundle: ctx.caPem ?? "" },
      token,
      // Written out, not left to the chart's default: the console's compliance view needs it.
      auditIntervalMs: DEFAULT_AGENT_AUDIT_INTERVAL_MS,
    },
  };
  const base = `customs-agent-${cluster}`;
  return {
    namespace: AGENT_NAMESPACE,
    manifest: {
      filename: `${base}.yaml`,
      yaml: `# The Customs agent for cluster "${cluster}". Holds its token: keep this file secret.\n${manifest}`,
    },
    values: {
      filename: `${base}-values.yaml`,
      yaml: `# Helm values for the Customs agent of cluster "${cluster}". Holds its token: keep this file secret.\n${stringify(values, { lineWidth: 0 })}`,
    },
    commands: {
      kubectl: `kubectl apply -f ${base}.yaml`,
      helm: `helm install customs-agent ${CHART} -n ${AGENT_NAMESPACE} --create-namespace -f ${base}-values.yaml`,
    },
  };
}
