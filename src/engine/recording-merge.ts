// Merging the workers' recordings of one scenario into one result, as if one process had run it:
// counts and per-second series summed, histograms added (HDR histograms add exactly, so the merged
// percentiles are those of every operation), per-second percentiles taken from the per-second
// histograms added, then summarised and judged once (buildScenarioResult). Each worker's own
// counts, start skew and validity are kept beside it (ScenarioResult.segments), and a worker that
// stopped before it reported (killed, evicted) adds the seconds it checkpointed and makes the
// result say so.
import { decodeHistogram, LatencyHistogram } from "../metrics/histogram.js";
import type { ClosedSecond, Recording } from "../metrics/recorder.js";
import { buildScenarioResult, type ScenarioOutcome } from "../metrics/scenario-result.js";
import type {
  ConcurrencyBucket,
  DropReason,
  ErrorSeriesPoint,
  GeneratorHealth,
  ScenarioResult,
  ScenarioStatus,
  SegmentReport,
  SeriesPoint,
} from "../metrics/summary.js";
import { addCounts, emptyPoint, recordingOfSeconds, unknownGenerator, withPercentiles } from "./closed-seconds.js";
import type { Segment } from "./schedule.js";

/** One worker's part of a scenario: its recording, or what it checkpointed before it was lost. */
export type WorkerPart =
  | {
      readonly kind: "reported";
      readonly segment: Segment;
      readonly outcome: ScenarioOutcome;
      readonly seconds: readonly ClosedSecond[];
      readonly startSkewMs: number | null;
      /** Operation numbers the scenario used, as this worker knows it (RecordedScenario.seqs). */
      readonly seqs?: number;
    }
  | {
      readonly kind: "lost";
      readonly segment: Segment;
      /** The measured seconds it reported before it stopped. */
      readonly seconds: readonly ClosedSecond[];
      readonly startSkewMs: number | null;
      /** What happened, e.g. "killed by SIGKILL". */
      readonly failure: string;
      /**
       * It stopped on an error of its own (it exited with an error, or its run threw), not killed
       * from outside: the scenario failed, rather than ended incomplete.
       */
      readonly failed?: boolean;
    };

export const workerName = (s: Segment): string => `${s.index + 1}/${s.count}`;

const STATUS_ORDER: Record<ScenarioStatus, number> = { completed: 0, interrupted: 1, failed: 2 };

