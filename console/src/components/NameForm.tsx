import { useState } from "react";
import { isDnsLabel } from "../../../src/core/policy/selector.js";
import { useAction } from "./hooks.js";
import { ErrorBanner, TextField } from "./ui.js";

/**
 * The form of a new named object (workspace, cluster): an RFC 1123 name, checked as typed,
 * and a description. `onSubmit` failures are shown with the server's message.
 */
export function NameForm(props: {
  nameLabel: string;
  submit: string;
  onSubmit: (name: string, description: string) => Promise<void>;
  onClose: () => void;
}) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const action = useAction();
  const trimmed = name.trim();
  const nameError =
    trimmed !== "" && !isDnsLabel(trimmed)
      ? "Use lowercase letters, digits and '-', starting and ending with a letter or digit (at most 63)."
      : undefined;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(() => props.onSubmit(trimmed, description.trim()));
      }}
    >
      <TextField
        label={props.nameLabel}
        value={name}
        onChange={setName}
        error={nameError}
        autoFocus
        required
      />
      <TextField label="Description" value={description} onChange={setDescription} />
      <ErrorBanner error={action.error} />
      <div className="actions">
        <button
          type="submit"
          className="primary"
          disabled={action.busy || trimmed === "" || nameError !== undefined}
        >
          {props.submit}
        </button>
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
