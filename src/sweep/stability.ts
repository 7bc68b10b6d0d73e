// Is a rate sustainable? The checks find-max adds to a step's own thresholds, judged and stored
// with them (so `pipebench show` prints each with ✓/✗ and its number):
//
//   achieved rate     completed ≥ 95 % of the asked rate
//   keeps up          completions per second over the last two thirds ≥ 95 % of the asked rate
//   no backlog        p50 and p99 of the step's last third not both past the first third's plus an
//                     allowance: a queue that grows (the target behind its arrivals) makes open-loop
//                     latency climb through the step, long before it reaches a threshold
//   errors            error_rate < 1 % when the scenario sets no error threshold of its own
//   consumer lag      not growing across the step (Kafka, when a probe samples consumer_lag)
//   generator CPU     the generator's busy CPU under its limit: past it, the rate is the generator's
//                     limit, not the target's, and the search stops saying so
import { ACHIEVED_RATE_MIN_FRACTION, CPU_MAX_PERCENT } from "../engine/generator-health.js";
import type { ScenarioResult, SeriesPoint } from "../metrics/summary.js";
import { formatMs } from "../format/numbers.js";
import type { StoredProbeReading } from "../store/results-store.js";
import type { Threshold } from "../thresholds/parse.js";
import type { ThresholdOutcome } from "../thresholds/evaluate.js";

/** Latency of the last third may exceed the first third's by this fraction of it (doubling)... */
export const GROWTH_FRACTION = 1;
/**
 * ...or by these many ms, whichever is more (below them, loopback and GC jitter decide). A backlog
 * from an overload ε grows latency by about ε × the time between the thirds: 100 ms is 5 % over 2 s.
 */
export const P50_GROWTH_MIN_MS = 25;
export const P99_GROWTH_MIN_MS = 100;
/** Error rate a step may have when the scenario does not say. */
export const DEFAULT_MAX_ERROR_RATE = 0.01;
/** Consumer lag at the end of a step may exceed the start's by this fraction plus LAG_SLACK records. */
const LAG_GROWTH_FRACTION = 0.5;
const LAG_SLACK = 1000;

/** Metric names of the checks, as stored; `generator_cpu` failing means the generator was the limit. */
export const CHECK = {
  achieved: "achieved_fraction",
  growth: "latency_growth",
  keepingUp: "completion_fraction",
  errors: "error_rate",
  lag: "consumer_lag_growth",
  generator: "generator_cpu",
} as const;

const GENERATOR_EXPR = `generator CPU ≤ ${CPU_MAX_PERCENT}%`;

/** With --workers: every worker's generator is judged, and the expression says so (and which failed). */
const WORKERS_EXPR = `${GENERATOR_EXPR} on each of `;

/** Whether a stored threshold is the generator check (stored thresholds keep their expression only). */
export function isGeneratorCheck(expr: string): boolean {
  return expr === GENERATOR_EXPR || expr.startsWith(WORKERS_EXPR);
}

export function stabilityChecks(
  result: ScenarioResult,
  probes: readonly StoredProbeReading[],
  own: readonly Threshold[],
): ThresholdOutcome[] {
  const out: ThresholdOutcome[] = [];
  const asked = result.generator.askedRate;
  if (asked !== null && asked > 0) {
    const fraction = result.generator.achievedRate / asked;
    out.push({
      expr: `achieved ≥ ${Math.round(ACHIEVED_RATE_MIN_FRACTION * 100)}% of asked`,
      metric: CHECK.achieved,
      op: ">=",
      target: ACHIEVED_RATE_MIN_FRACTION,
      actual: fraction,
      passed: fraction >= ACHIEVED_RATE_MIN_FRACTION,
      kind: "ratio",
    });
  }
  out.push(...keepingUp(result));
  out.push(...growthCheck(result));
  if (!own.some((t) => t.metric === "error_rate" || t.metric === "errors")) {
    out.push({
      expr: `error_rate < ${DEFAULT_MAX_ERROR_RATE * 100}%`,
      metric: CHECK.errors,
      op: "<",
      target: DEFAULT_MAX_ERROR_RATE,
      actual: result.errorRate,
      passed: result.errorRate < DEFAULT_MAX_ERROR_RATE,
      kind: "ratio",
    });
  }
  const lag = lagCheck(probes);
  if (lag !== undefined) out.push(lag);
  out.push(generatorCheck(result));
  return out;
}

/**
 * The generator's CPU: one process's, or with --workers every worker's own (a merged result's
 * segments). One worker out of CPU makes the step pipebench-bound, and the check names it: its
 * part of the rate was the generator's limit, whatever the others had spare.
 */
function generatorCheck(result: ScenarioResult): ThresholdOutcome {
  const judged = (result.segments ?? []).flatMap((s) =>
    s.busyCpuPercent === undefined ? [] : [{ worker: s.worker, busy: s.busyCpuPercent, saturated: s.validity?.reasons.some((r) => r.code === "generator-saturated") === true }],
  );
  const round = (x: number): number => Math.round(x * 10) / 10;
  if (judged.length < 2) {
    const busy = result.generator.cpuPercent - (result.generator.spinCpuPercent ?? 0);
    return { expr: GENERATOR_EXPR, metric: CHECK.generator, op: "<=", target: CPU_MAX_PERCENT, actual: round(busy), passed: busy <= CPU_MAX_PERCENT, kind: "number" };
  }
  const over = judged.filter((w) => w.busy > CPU_MAX_PERCENT || w.saturated);
  const busiest = Math.max(...judged.map((w) => w.busy));
  const named = over.map((w) => `worker ${w.worker} ${round(w.busy)}%`).join(", ");
  return {
    expr: `${WORKERS_EXPR}${judged.length} workers${over.length === 0 ? "" : ` (over: ${named})`}`,
    metric: CHECK.generator,
    op: "<=",
    target: CPU_MAX_PERCENT,
    actual: round(busiest),
    passed: over.length === 0,
    kind: "number",
  };
}

