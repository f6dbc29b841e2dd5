import { useState } from "react";
import { canWrite, useSession } from "../components/context.js";
import { useLoad } from "../components/hooks.js";
import { NameForm } from "../components/NameForm.js";
import { Dialog, ErrorBanner, Loading, PageHeader } from "../components/ui.js";
import { toHash } from "../lib/route.js";

function CreateWorkspace(props: { onClose: () => void; onCreated: (name: string) => void }) {
  const { api } = useSession();
  return (
    <Dialog title="Create workspace" onClose={props.onClose}>
      <NameForm
        nameLabel="Name"
        submit="Create"
        onClose={props.onClose}
        onSubmit={async (name, description) => {
          await api.createWorkspace(name, description);
          props.onCreated(name);
        }}
      />
    </Dialog>
  );
}

/** The workspace's namespaces across clusters, as `cluster/namespace`. */
function AttachedNamespaces({ workspace }: { workspace: string }) {
  const { api } = useSession();
  const list = useLoad(() => api.attachments(workspace), [api, workspace]);
  if (list.error) return <span className="muted">{list.error.message}</span>;
  if (list.data === undefined) return null;
  if (list.data.length === 0) return <span className="muted">none</span>;
  return (
    <span className="labels">{list.data.map((a) => `${a.cluster}/${a.namespace}`).join(", ")}</span>
  );
}

export function Workspaces() {
  const { api, whoami } = useSession();
  const workspaces = useLoad(() => api.workspaces(), [api]);
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageHeader title="Workspaces">
        {canWrite(whoami.role) ? (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            Create workspace
          </button>
        ) : null}
      </PageHeader>
      <p className="muted">
        A workspace groups namespaces across clusters; policies scoped to it apply to all of them.
      </p>
      <ErrorBanner error={workspaces.error} />
      {workspaces.data === undefined ? (
        workspaces.loading ? (
          <Loading what="workspaces" />
        ) : null
      ) : workspaces.data.length === 0 ? (
        <p className="empty">No workspaces yet.</p>
      ) : (
        <table>
          <caption className="sr-only">Workspaces</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Description</th>
              <th scope="col">Namespaces</th>
              <th scope="col">Created by</th>
            </tr>
          </thead>
          <tbody>
            {workspaces.data.map((w) => (
              <tr key={w.metadata.name}>
                <td>
                  <a href={toHash({ page: "workspace", name: w.metadata.name })}>
                    {w.metadata.name}
                  </a>
                </td>
                <td>{w.spec.description ?? ""}</td>
                <td>
                  <AttachedNamespaces workspace={w.metadata.name} />
                </td>
                <td>{w.metadata.createdBy ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating ? (
        <CreateWorkspace
          onClose={() => setCreating(false)}
          onCreated={(name) => {
            setCreating(false);
            window.location.hash = toHash({ page: "workspace", name });
          }}
        />
      ) : null}
    </>
  );
}
