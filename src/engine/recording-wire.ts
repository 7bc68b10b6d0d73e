// A worker's recording as plain JSON: what one load generator measured of its segment of a scenario,
// shipped to the process that merges (over IPC, or in a file). Histograms travel encoded (HdrHistogram
// V2, compressed base64), per second too, so the merge is exact: decoding and adding the parts gives
// the histogram of every operation. Versioned, so a newer merger can refuse an older worker clearly.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeHistogram, LatencyHistogram } from "../metrics/histogram.js";
import type { ClosedSecond, Recording } from "../metrics/recorder.js";
import type { ScenarioOutcome } from "../metrics/scenario-result.js";
import type { ConcurrencyBucket, DropReason, ErrorSeriesPoint, GeneratorHealth, ScenarioStatus, SeriesPoint } from "../metrics/summary.js";
import type { RecordedScenario } from "./run-scenario.js";
import type { Segment } from "./schedule.js";
import type { ValidityContext } from "./validity.js";

export const RECORDING_WIRE_VERSION = 1;

export interface WireRecording {
  readonly version: typeof RECORDING_WIRE_VERSION;
  readonly segment: Segment;
  readonly startSkewMs: number | null;
  readonly maxInFlight: number | null;
  readonly status: ScenarioStatus;
  readonly failure?: string;
  readonly executor: string;
  readonly workers?: number;
  readonly startedAt: number;
  readonly measuredMs: number;
  readonly warmupMs: number;
  readonly generator: GeneratorHealth;
  readonly validity?: ValidityContext;
  readonly clientSlots?: { readonly count: number; readonly setting: string };
  readonly counts: {
    ops: number;
    errors: number;
    errorsByClass: Record<string, number>;
    errorSamples: string[];
    records: number;
    bytes: number;
    lateStarts: number;
    warmupOps: number;
    warmupErrors: number;
    dropped: Partial<Record<DropReason, number>>;
    serviceByConcurrency: ConcurrencyBucket[];
  };
  readonly histograms: { latency: string; service: string; clientWait?: string; startDelay?: string };
  readonly series: SeriesPoint[];
  readonly errorSeries: ErrorSeriesPoint[];
  /** Each closed measured second's latencies, encoded, by `t` (what makes per-second percentiles mergeable). */
  readonly seconds: { t: number; latency: string }[];
}

export function toWire(recorded: RecordedScenario, segment: Segment): WireRecording {
  const o = recorded.outcome;
  const r = o.recording;
  return {
    version: RECORDING_WIRE_VERSION,
    segment,
    startSkewMs: recorded.startSkewMs ?? null,
    maxInFlight: recorded.maxInFlight,
    status: o.status,
    ...(o.failure === undefined ? {} : { failure: o.failure }),
    executor: o.executor,
    ...(o.workers === undefined ? {} : { workers: o.workers }),
    startedAt: o.startedAt,
    measuredMs: o.measuredMs,
    warmupMs: o.warmupMs,
    generator: o.generator,
    ...(o.validity === undefined ? {} : { validity: o.validity }),
    ...(o.clientSlots === undefined ? {} : { clientSlots: o.clientSlots }),
    counts: {
      ops: r.ops,
      errors: r.errors,
      errorsByClass: r.errorsByClass,
      errorSamples: r.errorSamples,
      records: r.records,
      bytes: r.bytes,
      lateStarts: r.lateStarts,
      warmupOps: r.warmupOps,
      warmupErrors: r.warmupErrors,
      dropped: r.dropped,
      serviceByConcurrency: r.serviceByConcurrency,
    },
    histograms: {
      latency: r.latency.encode(),
      service: r.service.encode(),
      ...(r.clientWait === undefined ? {} : { clientWait: r.clientWait.encode() }),
      ...(r.startDelay === undefined ? {} : { startDelay: r.startDelay.encode() }),
    },
    series: r.series,
    errorSeries: r.errorSeries,
    seconds: (recorded.seconds ?? []).map((s) => ({ t: s.point.t, latency: s.latency })),
  };
}

/** The recording again, histograms decoded; throws on another version (say which). */
export function fromWire(wire: WireRecording): { outcome: ScenarioOutcome; seconds: ClosedSecond[]; startSkewMs: number | null } {
  if (wire.version !== RECORDING_WIRE_VERSION) {
    throw new Error(`a worker's recording has version ${String(wire.version)}, this pipebench reads ${RECORDING_WIRE_VERSION}: run the same pipebench version everywhere`);
  }
  const h = wire.histograms;
  const recording: Recording = {
    ...wire.counts,
    latency: decodeHistogram(h.latency),
    service: decodeHistogram(h.service),
    clientWait: h.clientWait === undefined ? undefined : decodeHistogram(h.clientWait),
    startDelay: h.startDelay === undefined ? undefined : decodeHistogram(h.startDelay),
    series: wire.series,
    errorSeries: wire.errorSeries,
  };
  const byT = new Map(wire.seconds.map((s) => [s.t, s.latency]));
  const errorsByT = new Map(wire.errorSeries.map((e) => [e.t, e.byClass]));
  const seconds: ClosedSecond[] = wire.series.map((point) => {
    const errorsByClass = errorsByT.get(point.t);
    return { point, latency: byT.get(point.t) ?? new LatencyHistogram().encode(), ...(errorsByClass === undefined ? {} : { errorsByClass }) };
  });
  return {
    outcome: {
      status: wire.status,
      ...(wire.failure === undefined ? {} : { failure: wire.failure }),
      executor: wire.executor,
      ...(wire.workers === undefined ? {} : { workers: wire.workers }),
      startedAt: wire.startedAt,
      measuredMs: wire.measuredMs,
      warmupMs: wire.warmupMs,
      recording,
      generator: wire.generator,
      ...(wire.validity === undefined ? {} : { validity: wire.validity }),
      ...(wire.clientSlots === undefined ? {} : { clientSlots: wire.clientSlots }),
    },
    seconds,
    startSkewMs: wire.startSkewMs,
  };
}

/** One scenario's recording of one segment, as `run --segment i/N --recordings DIR` writes it. */
export interface RecordingFile {
  readonly scenario: string;
  readonly ordinal: number;
  readonly trial: number;
  readonly recording: WireRecording;
}

export function writeRecording(dir: string, file: RecordingFile): void {
  mkdirSync(dir, { recursive: true });
  const s = file.recording.segment;
  writeFileSync(join(dir, `${file.ordinal}-${file.trial}-${s.index}of${s.count}.json`), JSON.stringify(file));
}

/** Every recording file in `dir` (`*of*.json`), in name order. */
export function readRecordings(dir: string): RecordingFile[] {
  return readdirSync(dir)
    .filter((f) => /^\d+-\d+-\d+of\d+\.json$/.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as RecordingFile);
}
