import { type ReactNode, useEffect, useId, useRef } from "react";
import { useAction } from "./hooks.js";

/** An API or network error, announced to screen readers. */
export function ErrorBanner({ error }: { error: Error | undefined }) {
  if (error === undefined) return null;
  return (
    <div className="banner banner-error" role="alert">
      {error.message}
    </div>
  );
}

interface TextFieldProps {
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly error?: string | undefined;
  readonly hint?: string;
  readonly placeholder?: string;
  readonly type?: "text" | "password";
  readonly list?: string;
  readonly autoFocus?: boolean;
  readonly required?: boolean;
  readonly readOnly?: boolean;
  readonly className?: string;
}

/** A labelled text input whose hint and error are tied to it with aria-describedby. */
export function TextField(props: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const described = [props.hint ? hintId : "", props.error ? errorId : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <div className={`field ${props.className ?? ""}`}>
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type={props.type ?? "text"}
        value={props.value}
        placeholder={props.placeholder}
        list={props.list}
        // biome-ignore lint/a11y/noAutofocus: dialogs and the login page focus their first field
        autoFocus={props.autoFocus}
        required={props.required}
        readOnly={props.readOnly}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={props.error ? true : undefined}
        aria-describedby={described === "" ? undefined : described}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.hint ? (
        <p id={hintId} className="hint">
          {props.hint}
        </p>
      ) : null}
      <FieldError id={errorId} message={props.error} />
    </div>
  );
}

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="field-error">
      {message}
    </p>
  );
}

interface DialogProps {
  readonly title: string;
  readonly onClose: () => void;
  readonly children: ReactNode;
}

/**
 * A modal dialog on the native <dialog> element: `showModal()` makes the rest of the page
 * inert (so focus stays inside), Escape closes it, and focus returns to the opener.
 */
export function Dialog({ title, onClose, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement as HTMLElement | null;
    dialog?.showModal();
    return () => {
      dialog?.close();
      opener?.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}

/** "Delete X?" with the consequence spelled out; runs the deletion and shows its error. */
export function ConfirmDialog(props: {
  title: string;
  message: string;
  confirm?: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
  /** More to read before confirming (what the change would do). */
  children?: ReactNode;
}) {
  const action = useAction();
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <p>{props.message}</p>
      {props.children}
      <ErrorBanner error={action.error} />
      <div className="actions">
        <button
          type="button"
          className="danger"
          disabled={action.busy}
          onClick={() => void action.run(props.onConfirm)}
        >
          {props.confirm ?? "Delete"}
        </button>
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}

export function Loading({ what }: { what: string }) {
  return <output className="muted loading">Loading {what}…</output>;
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="page-header">
      <h1>{title}</h1>
      <div className="page-actions">{children}</div>
    </div>
  );
}
