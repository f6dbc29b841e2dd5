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

export function generatePolicies(count = 50): Record<string, unknown>[] {
  const docs: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 5;
    const action = i % 7 === 0 ? "warn" : i % 11 === 0 ? "audit" : "deny";
    const base = { apiVersion: "customs.dev/v1alpha1", kind: "ImagePolicy", metadata: { name: `policy-${i}` } };
    // Every policy applies to the benchmark's namespaces: org-wide or a selector they match.
    const scope = i % 3 === 0 ? { namespaceSelector: { matchExpressions: [{ key: "env", operator: "NotIn", values: ["sandbox"] }] } } : {};
    let spec: Record<string, unknown>;
    if (kind === 0) spec = { recipe: "block-latest-tag" };
    else if (kind === 1) spec = { recipe: "require-digest", action: "audit" };
    else if (kind === 2) {
      spec = {
        recipe: "custom",
        input: {
          rules: [
            { hostname: "registry.mycorp.local", port: "5000", imageName: "team-*/*" },
            { hostname: "*.dkr.ecr.us-east-1.amazonaws.com" },
            { hostname: "docker.io", imageName: "library/*", tag: { value: "latest", negate: true } },
            { hostname: "gcr.io", imageName: `project-${i}/*`, requireDigest: true },
          ],
        },
      };
    } else if (kind === 3) {
      spec = {
        recipe: "blocked-images",
        input: { rules: [{ imageName: "busybox" }, { imageName: `*miner-${i}*` }, { hostname: "evil.example.com" }, { tag: { value: "*-debug" } }] },
      };
    } else {
      spec = {
        recipe: "allowed-name-tag",
        input: { rules: [{ imageName: "*", tag: { value: "v*" } }, { imageName: "library/*" }, { imageName: "team-*/*", tag: "1.*" }] },
      };
    }
    docs.push({ ...base, spec: { ...scope, action, ...spec } });
  }
  return docs;
}

export function generateImage(rnd: () => number, unique: number | undefined): string {
  const n = unique ?? Math.floor(rnd() * 2000);
  switch (Math.floor(rnd() * 5)) {
    case 0:
      return ["nginx", "busybox", "redis:7", "postgres:16.2", "alpine:3.20"][n % 5] + (unique === undefined ? "" : `-${n}`);
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
export function generatePods(count: number, seed: number, uniqueImages: boolean): Array<{ namespace: string; images: string[] }> {
  const rnd = random(seed);
  const pods: Array<{ namespace: string; images: string[] }> = [];
  for (let i = 0; i < count; i++) {
    const images = [0, 1, 2].map((k) => generateImage(rnd, uniqueImages ? i * 3 + k : undefined));
    pods.push({ namespace: `team-${i % 20}`, images });
  }
  return pods;
}

/** A multi-document YAML file of Deployments, as `kubectl get -o yaml` or Helm would print. */
export function deploymentsYaml(pods: ReadonlyArray<{ namespace: string; images: string[] }>): string {
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
