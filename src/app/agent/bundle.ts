import { re2Engine } from "../../adapters/re2/index.js";
import { CustomsError } from "../../core/errors.js";
import { createEvaluator, type Evaluator } from "../../core/evaluate/index.js";
import type { BundleSignature } from "../../core/fleet/bundle-signature.js";
import {
  checkExtensions,
  compilePolicySet,
  type ImagePolicy,
  validateDocument,
  type Workspace,
} from "../../core/policy/index.js";

/** `GET /api/v1/agent/policies` 200 body (docs/control-plane.md, "Agent protocol"). */
export interface PolicyBundle {
  /** The organization's revision the bundle was built at (kept as the server sent it). */
  readonly revision: number | string;
  readonly cluster: string;
  readonly policies: readonly unknown[];
  readonly workspaces: readonly unknown[];
}

/** A bundle that validated and compiled: what the webhook enforces. */
export interface AppliedBundle {
  readonly bundle: PolicyBundle;
  readonly etag: string | undefined;
  /** The control plane's signature, verified before the bundle was compiled. */
  readonly signature?: BundleSignature;
  readonly evaluator: Evaluator;
  readonly policies: readonly ImagePolicy[];
  readonly workspaces: readonly Workspace[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Checks the envelope; throws AGENT_BUNDLE_INVALID naming the field. */
export function parseBundle(body: unknown, where: string): PolicyBundle {
  const fail = (path: string, message: string): never => {
    throw new CustomsError("AGENT_BUNDLE_INVALID", `${where}: ${path}: ${message}`, path);
  };
  if (!isRecord(body)) return fail("(body)", "expected an object");
  const { revision, cluster, policies, workspaces } = body;
  if (typeof revision !== "number" && typeof revision !== "string")
    fail("revision", "expected a number or a string");
  if (typeof cluster !== "string" || cluster === "") fail("cluster", "expected a cluster name");
  if (!Array.isArray(policies)) fail("policies", "expected an array");
  if (workspaces !== undefined && !Array.isArray(workspaces))
    fail("workspaces", "expected an array");
  return {
    revision: revision as number | string,
    cluster: cluster as string,
    policies: policies as unknown[],
    workspaces: (workspaces as unknown[] | undefined) ?? [],
  };
}

/**
 * Validates every document with the same code as `customs policy validate` and compiles the
 * set as `customs check --cluster` would. All or nothing: a bundle with one bad document is
 * refused whole, because enforcing part of what the control plane meant could allow what
 * one of the missing policies denies.
 */
export function verifyBundle(
  bundle: PolicyBundle,
  etag: string | undefined,
  where: string,
  now = Date.now(),
  signature?: BundleSignature,
): AppliedBundle {
  const policies: ImagePolicy[] = [];
  const workspaces: Workspace[] = [];
  const problems: string[] = [];
  const names = new Set<string>();
  const documents = [
    ...bundle.policies.map((d, i) => ({ d, path: `policies[${i}]`, kind: "ImagePolicy" })),
    ...bundle.workspaces.map((d, i) => ({ d, path: `workspaces[${i}]`, kind: "Workspace" })),
  ];
  for (const { d, path, kind } of documents) {
    const r = validateDocument(
      d,
      { source: `${where} ${path}`, index: 0 },
      {
        regex: re2Engine,
        now,
      },
    );
    if (r.kind === "invalid") {
      for (const i of r.issues.filter((x) => x.severity === "error"))
        problems.push(`${path}${i.path === "" ? "" : `.${i.path}`}: ${i.message}`);
      continue;
    }
    if (r.kind !== kind) {
      problems.push(`${path}: expected a ${kind}, got a ${r.kind}`);
      continue;
    }
    const name =
      r.kind === "ImagePolicy"
        ? r.policy.name
        : r.kind === "Workspace"
          ? r.workspace.name
          : r.exception.name;
    if (names.has(`${kind}/${name}`)) problems.push(`${path}: ${kind}/${name} is delivered twice`);
    names.add(`${kind}/${name}`);
    if (r.kind === "ImagePolicy") policies.push(r.policy);
    else if (r.kind === "Workspace") workspaces.push(r.workspace);
  }
  // An extension needs its parent in the same bundle (the control plane checks this at each
  // write; a race between two writes could still deliver one without it).
  for (const i of checkExtensions(policies).issues) {
    problems.push(`ImagePolicy/${i.policy} ${i.path}: ${i.message}`);
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).join("; ");
    const more = problems.length > 10 ? ` (and ${problems.length - 10} more)` : "";
    throw new CustomsError(
      "AGENT_BUNDLE_INVALID",
      `${where}: revision ${String(bundle.revision)} refused: ${shown}${more}`,
    );
  }
  const evaluator = createEvaluator(compilePolicySet(policies, workspaces, re2Engine), undefined, {
    now: Date.now,
  });
  return {
    bundle,
    etag,
    ...(signature === undefined ? {} : { signature }),
    evaluator,
    policies,
    workspaces,
  };
}
