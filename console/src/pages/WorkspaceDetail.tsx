import { useEffect, useState } from "react";
import { canWrite, useSession } from "../components/context.js";
import { useAction, useLoad } from "../components/hooks.js";
import { ConfirmDialog, ErrorBanner, Loading, PageHeader, TextField } from "../components/ui.js";
import { toLabelText } from "../lib/format.js";
import type { Attachment } from "../lib/resources.js";
import { toHash } from "../lib/route.js";
import { AttachNamespace } from "./AttachNamespace.js";

function Description({ name, onSaved }: { name: string; onSaved: () => void }) {
  const { api, whoami } = useSession();
  const ws = useLoad(async () => (await api.workspace(name)).body, [api, name]);
  const [text, setText] = useState("");
  const save = useAction();
  const [deleting, setDeleting] = useState(false);
  useEffect(() => setText(ws.data?.spec.description ?? ""), [ws.data]);
  if (ws.data === undefined)
    return ws.error ? <ErrorBanner error={ws.error} /> : <Loading what="workspace" />;
  const current = ws.data;
  const writable = canWrite(whoami.role);
  return (
    <section aria-labelledby="ws-details" className="card">
      <h2 id="ws-details">Details</h2>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save.run(async () => {
            await api.updateWorkspace(current, text.trim());
            ws.reload();
            onSaved();
          });
        }}
      >
        <TextField label="Description" value={text} onChange={setText} className="grow" />
        {writable ? (
          <button
            type="submit"
            disabled={save.busy || text.trim() === (current.spec.description ?? "")}
          >
            Save description
          </button>
        ) : null}
        {writable ? (
          <button type="button" className="danger" onClick={() => setDeleting(true)}>
            Delete workspace
          </button>
        ) : null}
      </form>
      <ErrorBanner error={save.error} />
      {deleting ? (
        <ConfirmDialog
          title={`Delete workspace ${name}?`}
          message="Its namespaces are detached. A workspace that policies are scoped to cannot be deleted; delete or re-scope those policies first."
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await api.deleteWorkspace(current);
            window.location.hash = toHash({ page: "workspaces" });
          }}
        />
      ) : null}
    </section>
  );
}

export function WorkspaceDetail({ name }: { name: string }) {
  const { api, whoami } = useSession();
  const attachments = useLoad(() => api.attachments(name), [api, name]);
  const [attaching, setAttaching] = useState(false);
  const detach = useAction();
  const writable = canWrite(whoami.role);
  const remove = (a: Attachment) =>
    void detach.run(async () => {
      await api.detach(name, a.cluster, a.namespace);
      attachments.reload();
    });
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <a href={toHash({ page: "workspaces" })}>Workspaces</a> /{" "}
        <span aria-current="page">{name}</span>
      </nav>
      <PageHeader title={`Workspace ${name}`} />
      <Description name={name} onSaved={() => {}} />
      <section aria-labelledby="ws-namespaces" className="card">
        <div className="section-header">
          <h2 id="ws-namespaces">Namespaces</h2>
          {writable ? (
            <button type="button" className="primary" onClick={() => setAttaching(true)}>
              Attach namespace
            </button>
          ) : null}
        </div>
        <ErrorBanner error={attachments.error ?? detach.error} />
        {attachments.data === undefined ? (
          attachments.loading ? (
            <Loading what="namespaces" />
          ) : null
        ) : attachments.data.length === 0 ? (
          <p className="empty">No namespaces attached.</p>
        ) : (
          <table>
            <caption className="sr-only">Namespaces attached to {name}</caption>
            <thead>
              <tr>
                <th scope="col">Cluster</th>
                <th scope="col">Namespace</th>
                <th scope="col">Labels</th>
                <th scope="col">Reported</th>
                {writable ? (
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {attachments.data.map((a) => (
                <tr key={`${a.cluster}/${a.namespace}`}>
                  <td>{a.cluster}</td>
                  <td>{a.namespace}</td>
                  <td className="labels">{toLabelText(a.labels)}</td>
                  <td>{a.reported === false ? "not yet" : "yes"}</td>
                  {writable ? (
                    <td>
                      <button
                        type="button"
                        className="small"
                        aria-label={`Detach ${a.cluster}/${a.namespace}`}
                        disabled={detach.busy}
                        onClick={() => remove(a)}
                      >
                        Detach
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {attaching ? (
        <AttachNamespace
          workspace={name}
          onClose={() => setAttaching(false)}
          onAttached={() => {
            setAttaching(false);
            attachments.reload();
          }}
        />
      ) : null}
    </>
  );
}
