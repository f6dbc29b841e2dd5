/**
 * Builds the benchmark's fleet through the public API, as an operator's automation would:
 * clusters (keeping each agent token), workspaces, namespace attachments, policies. Every
 * request is a real one (authorization, validation, audit entry, revision bump).
 */
import { type Client, expectCall, pool } from "./fleet-http.js";
import {
  attachments,
  clusterName,
  type FleetSize,
  IDLE_WORKSPACE,
  type PolicySeed,
  policyDocument,
  workspaceName,
} from "./fleet-model.js";

export const ORG = "default";
const IN_FLIGHT = 16;

export interface SeedStep {
  readonly what: string;
  readonly count: number;
  readonly seconds: number;
}

export interface Seeded {
  /** Agent token of each cluster. */
  readonly tokens: Map<string, string>;
  readonly steps: SeedStep[];
}

async function step<T>(
  steps: SeedStep[],
  what: string,
  items: readonly T[],
  work: (item: T) => Promise<void>,
  log: (line: string) => void,
): Promise<void> {
  const started = performance.now();
  await pool(items, IN_FLIGHT, work);
  const seconds = (performance.now() - started) / 1000;
  steps.push({ what, count: items.length, seconds });
  log(`${what}: ${items.length} in ${seconds.toFixed(1)} s`);
}

/** The agent token in a cluster-creation answer (top level, or beside a `cluster` object). */
function agentTokenOf(text: string): string {
  const body = JSON.parse(text) as { agentToken?: unknown; cluster?: { agentToken?: unknown } };
  const token = body.agentToken ?? body.cluster?.agentToken;
  if (typeof token !== "string") throw new Error(`no agentToken in ${text.slice(0, 200)}`);
  return token;
}

export async function seedFleet(
  admin: Client,
  size: FleetSize,
  policies: readonly PolicySeed[],
  log: (line: string) => void,
): Promise<Seeded> {
  const steps: SeedStep[] = [];
  const tokens = new Map<string, string>();
  const org = `/api/v1/organizations/${ORG}`;

  const clusters = Array.from({ length: size.clusters }, (_, i) => clusterName(i));
  await step(
    steps,
    "create clusters",
    clusters,
    async (name) => {
      const reply = await expectCall(admin, "POST", `${org}/clusters`, {
        metadata: { name },
        spec: { description: "benchmark cluster" },
      });
      tokens.set(name, agentTokenOf(reply.text));
    },
    log,
  );

  const workspaces = [
    ...Array.from({ length: size.workspaces }, (_, w) => workspaceName(w)),
    IDLE_WORKSPACE,
  ];
  await step(
    steps,
    "create workspaces",
    workspaces,
    async (name) => {
      await expectCall(admin, "POST", `${org}/workspaces`, { metadata: { name }, spec: {} });
    },
    log,
  );

  await step(
    steps,
    "attach namespaces",
    attachments(size),
    async (a) => {
      const path = `${org}/workspaces/${a.workspace}/namespaces/${a.cluster}/${a.namespace}`;
      await expectCall(admin, "PUT", path, {});
    },
    log,
  );

  await step(
    steps,
    "create policies",
    policies,
    async (seed) => {
      await expectCall(admin, "POST", `${org}/policies`, policyDocument(seed));
    },
    log,
  );
  return { tokens, steps };
}
