import { useId, useState } from "react";
import { stringify } from "yaml";

/** The document being built, as YAML (what `customs policy validate` reads) or JSON. */
export function DocumentView({ document }: { document: Record<string, unknown> }) {
  const [format, setFormat] = useState<"yaml" | "json">("yaml");
  const id = useId();
  const text = format === "yaml" ? stringify(document) : JSON.stringify(document, null, 2);
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <div className="section-header">
        <h2 id={`${id}-title`}>Document</h2>
        <div className="radios" role="radiogroup" aria-label="Document format">
          {(["yaml", "json"] as const).map((f) => (
            <label key={f} className="radio">
              <input
                type="radio"
                name={`${id}-format`}
                checked={format === f}
                onChange={() => setFormat(f)}
              />
              {f.toUpperCase()}
            </label>
          ))}
        </div>
      </div>
      <label htmlFor={`${id}-text`} className="sr-only">
        Policy document as {format.toUpperCase()}
      </label>
      <textarea id={`${id}-text`} className="document mono" readOnly rows={16} value={text} />
    </section>
  );
}
