/**
 * The console's plots, plain SVG: stacked bars a day and lines over a 0–100 % axis. Each is an
 * image with a summary for screen readers (role="img", aria-label), a tooltip per bar or point
 * (<title>), a legend, and its numbers as a table under "Show the numbers". Bars and points
 * carry data-* attributes (day, series, value) so that tests count and read them.
 */

import type { ReactNode } from "react";
import { type DailySeries, PLOT, toLines, toPercentText, toStackedBars } from "../lib/insights.js";

// Distinguishable with the common colour-vision deficiencies (Okabe–Ito order), dark enough
// on white for the legend's swatches.
const PALETTE = [
  "#0072b2",
  "#d55e00",
  "#009e73",
  "#cc79a7",
  "#e69f00",
  "#56b4e9",
  "#6b6b00",
  "#555555",
];

const colourOf = (i: number): string => PALETTE[i % PALETTE.length] ?? "#555555";

/** `2026-12-07` → `12-07`: the year is in the table. */
const shortDay = (day: string) => (day.length >= 10 ? day.slice(5, 10) : day);

function Legend({ keys, deleted }: { keys: readonly string[]; deleted?: readonly string[] }) {
  return (
    <ul className="legend" aria-hidden="true">
      {keys.map((k, i) => (
        <li key={k}>
          <span className="swatch" style={{ background: colourOf(i) }} />
          {k}
          {deleted?.includes(k) ? <span className="muted"> (deleted)</span> : null}
        </li>
      ))}
    </ul>
  );
}

function NumbersTable(props: {
  caption: string;
  data: DailySeries;
  format: (n: number) => string;
}) {
  return (
    <details className="plot-numbers">
      <summary>Show the numbers</summary>
      <table>
        <caption className="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {props.data.series.map((s) => (
              <th key={s.key} scope="col" className="num">
                {s.key}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.data.days.map((day, i) => (
            <tr key={day}>
              <th scope="row">{day}</th>
              {props.data.series.map((s) => (
                <td key={s.key} className="num">
                  {s.values[i] === null || s.values[i] === undefined
                    ? "–"
                    : props.format(s.values[i] ?? 0)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function Axis(props: { max: number; format: (n: number) => string; days: readonly string[] }) {
  const bottom = PLOT.height - PLOT.bottom;
  const slot = props.days.length === 0 ? 0 : (PLOT.width - PLOT.left) / props.days.length;
  // At most ~8 day labels, so that they never overlap.
  const every = Math.max(1, Math.ceil(props.days.length / 8));
  return (
    <g className="axis">
      <line x1={PLOT.left} x2={PLOT.width} y1={bottom} y2={bottom} />
      <line x1={PLOT.left} x2={PLOT.left} y1={PLOT.top} y2={bottom} />
      <text x={PLOT.left - 4} y={PLOT.top + 8} textAnchor="end">
        {props.format(props.max)}
      </text>
      <text x={PLOT.left - 4} y={bottom} textAnchor="end">
        {props.format(0)}
      </text>
      {props.days.map((day, i) =>
        i % every === 0 ? (
          <text
            key={day}
            x={PLOT.left + i * slot + slot / 2}
            y={PLOT.height - 6}
            textAnchor="middle"
          >
            {shortDay(day)}
          </text>
        ) : null,
      )}
    </g>
  );
}

function Frame(props: { title: string; summary: string; children: ReactNode; plot: string }) {
  return (
    <svg
      role="img"
      aria-label={`${props.title}: ${props.summary}`}
      viewBox={`0 0 ${PLOT.width} ${PLOT.height}`}
      className="plot"
      data-plot={props.plot}
    >
      {props.children}
    </svg>
  );
}

/** Counts a day, stacked by key (violations per day by cluster or by policy). */
export function StackedBarChart(props: { title: string; data: DailySeries; plot: string }) {
  const { bars, max } = toStackedBars(props.data);
  const keys = props.data.series.map((s) => s.key);
  const total = bars.reduce((n, b) => n + b.value, 0);
  const summary =
    props.data.days.length === 0
      ? "no data"
      : `${total} over ${props.data.days.length} days, from ${props.data.days[0]} to ${props.data.days.at(-1)}, by ${keys.length} series`;
  const format = (n: number) => String(n);
  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      <Frame title={props.title} summary={summary} plot={props.plot}>
        <Axis max={max} format={format} days={props.data.days} />
        {bars.map((b) => (
          <rect
            key={`${b.day}:${b.key}`}
            className="bar"
            x={b.x}
            y={b.y}
            width={b.width}
            height={b.height}
            fill={colourOf(keys.indexOf(b.key))}
            data-day={b.day}
            data-series={b.key}
            data-value={b.value}
          >
            <title>{`${b.day} · ${b.key}: ${b.value}`}</title>
          </rect>
        ))}
      </Frame>
      <Legend keys={keys} {...(props.data.deleted ? { deleted: props.data.deleted } : {})} />
      <NumbersTable caption={props.title} data={props.data} format={format} />
    </figure>
  );
}

/** Percentages a day, one line per key (the compliance trend). */
export function LineChart(props: { title: string; data: DailySeries; plot: string }) {
  const lines = toLines(props.data);
  const keys = props.data.series.map((s) => s.key);
  const last = lines.map((l) => `${l.key} ${toPercentText(l.points.at(-1)?.value ?? 0)}`);
  const summary =
    props.data.days.length === 0
      ? "no data"
      : `latest ${last.join(", ")} on ${props.data.days.at(-1)}`;
  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      <Frame title={props.title} summary={summary} plot={props.plot}>
        <Axis max={100} format={toPercentText} days={props.data.days} />
        {lines.map((l, i) => (
          <g key={l.key} data-series={l.key}>
            {l.segments.map((seg) => (
              <polyline
                key={seg[0]?.day}
                className="line"
                fill="none"
                stroke={colourOf(i)}
                strokeWidth={2}
                points={seg.map((p) => `${p.x},${p.y}`).join(" ")}
              />
            ))}
            {l.points.map((p) => (
              <circle
                key={p.day}
                className="point"
                cx={p.x}
                cy={p.y}
                r={3}
                fill={colourOf(i)}
                data-day={p.day}
                data-series={l.key}
                data-value={p.value}
              >
                <title>{`${p.day} · ${l.key}: ${toPercentText(p.value)}`}</title>
              </circle>
            ))}
          </g>
        ))}
      </Frame>
      <Legend keys={keys} {...(props.data.deleted ? { deleted: props.data.deleted } : {})} />
      <NumbersTable caption={props.title} data={props.data} format={toPercentText} />
    </figure>
  );
}
