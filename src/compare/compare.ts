// Two stored runs, compared metric by metric: the medians over trials, the % change with a 95 %
// interval, a significance test and a verdict. Reads stored results only; prints nothing
// (src/compare/render.ts does). Statistics live in ./stats.ts.
import { decodeHistogram, mergeHistograms, type LatencyHistogram } from "../metrics/histogram.js";
import type { LatencySummary } from "../metrics/summary.js";
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

export type Verdict = "better" | "worse" | "no change" | "insufficient";

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

export interface SettingDifference {
  path: string;
  before: unknown;
  after: unknown;
}

export interface RunComparison {
  before: { id: number; tag: string | null; suiteName: string };
  after: { id: number; tag: string | null; suiteName: string };
  metrics: MetricComparison[];
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

interface MetricSpec {
  metric: string;
  unit: string;
  higherIsBetter: boolean;
}

/** Probe metrics compared, with their direction; others are kept in the store but not judged. */
const PROBE_METRICS: Readonly<Record<string, { unit: string; higherIsBetter: boolean; resource: boolean }>> = {
  cache_hit_ratio: { unit: "ratio", higherIsBetter: true, resource: false },
  mean_query_time: { unit: "ms", higherIsBetter: false, resource: false },
  connection_usage: { unit: "ratio", higherIsBetter: false, resource: true },
  cpu_usage: { unit: "ratio", higherIsBetter: false, resource: true },
  memory_usage: { unit: "ratio", higherIsBetter: false, resource: true },
  consumer_lag: { unit: "count", higherIsBetter: false, resource: false },
  under_replicated_partitions: { unit: "count", higherIsBetter: false, resource: false },
  deadlocks: { unit: "count", higherIsBetter: false, resource: false },
};

const LATENCY_KEYS: readonly [string, keyof LatencySummary, number][] = [
  ["p50", "p50", 50],
  ["p95", "p95", 95],
  ["p99", "p99", 99],
];
const INTEGRITY = ["lost", "duplicated", "out_of_order"] as const;

/**
 * Whether a worse verdict on this metric counts for --fail-on-regression. Resource usage (host
 * CPU, memory, connection usage) is shown with its verdict but does not fail a build: spending
 * more CPU to go faster is the point of many optimizations.
 */
export function gatesRegression(metric: string): boolean {
  const name = metric.includes(".") ? metric.slice(metric.lastIndexOf(".") + 1) : metric;
  // The parts of latency explain a change in it; the latency itself is what is judged.
  if (TIMING_PARTS.some(([prefix]) => metric.startsWith(`${prefix}.`))) return false;
  return PROBE_METRICS[name]?.resource !== true;
}

/** The parts of an operation's latency, compared at p99: where a change in latency came from. */
const TIMING_PARTS: readonly [string, (r: StoredScenario["result"]) => LatencySummary | undefined][] = [
  ["start_delay", (r) => r.startDelay],
  ["client_wait", (r) => r.clientWait],
  ["service", (r) => r.service],
];

/** Every metric of one trial, in display order. */
function trialMetrics(s: StoredScenario): Map<string, MetricSpec & { value: number }> {
  const out = new Map<string, MetricSpec & { value: number }>();
  const put = (metric: string, unit: string, higherIsBetter: boolean, value: number | null | undefined): void => {
    if (value !== null && value !== undefined && Number.isFinite(value)) out.set(metric, { metric, unit, higherIsBetter, value });
  };
  const r = s.result;
  put("throughput", "records/s", true, r.throughput);
  // Operations per second only where an operation carries several records; otherwise it repeats throughput.
  if (Math.abs(r.opsPerSec - r.throughput) > 1e-9 * Math.max(1, r.throughput)) put("ops", "ops/s", true, r.opsPerSec);
  if (r.latency.count > 0) for (const [name, key] of LATENCY_KEYS) put(name, "ms", false, r.latency[key]);
  if (r.ops + r.errors > 0) put("error_rate", "ratio", false, r.errorRate);
  put("dropped", "count", false, r.dropped);
  for (const [prefix, part] of TIMING_PARTS) {
    const summary = part(r);
    if (summary !== undefined && summary.count > 0) put(`${prefix}.p99`, "ms", false, summary.p99);
  }
  if (r.observed !== undefined && r.observed.latency.count > 0) {
    for (const [name, key] of LATENCY_KEYS) put(`${r.observed.name}.${name}`, "ms", false, r.observed.latency[key]);
  }
  for (const name of INTEGRITY) put(name, "count", false, r.counters?.[name]);
  for (const p of s.probes) {
    if (p.phase !== "interval") continue;
    for (const [name, value] of Object.entries(p.reading.metrics)) {
      const spec = PROBE_METRICS[name];
      if (spec !== undefined) put(`${p.target ?? "host"}.${name}`, spec.unit, spec.higherIsBetter, value);
    }
  }
  return out;
}

/** A scenario's identity across runs: its name, and its sweep combination when it has one. */
function scenarioKey(s: StoredScenario): string {
  if (s.variant === undefined) return s.name;
  const parts = Object.keys(s.variant)
    .sort()
    .map((k) => `${k}=${JSON.stringify(s.variant?.[k])}`);
  return `${s.name} [${parts.join(", ")}]`;
}

function groupTrials(run: StoredRun): Map<string, StoredScenario[]> {
  const groups = new Map<string, StoredScenario[]>();
  for (const s of run.scenarioResults) {
    const key = scenarioKey(s);
    const list = groups.get(key) ?? [];
    list.push(s);
    groups.set(key, list);
  }
  return groups;
}

function formatPerOp(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

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
  const latency = LATENCY_KEYS.find(([name]) => metric === name || metric.endsWith(`.${name}`));
  if (latency !== undefined) {
    const observedName = metric.includes(".") ? metric.slice(0, metric.lastIndexOf(".")) : undefined;
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
      point: hist.valueAtPercentile(latency[2]) / 1000,
      draw: () => (draws[next++ % draws.length] ?? Number.NaN) / 1000,
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
    const bMetrics = b.map(trialMetrics);
    const aMetrics = a.map(trialMetrics);
    // Display order: the first trial's order, then anything only later trials or the other run have.
    const specs = new Map<string, MetricSpec>();
    for (const m of [...bMetrics, ...aMetrics]) for (const [name, v] of m) if (!specs.has(name)) specs.set(name, v);
    for (const spec of specs.values()) {
      const values = (ms: Map<string, { value: number }>[]): number[] => ms.flatMap((m) => (m.has(spec.metric) ? [m.get(spec.metric)!.value] : []));
      const bv = values(bMetrics);
      const av = values(aMetrics);
      // A probe counter that stayed at zero on both sides (deadlocks, lag) says nothing: left out.
      if (spec.metric.includes(".") && !/\.p\d+$/.test(spec.metric) && [...bv, ...av].every((v) => v === 0)) continue;
      metrics.push(compareMetric(key, spec, { values: bv, trials: b }, { values: av, trials: a }, alpha, noiseFloorPct));
    }
    const perOp = (trials: StoredScenario[]): number | undefined => {
      const ops = trials.reduce((sum, t) => sum + t.result.ops, 0);
      return ops > 0 ? trials.reduce((sum, t) => sum + t.result.records, 0) / ops : undefined;
    };
    const [bPerOp, aPerOp] = [perOp(b), perOp(a)];
    if (bPerOp !== undefined && aPerOp !== undefined && Math.abs(aPerOp - bPerOp) > 0.01 * Math.max(bPerOp, aPerOp)) {
      notes.push(
        `${key}: an operation carries ${formatPerOp(bPerOp)} records in run ${before.id} and ${formatPerOp(aPerOp)} in run ${after.id}: ` +
          "ops/s and latencies are of different operations; records/s (throughput) compares the work done",
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
    environment: environmentDifferences(before, after),
    settings: settingDifferences(before.suite, after.suite),
    notes,
    alpha,
    noiseFloorPct,
  };
}

/** Metrics significantly worse by more than `thresholdPct` that may fail a build. */
export function regressions(comparison: RunComparison, thresholdPct: number): MetricComparison[] {
  return comparison.metrics.filter(
    (m) => m.verdict === "worse" && gatesRegression(m.metric) && (m.changePct === null || Math.abs(m.changePct) > thresholdPct),
  );
}

function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function environmentDifferences(before: StoredRun, after: StoredRun): string[] {
  const out: string[] = [];
  const differ = (label: string, b: unknown, a: unknown): void => {
    if (JSON.stringify(b) !== JSON.stringify(a)) out.push(`${label}: ${b === undefined ? "–" : show(b)} → ${a === undefined ? "–" : show(a)}`);
  };
  const eb = before.environment;
  const ea = after.environment;
  differ("pipebench", eb.pipebench, ea.pipebench);
  differ("node", eb.node, ea.node);
  for (const key of [...new Set([...Object.keys(eb.host), ...Object.keys(ea.host)])]) {
    if (key === "node") continue; // reported above
    differ(`host ${key}`, eb.host[key], ea.host[key]);
  }
  for (const name of [...new Set([...Object.keys(eb.targets), ...Object.keys(ea.targets)])]) {
    const b = eb.targets[name];
    const a = ea.targets[name];
    differ(`target ${name}`, b === undefined ? undefined : `${b.kind}${b.version ? ` ${b.version}` : ""}`, a === undefined ? undefined : `${a.kind}${a.version ? ` ${a.version}` : ""}`);
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Leaf-by-leaf differences of two JSON values, paths dotted (array items by index). */
export function settingDifferences(before: unknown, after: unknown, path = ""): SettingDifference[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => settingDifferences(before[k], after[k], path === "" ? k : `${path}.${k}`));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const n = Math.max(before.length, after.length);
    return Array.from({ length: n }, (_, i) => settingDifferences(before[i], after[i], `${path}.${i}`)).flat();
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}
