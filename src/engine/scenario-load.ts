// Where a suite scenario's load runs, once its target is prepared: in this process, on the run's
// workers (`--workers N`, their recordings merged), or as this process's one segment of several
// (`--segment i/N`, its recording written for `pipebench merge`). Each closed measured second goes
// to the scenario's checkpoint, which the final result replaces.
import { buildScenarioResult } from "../metrics/scenario-result.js";
import type { ScenarioResult } from "../metrics/summary.js";
import type { SuiteScenario } from "../suite/types.js";
import type { CheckpointWriter } from "./checkpoint.js";
import { mergeWorkerParts } from "./recording-merge.js";
import { toWire, writeRecording } from "./recording-wire.js";
import { recordScenario, type LiveTotals, type Progress, type ScenarioRunOptions } from "./run-scenario.js";
import { planOf } from "./executors/index.js";
import type { Segment } from "./schedule.js";
import { runOnWorkers, type WorkerPool } from "./scenario-worker.js";

export interface ScenarioLoad {
  readonly scenario: SuiteScenario;
  readonly ordinal: number;
  readonly trial: number;
  readonly options: ScenarioRunOptions;
  readonly checkpoints: CheckpointWriter;
  readonly progress: ((progress: Progress, live: LiveTotals) => void) | undefined;
  readonly workers?: WorkerPool | undefined;
  readonly segment?: Segment | undefined;
  /** With `segment`: the agreed start of this scenario (agreedNextStart gives the next one's). */
  readonly startAtEpochMs?: number | undefined;
  readonly recordingsDir?: string | undefined;
}

/** The scenario's result, and the operation numbers it used (PreparedWorkload.ended). */
export interface LoadOutcome {
  readonly result: ScenarioResult;
  readonly seqs: number;
}

/**
 * Generators with no coordinator (`--segment` with `--start-at`, the pods of an Indexed Job) cannot
 * tell each other when a scenario is over, so each computes the next one's start the same way: this
 * one's agreed start, its planned length (warm-up and measured time) and this margin for its drain,
 * its probes and the next scenario's preparation. A generator not ready by then starts late, and its
 * stored skew says by how much.
 */
export const SCENARIO_MARGIN_MS = 15_000;

/** The next scenario's agreed start; undefined when this load has no planned length (iterations). */
export function agreedNextStart(startAtEpochMs: number, load: SuiteScenario["load"]): number | undefined {
  const measuredMs = planOf(load).measuredMs;
  return measuredMs === undefined ? undefined : startAtEpochMs + (load.warmup ?? 0) + measuredMs + SCENARIO_MARGIN_MS;
}

export async function runScenarioLoad(o: ScenarioLoad): Promise<LoadOutcome> {
  const { scenario, checkpoints, workers, segment } = o;
  if (workers !== undefined) {
    // The measured interval's length, as a single process shows it (steps: their durations added).
    const load = scenario.load;
    const totalMs = planOf(load).measuredMs ?? null;
    let shownSecond = -1;
    return runOnWorkers(workers, {
      scenario,
      ordinal: o.ordinal,
      trial: o.trial,
      options: o.options,
      onSecond: (_segment, second) => {
        checkpoints.add(second);
        // Worker processes report no progress of their own: the seconds they ship are it.
        const newest = second.point.t;
        if (newest > shownSecond && newest > 0) {
          shownSecond = newest;
          const { progress, live } = checkpoints.checkpoint.progress(totalMs);
          o.progress?.(progress, live);
        }
      },
    });
  }
  if (segment !== undefined) {
    // One load generator of several: its part, stored as a run of its own (its segment named).
    const recorded = await recordScenario({
      ...o.options,
      segment,
      ...(o.startAtEpochMs === undefined ? {} : { startAtEpochMs: o.startAtEpochMs }),
      onSecond: (second) => checkpoints.add(second),
    });
    // For `pipebench merge`: the segment's recording, exact, per second too.
    if (o.recordingsDir !== undefined) {
      writeRecording(o.recordingsDir, { scenario: scenario.name, ordinal: o.ordinal, trial: o.trial, recording: toWire(recorded, segment) });
    }
    const result = mergeWorkerParts([
      { kind: "reported", segment, outcome: recorded.outcome, seconds: recorded.seconds ?? [], startSkewMs: recorded.startSkewMs ?? null },
    ]);
    // Only this generator's own count where the load does not fix it: see docs/decisions.md.
    return { result, seqs: recorded.seqs };
  }
  const recorded = await recordScenario({ ...o.options, onSecond: (second) => checkpoints.add(second) });
  return { result: buildScenarioResult(recorded.outcome), seqs: recorded.seqs };
}
