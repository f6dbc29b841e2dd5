import { useCallback, useEffect, useMemo, useState } from "react";
import { canWrite, useSession } from "../components/context.js";
import { useAction } from "../components/hooks.js";
import { ConfirmDialog, ErrorBanner, Loading, PageHeader, TextField } from "../components/ui.js";
import { ApiError } from "../lib/api.js";
import { hasErrors, isMissing, toFormErrors } from "../lib/form-errors.js";
import { toNodeRefOfScope } from "../lib/policy-tree.js";
import type { PreviewIssue, PreviewResult } from "../lib/preview.js";
import type { Whoami } from "../lib/resources.js";
import { type ScopePreset, toHash } from "../lib/route.js";
import { setSavedNotice, toSavedWarnings } from "../lib/saved.js";
import { NEW_POLICY, toDocument, toWizardState, type WizardState } from "../lib/wizard.js";
import { DocumentView } from "./wizard/DocumentView.js";
import { ExtendsSection } from "./wizard/ExtendsSection.js";
import { DeleteImpact, ImpactPanel } from "./wizard/ImpactPanel.js";
import { PreviewPanel } from "./wizard/PreviewPanel.js";
import { ScopePicker } from "./wizard/ScopePicker.js";
import { SelectorAndAction, TemplateSection } from "./wizard/Sections.js";

/** Server issue paths that the form shows at a field (the rest are listed on top). */
function fieldPathOf(path: string): string {
  return path.replace(/\.tag$/, ".tag.value");
}

const FIELD_PATH =
  /^(metadata\.name|spec|spec\.workspace|spec\.namespace|spec\.recipe|spec\.extends|spec\.input\.rules(\[\d+\](\.(hostname|port|imageName|tag\.value|requireDigest|minVersion))?)?|spec\.input\.(exemptImages|immutableTags|allowed)(\[\d+\])?|spec\.input\.maxSize)$/;

/** A new policy starts where the caller may write: a workspace admin cannot write org-wide. */
function newPolicy(whoami: Whoami, preset: ScopePreset | undefined): WizardState {
  if (preset !== undefined) return { ...NEW_POLICY, scope: preset };
  if (whoami.role !== "workspace-admin") return NEW_POLICY;
  return { ...NEW_POLICY, scope: { kind: "workspace", workspace: whoami.workspaces[0] ?? "" } };
}

function useLoaded(name: string | undefined, preset: ScopePreset | undefined) {
  const { api, whoami } = useSession();
  const [state, setState] = useState<WizardState | undefined>(
    name === undefined ? newPolicy(whoami, preset) : undefined,
  );
  const [version, setVersion] = useState<string | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const load = useCallback(() => {
    if (name === undefined) return;
    setError(undefined);
    api
      .policy(name)
      .then(({ body, etag }) => {
        setState(toWizardState(body as unknown as Record<string, unknown>));
        setVersion(etag ?? body.metadata.resourceVersion);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e : new Error(String(e))));
  }, [api, name]);
  useEffect(() => load(), [load]);
  return { state, setState, version, error, reload: load };
}

