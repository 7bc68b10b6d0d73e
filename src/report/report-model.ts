// What every report file is written from: the run reported on, the run it is compared with (if
// any), the comparison and the findings, and a few read-only views of stored scenarios (trials
// grouped, headline numbers, validity). Reads stored results only; computes no statistics of its
// own beyond the median across trials that a table cell shows.
import type { MetricComparison, RunComparison } from "../compare/compare.js";
import type { Finding } from "../diagnose/diagnose.js";
import type { RunFit } from "../fit/run-fits.js";
import type { PlanResult } from "../plan/model.js";
import { validityOf as judgeValidity } from "../engine/validity.js";
import type { ScenarioResult, Validity } from "../metrics/summary.js";
import type { JsonValue } from "../probes/probe.js";
import type { StoredRun, StoredScenario, Variant } from "../store/results-store.js";
import { formatThresholdValue } from "../thresholds/format.js";
import { errorsLine } from "./errors-line.js";
import { droppedLine, timingLine } from "./timing-line.js";
import { PER_RECORD } from "../compare/trial-metrics.js";
import { formatFineMs } from "../format/numbers.js";
import { formatCount, formatMs, formatRate } from "./format.js";
import { thinTail } from "./thin-tail.js";

export type { MetricComparison, RunComparison } from "../compare/compare.js";
export type { Finding } from "../diagnose/diagnose.js";

export interface ReportInput {
  /** The run reported on: "after" when there is a baseline. */
  run: StoredRun;
  /** The `--vs` run: "before". */
  baseline?: StoredRun;
  /** compareRuns(baseline, run), present with a baseline. */
  comparison?: RunComparison;
  /** diagnose(run). */
  findings: readonly Finding[];
  /** When the report was written (epoch ms). */
  generatedAt: number;
  /** USL fits of the run's sweeps over a concurrency-like key (runFits(run)); none when absent. */
  scalability?: readonly RunFit[];
  /** A capacity plan shown with the run (`report --plan FILE`): computed from this store's runs. */
  plan?: { result: PlanResult; file: string };
}

/** A sweep combination: setting path → value (JSON). */
export type VariantValue = JsonValue;

export type { Validity };

export function trialOf(s: StoredScenario): number {
  return s.trial;
}

export function variantOf(s: StoredScenario): Variant | undefined {
  return s.variant !== undefined && Object.keys(s.variant).length > 0 ? s.variant : undefined;
}

/** The stored verdict, or one judged now for a result stored before verdicts existed. */
export function validityOf(s: StoredScenario): Validity {
  return judgeValidity(s.result);
}

