// Two stored runs, compared metric by metric: the medians over trials, the % change with a 95 %
// interval, a significance test and a verdict. Reads stored results only; prints nothing
// (src/compare/render.ts does). Statistics live in ./stats.ts.
import { decodeHistogram, mergeHistograms, type LatencyHistogram } from "../metrics/histogram.js";
import type { StoredRun, StoredScenario } from "../store/results-store.js";
import {
  bootstrapPercentiles,
  bootstrapRatio,
  mannWhitney,
  median,
  minimumPValue,
  resample,
  seededRandom,
  shiftInterval,
} from "./stats.js";
import { environmentDifferences, settingDifferences, type SettingDifference } from "./settings-diff.js";
import {
  alike,
  formatPerOp,
  constantRecordsPerOp,
  gatesRegression,
  groupTrials,
  isPerOperation,
  LATENCY_KEYS,
  PER_RECORD,
  recordsPerOp,
  trialMetrics,
  withPerRecord,
  type MetricSpec,
} from "./trial-metrics.js";

export { gatesRegression } from "./trial-metrics.js";
export { settingDifferences, type SettingDifference } from "./settings-diff.js";

/**
 * "not comparable": a metric of one operation when the operation itself changed between the runs
 * (see OperationChange): shown, but neither tallied nor judged by --fail-on-regression.
 */
export type Verdict = "better" | "worse" | "no change" | "insufficient" | "not comparable";

export interface MetricComparison {
  scenario: string;
  metric: string;
  unit: string;
  higherIsBetter: boolean;
  before: { median: number | null; n: number; values: number[] };
  after: { median: number | null; n: number; values: number[] };
  /** (after − before) / before of the medians, in %. */
  changePct: number | null;
  /** 95 % interval of the % change. */
  ci95: [number, number] | null;
  pValue: number | null;
  test: "mann-whitney" | "bootstrap" | "none";
  verdict: Verdict;
}


/**
 * A scenario whose operation changed between the runs: its workload differs and an operation
 * carries a different number of records (a batch size, records per operation). Its ops/s and
 * per-operation latencies measure different operations; records/s and the latencies per record
 * compare the work.
 */
export interface OperationChange {
  scenario: string;
  /** Records an operation carried, before and after (over all trials of a side). */
  recordsPerOp: [number, number];
  /** The metrics marked "not comparable", in display order. */
  notComparable: string[];
  /**
   * The "pN per record" metrics added (an operation's latency ÷ its records); empty when records
   * per operation varied within a run, where that quotient would be no percentile of anything.
   */
  perRecord: string[];
}

export interface RunComparison {
  before: { id: number; tag: string | null; suiteName: string };
  after: { id: number; tag: string | null; suiteName: string };
  metrics: MetricComparison[];
  /** Scenarios whose operation changed between the runs; empty when none did. */
  operationChanges: OperationChange[];
  /** Human-readable differences of host, versions and targets; empty when alike. */
  environment: string[];
  /** The resolved suites, diffed key by key: the optimizations applied. */
  settings: SettingDifference[];
  /** Scenarios only one run has, trials judged invalid, too few trials. */
  notes: string[];
  alpha: number;
  noiseFloorPct: number;
}

export interface CompareOptions {
  /** Significance level of the tests (benchstat's -alpha). Default 0.05. */
  alpha?: number;
  /** A significant change smaller than this (in %) is still "no change". Default 2. */
  noiseFloorPct?: number;
}

export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_NOISE_FLOOR_PCT = 2;
const CONFIDENCE = 0.95;
const BOOTSTRAP_REPLICATES = 2000;



function percentChange(before: number | null, after: number | null): number | null {
  if (before === null || after === null) return null;
  if (before === 0) return after === 0 ? 0 : null;
  return ((after - before) / Math.abs(before)) * 100;
}

/**
 * What a bootstrap draws for a run with a single trial: one statistic of one resample (`draw`),
 * and the same statistic of all the data (`point`, the estimate the interval belongs to).
 */
