import { FieldError, TextField } from "../../components/ui.js";
import type { ListInput, WizardState } from "../../lib/wizard.js";

type ErrorFor = (path: string) => string | undefined;

/** How each list input is presented: its legend, its rows' label, a hint and an example. */
const LISTS: Record<
  ListInput,
  { legend: string; row: string; hint: string; placeholder: string; add: string }
> = {
  exemptImages: {
    legend: "Exempt images",
    row: "Exempt image",
    hint: "Images this policy does not check. A pattern matches the whole normalized image with its tag (docker.io/library/nginx:*); * matches any run of characters.",
    placeholder: "docker.io/library/nginx:* or registry.corp.example/tools/*",
    add: "Add an exempt image",
  },
  immutableTags: {
    legend: "Immutable tags",
    row: "Immutable tag",
    hint: "Tag patterns the registry keeps immutable: such images need no pull policy Always.",
    placeholder: "v*.*.*",
    add: "Add an immutable tag",
  },
  allowed: {
    legend: "Allowed volumes",
    row: "Allowed volume",
    hint: "Volume paths an image's config may declare (absolute paths, compared as written).",
    placeholder: "/data",
    add: "Add an allowed volume",
  },
};

/** Rows of patterns (add, edit, remove); row i is `spec.input.<list>[i]`, with its error. */
export function PatternList(props: {
  list: ListInput;
  rows: readonly string[];
  errorFor: ErrorFor;
  onChange: (rows: readonly string[]) => void;
}) {
  const { rows, list } = props;
  const text = LISTS[list];
  const path = `spec.input.${list}`;
  return (
    <fieldset className="group">
      <legend>{text.legend}</legend>
      <p className="hint">{text.hint}</p>
      {rows.map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: entries have no identity but their place
        <div className="label-row" key={i}>
          <TextField
            label={`${text.row} ${i + 1}`}
            value={row}
            placeholder={text.placeholder}
            onChange={(v) => props.onChange(rows.map((r, j) => (j === i ? v : r)))}
            error={props.errorFor(`${path}[${i}]`)}
          />
          <button
            type="button"
            className="small"
            onClick={() => props.onChange(rows.filter((_, j) => j !== i))}
          >
            Remove {text.row.toLowerCase()} {i + 1}
          </button>
        </div>
      ))}
      <FieldError id={`${list}-error`} message={props.errorFor(path)} />
      <button type="button" onClick={() => props.onChange([...rows, ""])}>
        {text.add}
      </button>
    </fieldset>
  );
}

/** The editors of the list inputs this state takes (listInputsOf). */
export function ListInputs(props: {
  lists: readonly ListInput[];
  state: WizardState;
  set: (patch: Partial<WizardState>) => void;
  errorFor: ErrorFor;
}) {
  return (
    <>
      {props.lists.map((list) => (
        <PatternList
          key={list}
          list={list}
          rows={props.state[list] ?? []}
          errorFor={props.errorFor}
          onChange={(rows) => props.set({ [list]: rows })}
        />
      ))}
    </>
  );
}
