import type { SavedNotice } from "../../lib/saved.js";

/** "Policy X created", with the lint warnings the control plane answered the save with. */
export function SavedBanner({ notice, onDismiss }: { notice: SavedNotice; onDismiss: () => void }) {
  const n = notice.warnings.length;
  const verb = notice.created ? "created" : "saved";
  return (
    <output className={`banner ${n > 0 ? "banner-warning" : "banner-ok"}`}>
      <p>
        Policy <strong>{notice.policy}</strong> {verb}
        {n === 0 ? "." : ` with ${n} lint warning${n === 1 ? "" : "s"}:`}
      </p>
      {n > 0 ? (
        <ul className="issues" aria-label="Lint warnings">
          {notice.warnings.map((w) => (
            <li key={`${w.path}:${w.code}:${w.message}`}>
              <code>{w.path || "(document)"}</code>: {w.message}{" "}
              <span className="muted mono">({w.code})</span>
            </li>
          ))}
        </ul>
      ) : null}
      <button type="button" className="small" onClick={onDismiss}>
        Dismiss
      </button>
    </output>
  );
}