function bootstrapDraw(
  metric: string,
  trials: readonly StoredScenario[],
  random: () => number,
): { point: number; draw: () => number } | undefined {
  // "p50 per record": the operation's latency histogram, each value ÷ the records an operation carried.
  const perRecord = metric.endsWith(PER_RECORD);
  const base = perRecord ? metric.slice(0, -PER_RECORD.length) : metric;
  const divisor = perRecord ? recordsPerOp(trials) : 1;
  if (divisor === undefined) return undefined;
  const latency = LATENCY_KEYS.find(([name]) => base === name || (!perRecord && base.endsWith(`.${name}`)));
  if (latency !== undefined) {
    const observedName = base.includes(".") ? base.slice(0, base.lastIndexOf(".")) : undefined;
    const encoded = trials.map((t) =>
      observedName === undefined ? t.result.latencyHistogram : t.result.observed?.name === observedName ? t.result.observed.histogram : "",
    );
    if (encoded.some((e) => e.length === 0)) return undefined;
    let hist: LatencyHistogram;
    try {
      hist = mergeHistograms(encoded.map(decodeHistogram));
    } catch {
      return undefined;
    }
    const count = hist.summary().count;
    if (count < 2) return undefined;
    // Histogram values are µs; compared metrics are ms.
    const draws = bootstrapPercentiles(count, latency[2], BOOTSTRAP_REPLICATES, (us) => hist.valuesAtPercentiles(us.map((u) => u * 100)), random);
    let next = 0;
    return {
      point: hist.valueAtPercentile(latency[2]) / 1000 / divisor,
      draw: () => (draws[next++ % draws.length] ?? Number.NaN) / 1000 / divisor,
    };
  }
  const series = trials.flatMap((t) => t.result.series);
  if (series.length < 3) return undefined;
  const statistic: ((points: typeof series) => number) | undefined =
    metric === "throughput"
      ? (points) => points.reduce((s, p) => s + p.records, 0) / points.length
      : metric === "ops"
        ? (points) => points.reduce((s, p) => s + p.ops, 0) / points.length
        : metric === "error_rate"
          ? (points) => {
              const errors = points.reduce((s, p) => s + p.errors, 0);
              const all = points.reduce((s, p) => s + p.ops + p.errors, 0);
              return all > 0 ? errors / all : Number.NaN;
            }
          : undefined;
  if (statistic === undefined) return undefined;
  return { point: statistic(series), draw: () => statistic(resample(series, random)) };
}

/** A stable seed from the metric's identity, so a comparison prints the same numbers every time. */
function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function compareMetric(
  scenario: string,
  spec: MetricSpec,
  before: { values: number[]; trials: StoredScenario[] },
  after: { values: number[]; trials: StoredScenario[] },
  alpha: number,
  noiseFloorPct: number,
): MetricComparison {
  const beforeMedian = before.values.length > 0 ? median(before.values) : null;
  const afterMedian = after.values.length > 0 ? median(after.values) : null;
  const changePct = percentChange(beforeMedian, afterMedian);
  const base = {
    scenario,
    metric: spec.metric,
    unit: spec.unit,
    higherIsBetter: spec.higherIsBetter,
    before: { median: beforeMedian, n: before.values.length, values: before.values },
    after: { median: afterMedian, n: after.values.length, values: after.values },
    changePct,
  };
  const none: MetricComparison = { ...base, ci95: null, pValue: null, test: "none", verdict: "insufficient" };
  if (beforeMedian === null || afterMedian === null) return none;
  // Nothing moved at all (no errors, nothing lost, before and after): no test can say more.
  const first = before.values[0];
  if ([...before.values, ...after.values].every((v) => v === first)) return { ...none, verdict: "no change" };

  const judge = (p: number, reachable: boolean, from = beforeMedian, to = afterMedian): Verdict => {
    if (!reachable) return "insufficient";
    if (p >= alpha || to === from) return "no change";
    const change = percentChange(from, to);
    if (change !== null && Math.abs(change) < noiseFloorPct) return "no change";
    return to > from === spec.higherIsBetter ? "better" : "worse";
  };

  if (before.values.length >= 2 && after.values.length >= 2) {
    const { p } = mannWhitney(before.values, after.values);
    const reachable = minimumPValue(before.values.length, after.values.length) <= alpha;
    return { ...base, ci95: changeInterval(before.values, after.values, beforeMedian), pValue: p, test: "mann-whitney", verdict: judge(p, reachable) };
  }

  // A run with one trial: resample within the runs (latencies from the histograms, rates from the
  // per-second series). This sees only within-run noise, so it is optimistic; trials are better.
  const random = seededRandom(seedOf(`${scenario}\u0000${spec.metric}`));
  const drawBefore = bootstrapDraw(spec.metric, before.trials, random);
  const drawAfter = bootstrapDraw(spec.metric, after.trials, random);
  if (drawBefore === undefined || drawAfter === undefined) return none;
  const boot = bootstrapRatio(drawBefore.draw, drawAfter.draw, { replicates: BOOTSTRAP_REPLICATES, confidence: CONFIDENCE });
  if (boot === null) return none;
  // With several trials on one side, its data are pooled (merged histograms, all seconds): the
  // change is then that of the pooled statistics, so that it lies inside its own interval.
  const single = before.values.length === 1 && after.values.length === 1;
  const [from, to] = single ? [beforeMedian, afterMedian] : [drawBefore.point, drawAfter.point];
  return {
    ...base,
    changePct: percentChange(from, to),
    ci95: boot.ratioLow === null || boot.ratioHigh === null ? null : [(boot.ratioLow - 1) * 100, (boot.ratioHigh - 1) * 100],
    pValue: boot.p,
    test: "bootstrap",
    verdict: judge(boot.p, true, from, to),
  };
}

