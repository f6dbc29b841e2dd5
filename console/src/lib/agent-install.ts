import type { AgentInstall, Cluster } from "./resources.js";

/** One way to install the agent: a file to download and the command that uses it. */
export interface InstallWay {
  readonly id: "kubectl" | "helm";
  readonly title: string;
  readonly file: { readonly filename: string; readonly yaml: string };
  readonly command: string;
}

/**
 * The ways to install a new cluster's agent, from what the control plane rendered when it
 * created the cluster. Every command names a downloaded file: the token travels in the file
 * (a Secret, or the chart's values), never on a command line where shell history keeps it.
 */
export function toInstallWays(cluster: Cluster): InstallWay[] {
  const install: AgentInstall | undefined = cluster.install;
  if (install === undefined) return [];
  return [
    {
      id: "kubectl",
      title: "kubectl",
      file: install.manifest,
      command: install.commands.kubectl,
    },
    { id: "helm", title: "Helm", file: install.values, command: install.commands.helm },
  ];
}

/** A download link's target for a YAML file (the browser makes it a file, nothing is uploaded). */
export function toYamlDataUrl(yaml: string): string {
  return `data:application/yaml;charset=utf-8,${encodeURIComponent(yaml)}`;
}
