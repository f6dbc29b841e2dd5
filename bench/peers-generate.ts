/**
 * Workloads and policies for `npm run bench:peers` (bench/peers.ts): the same generated
 * manifests for Customs, the Kyverno CLI and gator, and three policies of the same meaning
 * written in each tool's own language.
 *
 * The manifests look like what a platform team's repository holds: Deployments, Pods and
 * CronJobs in block style with small flow maps (`resources: {requests: {cpu: 100m}}`), quoted
 * image strings, env lists, CronJob schedules, init containers on some workloads. A few
 * workloads break each policy; a few more carry the images on which the tools deliberately
 * disagree (docs/import.md, "Deliberate differences"), counted by the generator so that the
 * report can explain every difference in the verdicts.
 */
import { random } from "./generate.js";

/** The registries the allowlist admits; every other registry is refused. */
export const CORP = "registry.corp.example:5000";
export const GHCR_ORG = "ghcr.io/acme";
export const ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

const DIGEST = (n: number) =>
  `sha256:${(n * 2654435761).toString(16).padStart(64, "0").slice(-64)}`;

/** Why an image was generated: most are clean, a few break a policy on purpose. */
export type ImageCase =
  | "tagged" // allowed registry, version tag, no digest: only require-digest refuses it
  | "digest" // allowed registry, tag and digest: passes everything
  | "foreign" // a registry outside the allowlist (Docker Hub, quay.io)
  | "latest" // an explicit :latest tag
  | "untagged" // neither tag nor digest, on a registry without a port: implicit latest
  | "latest-digest" // `:latest@sha256:…`: only Customs refuses the tag (both peers admit it)
  | "port-untagged"; // implicit latest behind a registry port: Kyverno's `*:*` admits it

export interface Workload {
  kind: "Deployment" | "Pod" | "CronJob";
  name: string;
  namespace: string;
  containers: Array<{ name: string; image: string; case: ImageCase }>;
  initContainers: Array<{ name: string; image: string; case: ImageCase }>;
}

function image(rnd: () => number, n: number): { image: string; case: ImageCase } {
  const r = rnd();
  const svc = `svc-${n % 700}`;
  const version = `${1 + (n % 4)}.${n % 17}.${n % 5}`;
  if (r < 0.004) return { image: `docker.io/library/nginx:1.27.${n % 4}`, case: "foreign" };
  if (r < 0.006) return { image: `quay.io/evil/miner-${n % 9}:0.${n % 7}`, case: "foreign" };
  if (r < 0.01) return { image: `${GHCR_ORG}/${svc}:latest`, case: "latest" };
  if (r < 0.012) return { image: `${GHCR_ORG}/${svc}`, case: "untagged" };
  if (r < 0.014) return { image: `${GHCR_ORG}/${svc}:latest@${DIGEST(n)}`, case: "latest-digest" };
  if (r < 0.016) return { image: `${CORP}/team-${n % 30}/${svc}`, case: "port-untagged" };
  const withDigest = rnd() < 0.4;
  const base =
    r < 0.55
      ? `${CORP}/team-${n % 30}/${svc}:v${version}`
      : r < 0.85
        ? `${GHCR_ORG}/${svc}:${version}`
        : `${ECR}/${svc}:${version}-r${n % 3}`;
  return withDigest
    ? { image: `${base}@${DIGEST(n)}`, case: "digest" }
    : { image: base, case: "tagged" };
}

/** Deterministic: the same count and seed give the same workloads. */
export function generateWorkloads(count: number, seed: number): Workload[] {
  const rnd = random(seed);
  const out: Workload[] = [];
  for (let i = 0; i < count; i++) {
    const k = rnd();
    const kind = k < 0.5 ? "Deployment" : k < 0.8 ? "Pod" : "CronJob";
    const n = Math.floor(rnd() * 5000);
    const containers = [{ name: "app", ...image(rnd, n) }];
    if (rnd() < 0.4) containers.push({ name: "sidecar", ...image(rnd, n + 1) });
    const initContainers = rnd() < 0.25 ? [{ name: "migrate", ...image(rnd, n + 2) }] : [];
    out.push({
      kind,
      name: `${kind.toLowerCase()}-${i}`,
      namespace: `team-${i % 30}`,
      containers,
      initContainers,
    });
  }
  return out;
}

function containerYaml(c: { name: string; image: string }, i: number, indent: string): string {
  return `${indent}- name: ${c.name}
${indent}  image: "${c.image}"
${indent}  imagePullPolicy: IfNotPresent
${indent}  ports: [{containerPort: ${8000 + (i % 100)}, protocol: TCP}]
${indent}  env:
${indent}    - name: LOG_LEVEL
${indent}      value: "info"
${indent}    - name: POD_NAME
${indent}      valueFrom: {fieldRef: {fieldPath: metadata.name}}
${indent}  resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}
`;
}