/**
 * The interval of the % change: the Hodges–Lehmann interval of log(after) − log(before), turned
 * into a ratio (multiplicative changes are what performance changes are). With zeros or negative
 * values, the interval of the plain shift over the before median.
 */
function changeInterval(before: readonly number[], after: readonly number[], beforeMedian: number): [number, number] | null {
  if ([...before, ...after].every((v) => v > 0)) {
    const shift = shiftInterval(before.map(Math.log), after.map(Math.log), CONFIDENCE);
    return shift === null ? null : [(Math.exp(shift.low) - 1) * 100, (Math.exp(shift.high) - 1) * 100];
  }
  if (beforeMedian === 0) return null;
  const shift = shiftInterval(before, after, CONFIDENCE);
  return shift === null ? null : [(shift.low / Math.abs(beforeMedian)) * 100, (shift.high / Math.abs(beforeMedian)) * 100];
}

export function compareRuns(before: StoredRun, after: StoredRun, options: CompareOptions = {}): RunComparison {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const noiseFloorPct = options.noiseFloorPct ?? DEFAULT_NOISE_FLOOR_PCT;
  const notes: string[] = [];
  const beforeGroups = groupTrials(before);
  const afterGroups = groupTrials(after);
  const metrics: MetricComparison[] = [];
  const operationChanges: OperationChange[] = [];
  const invalidTally = new Map<number, { trials: number; of: number; scenarios: number; reasons: Map<string, number> }>();

  for (const [key, beforeTrials] of beforeGroups) {
    const afterTrials = afterGroups.get(key);
    if (afterTrials === undefined) {
      notes.push(`scenario ${key} is only in run ${before.id}`);
      continue;
    }
    const usable = (trials: StoredScenario[], run: StoredRun): StoredScenario[] => {
      const completed = trials.filter((t) => t.status === "completed");
      if (completed.length < trials.length) {
        notes.push(`${key}: ${trials.length - completed.length} of ${trials.length} trials in run ${run.id} did not complete and are left out`);
      }
      const tally = invalidTally.get(run.id) ?? { trials: 0, of: 0, scenarios: 0, reasons: new Map<string, number>() };
      const invalid = completed.filter((t) => t.result.validity?.valid === false);
      tally.of += completed.length;
      tally.trials += invalid.length;
      if (invalid.length > 0) tally.scenarios++;
      for (const t of invalid) for (const r of t.result.validity?.reasons ?? []) tally.reasons.set(r.code, (tally.reasons.get(r.code) ?? 0) + 1);
      invalidTally.set(run.id, tally);
      return completed;
    };
    const b = usable(beforeTrials, before);
    const a = usable(afterTrials, after);
    // The operation changed when its workload differs and it carries another number of records
    // (batch 100 → 5000). The same workload carrying other numbers (a query that returns more
    // rows as its table grew) is the same operation: compared and judged as it is.
    const [bPerOp, aPerOp] = [recordsPerOp(b), recordsPerOp(a)];
    const perOpDiffers = bPerOp !== undefined && aPerOp !== undefined && !alike(bPerOp, aPerOp);
    const workloadDiffers = b[0] !== undefined && a[0] !== undefined && JSON.stringify(b[0].workload) !== JSON.stringify(a[0].workload);
    const changed = perOpDiffers && workloadDiffers;
    const perRecord = changed && constantRecordsPerOp(b, bPerOp) && constantRecordsPerOp(a, aPerOp);
    const bMetrics = b.map((t) => (perRecord ? withPerRecord(trialMetrics(t), t) : trialMetrics(t)));
    const aMetrics = a.map((t) => (perRecord ? withPerRecord(trialMetrics(t), t) : trialMetrics(t)));
    const target = b[0]?.target ?? a[0]?.target ?? "";
    // Display order: the first trial's order, then anything only later trials or the other run have.
    const specs = new Map<string, MetricSpec>();
    for (const m of [...bMetrics, ...aMetrics]) for (const [name, v] of m) if (!specs.has(name)) specs.set(name, v);
    const notComparable: MetricComparison[] = [];
    for (const spec of specs.values()) {
      const values = (ms: Map<string, { value: number }>[]): number[] => ms.flatMap((m) => (m.has(spec.metric) ? [m.get(spec.metric)!.value] : []));
      const bv = values(bMetrics);
      const av = values(aMetrics);
      // A probe counter that stayed at zero on both sides (deadlocks, lag) says nothing: left out.
      if (spec.metric.includes(".") && !/\.p\d+$/.test(spec.metric) && [...bv, ...av].every((v) => v === 0)) continue;
      const m = compareMetric(key, spec, { values: bv, trials: b }, { values: av, trials: a }, alpha, noiseFloorPct);
      // Not comparable: the medians are shown, the change and its test are not judged.
      if (changed && isPerOperation(spec.metric, target)) notComparable.push({ ...m, verdict: "not comparable" });
      else metrics.push(m);
    }
    metrics.push(...notComparable);
    if (changed) {
      operationChanges.push({
        scenario: key,
        recordsPerOp: [bPerOp, aPerOp],
        notComparable: notComparable.map((m) => m.metric),
        perRecord: perRecord ? [...specs.keys()].filter((name) => name.endsWith(PER_RECORD)) : [],
      });
      notes.push(
        `${key}: the operation changed (${formatPerOp(bPerOp)} records an operation in run ${before.id}, ${formatPerOp(aPerOp)} in run ${after.id}): ` +
          "ops/s and the latencies of an operation are not comparable (shown apart, not counted, not gated); compared per record instead: " +
          (perRecord
            ? "throughput and pN per record (an operation's latency ÷ its records; each record still waits for its whole operation)"
            : "throughput (records per operation varied within a run: no latency per record)"),
      );
    } else if (perOpDiffers) {
      notes.push(
        `${key}: an operation carries ${formatPerOp(bPerOp)} records in run ${before.id} and ${formatPerOp(aPerOp)} in run ${after.id} with the same workload ` +
          "(the data changed?): ops/s and latencies are compared and judged as they are; records/s (throughput) compares the work done",
      );
    }
    const fewest = Math.min(b.length, a.length);
    if (fewest >= 2 && minimumPValue(b.length, a.length) > alpha) {
      notes.push(`${key}: ${b.length} and ${a.length} trials can never show a difference at alpha ${alpha}; run with --trials 5 or more`);
    }
  }
  for (const key of afterGroups.keys()) if (!beforeGroups.has(key)) notes.push(`scenario ${key} is only in run ${after.id}`);
  // One line per run: which trials src/engine/validity.ts judged untrustworthy, and why.
  for (const [id, t] of invalidTally) {
    if (t.trials === 0) continue;
    const reasons = [...t.reasons].map(([code, n]) => `${code} ×${n}`).join(", ");
    notes.push(
      `run ${id}: ${t.trials} of ${t.of} trials (in ${t.scenarios} scenario${t.scenarios === 1 ? "" : "s"}) are marked invalid (${reasons}): ` +
        `compared all the same, but read them with care (pipebench show ${id})`,
    );
  }
  if (before.suiteName !== after.suiteName) notes.unshift(`the runs are of different suites: ${before.suiteName} and ${after.suiteName}`);

  return {
    before: { id: before.id, tag: before.tag, suiteName: before.suiteName },
    after: { id: after.id, tag: after.tag, suiteName: after.suiteName },
    metrics,
    operationChanges,
    environment: environmentDifferences(before, after),
    settings: settingDifferences(before.suite, after.suite),
    notes,
    alpha,
    noiseFloorPct,
  };
}

