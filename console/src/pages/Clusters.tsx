import { useState } from "react";
import { canWrite, useSession } from "../components/context.js";
import { useLoad } from "../components/hooks.js";
import { NameForm } from "../components/NameForm.js";
import { ConfirmDialog, Dialog, ErrorBanner, Loading, PageHeader } from "../components/ui.js";
import { toAge, toLabelText } from "../lib/format.js";
import type { Cluster } from "../lib/resources.js";

/** The command that runs the agent for a new cluster (flags as in docs/control-plane.md). */
export function toAgentCommand(origin: string, token: string): string {
  return [
    "customs agent",
    `--control-plane ${origin}`,
    `--token ${token}`,
    "--ca-file ca.pem",
    "--listen 0.0.0.0:8443 --tls-cert tls.crt --tls-key tls.key",
  ].join(" \\\n  ");
}

function AddCluster({ onClose, onAdded }: { onClose: () => void; onAdded: () => void }) {
  const { api, origin } = useSession();
  const [created, setCreated] = useState<Cluster | undefined>(undefined);
  if (created !== undefined) {
    const command = toAgentCommand(origin, created.agentToken ?? "<token>");
    return (
      <Dialog title={`Cluster ${created.metadata.name} added`} onClose={onClose}>
        <p>
          Run the agent in the cluster with this token. <strong>It is shown only once</strong>: copy
          it now.
        </p>
        <label htmlFor="agent-token">Agent token</label>
        <input
          id="agent-token"
          readOnly
          value={created.agentToken ?? ""}
          className="mono"
          onFocus={(e) => e.target.select()}
        />
        <label htmlFor="agent-command">Agent command</label>
        <textarea
          id="agent-command"
          readOnly
          rows={5}
          value={command}
          className="mono"
          onFocus={(e) => e.target.select()}
        />
        <div className="actions">
          <button type="button" onClick={() => void navigator.clipboard?.writeText(command)}>
            Copy command
          </button>
          <button type="button" className="primary" onClick={onClose}>
            Done
          </button>
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog title="Add cluster" onClose={onClose}>
      <NameForm
        nameLabel="Cluster name"
        submit="Add cluster"
        onClose={onClose}
        onSubmit={async (name, description) => {
          const { body } = await api.createCluster(name, description);
          setCreated(body);
          onAdded();
        }}
      />
    </Dialog>
  );
}

function Namespaces({ cluster }: { cluster: string }) {
  const { api } = useSession();
  const list = useLoad(() => api.namespaces(cluster), [api, cluster]);
  if (list.error) return <ErrorBanner error={list.error} />;
  if (list.data === undefined) return <Loading what="namespaces" />;
  if (list.data.length === 0) return <p className="empty">No namespaces reported yet.</p>;
  return (
    <table className="nested">
      <caption className="sr-only">Namespaces reported by {cluster}</caption>
      <thead>
        <tr>
          <th scope="col">Namespace</th>
          <th scope="col">Workspace</th>
          <th scope="col">Labels</th>
        </tr>
      </thead>
      <tbody>
        {list.data.map((n) => (
          <tr key={n.name}>
            <td>{n.name}</td>
            <td>{n.workspace ?? ""}</td>
            <td className="labels">{toLabelText(n.labels)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NamespaceCount({ cluster }: { cluster: string }) {
  const { api } = useSession();
  const list = useLoad(() => api.namespaces(cluster), [api, cluster]);
  return <>{list.data?.length ?? ""}</>;
}

function ClusterRow({ c, now, onDelete }: { c: Cluster; now: number; onDelete?: () => void }) {
  const [open, setOpen] = useState(false);
  const phase = c.status?.phase ?? "pending";
  return (
    <>
      <tr>
        <td>
          <button
            type="button"
            className="link"
            aria-expanded={open}
            onClick={() => setOpen(!open)}
          >
            {c.metadata.name}
          </button>
        </td>
        <td>
          <span className={`pill phase-${phase}`}>{phase}</span>
        </td>
        <td>{toAge(c.status?.lastSeen, now)}</td>
        <td>{c.status?.agentVersion ?? ""}</td>
        <td>{c.status?.kubernetesVersion ?? ""}</td>
        <td className="num">
          <NamespaceCount cluster={c.metadata.name} />
        </td>
        <td>
          {c.status?.appliedRevision ?? "–"} / {c.status?.deliveredRevision ?? "–"}
        </td>
        <td>
          {onDelete ? (
            <button
              type="button"
              className="small danger"
              aria-label={`Delete cluster ${c.metadata.name}`}
              onClick={onDelete}
            >
              Delete
            </button>
          ) : null}
        </td>
      </tr>
      {open ? (
        <tr>
          <td colSpan={8}>
            <Namespaces cluster={c.metadata.name} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

export function Clusters() {
  const { api, whoami } = useSession();
  const clusters = useLoad(() => api.clusters(), [api], 5000);
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<Cluster | undefined>(undefined);
  const admin = whoami.role === "admin" || whoami.role === "organization-admin";
  const now = Date.now();
  return (
    <>
      <PageHeader title="Clusters">
        {admin ? (
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            Add cluster
          </button>
        ) : null}
      </PageHeader>
      <ErrorBanner error={clusters.error} />
      {clusters.data === undefined ? (
        clusters.loading ? (
          <Loading what="clusters" />
        ) : null
      ) : clusters.data.length === 0 ? (
        <p className="empty">No clusters yet. Add one and run the agent in it.</p>
      ) : (
        <table>
          <caption className="sr-only">Clusters (select a name to show its namespaces)</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Last seen</th>
              <th scope="col">Agent</th>
              <th scope="col">Kubernetes</th>
              <th scope="col" className="num">
                Namespaces
              </th>
              <th scope="col">Revision applied / delivered</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {clusters.data.map((c) => (
              <ClusterRow
                key={c.metadata.name}
                c={c}
                now={now}
                onDelete={admin && canWrite(whoami.role) ? () => setDeleting(c) : undefined}
              />
            ))}
          </tbody>
        </table>
      )}
      {adding ? <AddCluster onClose={() => setAdding(false)} onAdded={clusters.reload} /> : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete cluster ${deleting.metadata.name}?`}
          message="Its agent token stops working and its reported namespaces and attachments are removed."
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await api.deleteCluster(deleting);
            setDeleting(undefined);
            clusters.reload();
          }}
        />
      ) : null}
    </>
  );
}