/** The merged result of a scenario's parts (at least one reported or lost). */
export function mergeWorkerParts(parts: readonly WorkerPart[]): ScenarioResult {
  const reported = parts.flatMap((p) => (p.kind === "reported" ? [p] : []));
  const lost = parts.flatMap((p) => (p.kind === "lost" ? [p] : []));
  const outcomes: ScenarioOutcome[] = [
    ...reported.map((p) => p.outcome),
    ...lost.map((p) => outcomeFromSeconds(p.seconds, reported[0]?.outcome)),
  ];
  const first = outcomes[0];
  if (first === undefined) throw new Error("no worker's part to merge");

  let status: ScenarioStatus = "completed";
  let failure: string | undefined;
  for (const p of reported) {
    if (STATUS_ORDER[p.outcome.status] > STATUS_ORDER[status]) {
      status = p.outcome.status;
      failure = `worker ${workerName(p.segment)}: ${p.outcome.failure ?? p.outcome.status}`;
    }
  }
  if (lost.length > 0) {
    // Incomplete: the others' parts are whole, the lost one's only up to its last checkpoint. One
    // that stopped on an error of its own failed the scenario (the others were stopped for it, so
    // their "interrupted" is not repeated); one killed from outside left it incomplete.
    const failedOwn = lost.some((p) => p.failed === true);
    const lostStatus: ScenarioStatus = failedOwn ? "failed" : "interrupted";
    const othersSaid = failure === undefined || (failedOwn && status === "interrupted") ? "" : `; ${failure}`;
    if (STATUS_ORDER[lostStatus] > STATUS_ORDER[status]) status = lostStatus;
    const said = lost.map((p) => `worker ${workerName(p.segment)} stopped after ${p.seconds.length} s (${p.failure})`).join("; ");
    failure = `incomplete: ${said}; its seconds before that are kept${othersSaid}`;
  }

  const recordings = outcomes.map((o) => o.recording);
  // What an observing workload saw is not merged: the first worker's stays (decisions: scale-out).
  const observing = reported.find((p) => p.outcome.observed !== undefined)?.outcome;
  const merged: ScenarioOutcome = {
    status,
    ...(failure === undefined ? {} : { failure }),
    executor: first.executor,
    ...(outcomes.some((o) => o.workers !== undefined) ? { workers: sum(outcomes.map((o) => o.workers ?? 0)) } : {}),
    startedAt: Math.min(...outcomes.map((o) => o.startedAt)),
    measuredMs: Math.max(...reported.map((p) => p.outcome.measuredMs), ...lost.map((p) => p.seconds.length * 1000)),
    warmupMs: first.warmupMs,
    recording: mergeRecordings(recordings, parts.map((p) => p.seconds)),
    generator: mergeGenerators(reported.map((p) => ({ segment: p.segment, generator: p.outcome.generator }))),
    ...(first.validity === undefined
      ? {}
      : {
          validity: {
            ...first.validity,
            capWaits: sum(reported.map((p) => p.outcome.validity?.capWaits ?? 0)),
          },
        }),
    ...(first.clientSlots === undefined
      ? {}
      : { clientSlots: { count: sum(outcomes.map((o) => o.clientSlots?.count ?? 0)), setting: first.clientSlots.setting } }),
    ...(observing?.observed === undefined ? {} : { observed: observing.observed }),
    ...(observing?.observes === undefined ? {} : { observes: observing.observes }),
  };
  const result = buildScenarioResult(merged);

  const segments: SegmentReport[] = parts.map((p) => {
    if (p.kind === "lost") {
      const ops = sum(p.seconds.map((s) => s.point.ops));
      const errors = sum(p.seconds.map((s) => s.point.errors));
      return { worker: workerName(p.segment), index: p.segment.index, count: p.segment.count, status: "lost", ops, errors, startSkewMs: p.startSkewMs, failure: p.failure, endS: p.seconds.length };
    }
    const own = buildScenarioResult(p.outcome);
    return {
      worker: workerName(p.segment),
      index: p.segment.index,
      count: p.segment.count,
      status: p.outcome.status,
      ops: own.ops,
      errors: own.errors,
      startSkewMs: p.startSkewMs,
      ...(own.validity === undefined ? {} : { validity: own.validity }),
      busyCpuPercent: own.generator.cpuPercent - (own.generator.spinCpuPercent ?? 0),
      ...(p.outcome.failure === undefined ? {} : { failure: p.outcome.failure }),
      endS: Math.max(0, p.outcome.measuredMs) / 1000,
    };
  });
  // The merged verdict names the workers a reason comes from (one starved worker, not "the generator").
  if (result.validity !== undefined) {
    for (const reason of result.validity.reasons) {
      const from = segments.filter((s) => s.validity?.reasons.some((r) => r.code === reason.code)).map((s) => s.worker);
      if (from.length > 0 && from.length < segments.length) reason.message += ` (worker ${from.join(", ")})`;
    }
  }
  result.segments = segments;
  return result;
}

function mergeRecordings(recordings: readonly Recording[], secondsOfEach: readonly (readonly ClosedSecond[])[]): Recording {
  const add = (pick: (r: Recording) => LatencyHistogram | undefined): LatencyHistogram | undefined => {
    const present = recordings.map(pick).filter((h): h is LatencyHistogram => h !== undefined);
    if (present.length === 0) return undefined;
    const out = new LatencyHistogram();
    for (const h of present) out.add(h);
    return out;
  };
  const errorsByClass: Record<string, number> = {};
  const dropped: Partial<Record<DropReason, number>> = {};
  const samples: string[] = [];
  for (const r of recordings) {
    for (const [k, v] of Object.entries(r.errorsByClass)) errorsByClass[k] = (errorsByClass[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.dropped) as [DropReason, number][]) dropped[k] = (dropped[k] ?? 0) + v;
    for (const s of r.errorSamples) if (samples.length < 5 && !samples.includes(s)) samples.push(s);
  }
  return {
    ops: sum(recordings.map((r) => r.ops)),
    errors: sum(recordings.map((r) => r.errors)),
    errorsByClass,
    errorSamples: samples,
    records: sum(recordings.map((r) => r.records)),
    bytes: sum(recordings.map((r) => r.bytes)),
    lateStarts: sum(recordings.map((r) => r.lateStarts)),
    warmupOps: sum(recordings.map((r) => r.warmupOps)),
    warmupErrors: sum(recordings.map((r) => r.warmupErrors)),
    latency: add((r) => r.latency) ?? new LatencyHistogram(),
    service: add((r) => r.service) ?? new LatencyHistogram(),
    clientWait: add((r) => r.clientWait),
    startDelay: add((r) => r.startDelay),
    serviceByConcurrency: mergeBuckets(recordings.flatMap((r) => r.serviceByConcurrency)),
    dropped,
    series: mergeSeries(secondsOfEach),
    errorSeries: mergeErrorSeries(recordings.map((r) => r.errorSeries)),
  };
}

