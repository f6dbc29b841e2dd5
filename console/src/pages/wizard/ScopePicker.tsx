import { useId } from "react";
import { useSession } from "../../components/context.js";
import { useLoad } from "../../components/hooks.js";
import { FieldError, TextField } from "../../components/ui.js";
import type { ScopeState } from "../../lib/wizard.js";

/** Organization, a workspace, or a (cluster/)namespace: radios, then the target. */
export function ScopePicker(props: {
  scope: ScopeState;
  errorFor: (path: string) => string | undefined;
  onChange: (scope: ScopeState) => void;
}) {
  const { api, whoami } = useSession();
  const workspaces = useLoad(() => api.workspaces(), [api]);
  const clusters = useLoad(() => api.clusters(), [api]);
  const { scope } = props;
  const wsId = useId();
  const wsErr = useId();
  const clusterList = useId();
  const scopeError = props.errorFor("spec");
  const kinds = [
    { kind: "organization", label: "Organization" },
    { kind: "workspace", label: "Workspace" },
    { kind: "namespace", label: "Namespace" },
  ] as const;
  return (
    <fieldset className="group">
      <legend>Scope</legend>
      <div className="radios">
        {kinds.map((k) => (
          <label key={k.kind} className="radio">
            <input
              type="radio"
              name="scope"
              value={k.kind}
              checked={scope.kind === k.kind}
              disabled={k.kind === "organization" && whoami.role === "workspace-admin"}
              onChange={() =>
                props.onChange(
                  k.kind === "organization"
                    ? { kind: "organization" }
                    : k.kind === "workspace"
                      ? { kind: "workspace", workspace: workspaces.data?.[0]?.metadata.name ?? "" }
                      : { kind: "namespace", cluster: "", namespace: "" },
                )
              }
            />
            {k.label}
          </label>
        ))}
      </div>
      {scope.kind === "workspace" ? (
        <div className="field">
          <label htmlFor={wsId}>Workspace</label>
          <select
            id={wsId}
            value={scope.workspace}
            aria-invalid={props.errorFor("spec.workspace") ? true : undefined}
            aria-describedby={props.errorFor("spec.workspace") ? wsErr : undefined}
            onChange={(e) => props.onChange({ kind: "workspace", workspace: e.target.value })}
          >
            <option value="">Choose a workspace…</option>
            {(workspaces.data ?? []).map((w) => (
              <option key={w.metadata.name} value={w.metadata.name}>
                {w.metadata.name}
              </option>
            ))}
            {scope.workspace !== "" &&
            !(workspaces.data ?? []).some((w) => w.metadata.name === scope.workspace) ? (
              <option value={scope.workspace}>{scope.workspace}</option>
            ) : null}
          </select>
          <FieldError id={wsErr} message={props.errorFor("spec.workspace")} />
        </div>
      ) : null}
      {scope.kind === "namespace" ? (
        <div className="row">
          <TextField
            label="Cluster"
            value={scope.cluster}
            list={clusterList}
            hint="Empty: this namespace in every cluster."
            error={props.errorFor("spec.namespace.cluster")}
            onChange={(cluster) => props.onChange({ ...scope, cluster })}
          />
          <datalist id={clusterList}>
            {(clusters.data ?? []).map((c) => (
              <option key={c.metadata.name} value={c.metadata.name} />
            ))}
          </datalist>
          <TextField
            label="Namespace"
            value={scope.namespace}
            error={props.errorFor("spec.namespace")}
            onChange={(namespace) => props.onChange({ ...scope, namespace })}
          />
        </div>
      ) : null}
      <FieldError id={`${wsId}-scope`} message={scopeError} />
    </fieldset>
  );
}