function podSpecYaml(w: Workload, i: number, indent: string): string {
  let s = "";
  if (w.initContainers.length > 0) {
    s += `${indent}initContainers:\n`;
    for (const c of w.initContainers) s += containerYaml(c, i, `${indent}  `);
  }
  s += `${indent}containers:\n`;
  for (const c of w.containers) s += containerYaml(c, i, `${indent}  `);
  if (w.kind === "CronJob") s += `${indent}restartPolicy: OnFailure\n`;
  s += `${indent}securityContext: {runAsNonRoot: true}\n`;
  return s;
}

/** One multi-document YAML file, as Helm or `kubectl get -o yaml` would print it. */
export function workloadsYaml(ws: readonly Workload[]): string {
  const out: string[] = [];
  ws.forEach((w, i) => {
    const head = `---
apiVersion: ${w.kind === "Deployment" ? "apps/v1" : w.kind === "CronJob" ? "batch/v1" : "v1"}
kind: ${w.kind}
metadata:
  name: ${w.name}
  namespace: ${w.namespace}
  labels: {app.kubernetes.io/name: ${w.name}, app.kubernetes.io/part-of: shop}
`;
    if (w.kind === "Pod") out.push(`${head}spec:\n${podSpecYaml(w, i, "  ")}`);
    else if (w.kind === "Deployment")
      out.push(`${head}spec:
  replicas: ${1 + (i % 3)}
  selector: {matchLabels: {app.kubernetes.io/name: ${w.name}}}
  template:
    metadata:
      labels: {app.kubernetes.io/name: ${w.name}}
    spec:
${podSpecYaml(w, i, "      ")}`);
    else
      out.push(`${head}spec:
  schedule: "${i % 60} ${i % 24} * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        spec:
${podSpecYaml(w, i, "          ")}`);
  });
  return out.join("");
}

function containerJson(c: { name: string; image: string }, i: number) {
  return {
    name: c.name,
    image: c.image,
    imagePullPolicy: "IfNotPresent",
    ports: [{ containerPort: 8000 + (i % 100), protocol: "TCP" }],
    env: [
      { name: "LOG_LEVEL", value: "info" },
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    ],
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
  };
}

/** The same workloads as one JSON `List`, as `kubectl get -o json` prints them. */
export function workloadsJsonList(ws: readonly Workload[]): string {
  const items = ws.map((w, i) => {
    const podSpec: Record<string, unknown> = {
      ...(w.initContainers.length > 0
        ? { initContainers: w.initContainers.map((c) => containerJson(c, i)) }
        : {}),
      containers: w.containers.map((c) => containerJson(c, i)),
      ...(w.kind === "CronJob" ? { restartPolicy: "OnFailure" } : {}),
      securityContext: { runAsNonRoot: true },
    };
    const labels = { "app.kubernetes.io/name": w.name, "app.kubernetes.io/part-of": "shop" };
    const metadata = { name: w.name, namespace: w.namespace, labels };
    if (w.kind === "Pod") return { apiVersion: "v1", kind: "Pod", metadata, spec: podSpec };
    if (w.kind === "Deployment")
      return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata,
        spec: {
          replicas: 1 + (i % 3),
          selector: { matchLabels: { "app.kubernetes.io/name": w.name } },
          template: { metadata: { labels: { "app.kubernetes.io/name": w.name } }, spec: podSpec },
        },
      };
    return {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata,
      spec: {
        schedule: `${i % 60} ${i % 24} * * *`,
        concurrencyPolicy: "Forbid",
        jobTemplate: { spec: { backoffLimit: 2, template: { spec: podSpec } } },
      },
    };
  });
  return JSON.stringify({ apiVersion: "v1", kind: "List", items });
}

/** The three policies, by their meaning; each tool names them its own way. */
export const POLICIES = ["registries", "latest", "digest"] as const;
export type PolicyKey = (typeof POLICIES)[number];

/**
 * Denied workloads per policy as each tool should count them, from the generator's own
 * record of why it made each image: the tools agree except on the two deliberate
 * differences. `:latest@sha256:…` is refused by Customs only (both peers test the end of the
 * string); an untagged image behind a registry port is admitted by Kyverno's `*:*` (the
 * port's colon passes for a tag) and refused by Customs and gator.
 */
export function expectedCounts(
  ws: readonly Workload[],
): Record<"customs" | "kyverno" | "gator", Record<PolicyKey, number>> {
  const zero = () => ({ registries: 0, latest: 0, digest: 0 });
  const out = { customs: zero(), kyverno: zero(), gator: zero() };
  for (const w of ws) {
    const cases = [...w.containers, ...w.initContainers].map((c) => c.case);
    const has = (c: ImageCase) => cases.includes(c);
    const registries = has("foreign") ? 1 : 0;
    const digest = cases.some((c) => c !== "digest" && c !== "latest-digest") ? 1 : 0;
    const plain = has("latest") || has("untagged");
    const latest = {
      customs: plain || has("latest-digest") || has("port-untagged"),
      kyverno: plain,
      gator: plain || has("port-untagged"),
    };
    for (const tool of ["customs", "kyverno", "gator"] as const) {
      out[tool].registries += registries;
      out[tool].digest += digest;
      out[tool].latest += latest[tool] ? 1 : 0;
    }
  }
  return out;
}

