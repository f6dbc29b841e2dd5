import { useState } from "react";
import { canWrite, useSession } from "../components/context.js";
import { useLoad } from "../components/hooks.js";
import { ConfirmDialog, ErrorBanner, Loading, PageHeader } from "../components/ui.js";
import { toScopeText } from "../lib/format.js";
import type { PolicyDocument } from "../lib/resources.js";
import { toHash } from "../lib/route.js";
import { templateOf } from "../lib/wizard.js";

const GROUPS = [
  {
    kind: "organization",
    title: "Organization",
    help: "Apply to every namespace of every cluster.",
  },
  { kind: "workspace", title: "Workspace", help: "Apply to the namespaces of one workspace." },
  {
    kind: "namespace",
    title: "Namespace",
    help: "Apply to one namespace (in one cluster, or in every cluster).",
  },
] as const;

function PolicyTable(props: {
  items: readonly PolicyDocument[];
  kind: string;
  writable: boolean;
  onDelete: (p: PolicyDocument) => void;
}) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Name</th>
          {props.kind === "organization" ? null : (
            <th scope="col">{props.kind === "workspace" ? "Workspace" : "Namespace"}</th>
          )}
          <th scope="col">Template</th>
          <th scope="col">Action</th>
          <th scope="col">Rules</th>
          {props.writable ? (
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {props.items.map((p) => {
          const recipe = String(p.spec.recipe ?? "");
          const input = (p.spec.input ?? {}) as { rules?: unknown[]; audit?: boolean };
          const action = String(p.spec.action ?? (input.audit === true ? "audit" : "deny"));
          const name = p.metadata.name;
          return (
            <tr key={name}>
              <td>
                <a href={toHash({ page: "policy-edit", name })}>{name}</a>
              </td>
              {props.kind === "organization" ? null : <td>{toScopeText(p.spec).target}</td>}
              <td>
                {templateOf(recipe)?.label ?? recipe} <span className="muted mono">({recipe})</span>
              </td>
              <td>
                <span className={`pill action-${action}`}>{action}</span>
              </td>
              <td>{Array.isArray(input.rules) ? input.rules.length : "–"}</td>
              {props.writable ? (
                <td className="row-actions">
                  <a
                    className="button small"
                    href={toHash({ page: "policy-edit", name })}
                    aria-label={`Edit ${name}`}
                  >
                    Edit
                  </a>
                  <button
                    type="button"
                    className="small danger"
                    aria-label={`Delete ${name}`}
                    onClick={() => props.onDelete(p)}
                  >
                    Delete
                  </button>
                </td>
              ) : null}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function Policies() {
  const { api, whoami } = useSession();
  const policies = useLoad(() => api.policies(), [api]);
  const [deleting, setDeleting] = useState<PolicyDocument | undefined>(undefined);
  const writable = canWrite(whoami.role);
  return (
    <>
      <PageHeader title="Policies">
        {writable ? (
          <a className="button primary" href={toHash({ page: "policy-new" })}>
            Create policy
          </a>
        ) : null}
      </PageHeader>
      <p className="muted">Image registry policies decide which container images may run.</p>
      <ErrorBanner error={policies.error} />
      {policies.data === undefined ? (
        policies.loading ? (
          <Loading what="policies" />
        ) : null
      ) : (
        GROUPS.map((g) => {
          const items = (policies.data ?? []).filter((p) => toScopeText(p.spec).kind === g.kind);
          return (
            <section key={g.kind} aria-labelledby={`scope-${g.kind}`} className="card">
              <h2 id={`scope-${g.kind}`}>
                {g.title} policies <span className="count">{items.length}</span>
              </h2>
              <p className="muted">{g.help}</p>
              {items.length === 0 ? (
                <p className="empty">None.</p>
              ) : (
                <PolicyTable
                  items={items}
                  kind={g.kind}
                  writable={writable}
                  onDelete={setDeleting}
                />
              )}
            </section>
          );
        })
      )}
      {deleting ? (
        <ConfirmDialog
          title={`Delete policy ${deleting.metadata.name}?`}
          message="Clusters stop enforcing it within seconds."
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await api.deletePolicy(deleting.metadata.name, deleting.metadata.resourceVersion ?? "");
            setDeleting(undefined);
            policies.reload();
          }}
        />
      ) : null}
    </>
  );
}
