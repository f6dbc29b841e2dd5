import { useMemo, useState } from "react";
import { canWrite, useSession } from "../components/context.js";
import { useAction, useLoad } from "../components/hooks.js";
import {
  ConfirmDialog,
  Dialog,
  ErrorBanner,
  FieldError,
  Loading,
  PageHeader,
  TextField,
} from "../components/ui.js";
import { ApiError } from "../lib/api.js";
import {
  describeExpiry,
  EMPTY_FORM,
  type ExceptionForm,
  formErrors,
  placeServerErrors,
  toEditedExceptionDocument,
  toExceptionDocument,
  toExceptionForm,
} from "../lib/exceptions.js";
import { toScopeText } from "../lib/format.js";
import type { ExceptionDocument } from "../lib/resources.js";
import { DeleteImpact, ImpactPanel } from "./wizard/ImpactPanel.js";

function LinesField(props: {
  id: string;
  label: string;
  hint: string;
  value: string;
  error: string | undefined;
  onChange: (v: string) => void;
}) {
  const errorId = `${props.id}-error`;
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <textarea
        id={props.id}
        rows={3}
        value={props.value}
        spellCheck={false}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? errorId : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
      <p className="hint">{props.hint}</p>
      <FieldError id={errorId} message={props.error} />
    </div>
  );
}

