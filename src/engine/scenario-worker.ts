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
  /**
   * The scenario is over on every worker and used operation numbers 0 … seqs − 1: the worker's own
   * prepared workload hears it (PreparedWorkload.ended) before the next scenario is prepared.
   */
  end(seqs: number): void;
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
      seqs: recorded.seqs,
    };
  }

  /** Nothing of its own: it ran on the coordinator's prepared workload, which the coordinator tells. */
  end(): void {}

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

/** The merged result, and the operation numbers the scenario used over all workers (PreparedWorkload.ended). */
export interface WorkersOutcome {
  readonly result: ScenarioResult;
  readonly seqs: number;
}

/**
 * Runs the scenario on every worker of the pool from one start time and merges their parts. A
 * worker that fails (its target failed it, its run threw, it exited with an error) or was
 * interrupted stops the others as an interrupt does: each ends at its second's end, its part kept.
 * The run has failed already; their load would only be waste. One killed from outside (SIGKILL, an
 * OOM kill) does not: its part is lost, the others' stay whole (the run is incomplete, not failed).
 */
export async function runOnWorkers(pool: WorkerPool, work: ScenarioWork): Promise<WorkersOutcome> {
  await pool.open?.();
  const stopRest = new AbortController();
  const given = work.options.signal;
  const signal = given === undefined ? stopRest.signal : AbortSignal.any([given, stopRest.signal]);
  const shared: ScenarioWork = { ...work, options: { ...work.options, signal } };
  // The barrier: every worker prepared, then one start time a little ahead for all.
  await Promise.all(pool.workers.map((w) => w.prepare(shared)));
  const startAtEpochMs = (pool.now ?? Date.now)() + pool.startDelayMs;
  const parts = await Promise.all(
    pool.workers.map(async (w) => {
      const part = await w.run(startAtEpochMs);
      if (endsTheRun(part)) stopRest.abort();
      return part;
    }),
  );
  // The highest any worker knows: with a fixed count all say the same; else each saw only its own.
  const seqs = Math.max(0, ...parts.map((p) => (p.kind === "reported" ? (p.seqs ?? 0) : 0)));
  for (const w of pool.workers) w.end(seqs);
  return { result: mergeWorkerParts(parts), seqs };
}

function endsTheRun(part: WorkerPart): boolean {
  return part.kind === "lost" ? part.failed === true : part.outcome.status !== "completed";
}
