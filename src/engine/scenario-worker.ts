// One load generator's share of a scenario, behind one interface whether it runs in this process
// (LocalWorker) or in another (src/workers/process-worker.ts): as OpenMessaging Benchmark has one
// Worker for local and remote. The coordinator (SuiteSession) keeps the targets' setup, the probes,
// the thresholds and the store; it asks every worker to run its segment from one agreed start time,
// awaits their recordings and merges them (recording-merge.ts) into one result judged once.
import type { ClosedSecond } from "../metrics/recorder.js";
import type { ScenarioResult } from "../metrics/summary.js";
import type { SuiteScenario } from "../suite/types.js";
import { mergeWorkerParts, type WorkerPart } from "./recording-merge.js";
import { recordScenario, type ScenarioRunOptions } from "./run-scenario.js";
import type { Clock } from "./clock.js";
import type { Segment } from "./schedule.js";

/** What the coordinator asks of every worker for one scenario (the start time comes later: `run`). */
export interface ScenarioWork {
  readonly scenario: SuiteScenario;
  /** Which scenario of the run, and its trial: a process worker prepares the same one itself. */
  readonly ordinal: number;
  readonly trial: number;
  /** The run options the coordinator built on its own prepared workload (a local worker runs them). */
  readonly options: ScenarioRunOptions;
  /** Each measured second a worker closes, as it closes (checkpoints). */
  readonly onSecond?: (segment: Segment, second: ClosedSecond) => void;
}

export interface ScenarioWorker {
  readonly segment: Segment;
  /** Gets ready to run its segment of the scenario (a process worker prepares its workload). */
  prepare(work: ScenarioWork): Promise<void>;
  /**
   * Runs the prepared segment from `startAtEpochMs`, the time every worker agreed on. Never rejects
   * for a worker that dies: its part is then `lost`, with the seconds it reported.
   */
  run(startAtEpochMs: number): Promise<WorkerPart>;
  close(): Promise<void>;
}

/** The workers of a run, and how far ahead of now their common start is set. */
export interface WorkerPool {
  /**
   * Starts the workers if they are not yet (called before each scenario): after the coordinator has
   * connected the targets and run their setup, so the workers find it done.
   */
  open?(): Promise<void>;
  readonly workers: readonly ScenarioWorker[];
  /** From all workers prepared to the common start: enough for each to hear the time and sleep until it. */
  readonly startDelayMs: number;
  /** Wall-clock epoch ms the start time is set from (default Date.now; a fake clock's in tests). */
  readonly now?: () => number;
}

/** A segment run in this process, on the coordinator's prepared workload. */
export class LocalWorker implements ScenarioWorker {
  private work: ScenarioWork | undefined;

  constructor(readonly segment: Segment) {}

  async prepare(work: ScenarioWork): Promise<void> {
    this.work = work;
  }

  async run(startAtEpochMs: number): Promise<WorkerPart> {
    const work = this.work;
    if (work === undefined) throw new Error("LocalWorker.run before prepare");
    // Progress comes from the seconds every worker reports (the coordinator's checkpoint), not one worker's.
    const { onProgress: _progress, onSecond, observe, ...options } = work.options;
    const recorded = await recordScenario({
      ...options,
      // Observing workloads attach once; their arrivals are not merged (the contract: per worker).
      ...(observe === undefined || this.segment.index !== 0 ? {} : { observe }),
      segment: this.segment,
      startAtEpochMs,
      onSecond: (second) => {
        onSecond?.(second);
        work.onSecond?.(this.segment, second);
      },
    });
    return {
      kind: "reported",
      segment: this.segment,
      outcome: recorded.outcome,
      seconds: recorded.seconds ?? [],
      startSkewMs: recorded.startSkewMs ?? null,
    };
  }

  async close(): Promise<void> {}
}

/** `count` segments run side by side in this process (on `clock`'s time when given). */
export function localWorkers(count: number, clock?: Clock): WorkerPool {
  return {
    workers: Array.from({ length: count }, (_, index) => new LocalWorker({ index, count })),
    startDelayMs: 50,
    ...(clock === undefined ? {} : { now: () => clock.wallNow() }),
  };
}

/** Runs the scenario on every worker of the pool from one start time and merges their parts. */
export async function runOnWorkers(pool: WorkerPool, work: ScenarioWork): Promise<ScenarioResult> {
  await pool.open?.();
  // The barrier: every worker prepared, then one start time a little ahead for all.
  await Promise.all(pool.workers.map((w) => w.prepare(work)));
  const startAtEpochMs = (pool.now ?? Date.now)() + pool.startDelayMs;
  const parts = await Promise.all(pool.workers.map((w) => w.run(startAtEpochMs)));
  return mergeWorkerParts(parts);
}
