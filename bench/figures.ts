/**
 * Benchmarks that cannot go stale. Each section of bench/RESULTS.md that `npm run bench`
 * writes ends with a machine-readable line of its figures and the machine they were measured
 * on. The next run on the same machine compares its figures with them and fails loudly (exit
 * 1, RESULTS.md left as it was) when one is worse by more than its noise band, so that a
 * regression is caught by the next run instead of being written over. `BENCH_ACCEPT=1`
 * records the new figures anyway (a deliberate trade, said in the commit). On another machine
 * nothing is compared: the figures are simply recorded.
 */

/** One measured figure, and which way is better. */
export interface Figure {
  readonly value: number;
  readonly better: "higher" | "lower";
  /** The relative change this figure may show from run to run on the same machine. */
  readonly band: number;
}

export interface Figures {
  /** cpu model, cores, memory, Node major: figures compare only on the same machine. */
  readonly machine: string;
  readonly figures: Readonly<Record<string, Figure>>;
}

const MARK = "<!-- figures ";

/** The line a section ends with. */
export function figuresLine(f: Figures): string {
  return `${MARK}${JSON.stringify(f)} -->`;
}

/** The figures recorded in a section's text, if any (a hand-edited line is ignored). */
export function readFigures(section: string): Figures | undefined {
  const at = section.lastIndexOf(MARK);
  if (at < 0) return undefined;
  const end = section.indexOf(" -->", at);
  if (end < 0) return undefined;
  try {
    const parsed = JSON.parse(section.slice(at + MARK.length, end)) as Figures;
    return typeof parsed.machine === "string" && typeof parsed.figures === "object"
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}

export interface Regression {
  readonly name: string;
  readonly recorded: number;
  readonly measured: number;
  /** How much worse, as a fraction of the recorded value. */
  readonly worse: number;
  readonly band: number;
}

/**
 * The figures of `now` that are worse than `recorded` by more than their band, on the same
 * machine. The recorded band is used (the figure's noise as it was known when recorded); a
 * figure recorded before and missing now is not compared.
 */
export function regressions(recorded: Figures | undefined, now: Figures): Regression[] {
  if (recorded === undefined || recorded.machine !== now.machine) return [];
  const out: Regression[] = [];
  for (const [name, before] of Object.entries(recorded.figures)) {
    const after = now.figures[name];
    if (after === undefined || !(before.value > 0)) continue;
    const worse =
      before.better === "higher"
        ? (before.value - after.value) / before.value
        : (after.value - before.value) / before.value;
    if (worse > before.band) {
      out.push({ name, recorded: before.value, measured: after.value, worse, band: before.band });
    }
  }
  return out;
}

/** A noise band from repeated runs: twice their spread around the median, at least `floor`. */
export function noiseBand(runs: readonly number[], floor: number): number {
  if (runs.length < 2) return floor;
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted[Math.floor(sorted.length / 2)] ?? 0;
  if (!(mid > 0)) return floor;
  const spread = ((sorted[sorted.length - 1] ?? mid) - (sorted[0] ?? mid)) / mid;
  return Math.max(floor, Math.round(2 * spread * 100) / 100);
}