/**
 * Backlog: p50 and p99 of the step's last third against its first (full measured seconds only).
 * A queue that grows lifts every percentile, the median included; a pause (GC, a neighbour's burst)
 * lifts the tail only. So the step fails only when both grew past their allowance, and the number
 * stored is the one that decided: p50 when it stayed, p99 when the median grew but the tail did not.
 */
function growthCheck(result: ScenarioResult): ThresholdOutcome[] {
  const full = result.series.filter((p) => p.t + 1 <= Math.floor(result.durationS + 1e-9));
  if (full.length < 2) return [];
  const third = Math.max(1, Math.floor(full.length / 3));
  const first = full.slice(0, third);
  const last = full.slice(full.length - third);
  const judged = (["p50", "p99"] as const).flatMap((key) => {
    const a = median(first, key);
    const b = median(last, key);
    if (a === undefined || b === undefined) return [];
    const limit = a + Math.max(key === "p50" ? P50_GROWTH_MIN_MS : P99_GROWTH_MIN_MS, a * GROWTH_FRACTION);
    return [{ key, a, b, limit, grew: b > limit }];
  });
  if (judged.length === 0) return [];
  const grew = judged.every((j) => j.grew);
  const decisive = judged.find((j) => j.grew === grew) ?? judged[0];
  if (decisive === undefined) return [];
  const detail = judged.map((j) => `${j.key} ${formatMs(j.a)} → ${formatMs(j.b)}, limit ${formatMs(j.limit)}`).join("; ");
  return [
    {
      expr: `latency not growing across the step (${detail})`,
      metric: CHECK.growth,
      op: "<=",
      target: decisive.limit,
      actual: decisive.b,
      passed: !grew,
      kind: "duration",
    },
  ];
}

/**
 * Backlog, by throughput: operations completed per second over the step's last two thirds against
 * the asked rate. A constant latency does not lower it (what finishes late at the end started late
 * at the start); a target behind its arrivals completes at its own capacity, below the rate, and a
 * short step that a queue can still absorb shows it here before latency reaches a threshold.
 */
function keepingUp(result: ScenarioResult): ThresholdOutcome[] {
  const asked = result.generator.askedRate;
  const later = laterSeconds(result);
  if (asked === null || asked <= 0 || later.length === 0) return [];
  const perSec = completionRate(result) ?? 0;
  const fraction = perSec / asked;
  return [
    {
      expr: `keeps up: completions over the last ${later.length} s ≥ ${Math.round(ACHIEVED_RATE_MIN_FRACTION * 100)}% of asked (${Math.round(perSec)}/s)`,
      metric: CHECK.keepingUp,
      op: ">=",
      target: ACHIEVED_RATE_MIN_FRACTION,
      actual: fraction,
      passed: fraction >= ACHIEVED_RATE_MIN_FRACTION,
      kind: "ratio",
    },
  ];
}

/** Full measured seconds after the first third (the interval's noise reads them too). */
export function laterSeconds(result: ScenarioResult): SeriesPoint[] {
  const full = result.series.filter((p) => p.t + 1 <= Math.floor(result.durationS + 1e-9));
  return full.length < 2 ? [] : full.slice(Math.floor(full.length / 3));
}

/** Operations completed per second over the step's last two thirds: what the target kept up with. */
export function completionRate(result: ScenarioResult): number | undefined {
  const later = laterSeconds(result);
  if (later.length === 0) return undefined;
  return later.reduce((sum, p) => sum + p.ops + p.errors, 0) / later.length;
}

function lagCheck(probes: readonly StoredProbeReading[]): ThresholdOutcome | undefined {
  const samples = probes
    .filter((p) => p.phase === "sample" && p.reading.metrics.consumer_lag !== undefined)
    .sort((a, b) => a.takenAt - b.takenAt);
  const a = samples[0]?.reading.metrics.consumer_lag;
  const b = samples[samples.length - 1]?.reading.metrics.consumer_lag;
  if (samples.length < 2 || a === undefined || b === undefined) return undefined;
  const limit = a * (1 + LAG_GROWTH_FRACTION) + LAG_SLACK;
  return {
    expr: `consumer lag steady (from ${Math.round(a)}, ≤ ${Math.round(limit)})`,
    metric: CHECK.lag,
    op: "<=",
    target: limit,
    actual: b,
    passed: b <= limit,
    kind: "count",
  };
}

function median(points: readonly SeriesPoint[], key: "p50" | "p99"): number | undefined {
  const xs = points.map((p) => p[key]).filter((v): v is number => v !== null).sort((x, y) => x - y);
  if (xs.length === 0) return undefined;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 === 1 ? xs[mid] : ((xs[mid - 1] ?? 0) + (xs[mid] ?? 0)) / 2;
}
