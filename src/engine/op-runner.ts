// Runs one operation and times it: the only place the engine calls a driver's Operation. The driver
// does protocol work; the clock readings around it are ours.
import type { OpContext, OpOutcome, Operation } from "../drivers/driver.js";
import type { ScenarioRecorder } from "../metrics/recorder.js";
import type { Clock } from "./clock.js";
import type { InFlight } from "./in-flight.js";

export class OpRunner {
  /** Completions at or after this time are not recorded (an interrupt ends the measurement there). */
  private recordUntilMs = Infinity;

  constructor(
    private readonly operation: Operation,
    private readonly recorder: ScenarioRecorder,
    private readonly clock: Clock,
    private readonly inFlight: InFlight,
    /** Handed to every operation; aborted when the scenario stops. */
    private readonly signal: AbortSignal,
  ) {}

  /** Records no completion at or after `ms`: the measurement ends there though operations go on. */
  recordUntil(ms: number): void {
    this.recordUntilMs = Math.min(this.recordUntilMs, ms);
  }

  /**
   * Starts operation `seq` now (`startMs`, read by the caller), meant to start at `intendedStartMs`.
   * The returned promise settles (never rejects) once the outcome is recorded; open-loop callers
   * need not await it.
   */
  launch(seq: number, worker: number, intendedStartMs: number, startMs: number): Promise<void> {
    const measured = intendedStartMs >= this.recorder.measureStartMs;
    const ctx: OpContext = { signal: this.signal, seq, worker, warmup: !measured };
    this.inFlight.started(measured);
    let pending: Promise<OpOutcome | void>;
    try {
      pending = this.operation(ctx);
    } catch (error) {
      // A driver that throws instead of rejecting still yields a counted error, not a crash.
      pending = Promise.reject(error);
    }
    return pending.then(
      (outcome) => {
        const endMs = this.clock.now();
        this.inFlight.settled(measured);
        if (endMs >= this.recordUntilMs) return;
        this.recorder.recordOp(intendedStartMs, startMs, endMs, outcome?.records ?? 1, outcome?.bytes ?? 0);
      },
      (error: unknown) => {
        const endMs = this.clock.now();
        this.inFlight.settled(measured);
        if (endMs >= this.recordUntilMs) return;
        this.recorder.recordError(intendedStartMs, startMs, endMs, error);
      },
    );
  }
}
