/**
 * Deterministic generators for the benchmarks: 50 policies of every recipe and scope, and
 * pod specs whose images are drawn from a realistic mix (Docker Hub short names, a corporate
 * registry with ports and digests, cloud registries).
 */

const DIGEST = (i: number) => `sha256:${i.toString(16).padStart(64, "0")}`;

/** A small deterministic PRNG (mulberry32), so every run generates the same data. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 50 policies that all apply to the benchmark's namespaces, of every recipe, as a platform
 * team would write them: allowlists that cover the registries in use, blocklists, tag rules.
 */
export function generatePolicies(count = 50): Record<string, unknown>[] {
  const docs: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 5;
    const action = i % 7 === 0 ? "warn" : "deny";
    const base = {
      apiVersion: "customs.dev/v1alpha1",
      kind: "ImagePolicy",
      metadata: { name: `policy-${i}` },
    };
    // Every policy applies: org-wide, or a selector the benchmark's namespaces match.
    const scope =
      i % 3 === 0
        ? {
            namespaceSelector: {
              matchExpressions: [{ key: "env", operator: "NotIn", values: ["sandbox"] }],
            },
          }
        : {};
    let spec: Record<string, unknown>;
    if (kind === 0) spec = { recipe: "block-latest-tag" };
    else if (kind === 1)
      spec =
        i === 1
          ? { recipe: "require-digest", action: "audit" }
          : { recipe: "block-latest-tag", action: "warn" };
    else if (kind === 2) {
      spec = {
        recipe: "custom",
        input: {
          rules: [
            {
              hostname: "registry.mycorp.local",
              port: "5000",
              imageName: "team-*/*",
              tag: { value: "v*" },
            },
            { hostname: "*.dkr.ecr.us-east-1.amazonaws.com" },
            {
              hostname: "docker.io",
              imageName: "library/*",
              tag: { value: "latest", negate: true },
            },
            { hostname: "gcr.io", imageName: "project-*/*", requireDigest: true },
            { hostname: "quay.io" },
          ],
        },
      };
    } else if (kind === 3) {
      spec = {
        recipe: "blocked-images",
        input: {
          rules: [
            { imageName: "busybox" },
            { imageName: `*miner-${i}*` },
            { hostname: "evil.example.com" },
            { tag: { value: "*-debug" } },
          ],
        },
      };
    } else {
      spec = {
        recipe: "allowed-name-tag",
        input: {
          rules: [
            { imageName: "team-*/*", tag: { value: "v*" } },
            { imageName: "library/*" },
            { imageName: "*", tag: "1.*" },
            { imageName: "*/*" },
          ],
        },
      };
    }
    docs.push({ ...base, spec: { ...scope, action, ...spec } });
  }
  return docs;
}

/** About 2% of images break some policy (busybox, latest, a blocked host), as in a real cluster. */
export function generateImage(rnd: () => number, unique: number | undefined): string {
  const n = unique ?? Math.floor(rnd() * 2000);
  const r = rnd();
  if (r < 0.01)
    return ["busybox", "nginx", "evil.example.com/x/y:1", "quay.io/a/b:1-debug"][n % 4] as string;
  if (r < 0.02) return `registry.mycorp.local:5000/team-${n % 40}/service-${n}:latest`;
  switch (Math.floor(rnd() * 5)) {
    case 0:
      return `${["nginx", "redis", "postgres", "alpine", "python"][n % 5]}:${1 + (n % 3)}.${n % 20}`;
    case 1:
      return `registry.mycorp.local:5000/team-${n % 40}/service-${n}:v${n % 9}.${n % 13}@${DIGEST(n)}`;
    case 2:
      return `123456789012.dkr.ecr.us-east-1.amazonaws.com/app-${n}:1.${n % 30}.0`;
    case 3:
      return `gcr.io/project-${n % 50}/job-${n}@${DIGEST(n)}`;
    default:
      return `quay.io/org-${n % 20}/tool-${n}:v${n % 5}`;
  }
}

/** Pods with three containers each (two app containers and an init container). */
export function generatePods(
  count: number,
  seed: number,
  uniqueImages: boolean,
): Array<{ namespace: string; images: string[] }> {
  const rnd = random(seed);
  const pods: Array<{ namespace: string; images: string[] }> = [];
  for (let i = 0; i < count; i++) {
    const images = [0, 1, 2].map((k) => generateImage(rnd, uniqueImages ? i * 3 + k : undefined));
    pods.push({ namespace: `team-${i % 20}`, images });
  }
  return pods;
}

/** A multi-document YAML file of Deployments, as `kubectl get -o yaml` or Helm would print. */
export function deploymentsYaml(
  pods: ReadonlyArray<{ namespace: string; images: string[] }>,
): string {
  const out: string[] = [];
  pods.forEach((p, i) => {
    out.push(`---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: ${p.namespace}
  labels: {app: app-${i}}
spec:
  replicas: 2
  selector: {matchLabels: {app: app-${i}}}
  template:
    metadata: {labels: {app: app-${i}}}
    spec:
      initContainers:
        - name: init
          image: "${p.images[2]}"
      containers:
        - name: app
          image: "${p.images[0]}"
          ports: [{containerPort: 8080}]
        - name: sidecar
          image: "${p.images[1]}"
`);
  });
  return out.join("");
}

/** The same Deployments as deploymentsYaml, as one JSON List (what `kubectl get -o json` prints). */
export function deploymentsJsonList(
  pods: ReadonlyArray<{ namespace: string; images: string[] }>,
): string {
  const items = pods.map((p, i) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `app-${i}`, namespace: p.namespace, labels: { app: `app-${i}` } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: `app-${i}` } },
      template: {
        metadata: { labels: { app: `app-${i}` } },
        spec: {
          initContainers: [{ name: "init", image: p.images[2] }],
          containers: [
            { name: "app", image: p.images[0], ports: [{ containerPort: 8080 }] },
            { name: "sidecar", image: p.images[1] },
          ],
        },
      },
    },
  }));
  return JSON.stringify({ apiVersion: "v1", kind: "List", items }, null, 2);
}