export function PolicyWizard(props: { name: string | undefined; scope?: ScopePreset }) {
  const { name } = props;
  const { api, whoami } = useSession();
  const loaded = useLoaded(name, props.scope);
  const [preview, setPreview] = useState<PreviewResult | undefined>(undefined);
  const [serverIssues, setServerIssues] = useState<readonly PreviewIssue[]>([]);
  const [showErrors, setShowErrors] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const save = useAction();
  const state = loaded.state;
  const policyDoc = useMemo(() => (state === undefined ? {} : toDocument(state)), [state]);
  const formErrors = useMemo(() => (state === undefined ? {} : toFormErrors(state)), [state]);
  const onPreview = useCallback((r: PreviewResult | undefined) => setPreview(r), []);
  const issues = [...(preview?.issues ?? []), ...serverIssues].filter(
    (i) => i.severity === "error",
  );
  // A field not filled in yet is flagged once saving is tried; a wrong value at once. Client
  // messages win over the server's for the same field (they say the same, in form words).
  const errorFor = (path: string): string | undefined => {
    const mine = formErrors[path];
    if (mine !== undefined) return showErrors || !isMissing(mine) ? mine : undefined;
    return issues.find((i) => fieldPathOf(i.path) === path)?.message;
  };
  const unplaced = issues.filter((i) => !FIELD_PATH.test(fieldPathOf(i.path)));
  // The fleet is asked once the draft validates: an invalid one would only be refused.
  const valid = preview !== undefined && issues.length === 0 && !hasErrors(formErrors);
  const impactChanges = useMemo(
    () =>
      valid
        ? [
            {
              op: name === undefined ? ("create" as const) : ("update" as const),
              kind: "ImagePolicy" as const,
              document: policyDoc,
            },
          ]
        : undefined,
    [valid, name, policyDoc],
  );
  if (loaded.error) return <ErrorBanner error={loaded.error} />;
  if (state === undefined) return <Loading what="policy" />;
  const set = (patch: Partial<WizardState>) => loaded.setState({ ...state, ...patch });
  const conflict =
    save.error instanceof ApiError && save.error.status === 409 && name !== undefined;
  const submit = () => {
    setShowErrors(true);
    if (hasErrors(formErrors)) {
      // Take the user to the first problem (its message is tied to it for screen readers).
      setTimeout(
        () => document.querySelector<HTMLElement>('.wizard-form [aria-invalid="true"]')?.focus(),
        0,
      );
      return;
    }
    void save.run(async () => {
      let body: unknown;
      try {
        body =
          name === undefined
            ? (await api.createPolicy(policyDoc)).body
            : (await api.updatePolicy(name, policyDoc, loaded.version ?? "")).body;
      } catch (e) {
        if (e instanceof ApiError)
          setServerIssues(e.details.map((d) => ({ ...d, severity: "error" })));
        throw e;
      }
      // Back to the node the policy is assigned at, where the save's lint warnings are shown.
      const warnings = toSavedWarnings(body);
      setSavedNotice({ policy: state.name, created: name === undefined, warnings });
      window.location.hash = toHash({ page: "policies", node: toNodeRefOfScope(state.scope) });
    });
  };
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <a href={toHash({ page: "policies" })}>Policies</a> /{" "}
        <span aria-current="page">{name ?? "New policy"}</span>
      </nav>
      <PageHeader title={name === undefined ? "Create policy" : `Edit policy ${name}`} />
      <div className="wizard">
        <form
          className="wizard-form"
          aria-label="Policy"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <section className="card">
            <TextField
              label="Policy name"
              value={state.name}
              onChange={(v) => set({ name: v })}
              error={errorFor("metadata.name")}
              readOnly={name !== undefined}
              hint={
                name === undefined
                  ? "Lowercase letters, digits, '-' and '.'."
                  : "The name of an existing policy cannot change."
              }
              required
            />
            <ScopePicker
              scope={state.scope}
              errorFor={errorFor}
              onChange={(scope) => set({ scope })}
            />
          </section>
          <ExtendsSection state={state} set={set} errorFor={errorFor} document={policyDoc} />
          <TemplateSection state={state} set={set} errorFor={errorFor} />
          <SelectorAndAction state={state} set={set} errorFor={errorFor} />
          {unplaced.length > 0 ? (
            <section className="card" aria-labelledby="issues-title">
              <h2 id="issues-title">Problems</h2>
              <ul className="issues">
                {unplaced.map((i) => (
                  <li key={`${i.path}:${i.message}`}>
                    <code>{i.path || "(document)"}</code>: {i.message}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          <ImpactPanel changes={impactChanges} />
          <div className="sticky-actions">
            {conflict ? (
              <div className="banner banner-error" role="alert">
                This policy was changed by someone else since you opened it. Reload it to see their
                change, then edit again.{" "}
                <button
                  type="button"
                  onClick={() => {
                    save.clear();
                    loaded.reload();
                  }}
                >
                  Reload
                </button>
              </div>
            ) : (
              <ErrorBanner error={save.error} />
            )}
            {showErrors && hasErrors(formErrors) ? (
              <p className="field-error" role="alert">
                Fix the {Object.keys(formErrors).length} marked field(s) before saving.
              </p>
            ) : null}
            <div className="actions">
              <button
                type="submit"
                className="primary"
                disabled={save.busy || !canWrite(whoami.role)}
              >
                {name === undefined ? "Create policy" : "Save policy"}
              </button>
              <a className="button" href={toHash({ page: "policies" })}>
                Cancel
              </a>
              {name !== undefined ? (
                <button type="button" className="danger" onClick={() => setDeleting(true)}>
                  Delete policy
                </button>
              ) : null}
            </div>
          </div>
        </form>
        <div className="wizard-side">
          <PreviewPanel document={policyDoc} onResult={onPreview} />
          <DocumentView document={policyDoc} />
        </div>
      </div>
      {deleting && name !== undefined ? (
        <ConfirmDialog
          title={`Delete policy ${name}?`}
          message="Clusters stop enforcing it within seconds."
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await api.deletePolicy(name, loaded.version ?? "");
            window.location.hash = toHash({ page: "policies" });
          }}
        >
          <DeleteImpact kind="ImagePolicy" name={name} />
        </ConfirmDialog>
      ) : null}
    </>
  );
}