/** Customs: one ImagePolicy per meaning, organization-wide, action deny. */
export function customsPolicies(): string {
  const docs = [
    {
      name: "allowed-registries",
      spec: {
        action: "deny",
        recipe: "custom",
        input: {
          rules: [
            { hostname: "registry.corp.example", port: "5000" },
            { hostname: "ghcr.io", imageName: "acme/*" },
            { hostname: ECR },
          ],
        },
      },
    },
    { name: "block-latest", spec: { action: "deny", recipe: "block-latest-tag" } },
    { name: "require-digest", spec: { action: "deny", recipe: "require-digest" } },
  ];
  return docs
    .map((d) =>
      JSON.stringify({
        apiVersion: "customs.dev/v1alpha1",
        kind: "ImagePolicy",
        metadata: { name: d.name },
        spec: d.spec,
      }),
    )
    .join("\n---\n");
}

/** Customs' policy names, by meaning. */
export const CUSTOMS_NAMES: Record<PolicyKey, string> = {
  registries: "allowed-registries",
  latest: "block-latest",
  digest: "require-digest",
};

/**
 * Kyverno: the library's policies (test/fixtures/import/kyverno/, kyverno/policies at the
 * commit its SOURCE.md names) in Enforce mode, the registry list replaced by ours. The policy
 * text is read from the fixtures so that what runs is the library's, not a paraphrase.
 */
export function kyvernoPolicies(read: (path: string) => string): string[] {
  const dir = "test/fixtures/import/kyverno";
  const enforce = (text: string) =>
    text.replace("validationFailureAction: Audit", "validationFailureAction: Enforce");
  const registries = enforce(
    read(`${dir}/best-practices/restrict-image-registries/restrict-image-registries.yaml`),
  ).replaceAll('"eu.foo.io/* | bar.io/*"', `"${CORP}/* | ${GHCR_ORG}/* | ${ECR}/*"`);
  if (!registries.includes(CORP)) throw new Error("the Kyverno registry policy changed shape");
  return [
    registries,
    enforce(read(`${dir}/best-practices/disallow-latest-tag/disallow-latest-tag.yaml`)),
    enforce(read(`${dir}/other/require-image-checksum/require-image-checksum.yaml`)),
  ];
}

export const KYVERNO_NAMES: Record<PolicyKey, string> = {
  registries: "restrict-image-registries",
  latest: "disallow-latest-tag",
  digest: "require-image-checksum",
};

/**
 * gator: the library's templates (bench/peers/gatekeeper/) with one constraint each, on Pods,
 * and ExpansionTemplates that turn Deployments and CronJobs into the Pods they create, as
 * Gatekeeper's documentation recommends for workload resources (the library's Rego reads
 * `spec.containers`, which only a Pod has).
 */
export function gatorConstraints(): string {
  const match = { kinds: [{ apiGroups: [""], kinds: ["Pod"] }] };
  const docs = [
    {
      apiVersion: "constraints.gatekeeper.sh/v1beta1",
      kind: "K8sAllowedRepos",
      metadata: { name: "allowed-registries" },
      spec: { match, parameters: { repos: [`${CORP}/`, `${GHCR_ORG}/`, `${ECR}/`] } },
    },
    {
      apiVersion: "constraints.gatekeeper.sh/v1beta1",
      kind: "K8sDisallowedTags",
      metadata: { name: "block-latest" },
      spec: { match, parameters: { tags: ["latest"] } },
    },
    {
      apiVersion: "constraints.gatekeeper.sh/v1beta1",
      kind: "K8sImageDigests",
      metadata: { name: "require-digest" },
      spec: { match },
    },
    ...[
      ["expand-deployments", "apps", "Deployment", "spec.template"],
      ["expand-cronjobs", "batch", "CronJob", "spec.jobTemplate.spec.template"],
    ].map(([name, group, kind, source]) => ({
      apiVersion: "expansion.gatekeeper.sh/v1beta1",
      kind: "ExpansionTemplate",
      metadata: { name },
      spec: {
        applyTo: [{ groups: [group], kinds: [kind], versions: ["v1"] }],
        templateSource: source,
        generatedGVK: { kind: "Pod", group: "", version: "v1" },
      },
    })),
  ];
  return docs.map((d) => JSON.stringify(d)).join("\n---\n");
}

export const GATOR_NAMES: Record<PolicyKey, string> = CUSTOMS_NAMES;
