import {
  type Excluded,
  evaluateNodePolicies,
  type NodeRef,
  type TreeNode,
} from "../../lib/policy-tree.js";
import type { PolicyDocument } from "../../lib/resources.js";
import { type ScopePreset, toHash } from "../../lib/route.js";
import { PolicyTable } from "./PolicyTable.js";

export function toNodeTitle(node: TreeNode): string {
  if (node.ref.kind === "organization") return `Organization ${node.label}`;
  if (node.ref.kind === "workspace") return `Workspace ${node.label}`;
  return `Namespace ${node.label}`;
}

function toPreset(ref: NodeRef): ScopePreset {
  if (ref.kind === "organization") return { kind: "organization" };
  if (ref.kind === "workspace") return { kind: "workspace", workspace: ref.workspace };
  return { kind: "namespace", cluster: ref.cluster, namespace: ref.namespace };
}

const HELP: Record<NodeRef["kind"], string> = {
  organization: "Policies assigned here apply to every namespace of every cluster.",
  workspace: "Policies assigned here apply to the namespaces attached to this workspace.",
  namespace:
    "Policies assigned here apply to this namespace (those written without a cluster apply to it in every cluster); a policy with a namespace selector, here or above, only where the namespace's labels match it.",
};

/** One node: its own policies, then those it inherits from the nodes above it. */
export function NodePanel(props: {
  path: readonly TreeNode[];
  policies: readonly PolicyDocument[];
  /** May the caller create policies here (the button), and change this one (its row)? */
  canCreate: (ref: NodeRef) => boolean;
  canChange: (p: PolicyDocument) => boolean;
  onDelete: (p: PolicyDocument) => void;
}) {
  const node = props.path[props.path.length - 1];
  if (node === undefined) return null;
  const { direct, inherited, notApplying, undecided } = evaluateNodePolicies(
    props.path,
    props.policies,
  );
  const title = toNodeTitle(node);
  return (
    <section className="card node-panel" aria-labelledby="node-title">
      <div className="node-head">
        <div>
          <h2 id="node-title">{title}</h2>
          {node.ref.kind === "namespace" ? (
            <p className="muted">In workspace {node.ref.workspace}.</p>
          ) : null}
          <p className="muted">{HELP[node.ref.kind]}</p>
        </div>
        {props.canCreate(node.ref) ? (
          <a className="button" href={toHash({ page: "policy-new", scope: toPreset(node.ref) })}>
            Create Image Registry Policy<span className="sr-only"> for {title}</span>
          </a>
        ) : null}
      </div>
      <h3>
        Directly assigned <span className="count">{direct.length}</span>
      </h3>
      {direct.length === 0 ? (
        <p className="empty">No policy is assigned here.</p>
      ) : (
        <PolicyTable
          items={direct}
          caption={`Policies assigned to ${title}`}
          showScope={node.ref.kind === "namespace"}
          canChange={props.canChange}
          onDelete={props.onDelete}
        />
      )}
      {node.ref.kind === "organization" ? null : (
        <>
          <h3>
            Inherited{" "}
            <span className="count">{inherited.reduce((n, g) => n + g.policies.length, 0)}</span>
          </h3>
          {inherited.length === 0 ? (
            <p className="empty">Nothing is inherited from above.</p>
          ) : (
            inherited.map((g) => (
              <div key={g.from.id} className="inherited">
                <h4>From {toNodeTitle(g.from)}</h4>
                <PolicyTable
                  items={g.policies}
                  caption={`Policies inherited from ${toNodeTitle(g.from)}`}
                  showScope={false}
                  canChange={props.canChange}
                  onDelete={props.onDelete}
                />
              </div>
            ))
          )}
        </>
      )}
      <ExcludedList
        title="Not applying"
        items={notApplying}
        label="Not applying"
        help="Assigned here or above, but this namespace's labels do not match their namespaceSelector."
      />
      <ExcludedList
        title="Depends on labels"
        items={undecided}
        label="Undecided"
        help="Assigned here or above with a namespaceSelector; no agent has reported this namespace's labels yet."
      />
    </section>
  );
}

/** Policies the node's labels leave out (or may), each with where it is assigned and why. */
function ExcludedList(props: {
  title: string;
  items: readonly Excluded<PolicyDocument>[];
  label: string;
  help: string;
}) {
  if (props.items.length === 0) return null;
  return (
    <>
      <h3>
        {props.title} <span className="count">{props.items.length}</span>
      </h3>
      <p className="muted">{props.help}</p>
      <ul className="excluded-policies" aria-label={`Policies: ${props.title.toLowerCase()}`}>
        {props.items.map((x) => (
          <li key={x.policy.metadata.name} data-policy={x.policy.metadata.name}>
            <a href={toHash({ page: "policy-edit", name: x.policy.metadata.name })}>
              {x.policy.metadata.name}
            </a>{" "}
            <span className="muted">(from {toNodeTitle(x.from)})</span>:{" "}
            <span className="pill">{props.label}</span> {x.reason}
          </li>
        ))}
      </ul>
    </>
  );
}
