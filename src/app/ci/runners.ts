import { join } from "node:path";
import { at, type CiRunner, excludeAt, runManifestsCheck } from "./ci.js";

/** `checks.dockerfile`: `customs dockerfile lint`; base images judged by the same policies. */
const runDockerfileCheck: CiRunner = async (config, base) => {
  const d = config.dockerfile;
  if (d === undefined) return undefined;
  const { lintDockerfiles, loadDockerfileConfig } = await import("./dockerfile-lint.js");
  const policies = d.policies.length > 0 ? d.policies : (config.manifests?.policies ?? []);
  return lintDockerfiles(at(base, d.paths), {
    config: await loadDockerfileConfig(
      d.config === undefined ? undefined : join(base, d.config),
      base,
    ),
    policies: at(base, policies),
    exclude: excludeAt(base, d.exclude),
    ...(d.namespace === undefined ? {} : { namespace: d.namespace }),
    ...(d.stages === undefined ? {} : { stages: d.stages }),
  });
};

/** `checks.vulnerabilities`: `customs vuln diff BASE NEW`. */
const runVulnerabilityCheck: CiRunner = async (config, base) => {
  const v = config.vulnerabilities;
  if (v === undefined) return undefined;
  const { readVulnerabilityReport } = await import("../vuln/read.js");
  const { diffVulnerabilityReports } = await import("../vuln/diff.js");
  const newPath = join(base, v.new);
  return diffVulnerabilityReports(
    await readVulnerabilityReport(join(base, v.base)),
    await readVulnerabilityReport(newPath),
    newPath,
  );
};

/**
 * `checks.secrets`: `customs secrets scan`. With `git: true` the history is scanned, which
 * holds every committed file; images are pulled with the command's registry settings.
 */
const runSecretsCheck: CiRunner = async (config, base, context) => {
  const s = config.secrets;
  if (s === undefined) return undefined;
  const { scanSecrets } = await import("../secrets/scan.js");
  return scanSecrets({
    paths: at(base, s.paths),
    git: s.git,
    images: s.images,
    ...(s.images.length > 0 ? { registry: await context.registry() } : {}),
    ...(s.config === undefined ? {} : { configFile: join(base, s.config) }),
    ...(s.baseline === undefined ? {} : { baselineFile: join(base, s.baseline) }),
    history: {
      ...(s.since === undefined ? {} : { since: s.since }),
      ...(s.range === undefined ? {} : { range: s.range }),
    },
    configBase: base,
    exclude: excludeAt(base, s.exclude),
  });
};

/** The checks of `customs ci`, in the order they run and report. */
export const CI_RUNNERS: readonly CiRunner[] = [
  runManifestsCheck,
  runDockerfileCheck,
  runSecretsCheck,
  runVulnerabilityCheck,
];
