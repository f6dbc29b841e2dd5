import { describe, expect, it } from "vitest";
import { toInstallWays, toYamlDataUrl } from "../../console/src/lib/agent-install.js";
import type { Cluster } from "../../console/src/lib/resources.js";

const created: Cluster = {
  metadata: { name: "prod" } as Cluster["metadata"],
  spec: {},
  status: { phase: "pending", inSync: false },
  agentToken: "cst_abc_secret",
  install: {
    namespace: "customs-system",
    manifest: {
      filename: "customs-agent-prod.yaml",
      yaml: "kind: Secret\nstringData: {token: cst_abc_secret}\n",
    },
    values: {
      filename: "customs-agent-prod-values.yaml",
      yaml: "agent: {token: cst_abc_secret}\n",
    },
    commands: {
      kubectl: "kubectl apply -f customs-agent-prod.yaml",
      helm: "helm install customs-agent oci://ghcr.io/customs-dev/charts/customs -n customs-system --create-namespace -f customs-agent-prod-values.yaml",
    },
  },
};

describe("Add cluster dialog: the ways to install the agent", () => {
  it("offers the manifest with kubectl and the values with Helm, each naming its file", () => {
    const ways = toInstallWays(created);
    expect(ways.map((w) => w.id)).toEqual(["kubectl", "helm"]);
    for (const way of ways) {
      expect(way.command).toContain(way.file.filename);
      // The token travels in the downloaded file, never on a command line.
      expect(way.command).not.toContain("cst_abc_secret");
      expect(way.command).not.toMatch(/<[a-z-]+>|ca\.pem/);
    }
  });

  it("downloads the YAML as it was rendered", () => {
    const [kubectl] = toInstallWays(created);
    const url = toYamlDataUrl(kubectl?.file.yaml ?? "");
    expect(decodeURIComponent(url.slice(url.indexOf(",") + 1))).toBe(
      created.install?.manifest.yaml,
    );
  });

  it("a cluster read later (no install in the answer) offers nothing", () => {
    expect(toInstallWays({ ...created, install: undefined })).toEqual([]);
  });
});
