import { useState } from "react";
import { isDnsLabel } from "../../../src/core/policy/selector.js";
import { canWrite, useSession } from "../components/context.js";
import { useAction, useLoad } from "../components/hooks.js";
import { Dialog, ErrorBanner, Loading, PageHeader, TextField } from "../components/ui.js";
import { toHash } from "../lib/route.js";

function CreateWorkspace({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (name: string) => void;
}) {
  const { api } = useSession();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const action = useAction();
  const trimmed = name.trim();
  const nameError =
    trimmed !== "" && !isDnsLabel(trimmed)
      ? "Use lowercase letters, digits and '-', starting and ending with a letter or digit (at most 63)."
      : undefined;
  return (
    <Dialog title="Create workspace" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            await api.createWorkspace(trimmed, description.trim());
            onCreated(trimmed);
          });
        }}
      >
        <TextField
          label="Name"
          value={name}
          onChange={setName}
          error={nameError}
          autoFocus
          required
        />
        <TextField label="Description" value={description} onChange={setDescription} />
        <ErrorBanner error={action.error} />
        <div className="actions">
          <button
            type="submit"
            className="primary"
            disabled={action.busy || trimmed === "" || nameError !== undefined}
          >
            Create
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
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