/** A metric name as --gate matches it: case, spaces, `_` and `-` do not matter ("p50_per_record"). */
export function gateKey(metric: string): string {
  return metric.trim().toLowerCase().replace(/[\s_-]+/g, " ");
}

/** The metric names of a comparison, each once, in display order (what --gate may name). */
export function metricNames(comparison: RunComparison): string[] {
  return [...new Set(comparison.metrics.map((m) => m.metric))];
}

/**
 * Metrics significantly worse by more than `thresholdPct` that fail a build: those `gate` names
 * (by gateKey), or by default every metric that gates (gatesRegression). A metric not comparable
 * (the operation changed) is never judged.
 */
export function regressions(comparison: RunComparison, thresholdPct: number, gate?: readonly string[]): MetricComparison[] {
  const inGate = gateFilter(gate);
  return comparison.metrics.filter(
    (m) => m.verdict === "worse" && inGate(m) && (m.changePct === null || Math.abs(m.changePct) > thresholdPct),
  );
}

/** The gate's metrics that it could not judge because the operation changed between the runs. */
export function notJudged(comparison: RunComparison, gate?: readonly string[]): MetricComparison[] {
  const inGate = gateFilter(gate);
  return comparison.metrics.filter((m) => m.verdict === "not comparable" && inGate(m));
}

/** What a gate judges: the metrics it names, or (none named) every metric that gates a regression. */
function gateFilter(gate: readonly string[] | undefined): (m: MetricComparison) => boolean {
  if (gate === undefined) return (m) => gatesRegression(m.metric);
  const named = new Set(gate.map(gateKey));
  return (m) => named.has(gateKey(m.metric));
}

