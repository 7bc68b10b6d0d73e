// A worker's recording as plain JSON: what one load generator measured of its segment of a scenario,
// shipped to the process that merges (over IPC, or in a file). Histograms travel encoded (HdrHistogram
// V2, compressed base64), per second too, so the merge is exact: decoding and adding the parts gives
// the histogram of every operation. Versioned, so a newer merger can refuse an older worker clearly.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeHistogram, LatencyHistogram } from "../metrics/histogram.js";
import type { ObservedRecording } from "../metrics/observed-recorder.js";
import type { ClosedSecond, Recording } from "../metrics/recorder.js";
import type { ScenarioOutcome } from "../metrics/scenario-result.js";
import type { RecordedScenario } from "./run-scenario.js";
import type { Segment } from "./schedule.js";

export const RECORDING_WIRE_VERSION = 1;

/** The outcome's plain fields, shipped as they are. */
const OUTCOME_FIELDS = [
  "status",
  "failure",
  "executor",
  "workers",
  "startedAt",
  "measuredMs",
  "warmupMs",
  "generator",
  "validity",
  "clientSlots",
  "observes",
] as const satisfies readonly (keyof ScenarioOutcome)[];
type OutcomeFields = Pick<ScenarioOutcome, (typeof OUTCOME_FIELDS)[number]>;

/** A recording's counts: all of it but its histograms and series. */
type RecordingCounts = Omit<Recording, "latency" | "service" | "clientWait" | "startDelay" | "series" | "errorSeries">;

export interface WireRecording extends OutcomeFields {
  readonly version: typeof RECORDING_WIRE_VERSION;
  readonly segment: Segment;
  readonly startSkewMs: number | null;
  readonly maxInFlight: number | null;
  /** Operation numbers the scenario used, as this generator knows it (RecordedScenario.seqs). */
  readonly seqs?: number;
  readonly counts: RecordingCounts;
  readonly histograms: { latency: string; service: string; clientWait?: string; startDelay?: string };
  readonly series: Recording["series"];
  readonly errorSeries: Recording["errorSeries"];
  /** Each closed measured second's latencies, encoded, by `t` (what makes per-second percentiles mergeable). */
  readonly seconds: { t: number; latency: string }[];
  /** What an observing workload saw (the merge keeps the first worker's), its latencies encoded. */
  readonly observed?: Omit<ObservedRecording, "latency"> & { latency: string };
}

/** The outcome fields `from` has, copied (an absent optional field stays absent). */
function outcomeFields(from: OutcomeFields): OutcomeFields {
  const out: Partial<Record<keyof OutcomeFields, unknown>> = {};
  for (const k of OUTCOME_FIELDS) if (from[k] !== undefined) out[k] = from[k];
  return out as OutcomeFields;
}

export function toWire(recorded: RecordedScenario, segment: Segment): WireRecording {
  const o = recorded.outcome;
  const { latency, service, clientWait, startDelay, series, errorSeries, ...counts } = o.recording;
  return {
    version: RECORDING_WIRE_VERSION,
    segment,
    startSkewMs: recorded.startSkewMs ?? null,
    maxInFlight: recorded.maxInFlight,
    seqs: recorded.seqs,
    ...outcomeFields(o),
    counts,
    histograms: {
      latency: latency.encode(),
      service: service.encode(),
      ...(clientWait === undefined ? {} : { clientWait: clientWait.encode() }),
      ...(startDelay === undefined ? {} : { startDelay: startDelay.encode() }),
    },
    series,
    errorSeries,
    seconds: (recorded.seconds ?? []).map((s) => ({ t: s.point.t, latency: s.latency })),
    ...(o.observed === undefined ? {} : { observed: { ...o.observed, latency: o.observed.latency.encode() } }),
  };
}

/** The recording again, histograms decoded; throws on another version (say which). */
export function fromWire(wire: WireRecording): { outcome: ScenarioOutcome; seconds: ClosedSecond[]; startSkewMs: number | null; seqs?: number } {
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
      ...outcomeFields(wire),
      recording,
      ...(wire.observed === undefined ? {} : { observed: { ...wire.observed, latency: decodeHistogram(wire.observed.latency) } }),
    },
    seconds,
    startSkewMs: wire.startSkewMs,
    ...(wire.seqs === undefined ? {} : { seqs: wire.seqs }),
  };
}

/** One scenario's recording of one segment, as `run --segment i/N --recordings DIR` writes it. */
export interface RecordingFile {
  readonly scenario: string;
  readonly ordinal: number;
  readonly trial: number;
  readonly recording: WireRecording;
}

/** The file a segment's recording of one scenario and trial is written to. */
function recordingFileName(file: RecordingFile): string {
  const s = file.recording.segment;
  return `${file.ordinal}-${file.trial}-${s.index}of${s.count}.json`;
}

export function writeRecording(dir: string, file: RecordingFile): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, recordingFileName(file)), JSON.stringify(file));
}

/** Every recording file in `dir` (`*of*.json`), in name order; throws naming a file it cannot read. */
export function readRecordings(dir: string): RecordingFile[] {
  return readdirSync(dir)
    .filter((f) => /^\d+-\d+-\d+of\d+\.json$/.test(f))
    .sort()
    .map((f) => {
      const path = join(dir, f);
      let file: RecordingFile;
      try {
        file = JSON.parse(readFileSync(path, "utf8")) as RecordingFile;
      } catch (error) {
        throw new Error(`${path}: ${(error as Error).message} (a generator stopped while writing it?)`, { cause: error });
      }
      const version: unknown = (file as { recording?: { version?: unknown } } | null)?.recording?.version;
      if (version !== RECORDING_WIRE_VERSION) {
        throw new Error(`${path}: recording.version is ${String(version)}, this pipebench reads ${RECORDING_WIRE_VERSION}: run the same pipebench version everywhere`);
      }
      return file;
    });
}
