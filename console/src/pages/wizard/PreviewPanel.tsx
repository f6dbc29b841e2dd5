import { useEffect, useId, useState } from "react";
import { useSession } from "../../components/context.js";
import { useDebounced } from "../../components/hooks.js";
import { ApiError } from "../../lib/api.js";
import {
  type PreviewIssue,
  type PreviewResult,
  SAMPLE_IMAGES,
  toPreviewResult,
  toSampleImages,
} from "../../lib/preview.js";
import type { PreviewNamespace } from "../../lib/resources.js";
import { PreviewNamespacePicker } from "./PreviewNamespace.js";

/** Issues with the field path they are about, as `customs policy validate` prints them. */
function IssueList(props: { issues: readonly PreviewIssue[]; label: string; className: string }) {
  return (
    <ul className={props.className} aria-label={props.label}>
      {props.issues.map((i) => (
        <li key={`${i.path}:${i.message}`}>
          {i.severity === "warning" ? "warning " : ""}
          <code>{i.path || "(document)"}</code>: {i.message}
        </li>
      ))}
    </ul>
  );
}

const VERDICT_TEXT = {
  allow: "allowed",
  deny: "denied",
  warn: "warned",
  audit: "audited",
} as const;

/**
 * Checks the sample images against the document being built, as the user types (debounced;
 * a newer request aborts the older one). Results are announced politely.
 */
export function PreviewPanel(props: {
  document: Record<string, unknown>;
  onResult: (result: PreviewResult | undefined) => void;
}) {
  const { api } = useSession();
  const [images, setImages] = useState(SAMPLE_IMAGES);
  const [picked, setNamespace] = useState<PreviewNamespace | undefined>(undefined);
  // Until the user picks one, a namespace the policy's scope (and selector) covers.
  const [fallback, setFallback] = useState<PreviewNamespace | undefined>(undefined);
  const namespace = picked ?? fallback;
  const [result, setResult] = useState<PreviewResult | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const input = useDebounced(JSON.stringify({ doc: props.document, images, namespace }), 400);
  const { onResult } = props;
  useEffect(() => {
    const {
      doc,
      images: text,
      namespace: ns,
    } = JSON.parse(input) as {
      doc: unknown;
      images: string;
      namespace?: PreviewNamespace;
    };
    const controller = new AbortController();
    setBusy(true);
    api
      .preview(doc, toSampleImages(text), ns, controller.signal)
      .then(({ body }) => {
        const r = toPreviewResult(body);
        setResult(r);
        setError(undefined);
        onResult(r);
      })
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        if (e instanceof ApiError && e.details.length > 0) {
          const r = toPreviewResult(e.body);
          setResult(r);
          setError(undefined);
          onResult(r);
          return;
        }
        setError(e instanceof Error ? e.message : String(e));
        onResult(undefined);
      })
      .finally(() => {
        if (!controller.signal.aborted) setBusy(false);
      });
    return () => controller.abort();
  }, [api, input, onResult]);
  const errors = result?.issues.filter((i) => i.severity === "error") ?? [];
  const warnings = result?.issues.filter((i) => i.severity === "warning") ?? [];
  return (
    <section className="card preview" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Live preview</h2>
      <label htmlFor={`${id}-images`}>Sample images (one per line)</label>
      <textarea
        id={`${id}-images`}
        rows={5}
        className="mono"
        spellCheck={false}
        value={images}
        onChange={(e) => setImages(e.target.value)}
      />
      <PreviewNamespacePicker
        value={picked}
        onChange={setNamespace}
        document={props.document}
        onDefault={setFallback}
      />
      <div aria-live="polite" aria-busy={busy} className="preview-results">
        {error !== undefined ? <p className="field-error">{error}</p> : null}
        {errors.length > 0 ? (
          <>
            <p className="muted">
              The policy is not valid yet; images are checked once it is. The control plane says:
            </p>
            <IssueList issues={errors} label="Validation errors" className="issues" />
          </>
        ) : null}
        {warnings.length > 0 ? (
          <IssueList issues={warnings} label="Lint warnings" className="issues warnings" />
        ) : null}
        {result?.notApplied !== undefined ? <p className="muted">{result.notApplied}</p> : null}
        {result !== undefined && errors.length === 0 ? (
          <ul className="decisions" aria-label="Preview results">
            {result.decisions.map((d, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the same image may be listed twice
              <li key={i} className={`decision verdict-${d.verdict}`}>
                <span className={`pill verdict-${d.verdict}`}>{VERDICT_TEXT[d.verdict]}</span>{" "}
                <code>{d.image}</code>
                {d.messages.length > 0 ? (
                  <ul className="messages">
                    {d.messages.map((m) => (
                      <li key={m}>{m}</li>
                    ))}
                  </ul>
                ) : null}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </section>
  );
}