/** Creates an exception, or edits one (`editing`: its name cannot change). */
function ExceptionDialog(props: {
  editing?: ExceptionDocument;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { api } = useSession();
  const { editing } = props;
  const [form, setForm] = useState<ExceptionForm>(
    editing === undefined ? EMPTY_FORM : toExceptionForm(editing),
  );
  const [tried, setTried] = useState(false);
  const [server, setServer] = useState<Record<string, string>>({});
  const action = useAction();
  const local = tried ? formErrors(form) : {};
  const errors = { ...local, ...server };
  const set = (patch: Partial<ExceptionForm>) => {
    setForm({ ...form, ...patch });
    setServer({});
  };
  const submit = async () => {
    setTried(true);
    if (Object.keys(formErrors(form)).length > 0) return;
    await action.run(async () => {
      try {
        if (editing === undefined) await api.createException(toExceptionDocument(form));
        else {
          await api.updateException(
            editing.metadata.name,
            toEditedExceptionDocument(form, editing),
            editing.metadata.resourceVersion ?? "",
          );
        }
      } catch (e) {
        if (e instanceof ApiError && e.details.length > 0) setServer(placeServerErrors(e.details));
        throw e;
      }
      props.onSaved();
    });
  };
  // What saving the draft would allow (or deny again), once the form has no errors of its own.
  const draftValid = Object.keys(formErrors(form)).length === 0;
  const impactChanges = useMemo(
    () =>
      draftValid
        ? [
            editing === undefined
              ? {
                  op: "create" as const,
                  kind: "ImagePolicyException" as const,
                  document: toExceptionDocument(form),
                }
              : {
                  op: "update" as const,
                  kind: "ImagePolicyException" as const,
                  document: toEditedExceptionDocument(form, editing),
                },
          ]
        : undefined,
    [draftValid, form, editing],
  );
  const conflict = action.error instanceof ApiError && action.error.status === 409;
  const title =
    editing === undefined ? "Create exception" : `Edit exception ${editing.metadata.name}`;
  return (
    <Dialog title={title} onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <TextField
          label="Name"
          value={form.name}
          onChange={(name) => set({ name })}
          error={errors["metadata.name"]}
          readOnly={editing !== undefined}
          hint={editing === undefined ? undefined : "The name of an exception cannot change."}
          autoFocus
          required
        />
        <TextField
          label="Policies"
          value={form.policies}
          onChange={(policies) => set({ policies })}
          error={errors["spec.policies"]}
          hint="The policies it relaxes, separated by commas; * for every policy."
        />
        <div className="field">
          <label htmlFor="exception-scope">Scope</label>
          <select
            id="exception-scope"
            value={form.scope}
            onChange={(e) =>
              set({
                scope:
                  e.target.value === "workspace"
                    ? "workspace"
                    : e.target.value === "organization"
                      ? "organization"
                      : "namespace",
              })
            }
          >
            <option value="namespace">namespace</option>
            <option value="workspace">workspace</option>
            <option value="organization">organization</option>
          </select>
        </div>
        {form.scope === "workspace" ? (
          <TextField
            label="Workspace"
            value={form.workspace}
            onChange={(workspace) => set({ workspace })}
            error={errors["spec.workspace"]}
          />
        ) : null}
        {form.scope === "namespace" ? (
          <TextField
            label="Namespace"
            value={form.namespace}
            onChange={(namespace) => set({ namespace })}
            error={errors["spec.namespace"]}
            hint="NAME, or CLUSTER/NAME for one cluster."
          />
        ) : null}
        <LinesField
          id="exception-images"
          label="Images"
          value={form.images}
          onChange={(images) => set({ images })}
          error={errors["spec.images"]}
          hint="One pattern a line, on the normalized image with its tag: docker.io/library/busybox:*"
        />
        <LinesField
          id="exception-workloads"
          label="Workloads"
          value={form.workloads}
          onChange={(workloads) => set({ workloads })}
          error={errors["spec.workloads"]}
          hint="One a line: Kind/name-pattern (Deployment/legacy-*) or a name pattern for any kind."
        />
        <FieldError id="exception-spec-error" message={errors.spec} />
        <TextField
          label="Reason"
          value={form.reason}
          onChange={(reason) => set({ reason })}
          error={errors["spec.reason"]}
        />
        <TextField
          label="Owner"
          value={form.owner}
          onChange={(owner) => set({ owner })}
          error={errors["spec.owner"]}
        />
        <TextField
          label="Expires"
          value={form.expires}
          onChange={(expires) => set({ expires })}
          error={errors["spec.expires"]}
          placeholder="2027-01-31"
          hint="A date (valid through that day, UTC) or an RFC 3339 date-time."
        />
        {conflict && editing !== undefined ? (
          <div className="banner banner-error" role="alert">
            This exception was changed by someone else since the list was loaded. Cancel, and edit
            it again from the refreshed list.
          </div>
        ) : (
          <ErrorBanner error={action.error} />
        )}
        <ImpactPanel changes={impactChanges} />
        <div className="actions">
          <button type="submit" className="primary" disabled={action.busy}>
            {editing === undefined ? "Create" : "Save"}
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function Expiry({ expires, now }: { expires: string; now: number }) {
  const { text, state } = describeExpiry(expires, now);
  return (
    <span className={`pill expiry-${state}`} title={expires}>
      {text}
    </span>
  );
}

export function Exceptions() {
  const { api, whoami } = useSession();
  const [reload, setReload] = useState(0);
  const list = useLoad(() => api.exceptions(), [api, reload]);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<ExceptionDocument | undefined>(undefined);
  const [deleting, setDeleting] = useState<ExceptionDocument | undefined>(undefined);
  const now = Date.now();
  return (
    <>
      <PageHeader title="Exceptions">
        {canWrite(whoami.role) ? (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            Create exception
          </button>
        ) : null}
      </PageHeader>
      <p className="muted">
        An exception exempts images or workloads from named policies, in a scope, until it expires.
        Every decision that uses one says so.
      </p>
      <ErrorBanner error={list.error} />
      {list.data === undefined ? (
        list.loading ? (
          <Loading what="exceptions" />
        ) : null
      ) : list.data.length === 0 ? (
        <p className="empty">No exceptions.</p>
      ) : (
        <table>
          <caption className="sr-only">Exceptions</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Policies</th>
              <th scope="col">Scope</th>
              <th scope="col">Covers</th>
              <th scope="col">Reason</th>
              <th scope="col">Owner</th>
              <th scope="col">Expiry</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((e) => {
              const scope = toScopeText(e.spec);
              const covers = [
                ...(e.spec.images ?? []),
                ...(e.spec.workloads ?? []).map((w) => `${w.kind ? `${w.kind}/` : ""}${w.name}`),
              ];
              return (
                <tr key={e.metadata.name}>
                  <td>{e.metadata.name}</td>
                  <td>{e.spec.policies.join(", ")}</td>
                  <td>{scope.target === "" ? scope.kind : `${scope.kind} ${scope.target}`}</td>
                  <td className="labels">{covers.join(", ")}</td>
                  <td>{e.spec.reason}</td>
                  <td>{e.spec.owner}</td>
                  <td>
                    <Expiry expires={e.spec.expires} now={now} />
                  </td>
                  <td>
                    {canWrite(whoami.role) ? (
                      <button
                        type="button"
                        aria-label={`Edit ${e.metadata.name}`}
                        onClick={() => setEditing(e)}
                      >
                        Edit
                      </button>
                    ) : null}{" "}
                    {canWrite(whoami.role) ? (
                      <button
                        type="button"
                        className="danger"
                        aria-label={`Delete ${e.metadata.name}`}
                        onClick={() => setDeleting(e)}
                      >
                        Delete
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {creating ? (
        <ExceptionDialog
          onClose={() => setCreating(false)}
          onSaved={() => {
            setCreating(false);
            setReload(reload + 1);
          }}
        />
      ) : null}
      {editing !== undefined ? (
        <ExceptionDialog
          editing={editing}
          onClose={() => {
            setEditing(undefined);
            // A conflict is resolved by editing the refreshed version.
            setReload(reload + 1);
          }}
          onSaved={() => {
            setEditing(undefined);
            setReload(reload + 1);
          }}
        />
      ) : null}
      {deleting !== undefined ? (
        <ConfirmDialog
          title={`Delete exception ${deleting.metadata.name}?`}
          message="The violations it exempts count again as soon as the clusters receive the change."
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await api.deleteException(
              deleting.metadata.name,
              deleting.metadata.resourceVersion ?? "",
            );
            setDeleting(undefined);
            setReload(reload + 1);
          }}
        >
          <DeleteImpact kind="ImagePolicyException" name={deleting.metadata.name} />
        </ConfirmDialog>
      ) : null}
    </>
  );
}
