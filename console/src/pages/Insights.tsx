import { useId, useState } from "react";
import { LineChart, StackedBarChart } from "../components/charts.js";
import { useSession } from "../components/context.js";
import { useAction, useDebounced, useLoad } from "../components/hooks.js";
import { ErrorBanner, Loading, PageHeader, TextField } from "../components/ui.js";
import { toTimestamp } from "../lib/format.js";
import {
  COMPLIANCE_GROUPS,
  type ComplianceGroupBy,
  toComplianceSummary,
  toCsvFileName,
  toDailySeries,
  toDayRange,
  toFailingWorkloads,
  toInsightEvents,
  toPercentText,
} from "../lib/insights.js";

const REFRESH_MS = 5000;
const DAYS = [7, 30, 90] as const;

const SINCE = [
  { label: "Last hour", ms: 3_600_000 },
  { label: "Last 24 hours", ms: 86_400_000 },
  { label: "Last 7 days", ms: 7 * 86_400_000 },
  { label: "All time", ms: 0 },
] as const;

const GROUP_TITLE: Record<ComplianceGroupBy, string> = {
  cluster: "Cluster",
  workspace: "Workspace",
  namespace: "Cluster / namespace",
  workload: "Workload",
  policy: "Policy",
};

type Filter = { cluster: string; namespace: string; policy: string };

/**
 * Downloads a list endpoint's CSV (`?format=csv`) with the same filters as on screen. Fetched
 * with the session's credentials (a bare link would carry no bearer token) and handed to the
 * browser as a file.
 */
