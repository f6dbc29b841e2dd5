import { useId, useState } from "react";
import { useSession } from "../components/context.js";
import { useDebounced, useLoad } from "../components/hooks.js";
import { ErrorBanner, Loading, PageHeader, TextField } from "../components/ui.js";
import { toTimestamp } from "../lib/format.js";

const GROUPS = ["cluster", "namespace", "policy", "image"] as const;
type GroupBy = (typeof GROUPS)[number];
const REFRESH_MS = 5000;

const SINCE = [
  { label: "Last hour", ms: 3_600_000 },
  { label: "Last 24 hours", ms: 86_400_000 },
  { label: "Last 7 days", ms: 7 * 86_400_000 },
  { label: "All time", ms: 0 },
] as const;

function Counts({ groupBy, since }: { groupBy: GroupBy; since: string | undefined }) {
  const { api } = useSession();
  const counts = useLoad(() => api.insights(groupBy, since), [api, groupBy, since], REFRESH_MS);
  if (counts.error) return <ErrorBanner error={counts.error} />;
  if (counts.data === undefined) return <Loading what="violation counts" />;
  if (counts.data.length === 0) return <p className="empty">No violations.</p>;
  return (
    <table>
      <caption className="sr-only">Violations by {groupBy}</caption>
      <thead>
        <tr>
          <th scope="col">{groupBy[0]?.toUpperCase() + groupBy.slice(1)}</th>
          <th scope="col" className="num">
            Total
          </th>
          <th scope="col" className="num">
            Deny
          </th>
          <th scope="col" className="num">
            Warn
          </th>
          <th scope="col" className="num">
            Audit
          </th>
          <th scope="col">Last seen</th>
        </tr>
      </thead>
      <tbody>
        {counts.data.map((g) => (
          <tr key={g.key}>
            <td className="mono">{g.key}</td>
            <td className="num">{g.count}</td>
            <td className="num">{g.deny}</td>
            <td className="num">{g.warn}</td>
            <td className="num">{g.audit}</td>
            <td>{toTimestamp(g.lastSeen)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Recent({ since }: { since: string | undefined }) {
  const { api } = useSession();
  const [filter, setFilter] = useState({ cluster: "", namespace: "", policy: "", image: "" });
  const settled = useDebounced(filter, 300);
  const list = useLoad(
    async () => (await api.violations({ ...settled, since })).body,
    [api, settled, since],
    REFRESH_MS,
  );
  const items = list.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="recent-title">
      <h2 id="recent-title">Recent violations</h2>
      <div className="filters">
        {(["cluster", "namespace", "policy", "image"] as const).map((k) => (
          <TextField
            key={k}
            label={`Filter by ${k}`}
            value={filter[k]}
            onChange={(v) => setFilter({ ...filter, [k]: v })}
          />
        ))}
      </div>
      <ErrorBanner error={list.error} />
      {list.data === undefined ? (
        list.loading ? (
          <Loading what="violations" />
        ) : null
      ) : items.length === 0 ? (
        <p className="empty">No violations match.</p>
      ) : (
        <table>
          <caption className="sr-only">Recent violations, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Cluster / namespace</th>
              <th scope="col">Workload</th>
              <th scope="col">Image</th>
              <th scope="col">Policy</th>
              <th scope="col">Action</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {items.map((v, i) => (
              <tr key={v.id ?? i}>
                <td className="nowrap">{toTimestamp(v.time)}</td>
                <td>
                  {v.cluster}/{v.namespace}
                </td>
                <td>
                  {v.kind}/{v.name} <span className="muted">({v.container})</span>
                </td>
                <td className="mono wrap">{v.image}</td>
                <td>{v.policy}</td>
                <td>
                  <span className={`pill action-${v.action}`}>{v.action}</span>
                </td>
                <td className="wrap">{v.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Insights() {
  const [groupBy, setGroupBy] = useState<GroupBy>("cluster");
  const [sinceMs, setSinceMs] = useState(0);
  const groupId = useId();
  const sinceId = useId();
  // Rounded to the minute so that the refreshing lists keep one query while time passes.
  const since =
    sinceMs === 0
      ? undefined
      : new Date(Math.floor((Date.now() - sinceMs) / 60_000) * 60_000).toISOString();
  return (
    <>
      <PageHeader title="Insights" />
      <p className="muted">
        Violations reported by the clusters' agents; refreshed every {REFRESH_MS / 1000} seconds.
      </p>
      <section className="card" aria-labelledby="counts-title">
        <div className="section-header">
          <h2 id="counts-title">Violations by {groupBy}</h2>
          <div className="row">
            <div className="field">
              <label htmlFor={groupId}>Group by</label>
              <select
                id={groupId}
                value={groupBy}
                onChange={(e) => setGroupBy(e.target.value as GroupBy)}
              >
                {GROUPS.map((g) => (
                  <option key={g} value={g}>
                    {g}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={sinceId}>Time range</label>
              <select
                id={sinceId}
                value={sinceMs}
                onChange={(e) => setSinceMs(Number(e.target.value))}
              >
                {SINCE.map((s) => (
                  <option key={s.ms} value={s.ms}>
                    {s.label}
                  </option>
                ))}
              </select>
            </div>
          </div>
        </div>
        <Counts groupBy={groupBy} since={since} />
      </section>
      <Recent since={since} />
    </>
  );
}
