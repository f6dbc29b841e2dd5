import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import {
  type InputText,
  readInputs,
  readTextFile,
  readTextFileSync,
} from "../../adapters/files/index.js";
import { CustomsError, isCustomsError } from "../../core/errors.js";
import {
  createEvaluator,
  type Decision,
  type Evaluator,
  imagesNeedingFacts,
  type NamespaceFacts,
  toNamespaceFacts,
} from "../../core/evaluate/index.js";
import type { CompiledPolicySet } from "../../core/policy/index.js";
import {
  type CaseOutcome,
  type Exemption,
  formatResourceId,
  matchExpectation,
  type ObservedResource,
  type OfflineImage,
  type PolicyTest,
  type ResourceId,
  unassertedResources,
  validateFactsFile,
  validatePolicyTest,
} from "../../core/policy-test/index.js";
import { parseVulnerabilityReport } from "../../core/vuln/index.js";
import { collectManifests, DEFAULT_NAMESPACE } from "../check/index.js";
import { loadPolicySet, parseDocuments } from "../documents/index.js";
import { factRequestOf, withFetchedFacts } from "../supply/index.js";
import { isTestFileName } from "./find.js";
import { OfflineSources } from "./offline.js";

/** What one test file found: each expectation judged, and the resources none names. */
export interface TestFileReport {
  readonly file: string;
  readonly name: string;
  readonly outcomes: readonly CaseOutcome[];
  readonly unasserted: readonly ResourceId[];
  /** Files in resource folders skipped as not Kubernetes manifests, as `customs check` says. */
  readonly notes: readonly string[];
}

const MANIFEST = /\.(ya?ml|json)$/i;

function invalid(message: string, cause?: unknown): CustomsError {
  return new CustomsError("POLICY_TEST_INVALID", message, undefined, { cause });
}

/** Errors of what a test names keep their code and say which test and field named it. */
async function within<T>(where: string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!isCustomsError(e)) throw e;
    throw new CustomsError(e.code, `${where}: ${e.message}`, undefined, { cause: e });
  }
}

function parseOne(text: string, source: string): unknown {
  const docs = parseDocuments(text, source);
  if (docs.length !== 1) {
    throw invalid(`${source}: holds ${docs.length} documents; a test file is one document`);
  }
  return docs[0]?.value;
}

interface Paths {
  readonly cwd: string;
  readonly base: string;
  /** A path of the test as the user reads it (relative to the working directory). */
  shown(p: string): string;
}

function pathsOf(file: string, cwd: string): Paths {
  const base = resolve(cwd, dirname(file));
  return {
    cwd,
    base,
    shown: (p) => relative(cwd, isAbsolute(p) ? p : join(base, p)) || ".",
  };
}

/**
 * Reads a list of files and folders of the test. Folders give their YAML and JSON files but
 * never test files or the test's facts file, so that a test may sit in the folder it reads.
 */
async function readList(
  file: string,
  field: string,
  list: readonly string[],
  paths: Paths,
  skip: ReadonlySet<string>,
): Promise<InputText[]> {
  const out: InputText[] = [];
  for (const [i, p] of list.entries()) {
    const texts = await within(`${file}: ${field}[${i}]`, () =>
      readInputs(
        [paths.shown(p)],
        paths.cwd,
        (name) => MANIFEST.test(name) && !isTestFileName(name),
      ),
    );
    out.push(...texts.filter((t) => !skip.has(resolve(paths.cwd, t.source))));
  }
  return out;
}

async function readFacts(file: string, test: PolicyTest, paths: Paths) {
  if (test.facts === undefined) return { images: [] as OfflineImage[], shown: "" };
  const shown = paths.shown(test.facts);
  const at = resolve(paths.cwd, shown);
  const text = await within(`${file}: facts`, () => readTextFile(at, { name: shown }));
  // Report files are named relative to the facts file, as the test's paths are to the test.
  const readReport = (report: string) => {
    const name = relative(paths.cwd, resolve(dirname(at), report)) || report;
    const bytes = readTextFileSync(resolve(dirname(at), report), { name });
    return parseVulnerabilityReport(bytes, name);
  };
  const result = validateFactsFile(parseOne(text, shown), { readReport });
  if (!result.ok) {
    const lines = result.issues.map((i) => `${shown}: ${i.path || "(document)"}: ${i.message}`);
    throw invalid(`${file}: facts: ${lines.join("\n")}`);
  }
  return { images: [...result.images], shown };
}

/** The exceptions that relaxed a policy for this decision (ImagePolicyException). */
function exemptionsOf(decision: Decision): Exemption[] {
  return (decision.exempted ?? []).map((x) => ({
    policy: x.policy,
    container: x.container,
    exception: x.exception,
  }));
}

