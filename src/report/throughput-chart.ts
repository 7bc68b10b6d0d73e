// Throughput over time for report.html, as steps: each stored second (SeriesPoint) is its records
// divided by the part of it that was measured, so a scenario's last partial second (2.0–2.5 s of a
// 2.5 s scenario) shows its real rate instead of a collapse, and the area under the steps is every
// record the table counts: the chart's average is the table's throughput (records / durationS).
import type { ScenarioResult } from "../metrics/summary.js";
import type { StoredRun, StoredScenario } from "../store/results-store.js";
import { executorLabel } from "./executor-label.js";
import { formatCount, recordsUnit } from "./format.js";
import { scenarioGroups, trialOf, type ScenarioGroup } from "./report-model.js";

export interface ThroughputChart {
  scenario: string;
  /** The load, its operations and its measured length: "rate 200/s · 500 ops in 2.5 s", "closed ×4 · 3 trials of 60 s". */
  caption: string;
  /** What its records per second are called, as the table calls them: rows/s for a query. */
  unit: "rows/s" | "records/s";
  /**
   * Seconds from each trial's measured start where a step begins, then where the longest trial
   * ends: the x axis runs from 0 to the last value.
   */
  t: number[];
  series: {
    label: string;
    before: boolean;
    /** Records/s over the whole trial: the table's throughput. */
    average: number;
    /** Records/s from t[i] until t[i+1]; the last step's value repeats at its end; null once the trial has ended. */
    values: (number | null)[];
    /** Where the trial ends (s): a step starting there is past it, though the value there draws its last step. */
    end: number;
  }[];
  /** An open loop at a constant rate: the rate asked for, in records/s, as a reference line until `to` s. */
  asked: { label: string; rate: number; to: number }[];
}

/** One step of a trial: records/s over [from, to) seconds of its measured interval. */
export interface Step {
  from: number;
  to: number;
  rate: number;
}

/** A last partial second shorter than this joins the second before it: a rate over a few ms is noise. */
const MIN_STEP_S = 0.2;

export function stepsOf(r: Pick<ScenarioResult, "durationS" | "series">): Step[] {
  const lastPoint = r.series.reduce((m, p) => Math.max(m, p.t + 1), 0);
  const end = r.durationS > 0 ? r.durationS : lastPoint;
  if (end <= 0) return [];
  const seconds = Math.max(1, Math.ceil(end - 1e-9));
  const records = new Array<number>(seconds).fill(0);
  // Operations that completed after the measured end (the drain) count in its last second, as
  // the table counts them against the measured interval. A second with no point had nothing.
  for (const p of r.series) records[Math.min(Math.max(p.t, 0), seconds - 1)]! += p.records;
  const steps = records.map((n, k) => ({ from: k, to: Math.min(k + 1, end), records: n }));
  const last = steps[steps.length - 1]!;
  const previous = steps[steps.length - 2];
  if (previous !== undefined && last.to - last.from < MIN_STEP_S) {
    steps.pop();
    previous.to = last.to;
    previous.records += last.records;
  }
  return steps.map((s) => ({ from: s.from, to: s.to, rate: s.records / (s.to - s.from) }));
}

/**
 * The values of one trial's steps at each x of the chart. Both are in ascending order and the steps
 * do not overlap, so one walk finds each x's step (not a search per x: an hour has 3,600 of each).
 */
function valuesAt(t: readonly number[], steps: readonly Step[]): (number | null)[] {
  const last = steps[steps.length - 1];
  let i = 0;
  return t.map((x) => {
    while (i < steps.length && steps[i]!.to <= x) i++;
    const step = steps[i];
    if (step !== undefined && step.from <= x) return step.rate;
    return last !== undefined && x === last.to ? last.rate : null;
  });
}

/** "4.5 ms", "2.5 s", "60 s": a scenario's measured length. */
function lengthText(s: number): string {
  if (s < 1) return `${+(s * 1000).toPrecision(3)} ms`;
  return `${s < 10 ? s.toFixed(1) : +s.toFixed(1)} s`;
}

/** The rate a constant-rate trial asked for, in records/s (its records per operation times ops/s). */
function askedRecordsPerSec(s: StoredScenario): number | undefined {
  const r = s.result;
  const load = s.load as Record<string, unknown>;
  if (load.executor !== "constant-rate" || r.generator.askedRate === null) return undefined;
  return r.generator.askedRate * (r.ops > 0 ? r.records / r.ops : 1);
}

function label(run: StoredRun, s: StoredScenario, trials: number, before: boolean): string {
  const who = before ? `before (run ${run.id})` : `run ${run.id}`;
  return trials > 1 ? `${who} trial ${trialOf(s) + 1}` : who;
}

export function throughputCharts(run: StoredRun, baseline: StoredRun | undefined): ThroughputChart[] {
  const baseGroups = baseline === undefined ? [] : scenarioGroups(baseline);
  const charts: ThroughputChart[] = [];
  for (const g of scenarioGroups(run)) {
    const sources: { run: StoredRun; g: ScenarioGroup; before: boolean }[] = [];
    const b = baseGroups.find((x) => x.key === g.key);
    if (b !== undefined && baseline !== undefined) sources.push({ run: baseline, g: b, before: true });
    sources.push({ run, g, before: false });
    const trials = sources.flatMap((src) => src.g.trials.map((s) => ({ ...src, s, steps: stepsOf(s.result) })));
    const xs = new Set<number>();
    for (const { steps } of trials) for (const step of steps) xs.add(step.from).add(step.to);
    if (xs.size === 0) continue;
    const t = [...xs].sort((x, y) => x - y);
    const series = trials.map(({ run: r, g: src, before, s, steps }) => ({
      label: label(r, s, src.trials.length, before),
      before,
      average: s.result.throughput,
      values: valuesAt(t, steps),
      end: steps[steps.length - 1]?.to ?? 0,
    }));
    // One line per distinct asked rate: a baseline at the same rate shares the run's.
    const asked: ThroughputChart["asked"] = [];
    for (const src of [...sources].reverse()) {
      const s = src.g.trials[0];
      const rate = s === undefined ? undefined : askedRecordsPerSec(s);
      if (s === undefined || rate === undefined || asked.some((a) => Math.abs(a.rate - rate) <= rate * 0.005)) continue;
      asked.push({ label: sources.length > 1 ? `asked (run ${src.run.id})` : "asked", rate, to: s.result.durationS });
    }
    const first = g.trials[0]!;
    const length = lengthText(first.result.durationS);
    const caption = [
      executorLabel(first.load, first.result.workers),
      g.trials.length > 1 ? `${g.trials.length} trials of ${length}` : `${formatCount(first.result.ops)} ops in ${length}`,
    ];
    charts.push({ scenario: g.key, caption: caption.join(" · "), unit: recordsUnit(first.workload), t, series, asked });
  }
  return charts;
}
