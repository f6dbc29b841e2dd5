import { useCallback, useEffect, useRef, useState } from "react";
import { useSession } from "../components/context.js";
import { useAction } from "../components/hooks.js";
import { ErrorBanner, Loading, PageHeader } from "../components/ui.js";
import { appendOlder, mergeOnTop, takeNewer } from "../lib/audit-merge.js";
import { toChanges } from "../lib/diff.js";
import { toTimestamp } from "../lib/format.js";
import type { AuditEntry } from "../lib/resources.js";

function Diff({ entry }: { entry: AuditEntry }) {
  const changes = toChanges(entry.before, entry.after);
  if (changes.length === 0) return <p className="muted">No field changed.</p>;
  return (
    <table className="diff">
      <caption className="sr-only">Changes made by entry {entry.id}</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={c.path}>
            <td className="mono">{c.path}</td>
            <td className="mono removed">{c.before ?? ""}</td>
            <td className="mono added">{c.after ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Row({ entry }: { entry: AuditEntry }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <tr>
        <td className="nowrap">{toTimestamp(entry.time)}</td>
        <td>
          {entry.actor.token} <span className="muted">({entry.actor.role})</span>
        </td>
        <td>{entry.action}</td>
        <td>{entry.kind}</td>
        <td>{entry.name}</td>
        <td>
          <button
            type="button"
            className="small"
            aria-expanded={open}
            onClick={() => setOpen(!open)}
          >
            {open ? "Hide changes" : "Show changes"}
            <span className="sr-only">
              {" "}
              of {entry.action} {entry.kind} {entry.name}
            </span>
          </button>
        </td>
      </tr>
      {open ? (
        <tr>
          <td colSpan={6}>
            <Diff entry={entry} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

const REFRESH_MS = 10_000;
/** Pages read at most to close a gap of new entries (500 changes in 10 s is not a console's job). */
const MAX_GAP_PAGES = 10;

export function Audit() {
  const { api } = useSession();
  const [entries, setEntries] = useState<AuditEntry[] | undefined>(undefined);
  const [next, setNext] = useState<string | undefined>(undefined);
  const shown = useRef<AuditEntry[] | undefined>(undefined);
  shown.current = entries;
  const load = useAction();
  const more = (cont: string) =>
    void load.run(async () => {
      const { body } = await api.audit(cont);
      setEntries((old) => appendOlder(old ?? [], body.items ?? []));
      setNext(body.continue);
    });
  // New entries go on top; what "Load more" already read, and where it goes on, stay.
  const refresh = useCallback(async () => {
    const known = shown.current ?? [];
    const { body } = await api.audit(undefined);
    let { newer, gap } = takeNewer(known, body.items ?? []);
    let cont = body.continue;
    for (let page = 0; gap && cont !== undefined && cont !== "" && page < MAX_GAP_PAGES; page++) {
      const older = (await api.audit(cont)).body;
      const taken = takeNewer(known, older.items ?? []);
      newer = [...newer, ...taken.newer];
      gap = taken.gap;
      cont = older.continue;
    }
    if (known.length === 0) setNext(body.continue);
    setEntries((old) => mergeOnTop(newer, old ?? []));
  }, [api]);
  const { run } = load;
  useEffect(() => {
    void run(refresh);
    const id = setInterval(() => void refresh().catch(() => undefined), REFRESH_MS);
    return () => clearInterval(id);
  }, [run, refresh]);
  return (
    <>
      <PageHeader title="Audit log">
        <button type="button" onClick={() => void load.run(refresh)} disabled={load.busy}>
          Refresh
        </button>
      </PageHeader>
      <p className="muted">
        Every change, newest first, with who made it. New entries appear on top every 10 seconds.
      </p>
      <ErrorBanner error={load.error} />
      {entries === undefined ? (
        load.busy ? (
          <Loading what="audit log" />
        ) : null
      ) : entries.length === 0 ? (
        <p className="empty">No entries.</p>
      ) : (
        <table>
          <caption className="sr-only">Audit log, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Kind</th>
              <th scope="col">Name</th>
              <th scope="col">
                <span className="sr-only">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <Row key={e.id} entry={e} />
            ))}
          </tbody>
        </table>
      )}
      {next !== undefined && next !== "" ? (
        <div className="actions">
          <button type="button" onClick={() => more(next)} disabled={load.busy}>
            Load more
          </button>
        </div>
      ) : null}
    </>
  );
}