/** The evaluator `customs check` builds, with facts from the file instead of the network. */
async function evaluatorFor(
  set: CompiledPolicySet,
  test: PolicyTest,
  facts: { images: OfflineImage[]; shown: string },
  located: ReturnType<typeof collectManifests>["located"],
  nsFacts: (name: string) => NamespaceFacts,
  clock: () => number,
): Promise<Evaluator> {
  // The test's clock decides which exceptions have expired, as `now` does everywhere else.
  const base = createEvaluator(set, undefined, { now: clock });
  const request = factRequestOf(set);
  if (request === undefined) return base;
  const images = new Set<string>();
  for (const { workload } of located) {
    const policies = base.applicable(nsFacts(workload.namespace ?? DEFAULT_NAMESPACE));
    for (const i of imagesNeedingFacts(base, policies, workload.containers)) images.add(i);
  }
  const { FactsGatherer } = await import("../supply/facts.js");
  const offline = new OfflineSources(facts.images, facts.shown);
  const provider = new FactsGatherer({
    registry: offline,
    signatures: offline,
    attestations: offline,
    vulnerabilities: offline,
    now: clock,
  });
  const fetched = await withFetchedFacts(base, request, [...images], {
    provider,
    now: clock,
    budgetMs: 60_000,
    tags: { defaultHandling: test.tagHandling ?? "refuse", admission: false },
  });
  return fetched.evaluator;
}

function namespaceLabels(
  file: string,
  test: PolicyTest,
  fromResources: Map<string, Record<string, string>>,
): Map<string, Record<string, string>> {
  const labels = new Map(fromResources);
  for (const [name, given] of test.namespaces) {
    // Two sources of one namespace's labels: which one decides would be a guess.
    if (fromResources.has(name)) {
      throw invalid(`${file}: namespaces.${name}: is also a Namespace in resources; give it once`);
    }
    labels.set(name, given);
  }
  return labels;
}

/** Runs one test file: loads what it names, decides every resource offline, judges. */
export async function runPolicyTest(
  input: InputText,
  cwd = process.cwd(),
): Promise<TestFileReport> {
  const file = input.source;
  const checked = validatePolicyTest(parseOne(input.text, file));
  if (!checked.ok) {
    const lines = checked.issues.map((i) => `${file}: ${i.path || "(document)"}: ${i.message}`);
    throw invalid(lines.join("\n"));
  }
  const test = checked.test;
  const paths = pathsOf(file, cwd);
  const facts = await readFacts(file, test, paths);
  const skip = new Set([resolve(cwd, file)]);
  if (facts.shown !== "") skip.add(resolve(cwd, facts.shown));
  const now = test.now ?? Date.now();
  const clock = () => now;
  const policyTexts = await readList(file, "policies", test.policies, paths, skip);
  const { set } = await within(`${file}: policies`, () => loadPolicySet(policyTexts, now));
  const resourceTexts = await readList(file, "resources", test.resources, paths, skip);
  const collected = await within(`${file}: resources`, () => collectManifests(resourceTexts));
  const labels = namespaceLabels(file, test, collected.labels);
  const cache = new Map<string, NamespaceFacts>();
  const nsFacts = (name: string) => {
    let f = cache.get(name);
    if (f === undefined) {
      f = toNamespaceFacts(name, labels.get(name), test.cluster);
      cache.set(name, f);
    }
    return f;
  };
  const evaluator = await evaluatorFor(set, test, facts, collected.located, nsFacts, clock);
  const resources: ObservedResource[] = [];
  const seen = new Map<string, string>();
  for (const { document, workload } of collected.located) {
    const namespace = workload.namespace ?? DEFAULT_NAMESPACE;
    const id = { kind: workload.kind, namespace, name: workload.name };
    const key = formatResourceId(id);
    const first = seen.get(key);
    if (first !== undefined) {
      throw invalid(`${file}: resources: ${key} is given twice (${first} and ${document.source})`);
    }
    seen.set(key, document.source);
    const ns = nsFacts(namespace);
    const decision = evaluator.evaluate(ns, workload.containers, workload);
    resources.push({
      id,
      source: document.source,
      verdict: decision.verdict,
      containers: workload.containers.map((c) => c.container),
      applicable: evaluator.applicable(ns).map((p) => p.policy.name),
      violations: decision.violations,
      exempted: exemptionsOf(decision),
    });
  }
  const observation = { policies: set.policies.map((p) => p.policy.name), resources };
  return {
    file,
    name: test.name,
    outcomes: test.results.map((e) => matchExpectation(e, observation)),
    unasserted: unassertedResources(test.results, observation),
    notes: collected.notes,
  };
}