export function variantLabel(v: Record<string, VariantValue>): string {
  return Object.entries(v)
    .map(([k, value]) => `${k}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(", ");
}

/** One scenario of a run: its trials (one stored row each), in trial order. */
export interface ScenarioGroup {
  /** Unique within the run: the name, plus the variant when the name alone repeats across variants. */
  key: string;
  name: string;
  target: string;
  targetKind: string;
  variant: Record<string, VariantValue> | undefined;
  trials: StoredScenario[];
}

/**
 * What each scenario's errors were and when (errors-line.ts), for the reports, whose tables show only
 * the error rate: one line per trial that had errors.
 */
export function errorLines(groups: readonly ScenarioGroup[]): { scenario: string; line: string }[] {
  return groups.flatMap((g) =>
    g.trials.flatMap((t) => {
      const line = errorsLine(t.result);
      return line === undefined ? [] : [{ scenario: g.trials.length > 1 ? `${g.key} (trial ${t.trial + 1})` : g.key, line }];
    }),
  );
}

/** Where each trial's time went and what it dropped (timing-line.ts), when worth a line. */
export function timingLines(groups: readonly ScenarioGroup[]): { scenario: string; line: string }[] {
  return groups.flatMap((g) =>
    g.trials.flatMap((t) =>
      [timingLine(t.result), droppedLine(t.result)].flatMap((line) =>
        line === undefined ? [] : [{ scenario: g.trials.length > 1 ? `${g.key} (trial ${t.trial + 1})` : g.key, line }],
      ),
    ),
  );
}

export function scenarioGroups(run: StoredRun): ScenarioGroup[] {
  const groups = new Map<string, ScenarioGroup>();
  for (const s of run.scenarioResults) {
    const variant = variantOf(s);
    const id = `${s.name}\u0000${variant === undefined ? "" : JSON.stringify(variant)}`;
    let g = groups.get(id);
    if (g === undefined) {
      g = { key: s.name, name: s.name, target: s.target, targetKind: s.targetKind, variant, trials: [] };
      groups.set(id, g);
    }
    g.trials.push(s);
  }
  const all = [...groups.values()];
  const names = new Map<string, number>();
  for (const g of all) names.set(g.name, (names.get(g.name) ?? 0) + 1);
  for (const g of all) {
    g.trials.sort((a, b) => trialOf(a) - trialOf(b));
    if ((names.get(g.name) ?? 0) > 1 && g.variant !== undefined) g.key = `${g.name} [${variantLabel(g.variant)}]`;
  }
  return all;
}

/** The numbers a table row shows for one scenario: medians across its trials. */
export interface Headline {
  trials: number;
  ops: number;
  throughput: number;
  opsPerSec: number;
  mbps: number;
  errorRate: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  /** Latencies the percentiles rest on (median over measured trials): fewer earn a `*` (thin-tail.ts). */
  latencyCount: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function headline(g: ScenarioGroup): Headline {
  const rs = g.trials.map((t) => t.result);
  const lat = (pick: (r: ScenarioResult) => number): number | null => {
    const measured = rs.filter((r) => r.latency.count > 0);
    return measured.length === 0 ? null : median(measured.map(pick));
  };
  return {
    trials: rs.length,
    ops: median(rs.map((r) => r.ops)),
    throughput: median(rs.map((r) => r.throughput)),
    opsPerSec: median(rs.map((r) => r.opsPerSec)),
    mbps: median(rs.map((r) => r.mbps)),
    errorRate: median(rs.map((r) => r.errorRate)),
    p50: lat((r) => r.latency.p50),
    p95: lat((r) => r.latency.p95),
    p99: lat((r) => r.latency.p99),
    max: lat((r) => r.latency.max),
    latencyCount: lat((r) => r.latency.count) ?? 0,
  };
}

const QUANTILE = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;

/** A row's percentile as the tables show it: `*`-marked when it rests on too few latencies, as the console marks it. */
export function percentileText(h: Headline, p: keyof typeof QUANTILE): string {
  const value = h[p];
  return value === null ? formatValue("ms", value) : `${formatValue("ms", value)}${thinTail(h.latencyCount, QUANTILE[p])}`;
}

export function runLabel(run: StoredRun): string {
  return `run ${run.id} (${run.suiteName}, ${new Date(run.startedAt).toISOString().replace("T", " ").slice(0, 19)} UTC)`;
}

/** A value as a report cell shows it, by the unit the comparison or the store gives it. */
/**
 * A compared metric's two medians as `pipebench compare` prints them: a latency per record (of a
 * batch) below a millisecond keeps three digits (6.02µs, 400ns), where formatValue would round it
 * to whole microseconds and print 0µs.
 */
export function comparedValues(m: Pick<MetricComparison, "metric" | "unit" | "before" | "after">): { before: string; after: string } {
  const fine = m.unit === "ms" && m.metric.endsWith(PER_RECORD);
  const one = (v: number | null): string => (fine && v !== null && Number.isFinite(v) ? formatFineMs(v) : formatValue(m.unit, v));
  return { before: one(m.before.median), after: one(m.after.median) };
}

export function formatValue(unit: string, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  switch (unit) {
    case "ms":
      return formatMs(value);
    case "ratio":
      return formatThresholdValue("ratio", value);
    case "%":
      return `${+value.toFixed(1)}%`;
    case "records/s":
    case "1/s":
    case "ops/s":
      return formatRate(value);
    case "MB/s":
      return `${value.toFixed(2)} MB/s`;
    case "count":
      return formatCount(value);
    default:
      return `${+value.toPrecision(4)}${unit === "" ? "" : ` ${unit}`}`;
  }
}

export function formatChange(pct: number | null): string {
  if (pct === null || !Number.isFinite(pct)) return "–";
  return `${pct > 0 ? "+" : pct < 0 ? "−" : "±"}${Math.abs(pct).toFixed(1)}%`;
}

/**
 * A compared metric's change, after against before, signed as `compare` prints it: p99 +25 % went
 * up (worse), throughput +25 % went up (better). The verdict beside it says which; one convention
 * in the console and in the reports.
 */
export function changeOf(m: MetricComparison): { pct: string; ci: string } {
  const ci = m.ci95 === null ? null : [...m.ci95].sort((a, b) => a - b);
  return { pct: formatChange(m.changePct), ci: ci === null ? "–" : `${formatChange(ci[0] ?? null)} … ${formatChange(ci[1] ?? null)}` };
}

/** Each threshold once per scenario (all its trials), and the suite-level ones. */
export interface ThresholdCheck {
  /** The scenario's key, or null for a suite-level threshold. */
  scenario: string | null;
  expr: string;
  kind: string;
  /** The threshold's limit, in the metric's unit. */
  target: number;
  passed: boolean;
  /** The measured values, one per trial. */
  actuals: (number | null)[];
  failedTrials: number;
  note?: string;
}

export function thresholdChecks(run: StoredRun): ThresholdCheck[] {
  const out: ThresholdCheck[] = [];
  for (const g of scenarioGroups(run)) {
    const byExpr = new Map<string, ThresholdCheck>();
    for (const trial of g.trials) {
      for (const t of trial.thresholds) {
        let c = byExpr.get(t.expr);
        if (c === undefined) {
          c = { scenario: g.key, expr: t.expr, kind: t.kind, target: t.target, passed: true, actuals: [], failedTrials: 0 };
          byExpr.set(t.expr, c);
          out.push(c);
        }
        c.actuals.push(t.actual);
        if (!t.passed) {
          c.passed = false;
          c.failedTrials++;
        }
        if (t.note !== undefined) c.note = t.note;
      }
    }
  }
  for (const t of run.thresholds) {
    out.push({
      scenario: null, expr: t.expr, kind: t.kind, target: t.target, passed: t.passed, actuals: [t.actual], failedTrials: t.passed ? 0 : 1,
      ...(t.note === undefined ? {} : { note: t.note }),
    });
  }
  return out;
}

/** "4.78ms", or "4.78ms median of 5 trials, 1 failed" when the scenario ran several times. */
export function checkValueText(c: ThresholdCheck): string {
  const measured = c.actuals.filter((a): a is number => a !== null);
  if (measured.length === 0) return "no value";
  const value = formatThresholdValue(c.kind, median(measured), c.target);
  if (c.actuals.length === 1) return value;
  return `${value} median of ${c.actuals.length} trials${c.failedTrials > 0 ? `, ${c.failedTrials} failed` : ""}`;
}

/** A scenario's validity over its trials: each reason once (the first trial's numbers), with how many trials had it. */
export interface ValiditySummary {
  valid: boolean;
  trials: number;
  invalidTrials: number;
  reasons: { code: string; message: string; trials: number }[];
}

export function validitySummary(g: ScenarioGroup): ValiditySummary {
  const reasons = new Map<string, { code: string; message: string; trials: number }>();
  let invalidTrials = 0;
  for (const t of g.trials) {
    const v = validityOf(t);
    if (!v.valid) invalidTrials++;
    for (const r of v.reasons) {
      const seen = reasons.get(r.code);
      if (seen === undefined) reasons.set(r.code, { code: r.code, message: r.message, trials: 1 });
      else seen.trials++;
    }
  }
  return { valid: invalidTrials === 0, trials: g.trials.length, invalidTrials, reasons: [...reasons.values()] };
}

/** "INVALID: <reason>; <reason> (in 2 of 3 trials)", or "valid". */
export function validityText(g: ScenarioGroup): string {
  const v = validitySummary(g);
  if (v.valid) return "valid";
  const reasons = v.reasons.map((r) => (v.trials > 1 ? `${r.message} (in ${r.trials} of ${v.trials} trials)` : r.message));
  return `INVALID: ${reasons.join("; ")}`;
}

/** Probe readings a report shows, with their units; the rest stay in results.json. */
export const REPORTED_PROBE_METRICS: Readonly<Record<string, string>> = {
  connection_usage: "ratio",
  cache_hit_ratio: "ratio",
  mean_query_time: "ms",
  tps: "1/s",
  deadlocks: "count",
  temp_bytes: "count",
  cpu_usage: "ratio",
  memory_usage: "ratio",
  load1_per_core: "",
  consumer_lag: "count",
  under_replicated_partitions: "count",
};
