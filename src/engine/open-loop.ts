// The open-loop launcher (constant-rate, ramp, steps): operations start on the schedule's clock,
// whether or not earlier ones have finished, as users of a real system would arrive. Each is timed
// from its intended start, so when the target (or this process) falls behind, the waiting shows.
import type { Clock } from "./clock.js";
import type { InFlight } from "./in-flight.js";
import type { OpRunner } from "./op-runner.js";
import type { Schedule } from "./schedule.js";

export interface OpenLoopPhase {
  /** Monotonic ms at which the schedule's offset 0 falls. */
  readonly startMs: number;
  readonly schedule: Schedule;
  /**
   * The operation number (`seq`) of the phase's i-th start: a segment's part of the whole schedule
   * numbers its operations as the whole does (see segmentSchedule). Default: one after another,
   * continuing across phases.
   */
  readonly seqOf?: (i: number) => number;
}

export interface OpenLoopOptions {
  /** Run one after another (warm-up, then measured); sequence numbers continue across them. */
  readonly phases: readonly OpenLoopPhase[];
  readonly runner: OpRunner;
  readonly inFlight: InFlight;
  readonly clock: Clock;
  readonly maxInFlight: number;
  /** No more launches after this aborts. */
  readonly stop: AbortSignal;
}

export interface OpenLoopOutcome {
  /** Operations started, warm-up included. */
  readonly launched: number;
  /** Measured operations that were due but never started: maxInFlight was still reached at the end. */
  readonly notStarted: number;
  /** Times the launcher had to wait for a free slot because maxInFlight operations were in flight. */
  readonly capWaits: number;
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopOutcome> {
  const { runner, inFlight, clock, maxInFlight, stop } = options;
  let seq = 0;
  let capWaits = 0;
  let notStarted = 0;
  for (const [index, phase] of options.phases.entries()) {
    const { schedule, startMs } = phase;
    const endMs = startMs + schedule.durationMs;
    const measured = index === options.phases.length - 1;
    let i = 0;
    while (i < schedule.count && !stop.aborted) {
      const intendedMs = startMs + schedule.offsetMs(i);
      const now = clock.now();
      if (intendedMs > now) {
        await clock.sleep(intendedMs - now, stop);
        continue;
      }
      if (inFlight.count >= maxInFlight) {
        // Counted in the measured phase only: a cold target in the warm-up says nothing about the
        // late starts that are measured.
        if (measured) capWaits++;
        // Wait for a slot, but not past the end of the phase: operations still blocked then are
        // reported as not started rather than stretching the run without bound.
        const freed = await inFlight.waitBelow(maxInFlight, clock, endMs, stop);
        if (!freed) {
          if (!stop.aborted && measured) notStarted += schedule.count - i;
          break;
        }
        continue;
      }
      // Every due operation starts in this same turn: a late wake-up launches a batch, each still
      // timed from its own intended start.
      void runner.launch(phase.seqOf === undefined ? seq : phase.seqOf(i), 0, intendedMs, now);
      seq++;
      i++;
    }
    if (stop.aborted) break;
  }
  return { launched: seq, notStarted, capWaits };
}