function CsvButton(props: {
  list: string;
  filter: Readonly<Record<string, string | undefined>>;
  what: string;
}) {
  const { api } = useSession();
  const action = useAction();
  const download = () =>
    action.run(async () => {
      const csv = await api.csv(props.list, props.filter);
      const url = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = toCsvFileName(props.what, new Date().toISOString().slice(0, 10));
      document.body.append(a);
      a.click();
      a.remove();
      // The download has its own copy once started.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });
  return (
    <span className="csv">
      <button type="button" className="small" onClick={download} disabled={action.busy}>
        Export CSV<span className="sr-only"> of {props.what}</span>
      </button>
      <ErrorBanner error={action.error} />
    </span>
  );
}

function FilterFields(props: { filter: Filter; onChange: (f: Filter) => void }) {
  return (
    <div className="filters">
      {(["cluster", "namespace", "policy"] as const).map((k) => (
        <TextField
          key={k}
          label={`Compliance of ${k}`}
          value={props.filter[k]}
          onChange={(v) => props.onChange({ ...props.filter, [k]: v })}
        />
      ))}
    </div>
  );
}

/** The fleet's current compliance, grouped, from the agents' latest inventories. */
function Compliance({ filter }: { filter: Filter }) {
  const { api } = useSession();
  const [groupBy, setGroupBy] = useState<ComplianceGroupBy>("cluster");
  const groupId = useId();
  const query = { groupBy, ...filter };
  const summary = useLoad(
    async () => toComplianceSummary(await api.compliance(query)),
    [api, groupBy, filter.cluster, filter.namespace, filter.policy],
    REFRESH_MS,
  );
  const s = summary.data;
  return (
    <section className="card" aria-labelledby="compliance-title">
      <div className="section-header">
        <h2 id="compliance-title">Compliance by {groupBy}</h2>
        <div className="row">
          <div className="field">
            <label htmlFor={groupId}>Group compliance by</label>
            <select
              id={groupId}
              value={groupBy}
              onChange={(e) => setGroupBy(e.target.value as ComplianceGroupBy)}
            >
              {COMPLIANCE_GROUPS.map((g) => (
                <option key={g} value={g}>
                  {g}
                </option>
              ))}
            </select>
          </div>
          <CsvButton list="compliance" filter={query} what={`compliance by ${groupBy}`} />
        </div>
      </div>
      <ErrorBanner error={summary.error} />
      {s === undefined ? (
        summary.loading ? (
          <Loading what="compliance" />
        ) : null
      ) : (
        <>
          <p className="compliance-total" data-testid="compliance-total">
            <strong>{toPercentText(s.total.compliantPercent)} compliant</strong>:{" "}
            {s.total.workloads} running workloads, {s.total.failing} failing, {s.total.warning} with
            warnings
            {s.asOf === undefined ? "" : ` (as of ${toTimestamp(s.asOf)})`}.
          </p>
          {s.groups.length === 0 ? (
            <p className="empty">No cluster has reported its workloads yet.</p>
          ) : (
            <table data-testid="compliance-groups">
              <caption className="sr-only">Compliance by {groupBy}</caption>
              <thead>
                <tr>
                  <th scope="col">{GROUP_TITLE[groupBy]}</th>
                  <th scope="col" className="num">
                    Workloads
                  </th>
                  <th scope="col" className="num">
                    Failing
                  </th>
                  <th scope="col" className="num">
                    Warning
                  </th>
                  <th scope="col" className="num">
                    Compliant
                  </th>
                </tr>
              </thead>
              <tbody>
                {s.groups.map((g) => (
                  <tr key={g.label} data-group={g.label}>
                    <td className="mono">
                      {g.label}
                      {g.deleted ? <DeletedMarker /> : null}
                    </td>
                    <td className="num">{g.workloads}</td>
                    <td className="num">{g.failing}</td>
                    <td className="num">{g.warning}</td>
                    <td className="num">
                      <meter min={0} max={100} value={g.compliantPercent} aria-hidden="true" />{" "}
                      {toPercentText(g.compliantPercent)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

function DeletedMarker() {
  return (
    <span className="pill deleted" title="This policy was deleted; its results are from before.">
      deleted
    </span>
  );
}

/** Running workloads that fail a policy now: the owner, its images and what fails. */
function Failing({ filter }: { filter: Filter }) {
  const { api } = useSession();
  const list = useLoad(
    async () => {
      const body = await api.failingWorkloads(filter);
      return { items: toFailingWorkloads(body), more: typeof body?.continue === "string" };
    },
    [api, filter.cluster, filter.namespace, filter.policy],
    REFRESH_MS,
  );
  const items = list.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="failing-title">
      <div className="section-header">
        <h2 id="failing-title">
          Failing workloads{" "}
          <span className="count">
            {items.length}
            {list.data?.more ? "+" : ""}
          </span>
        </h2>
        <CsvButton list="compliance/failing" filter={filter} what="failing workloads" />
      </div>
      {list.data?.more ? (
        <p className="muted">
          The first {items.length} are shown; narrow them with the filters above.
        </p>
      ) : null}
      <ErrorBanner error={list.error} />
      {list.data === undefined ? (
        list.loading ? (
          <Loading what="failing workloads" />
        ) : null
      ) : items.length === 0 ? (
        <p className="empty">No running workload fails a policy.</p>
      ) : (
        <table data-testid="failing-workloads">
          <caption className="sr-only">Running workloads that fail a policy</caption>
          <thead>
            <tr>
              <th scope="col">Cluster / namespace</th>
              <th scope="col">Workload</th>
              <th scope="col">Images</th>
              <th scope="col">Policy</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {items.flatMap((w) =>
              w.results.map((r, i) => (
                <tr
                  key={`${w.cluster}/${w.namespace}/${w.kind}/${w.name}:${r.policy}:${i}`}
                  data-workload={`${w.cluster}/${w.namespace}/${w.kind}/${w.name}`}
                >
                  <td>
                    {w.cluster}/{w.namespace}
                  </td>
                  <td>
                    {w.kind}/{w.name}
                    {r.container === "" ? null : <span className="muted"> ({r.container})</span>}
                  </td>
                  <td className="mono wrap">
                    {(r.image === "" ? w.images : [r.image]).join(", ")}
                  </td>
                  <td>
                    {r.policy} <span className={`pill result-${r.result}`}>{r.result}</span>
                  </td>
                  <td className="wrap">
                    {r.message}
                    {r.code === "" ? null : <span className="muted mono"> ({r.code})</span>}
                  </td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Violations a day by cluster and by policy, and the compliance trend. */
function Plots({ filter }: { filter: Filter }) {
  const { api } = useSession();
  const [days, setDays] = useState<number>(30);
  const [trendBy, setTrendBy] = useState<"cluster" | "policy">("cluster");
  const daysId = useId();
  const trendId = useId();
  const plots = useLoad(
    async () => {
      const [byCluster, byPolicy, trend] = await Promise.all([
        api.violationsDaily(days, "cluster", filter),
        api.violationsDaily(days, "policy", filter),
        api.complianceTrend(days, trendBy, filter),
      ]);
      // Every day of the range has its slot, also those without a violation.
      const range = toDayRange(new Date().toISOString().slice(0, 10), days);
      return {
        byCluster: toDailySeries(byCluster, range),
        byPolicy: toDailySeries(byPolicy, range),
        // A day nothing was reported is a gap in the line, not 0 % compliant.
        trend: toDailySeries(trend, range, "gap"),
      };
    },
    [api, days, trendBy, filter.cluster, filter.namespace, filter.policy],
    REFRESH_MS * 6,
  );
  const query = { ...filter, days: String(days) };
  return (
    <section className="card" aria-labelledby="plots-title">
      <div className="section-header">
        <h2 id="plots-title">Over time</h2>
        <div className="row">
          <div className="field">
            <label htmlFor={daysId}>Days shown</label>
            <select id={daysId} value={days} onChange={(e) => setDays(Number(e.target.value))}>
              {DAYS.map((d) => (
                <option key={d} value={d}>
                  Last {d} days
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={trendId}>Trend by</label>
            <select
              id={trendId}
              value={trendBy}
              onChange={(e) => setTrendBy(e.target.value === "policy" ? "policy" : "cluster")}
            >
              <option value="cluster">cluster</option>
              <option value="policy">policy</option>
            </select>
          </div>
        </div>
      </div>
      <ErrorBanner error={plots.error} />
      {plots.data === undefined ? (
        plots.loading ? (
          <Loading what="plots" />
        ) : null
      ) : (
        <div className="plots">
          <div>
            <StackedBarChart
              title="Violations per day by cluster"
              data={plots.data.byCluster}
              plot="violations-by-cluster"
            />
            <CsvButton
              list="violations/daily"
              filter={{ ...query, by: "cluster" }}
              what="violations per day by cluster"
            />
          </div>
          <div>
            <StackedBarChart
              title="Violations per day by policy"
              data={plots.data.byPolicy}
              plot="violations-by-policy"
            />
            <CsvButton
              list="violations/daily"
              filter={{ ...query, by: "policy" }}
              what="violations per day by policy"
            />
          </div>
          <div>
            <LineChart
              title={`Compliance trend by ${trendBy}`}
              data={plots.data.trend}
              plot="compliance-trend"
            />
            <CsvButton
              list="compliance/trend"
              filter={{ ...query, by: trendBy }}
              what={`compliance trend by ${trendBy}`}
            />
          </div>
        </div>
      )}
    </section>
  );
}

const EVENT_GROUPS = ["cluster", "namespace", "policy", "image"] as const;
type EventGroupBy = (typeof EVENT_GROUPS)[number];

/** The events counted by cluster, namespace, policy or image. */
function Counts({ groupBy, since }: { groupBy: EventGroupBy; since: string | undefined }) {
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

/** The event stream: one row per workload, policy and outcome, with how often it happened. */
function Events() {
  const { api } = useSession();
  const [sinceMs, setSinceMs] = useState(0);
  const [groupBy, setGroupBy] = useState<EventGroupBy>("cluster");
  const sinceId = useId();
  const groupId = useId();
  const [filter, setFilter] = useState({ cluster: "", namespace: "", policy: "", image: "" });
  const settled = useDebounced(filter, 300);
  // Rounded to the minute so that the refreshing list keeps one query while time passes.
  const since =
    sinceMs === 0
      ? undefined
      : new Date(Math.floor((Date.now() - sinceMs) / 60_000) * 60_000).toISOString();
  const list = useLoad(
    async () => toInsightEvents((await api.violations({ ...settled, since })).body),
    [api, settled, since],
    REFRESH_MS,
  );
  const items = list.data ?? [];
  return (
    <section className="card" aria-labelledby="events-title">
      <div className="section-header">
        <h2 id="events-title">Events</h2>
        <div className="row">
          <div className="field">
            <label htmlFor={groupId}>Group by</label>
            <select
              id={groupId}
              value={groupBy}
              onChange={(e) => setGroupBy(e.target.value as EventGroupBy)}
            >
              {EVENT_GROUPS.map((g) => (
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
          <CsvButton list="insights/violations" filter={{ ...settled, since }} what="events" />
        </div>
      </div>
      <p className="muted">
        What happened at admission: requests refused, warned or audited. A retried workload is one
        row with its count.
      </p>
      <h3>Violations by {groupBy}</h3>
      <Counts groupBy={groupBy} since={since} />
      <h3>Recent violations</h3>
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
          <Loading what="events" />
        ) : null
      ) : items.length === 0 ? (
        <p className="empty">No events match.</p>
      ) : (
        <table data-testid="events">
          <caption className="sr-only">Recent violations, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Last seen</th>
              <th scope="col">Source</th>
              <th scope="col">Outcome</th>
              <th scope="col" className="num">
                Count
              </th>
              <th scope="col">Cluster / namespace</th>
              <th scope="col">Owner</th>
              <th scope="col">Image</th>
              <th scope="col">Policy</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {items.map((v) => (
              <tr key={v.id} data-event={v.id}>
                <td className="nowrap">
                  {toTimestamp(v.lastSeen)}
                  {v.count > 1 ? (
                    <span className="muted"> (first {toTimestamp(v.firstSeen)})</span>
                  ) : null}
                </td>
                <td>{v.source}</td>
                <td>
                  <span className={`pill outcome-${v.outcome}`}>{v.outcome}</span>
                </td>
                <td className="num">{v.count}</td>
                <td>
                  {v.cluster}/{v.namespace}
                </td>
                <td>
                  {v.ownerKind}/{v.ownerName}
                  {v.ownerKind === v.kind && v.ownerName === v.name ? null : (
                    <span className="muted">
                      {" "}
                      (via {v.kind}/{v.name})
                    </span>
                  )}
                  {v.container === "" ? null : <span className="muted"> ({v.container})</span>}
                </td>
                <td className="mono wrap">{v.image}</td>
                <td>
                  {v.policy}
                  {v.policyDeleted ? <DeletedMarker /> : null}
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
  const [filter, setFilter] = useState<Filter>({ cluster: "", namespace: "", policy: "" });
  const settled = useDebounced(filter, 300);
  return (
    <>
      <PageHeader title="Insights" />
      <p className="muted">
        The fleet's compliance now, from the workloads every cluster's agent reports, then what
        happened over time; refreshed every {REFRESH_MS / 1000} seconds.
      </p>
      <FilterFields filter={filter} onChange={setFilter} />
      <Compliance filter={settled} />
      <Failing filter={settled} />
      <Plots filter={settled} />
      <Events />
    </>
  );
}
