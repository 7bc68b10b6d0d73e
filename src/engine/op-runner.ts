// Runs one operation and times it: the only place the engine calls a driver's Operation. The driver
// does protocol work; the clock readings around it are ours. Four times per operation, all read
// here: its intended start (the schedule's), its actual start, the moment it left for the target
// (the driver's `ctx.sent()`), and its end.
import type { OpContext, OpOutcome, Operation } from "../drivers/driver.js";
import type { ScenarioRecorder } from "../metrics/recorder.js";
import type { Clock } from "./clock.js";
import type { InFlight } from "./in-flight.js";

export class OpRunner {
  /** Completions at or after this time are not recorded (an interrupt ends the measurement there). */
  private recordUntilMs = Infinity;
  /**
   * Measured operations sent and not yet answered, oldest send first: at the end, how long each
   * had been waiting. Linked through the tickets themselves, so keeping it costs a few pointer
   * writes per operation (a Set's hashing cost about as much as recording the operation).
   */
  newestSent: Ticket | undefined = undefined;
  /** The highest operation number started, plus one (0 before the first). */
  seqsUsed = 0;

  constructor(
    private readonly operation: Operation,
    private readonly recorder: ScenarioRecorder,
    readonly clock: Clock,
    readonly inFlight: InFlight,
    /** Handed to every operation; aborted when the scenario stops. */
    private readonly signal: AbortSignal,
    /** The workload calls `ctx.sent()`; otherwise an operation counts as sent when it starts. */
    private readonly signalsSent = false,
  ) {}

  /** Measured operations sent at or after `ms` and still unanswered. */
  sentSince(ms: number): number {
    let n = 0;
    // Linked in the order they were sent (clock time never goes back): walk back from the newest.
    for (let t = this.newestSent; t !== undefined && t.sentMs >= ms; t = t.older) n++;
    return n;
  }

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
    const ticket = new Ticket(this, this.signal, seq, worker, !measured);
    if (seq >= this.seqsUsed) this.seqsUsed = seq + 1;
    this.inFlight.started(measured);
    if (!this.signalsSent) ticket.sentAt(startMs);
    let pending: Promise<OpOutcome | void>;
    try {
      pending = this.operation(ticket);
    } catch (error) {
      // A driver that throws instead of rejecting still yields a counted error, not a crash.
      pending = Promise.reject(error);
    }
    return pending.then(
      (outcome) => {
        const endMs = this.clock.now();
        // A success the driver never said it sent went out when it started, as far as we can tell.
        if (!ticket.isSent) ticket.sentAt(startMs);
        ticket.settle();
        if (endMs >= this.recordUntilMs) return;
        this.recorder.recordOp(intendedStartMs, startMs, ticket.sentMs, endMs, ticket.atTarget, outcome?.records ?? 1, outcome?.bytes ?? 0);
      },
      (error: unknown) => {
        const endMs = this.clock.now();
        ticket.settle();
        if (endMs >= this.recordUntilMs) return;
        this.recorder.recordError(intendedStartMs, startMs, endMs, error);
      },
    );
  }
}

/** What an operation is given (its OpContext), and when it said it left for the target. */
class Ticket implements OpContext {
  /** Clock ms of `sent()`; NaN until then. */
  sentMs = Number.NaN;
  /** Operations at the target when this one was sent, itself included. */
  atTarget = 0;
  /** Its neighbours among the measured operations sent and unanswered (OpRunner.newestSent). */
  older: Ticket | undefined = undefined;
  newer: Ticket | undefined = undefined;
  private linked = false;
  private settled = false;

  constructor(
    private readonly runner: OpRunner,
    readonly signal: AbortSignal,
    readonly seq: number,
    readonly worker: number,
    readonly warmup: boolean,
  ) {}

  get isSent(): boolean {
    return this.sentMs === this.sentMs; // not NaN
  }

  sent(): void {
    if (!this.isSent && !this.settled) this.sentAt(this.runner.clock.now());
  }

  sentAt(ms: number): void {
    this.sentMs = ms;
    this.atTarget = this.runner.inFlight.sent(!this.warmup);
    if (this.warmup) return;
    const runner = this.runner;
    this.older = runner.newestSent;
    if (this.older !== undefined) this.older.newer = this;
    runner.newestSent = this;
    this.linked = true;
  }

  settle(): void {
    this.settled = true;
    this.runner.inFlight.settled(!this.warmup, this.isSent);
    if (!this.linked) return;
    if (this.newer !== undefined) this.newer.older = this.older;
    else this.runner.newestSent = this.older;
    if (this.older !== undefined) this.older.newer = this.newer;
    this.older = this.newer = undefined;
    this.linked = false;
  }
}
