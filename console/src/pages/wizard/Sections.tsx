import { useId } from "react";
import { FieldError, TextField } from "../../components/ui.js";
import {
  ACTIONS,
  listInputsOf,
  TEMPLATES,
  templateOf,
  type WizardState,
} from "../../lib/wizard.js";
import { LabelTable } from "./LabelTable.js";
import { ListInputs } from "./PatternList.js";
import { RulesEditor } from "./RulesEditor.js";

interface SectionProps {
  readonly state: WizardState;
  readonly set: (patch: Partial<WizardState>) => void;
  readonly errorFor: (path: string) => string | undefined;
}

const ACTION_HELP = {
  deny: "block the workload",
  warn: "admit it with a warning",
  audit: "admit it and record the violation",
} as const;

/** The template dropdown and, for templates that take rules, the rules editor. */
export function TemplateSection({ state, set, errorFor }: SectionProps) {
  const templateId = useId();
  const template = templateOf(state.recipe);
  return (
    <section className="card">
      <div className="field">
        <label htmlFor={templateId}>Template</label>
        <select
          id={templateId}
          value={state.recipe}
          // An extension takes its parent's template.
          disabled={state.extends !== undefined && state.extends !== ""}
          aria-describedby={`${templateId}-help`}
          onChange={(e) => set({ recipe: e.target.value })}
        >
          {TEMPLATES.map((t) => (
            <option key={t.recipe} value={t.recipe}>
              {t.label}
            </option>
          ))}
          {template === undefined ? <option value={state.recipe}>{state.recipe}</option> : null}
        </select>
        <p id={`${templateId}-help`} className="hint">
          {template?.help ??
            "A supply-chain recipe: its input is kept as it is; edit it as YAML with the CLI."}
        </p>
        <FieldError id={`${templateId}-error`} message={errorFor("spec.recipe")} />
      </div>
      {template !== undefined && template.fields.length > 0 ? (
        <RulesEditor
          template={template}
          rules={state.rules}
          errorFor={errorFor}
          onChange={(rules) => set({ rules })}
        />
      ) : null}
      {template?.maxSize === true && !state.extends ? (
        <TextField
          label="Maximum size"
          value={state.maxSize ?? ""}
          onChange={(maxSize) => set({ maxSize })}
          placeholder="500Mi"
          hint="A Kubernetes quantity (500Mi, 1Gi, 800M) or a number of bytes."
          error={errorFor("spec.input.maxSize")}
        />
      ) : null}
      <ListInputs lists={listInputsOf(state)} state={state} set={set} errorFor={errorFor} />
    </section>
  );
}

/** Which namespaces of the scope (label tables) and what happens to a failing image. */
export function SelectorAndAction({ state, set, errorFor }: SectionProps) {
  return (
    <section className="card">
      <LabelTable
        table="include"
        legend="Include only namespaces with labels"
        hint="All of these labels must be present (an empty value: any value)."
        rows={state.include}
        errorFor={errorFor}
        onChange={(include) => set({ include })}
      />
      <LabelTable
        table="exclude"
        legend="Exclude namespaces with labels"
        hint="A namespace with any of these labels is left out (an empty value: any value of that key)."
        rows={state.exclude}
        errorFor={errorFor}
        onChange={(exclude) => set({ exclude })}
      />
      {state.extraExpressions.length > 0 ? (
        <p className="hint">
          This policy also has {state.extraExpressions.length} selector expression(s) the form
          cannot show; they are kept unchanged (see the document).
        </p>
      ) : null}
      {state.extends ? (
        <p className="hint">Action: that of {state.extends}, which this policy extends.</p>
      ) : (
        <fieldset className="group">
          <legend>Action</legend>
          <div className="radios">
            {ACTIONS.map((a) => (
              <label key={a} className="radio">
                <input
                  type="radio"
                  name="action"
                  value={a}
                  checked={state.action === a}
                  onChange={() => set({ action: a })}
                />
                {a[0]?.toUpperCase()}
                {a.slice(1)} <span className="hint">({ACTION_HELP[a]})</span>
              </label>
            ))}
          </div>
        </fieldset>
      )}
    </section>
  );
}
