import { useState } from "react";
import { canWrite, useSession } from "../components/context.js";
import { useLoad } from "../components/hooks.js";
import { NameForm } from "../components/NameForm.js";
import { ConfirmDialog, Dialog, ErrorBanner, Loading, PageHeader } from "../components/ui.js";
import { toInstallWays, toYamlDataUrl } from "../lib/agent-install.js";
import { toAge, toLabelText } from "../lib/format.js";
import type { Cluster } from "../lib/resources.js";

function InstallWays({ cluster }: { cluster: Cluster }) {
  const ways = toInstallWays(cluster);
  if (ways.length === 0) return null;
  return (
    <>
      {ways.map((way) => (
        <section key={way.id} aria-labelledby={`install-${way.id}`}>
          <h3 id={`install-${way.id}`}>With {way.title}</h3>
          <div className="actions">
            <a className="button" href={toYamlDataUrl(way.file.yaml)} download={way.file.filename}>
              Download {way.file.filename}
            </a>
          </div>
          <label htmlFor={`install-${way.id}-command`}>Then run</label>
          <input
            id={`install-${way.id}-command`}
            readOnly
            value={way.command}
            className="mono"
            onFocus={(e) => e.target.select()}
          />
          <div className="actions">
            <button type="button" onClick={() => void navigator.clipboard?.writeText(way.command)}>
              Copy command
            </button>
          </div>
        </section>
      ))}
    </>
  );
}

function AddCluster({ onClose, onAdded }: { onClose: () => void; onAdded: () => void }) {
  const { api } = useSession();
  const [created, setCreated] = useState<Cluster | undefined>(undefined);
  if (created !== undefined) {
    return (
      <Dialog title={`Cluster ${created.metadata.name} added`} onClose={onClose}>
        <p>
          Install the agent in the cluster with one of these files: each holds the agent token, the
          control plane's address and CA. <strong>They are offered only once</strong>: download one
          now, and keep it secret.
        </p>
        <InstallWays cluster={created} />
        <details>
          <summary>Agent token</summary>
          <input
            id="agent-token"
            aria-label="Agent token"
            readOnly
            value={created.agentToken ?? ""}
            className="mono"
            onFocus={(e) => e.target.select()}
          />
        </details>
        <div className="actions">
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
          {c.status?.inSync === false && c.status?.deliveredRevision !== undefined
            ? " (not in sync)"
            : ""}
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
