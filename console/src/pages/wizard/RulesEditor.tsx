import { useId } from "react";
import { FieldError, TextField } from "../../components/ui.js";
import { EMPTY_RULE, type RuleField, type RuleRow, type Template } from "../../lib/wizard.js";

type ErrorFor = (path: string) => string | undefined;

function Checkbox(props: {
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
  hint?: string;
}) {
  const id = useId();
  return (
    <div className="check">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      <label htmlFor={id}>{props.label}</label>
      {props.hint ? <span className="hint"> {props.hint}</span> : null}
    </div>
  );
}

/** The rule's text fields, in the policy language's order, and where their errors are. */
const TEXT_FIELDS: readonly {
  field: RuleField;
  key: "hostname" | "port" | "imageName" | "tagValue" | "minVersion";
  label: string;
  placeholder: string;
  paths: readonly string[];
}[] = [
  {
    field: "hostname",
    key: "hostname",
    label: "Hostname",
    placeholder: "registry.mycorp.local or *.mycorp.local",
    paths: ["hostname"],
  },
  { field: "port", key: "port", label: "Port", placeholder: "5000", paths: ["port"] },
  {
    field: "imageName",
    key: "imageName",
    label: "Image name",
    placeholder: "team/* or library/nginx",
    paths: ["imageName"],
  },
  {
    field: "tag",
    key: "tagValue",
    label: "Tag",
    placeholder: "v* or 1.2.3 (several: v1.*, stable)",
    paths: ["tag.value", "tag.values", "tag"],
  },
  {
    field: "minVersion",
    key: "minVersion",
    label: "Minimum version",
    placeholder: "v1.11.2",
    paths: ["minVersion"],
  },
];

function RuleEditor(props: {
  index: number;
  row: RuleRow;
  template: Template;
  errorFor: ErrorFor;
  onChange: (row: RuleRow) => void;
  onRemove: (() => void) | undefined;
}) {
  const { row, template, index } = props;
  const has = (f: RuleField) => template.fields.includes(f);
  const path = `spec.input.rules[${index}]`;
  const ruleErrorId = useId();
  const set = (patch: Partial<RuleRow>) => props.onChange({ ...row, ...patch });
  const n = index + 1;
  return (
    <fieldset className="rule" aria-describedby={props.errorFor(path) ? ruleErrorId : undefined}>
      <legend>Rule {n}</legend>
      <div className="rule-grid">
        {TEXT_FIELDS.filter((f) => has(f.field)).map((f) => (
          <TextField
            key={f.field}
            label={`${f.label} (rule ${n})`}
            value={row[f.key]}
            onChange={(v) => set({ [f.key]: v })}
            placeholder={f.placeholder}
            error={f.paths.map((p) => props.errorFor(`${path}.${p}`)).find(Boolean)}
          />
        ))}
      </div>
      <div className="rule-checks">
        {has("tag") ? (
          <Checkbox
            label={`Negate tag (rule ${n})`}
            checked={row.tagNegate}
            onChange={(v) => set({ tagNegate: v })}
            hint="the tag must not match"
          />
        ) : null}
        {has("requireDigest") ? (
          <Checkbox
            label={`Require digest (rule ${n})`}
            checked={row.requireDigest}
            onChange={(v) => set({ requireDigest: v })}
          />
        ) : null}
        {props.onRemove ? (
          <button type="button" className="small" onClick={props.onRemove}>
            Remove rule {n}
          </button>
        ) : null}
      </div>
      <FieldError id={ruleErrorId} message={props.errorFor(path)} />
    </fieldset>
  );
}

export function RulesEditor(props: {
  template: Template;
  rules: readonly RuleRow[];
  errorFor: ErrorFor;
  onChange: (rules: readonly RuleRow[]) => void;
}) {
  const { rules } = props;
  const listError = props.errorFor("spec.input.rules");
  return (
    <fieldset className="group">
      <legend>Rules</legend>
      <p className="hint">
        Patterns: <code>*</code> matches any run of characters; an empty field is not checked.
      </p>
      {rules.map((row, i) => (
        <RuleEditor
          // biome-ignore lint/suspicious/noArrayIndexKey: rules have no identity but their place
          key={i}
          index={i}
          row={row}
          template={props.template}
          errorFor={props.errorFor}
          onChange={(r) => props.onChange(rules.map((x, j) => (j === i ? r : x)))}
          onRemove={
            rules.length > 1 ? () => props.onChange(rules.filter((_, j) => j !== i)) : undefined
          }
        />
      ))}
      <FieldError id="rules-error" message={listError} />
      <button type="button" onClick={() => props.onChange([...rules, EMPTY_RULE])}>
        Add another rule
      </button>
    </fieldset>
  );
}
