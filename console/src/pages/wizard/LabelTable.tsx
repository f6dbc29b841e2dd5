import { TextField } from "../../components/ui.js";
import type { LabelRow } from "../../lib/selector.js";

/** Key/value rows for "Include only namespaces with labels" / "Exclude namespaces with labels". */
export function LabelTable(props: {
  table: "include" | "exclude";
  legend: string;
  hint: string;
  rows: readonly LabelRow[];
  errorFor: (path: string) => string | undefined;
  onChange: (rows: readonly LabelRow[]) => void;
}) {
  const { rows, table } = props;
  const what = table === "include" ? "include" : "exclude";
  return (
    <fieldset className="group">
      <legend>{props.legend}</legend>
      <p className="hint">{props.hint}</p>
      {rows.map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
        <div className="label-row" key={i}>
          <TextField
            label={`Label key (${what} ${i + 1})`}
            value={row.key}
            onChange={(key) => props.onChange(rows.map((r, j) => (j === i ? { ...r, key } : r)))}
            error={props.errorFor(`${table}[${i}].key`)}
            placeholder="env"
          />
          <TextField
            label={`Label value (${what} ${i + 1})`}
            value={row.value}
            onChange={(value) =>
              props.onChange(rows.map((r, j) => (j === i ? { ...r, value } : r)))
            }
            error={props.errorFor(`${table}[${i}].value`)}
            placeholder={table === "include" ? "any value" : "label absent"}
          />
          <button
            type="button"
            className="small"
            aria-label={`Remove ${what} label ${i + 1}`}
            onClick={() => props.onChange(rows.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      <button
        type="button"
        className="small"
        onClick={() => props.onChange([...rows, { key: "", value: "" }])}
      >
        {table === "include" ? "Add include label" : "Add exclude label"}
      </button>
    </fieldset>
  );
}
