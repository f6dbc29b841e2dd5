import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { ROOT } from "./cli.js";

export const CHART = join(ROOT, "deploy/helm/customs");

/** Helm as scripts/helm/build.sh installs it; undefined (with the reason) when it is not built. */
export function helmBinary(): { path: string } | { skip: string } {
  const path = join(process.env.CUSTOMS_CACHE ?? join(homedir(), ".cache/customs"), "bin/helm");
  if (!existsSync(path))
    return { skip: `${path} not found (bash scripts/helm/build.sh builds it)` };
  return { path };
}

export interface HelmRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function helm(path: string, args: string[]): HelmRun {
  const r = spawnSync(path, args, {
    encoding: "utf8",
    maxBuffer: 1 << 26,
    // No user configuration, no repositories, no cache outside the test's reach.
    env: { ...process.env, HELM_CONFIG_HOME: "/nonexistent", HELM_DATA_HOME: "/nonexistent" },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `helm template` of the chart, its documents as objects (empty documents left out). */
export function helmTemplate(path: string, args: string[]): Record<string, unknown>[] {
  const r = helm(path, ["template", "customs", CHART, "--namespace", "customs-system", ...args]);
  if (r.status !== 0) throw new Error(`helm template ${args.join(" ")}: ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((o): o is Record<string, unknown> => o !== null);
}
