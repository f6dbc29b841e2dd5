import { useEffect, useState } from "react";
import { canWrite, useSession } from "../components/context.js";
import { useLoad } from "../components/hooks.js";
import { ConfirmDialog, ErrorBanner, Loading, PageHeader } from "../components/ui.js";
import { canChangePolicy, toScopeOfNode } from "../lib/permissions.js";
import {
  buildPolicyTree,
  type NodeRef,
  type TreeNode,
  toNodeId,
  toPath,
  toPolicyScope,
} from "../lib/policy-tree.js";
import type { Api, PolicyDocument } from "../lib/resources.js";
import { toHash } from "../lib/route.js";
import { readSavedNotice, setSavedNotice } from "../lib/saved.js";
import { NodePanel } from "./policies/NodePanel.js";
import { PolicyTable } from "./policies/PolicyTable.js";
import { SavedBanner } from "./policies/SavedBanner.js";
import { ScopeTree } from "./policies/ScopeTree.js";

type View = "organization" | "workspaces";

async function loadAll(api: Api, org: string) {
  const [policies, workspaces] = await Promise.all([api.policies(), api.workspaces()]);
  const attached = await Promise.all(
    workspaces.map(async (w) => ({
      name: w.metadata.name,
      // Labels only once an agent reported the namespace: before, selectors cannot be decided.
      namespaces: (await api.attachments(w.metadata.name)).map((a) => ({
        cluster: a.cluster,
        namespace: a.namespace,
        labels: a.reported ? (a.labels ?? {}) : undefined,
      })),
    })),
  );
  return { policies, tree: buildPolicyTree(org, attached) };
}

/** The view and node a link asked for; the Workspaces view starts at the first workspace. */
function toInitial(node: NodeRef | undefined): { view: View; id: string | undefined } {
  if (node === undefined || node.kind === "organization") {
    return { view: "organization", id: undefined };
  }
  return { view: "workspaces", id: toNodeId(node) };
}

export function Policies({ node }: { node?: NodeRef | undefined }) {
  const { api, whoami, organization } = useSession();
  const data = useLoad(() => loadAll(api, organization), [api, organization]);
  const [deleting, setDeleting] = useState<PolicyDocument | undefined>(undefined);
  const [initial] = useState(() => toInitial(node));
  const [view, setView] = useState<View>(initial.view);
  const [picked, setPicked] = useState<string | undefined>(initial.id);
  const [saved, setSaved] = useState(readSavedNotice);
  // Shown once: coming back to the page later does not repeat it.
  useEffect(() => setSavedNotice(undefined), []);
  const writable = canWrite(whoami.role);
  // Per policy and per node: a workspace admin sees organization policies it cannot change.
  const canChange = (p: PolicyDocument) => canChangePolicy(whoami, toPolicyScope(p.spec));
  const canCreate = (ref: NodeRef) => writable && canChangePolicy(whoami, toScopeOfNode(ref));
  const tree = data.data?.tree;
  const selected =
    tree === undefined
      ? undefined
      : ((toPath(tree, picked ?? "").length > 0 ? picked : undefined) ??
        tree.children[0]?.id ??
        tree.id);
  const select = (id: string) => {
    setPicked(id);
    const ref = tree === undefined ? undefined : toPath(tree, id).at(-1)?.ref;
    // The address bookmarks the node without a navigation (which would move focus away).
    window.history.replaceState(null, "", toHash({ page: "policies", node: ref }));
  };
  const switchView = (v: View) => {
    setView(v);
    const ref: NodeRef | undefined =
      v === "organization" ? undefined : toPath(tree ?? EMPTY, selected ?? "").at(-1)?.ref;
    window.history.replaceState(null, "", toHash({ page: "policies", node: ref }));
  };
  return (
    <>
      <PageHeader title="Policies">
        {writable ? (
          <a className="button primary" href={toHash({ page: "policy-new" })}>
            Create policy
          </a>
        ) : null}
      </PageHeader>
      {saved ? <SavedBanner notice={saved} onDismiss={() => setSaved(undefined)} /> : null}
      <div role="tablist" aria-label="Policy types" className="tabs">
        <button
          type="button"
          role="tab"
          id="tab-image-registry"
          aria-selected="true"
          aria-controls="panel-image-registry"
        >
          Image Registry
        </button>
      </div>
      <div
        role="tabpanel"
        id="panel-image-registry"
        aria-labelledby="tab-image-registry"
        className="tab-panel"
      >
        <p className="muted">
          Image registry policies decide which container images may run. A policy assigned to a node
          applies to everything below it.
        </p>
        <fieldset className="segmented">
          <legend className="sr-only">Show</legend>
          {(["organization", "workspaces"] as const).map((v) => (
            <label key={v} className={view === v ? "on" : undefined}>
              <input
                type="radio"
                name="policies-view"
                checked={view === v}
                onChange={() => switchView(v)}
              />
              {v === "organization" ? "Organization" : "Workspaces"}
            </label>
          ))}
        </fieldset>
        <ErrorBanner error={data.error} />
        {data.data === undefined || tree === undefined ? (
          data.loading ? (
            <Loading what="policies" />
          ) : null
        ) : view === "organization" ? (
          <OrganizationView
            tree={tree}
            policies={data.data.policies}
            canCreate={canCreate}
            canChange={canChange}
            onDelete={setDeleting}
          />
        ) : (
          <div className="assignments">
            <ScopeTree tree={tree} selected={selected ?? tree.id} onSelect={select} />
            <NodePanel
              path={toPath(tree, selected ?? tree.id)}
              policies={data.data.policies}
              canCreate={canCreate}
              canChange={canChange}
              onDelete={setDeleting}
            />
          </div>
        )}
      </div>
      {deleting ? (
        <ConfirmDialog
          title={`Delete policy ${deleting.metadata.name}?`}
          message="Clusters stop enforcing it within seconds."
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await api.deletePolicy(deleting.metadata.name, deleting.metadata.resourceVersion ?? "");
            setDeleting(undefined);
            data.reload();
          }}
        />
      ) : null}
    </>
  );
}

const EMPTY: TreeNode = { id: "", label: "", ref: { kind: "organization" }, children: [] };

/** The organization's own policies, then every policy assigned below it, with counts. */
function OrganizationView(props: {
  tree: TreeNode;
  policies: readonly PolicyDocument[];
  canCreate: (ref: NodeRef) => boolean;
  canChange: (p: PolicyDocument) => boolean;
  onDelete: (p: PolicyDocument) => void;
}) {
  const kinds = props.policies.map((p) => toPolicyScope(p.spec).kind);
  const count = (k: string) => kinds.filter((x) => x === k).length;
  const below = props.policies.filter((p) => toPolicyScope(p.spec).kind !== "organization");
  return (
    <>
      <NodePanel path={[props.tree]} {...props} />
      <section className="card" aria-labelledby="summary-title">
        <h2 id="summary-title">
          All policies <span className="count">{props.policies.length}</span>
        </h2>
        <p className="muted">
          {count("organization")} organization, {count("workspace")} workspace and{" "}
          {count("namespace")} namespace policies. Those assigned below the organization:
        </p>
        {below.length === 0 ? (
          <p className="empty">None.</p>
        ) : (
          <PolicyTable
            items={below}
            caption="Policies assigned to workspaces and namespaces"
            showScope={true}
            canChange={props.canChange}
            onDelete={props.onDelete}
          />
        )}
      </section>
    </>
  );
}
