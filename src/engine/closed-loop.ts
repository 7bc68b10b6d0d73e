// The closed loop (closed, max): N workers, each starting its next operation when its last one ends.
// The target sets the pace, so an operation's intended start *is* its actual start and latency equals
// service time. (That is also why a closed loop under-reports stalls: while the target stalls, the
// workers wait instead of sending — see the coordinated-omission test.)
import type { Clock } from "./clock.js";
import type { OpRunner } from "./op-runner.js";

export interface ClosedLoopOptions {
  readonly workers: number;
  readonly runner: OpRunner;
  readonly clock: Clock;
  /** Operations started at or after this are measured (before it: warm-up). */
  readonly measureStartMs: number;
  /** No launches at or after this (undefined: no time limit). */
  readonly measureEndMs: number | undefined;
  /** Measured operations to run in total across workers (undefined: no count limit). */
  readonly iterations: number | undefined;
  /** No more launches after this aborts. */
  readonly stop: AbortSignal;
  /** The operation number of the n-th launch (a segment numbers its operations globally); default n. */
  readonly seqOf?: (n: number) => number;
}

export interface ClosedLoopOutcome {
  /** Operations started, warm-up included. */
  readonly launched: number;
}

// An operation that settles without real I/O (an in-process cache, a resolved promise) would let a
// worker loop on microtasks forever, starving timers and the user's Ctrl-C. Workers yield to the
// event loop at least this often.
const YIELD_EVERY_MS = 10;

export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopOutcome> {
  const { runner, clock, measureStartMs, measureEndMs, iterations, stop } = options;
  let seq = 0;
  let measuredStarted = 0;

  const worker = async (id: number): Promise<void> => {
    let lastYieldMs = clock.now();
    while (!stop.aborted) {
      const now = clock.now();
      if (measureEndMs !== undefined && now >= measureEndMs) return;
      const measured = now >= measureStartMs;
      if (measured) {
        if (iterations !== undefined && measuredStarted >= iterations) return;
        measuredStarted++;
      }
      // Intended start = actual start: the worker is ready exactly when it launches.
      const n = seq++;
      await runner.launch(options.seqOf === undefined ? n : options.seqOf(n), id, now, now);
      if (clock.now() - lastYieldMs >= YIELD_EVERY_MS) {
        await clock.sleep(0);
        lastYieldMs = clock.now();
      }
    }
  };

  await Promise.all(Array.from({ length: options.workers }, (_, id) => worker(id)));
  return { launched: seq };
}