/** Seconds with the same `t` summed; p50/p99 from their histograms added. */
function mergeSeries(secondsOfEach: readonly (readonly ClosedSecond[])[]): SeriesPoint[] {
  const byT = new Map<number, { point: SeriesPoint; latency: LatencyHistogram }>();
  for (const seconds of secondsOfEach) {
    for (const s of seconds) {
      let at = byT.get(s.point.t);
      if (at === undefined) {
        at = { point: emptyPoint(s.point.t), latency: new LatencyHistogram() };
        byT.set(s.point.t, at);
      }
      addCounts(at.point, s.point);
      at.latency.add(decodeHistogram(s.latency));
    }
  }
  return [...byT.values()].sort((a, b) => a.point.t - b.point.t).map(({ point, latency }) => withPercentiles(point, latency));
}

function mergeErrorSeries(series: readonly (readonly ErrorSeriesPoint[])[]): ErrorSeriesPoint[] {
  const byT = new Map<number, Record<string, number>>();
  for (const points of series) {
    for (const p of points) {
      const at = byT.get(p.t) ?? {};
      for (const [k, v] of Object.entries(p.byClass)) at[k] = (at[k] ?? 0) + v;
      byT.set(p.t, at);
    }
  }
  return [...byT].sort((a, b) => a[0] - b[0]).map(([t, byClass]) => ({ t, byClass }));
}

function mergeBuckets(buckets: readonly ConcurrencyBucket[]): ConcurrencyBucket[] {
  const byFrom = new Map<number, ConcurrencyBucket>();
  for (const b of buckets) {
    const at = byFrom.get(b.from);
    if (at === undefined) {
      byFrom.set(b.from, { ...b });
      continue;
    }
    const ops = at.ops + b.ops;
    at.meanAtTarget = (at.meanAtTarget * at.ops + b.meanAtTarget * b.ops) / ops;
    at.meanServiceMs = (at.meanServiceMs * at.ops + b.meanServiceMs * b.ops) / ops;
    at.ops = ops;
  }
  return [...byFrom.values()].sort((a, b) => a.from - b.from);
}

/**
 * The generators' health together: the busiest worker's CPU and event-loop lag (saturation is a
 * property of one process), the rates and late starts summed, each warning naming its worker.
 */
function mergeGenerators(parts: readonly { segment: Segment; generator: GeneratorHealth }[]): GeneratorHealth {
  const gs = parts.map((p) => p.generator);
  const asked = gs.map((g) => g.askedRate).filter((r): r is number => r !== null);
  const busiest = parts.reduce<{ segment: Segment; generator: GeneratorHealth } | undefined>(
    (a, p) => (a === undefined || p.generator.cpuPercent > a.generator.cpuPercent ? p : a),
    undefined,
  );
  const starved = gs.find((g) => g.machine?.starved === true)?.machine ?? busiest?.generator.machine;
  return {
    cpuPercent: busiest?.generator.cpuPercent ?? 0,
    ...(busiest?.generator.spinCpuPercent === undefined ? {} : { spinCpuPercent: busiest.generator.spinCpuPercent }),
    eventLoopLagP99Ms: Math.max(0, ...gs.map((g) => g.eventLoopLagP99Ms)),
    eventLoopLagMaxMs: Math.max(0, ...gs.map((g) => g.eventLoopLagMaxMs)),
    askedRate: asked.length === 0 ? null : sum(asked),
    achievedRate: sum(gs.map((g) => g.achievedRate)),
    lateStarts: sum(gs.map((g) => g.lateStarts)),
    ...(starved === undefined ? {} : { machine: starved }),
    saturated: gs.some((g) => g.saturated),
    warnings: parts.flatMap((p) => p.generator.warnings.map((w) => `worker ${workerName(p.segment)}: ${w}`)),
  };
}

/** What a lost worker's checkpointed seconds add up to (latency only: the rest went with it). */
function outcomeFromSeconds(seconds: readonly ClosedSecond[], like: ScenarioOutcome | undefined): ScenarioOutcome {
  const latency = new LatencyHistogram();
  const errorsByClass: Record<string, number> = {};
  for (const s of seconds) {
    latency.add(decodeHistogram(s.latency));
    for (const [k, v] of Object.entries(s.errorsByClass ?? {})) errorsByClass[k] = (errorsByClass[k] ?? 0) + v;
  }
  return {
    status: "interrupted",
    executor: like?.executor ?? "unknown",
    startedAt: like?.startedAt ?? Date.now(),
    measuredMs: seconds.length * 1000,
    warmupMs: like?.warmupMs ?? 0,
    recording: recordingOfSeconds(
      seconds.map((s) => s.point),
      latency,
      errorsByClass,
      seconds.flatMap((s) => (s.errorsByClass === undefined ? [] : [{ t: s.point.t, byClass: s.errorsByClass }])),
    ),
    generator: unknownGenerator(),
  };
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
