import { afterEach, describe, expect, it } from "vitest";
import { Auditor, type AuditPass } from "../../src/app/audit/index.js";
import { FactCache } from "../../src/app/supply/cache.js";
import { FactsGatherer, type RegistrySource } from "../../src/app/supply/facts.js";
import {
  cachedSupplyFor,
  factRequestFor,
  type SupplyContext,
  withFetchedFacts,
} from "../../src/app/supply/index.js";
import { peekFacts } from "../../src/app/supply/peek.js";
import { NamespaceCache } from "../../src/app/webhook/index.js";
import { SUPPLY_NOT_CACHED } from "../../src/core/audit/index.js";
import { createEvaluator, toNamespaceFacts } from "../../src/core/evaluate/index.js";
import { metadata, ok } from "../supply/support.js";
import { compileDocs, policyDoc } from "../support/policies.js";
import { within } from "../support/wait.js";
import { FakeKube, SteppedClock } from "./fake-kube.js";

const DEPLOYMENTS = "/apis/apps/v1/deployments";
const ROOT = `registry.example.com/team/root@sha256:${"1".repeat(64)}`;
const NONROOT = `registry.example.com/team/app@sha256:${"2".repeat(64)}`;
const UNSEEN = `registry.example.com/team/new@sha256:${"3".repeat(64)}`;
const TAGGED = "registry.example.com/team/app:v1";
const TTL = 60_000;

function deployment(name: string, image: string) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "team-a", uid: `uid-${name}` },
    spec: { template: { spec: { containers: [{ name: "app", image }] } } },
  };
}

/** A registry that counts every request: the audit must make none. */
function countingRegistry() {
  const requests: string[] = [];
  const source: RegistrySource = {
    async digestOf(ref) {
      requests.push("digest");
      return ok(ref.digest ?? `sha256:${"2".repeat(64)}`);
    },
    async metadataOf(ref) {
      requests.push(`metadata ${ref.digest}`);
      return ok(metadata({ user: ref.digest?.includes("1111") ? "0" : "65532" }));
    },
  };
  return { source, requests };
}

const running: Auditor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

function setup() {
  let t = 1_000_000;
  const now = () => t;
  const registry = countingRegistry();
  const cache = new FactCache({ ttlMs: TTL, negativeTtlMs: 5_000, graceMs: 0 }, now);
  const supply: SupplyContext = {
    provider: new FactsGatherer({ registry: registry.source, cache, now }),
    now,
    budgetMs: 5_000,
    tags: { defaultHandling: "pin", admission: true },
    peek: (image, request) => peekFacts(cache, image, request),
  };
  const evaluator = createEvaluator(
    compileDocs(policyDoc("non-root", { recipe: "non-root-user" })),
  );
  /** What the admission path does for one image: fetch its facts (and so cache them). */
  const admit = async (image: string) => {
    const policies = evaluator.applicable(toNamespaceFacts("team-a", {}));
    const request = factRequestFor(policies);
    if (request === undefined) throw new Error("the policy needs facts");
    await withFetchedFacts(evaluator, request, [image], supply);
  };
  const clock = new SteppedClock();
  const kube = new FakeKube(clock);
  let waiting: ((p: AuditPass) => void) | undefined;
  const auditor = new Auditor({
    kube,
    namespaces: new NamespaceCache(undefined),
    policies: () => ({
      evaluator,
      revision: 1,
      supplyFor: (ns, at) => cachedSupplyFor(supply, evaluator, ns, at),
    }),
    policyReports: true,
    clock,
    qps: 1_000,
    burst: 1_000,
    debounceMs: 0,
    onPass: (p) => {
      waiting?.(p);
      waiting = undefined;
    },
  });
  running.push(auditor);
  const next = () =>
    within(
      new Promise<AuditPass>((resolve) => {
        waiting = resolve;
      }),
      "an audit pass",
    );
  const results = (pass: AuditPass) =>
    Object.fromEntries(
      pass.inventory.workloads.map((w) => [
        w.name,
        w.results.map((r) => `${r.result}${r.code ? ` ${r.code}` : ""}`).join(","),
      ]),
    );
  return {
    kube,
    auditor,
    next,
    admit,
    results,
    registry,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe("the audit decides supply-chain policies on the admission path's cached facts", () => {
  it("cached by an admission: pass or fail; never cached: skip; and no registry request", async () => {
    const s = setup();
    await s.admit(ROOT);
    await s.admit(NONROOT);
    const fetched = s.registry.requests.length;
    expect(fetched).toBeGreaterThan(0);
    s.kube.put(DEPLOYMENTS, deployment("root", ROOT));
    s.kube.put(DEPLOYMENTS, deployment("app", NONROOT));
    s.kube.put(DEPLOYMENTS, deployment("new", UNSEEN));
    const first = s.next();
    await s.auditor.start();
    const pass = await first;
    expect(s.results(pass)).toEqual({
      root: "fail IMAGE_USER_ROOT",
      app: "pass",
      new: "skip",
    });
    const skipped = pass.inventory.workloads.find((w) => w.name === "new")?.results[0];
    expect(skipped?.message).toBe(SUPPLY_NOT_CACHED);
    expect(s.registry.requests.length).toBe(fetched);
  });

  it("respects the TTL: expired facts are not used, and are not fetched again by the audit", async () => {
    const s = setup();
    await s.admit(ROOT);
    s.kube.put(DEPLOYMENTS, deployment("root", ROOT));
    const first = s.next();
    await s.auditor.start();
    expect(s.results(await first)).toEqual({ root: "fail IMAGE_USER_ROOT" });
    s.advance(TTL);
    const second = s.next();
    await s.auditor.runNow();
    expect(s.results(await second)).toEqual({ root: "skip" });
    expect(s.registry.requests.filter((r) => r.startsWith("metadata"))).toEqual([
      `metadata sha256:${"1".repeat(64)}`,
    ]);
  });

  it("a tag is decided on the digest the last admission resolved it to, within the TTL", async () => {
    const s = setup();
    s.kube.put(DEPLOYMENTS, deployment("tagged", TAGGED));
    const first = s.next();
    await s.auditor.start();
    expect(s.results(await first)).toEqual({ tagged: "skip" });
    await s.admit(TAGGED);
    const requests = s.registry.requests.length;
    const second = s.next();
    await s.auditor.runNow();
    expect(s.results(await second)).toEqual({ tagged: "pass" });
    expect(s.registry.requests.length).toBe(requests);
  });
});
