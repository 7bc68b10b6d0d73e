// The engine's side of an observing workload (end-to-end, freshness): the Observer a workload is
// given, reading the scenario's clock. Stamps and arrivals are on one timeline: wall-clock ms read
// once at the scenario's start, moved on by the monotonic clock. So stamps look like epoch ms (a
// driver may write them into a message or a row), keep sub-millisecond precision, and a wall-clock
// step (NTP) during the run cannot make a latency negative or inflate it.
import type { Observer, OpContext } from "../drivers/driver.js";
import { counterNameProblem, ObservedRecorder, type ObservedRecording } from "../metrics/observed-recorder.js";
import type { Clock } from "./clock.js";

/** How far before the boundary a late warm-up operation's stamp is put (any amount > 0 would do). */
const WARMUP_STAMP_BEFORE_MS = 0.01;

export class ScenarioObserver {
  /** What the workload is given: these three methods and nothing of the engine's. */
  readonly observer: Observer;
  private readonly recorder: ObservedRecorder;
  private readonly wallAnchorMs: number;
  /** The measured interval's start on the stamps' timeline. */
  private readonly measureStartWallMs: number;

  /**
   * @param t0 monotonic ms at the scenario's start (the anchor)
   * @param measureStartMs monotonic ms at which the measured interval starts
   * @param observes the observed latency's name; without one, `arrived` is refused (counts are not)
   */
  constructor(
    private readonly clock: Clock,
    private readonly t0: number,
    measureStartMs: number,
    observes: string | undefined,
  ) {
    this.wallAnchorMs = clock.wallNow() - (clock.now() - t0);
    this.measureStartWallMs = this.wallAt(measureStartMs);
    this.recorder = new ObservedRecorder({ measureStartMs: this.measureStartWallMs });
    this.observer = Object.freeze({
      wallNow: (op?: Pick<OpContext, "warmup">) => this.stamp(op),
      arrived: (sentAtWallMs: number) => {
        // Arrivals nobody would see in the result are a bug in the workload, not data to drop.
        if (observes === undefined) throw new TypeError("Observer.arrived: the workload sets no `observes` name for its latency");
        this.recorder.recordArrival(sentAtWallMs, this.wallNow());
      },
      count: (name: string, n = 1) => {
        const problem = counterNameProblem(name);
        if (problem !== undefined) throw new TypeError(`Observer.count: ${problem}`);
        if (!Number.isFinite(n) || n < 0) throw new TypeError(`Observer.count("${name}", ${n}): n must be a finite number ≥ 0`);
        this.recorder.count(name, n);
      },
    });
  }

  wallNow(): number {
    return this.wallAt(this.clock.now());
  }

  /**
   * A send stamp. A warm-up operation (by its intended start, as the recorder judges it) that runs
   * after the boundary is stamped just before it, so its arrival is not taken for a measured one.
   */
  private stamp(op: Pick<OpContext, "warmup"> | undefined): number {
    const now = this.wallNow();
    return op?.warmup === true && now >= this.measureStartWallMs ? this.measureStartWallMs - WARMUP_STAMP_BEFORE_MS : now;
  }

  /** Closes the seconds that have ended (called about once a second while launching). */
  tick(): void {
    this.recorder.tick(this.wallNow());
  }

  /** Applies the workload's final counts (they replace counted ones of the same name). */
  setCounts(counts: Readonly<Record<string, number>>): void {
    this.recorder.setCounts(counts);
  }

  /** Stops recording: later arrivals and counts are ignored. */
  close(): void {
    this.recorder.close(this.wallNow());
  }

  recording(): ObservedRecording {
    return this.recorder.recording();
  }

  private wallAt(monotonicMs: number): number {
    return this.wallAnchorMs + (monotonicMs - this.t0);
  }
}

/**
 * The counts a workload's settle returned, checked: each name must pass counterNameProblem and each
 * value be a finite number ≥ 0. Returns the problem instead when one does not.
 */
export function checkSettledCounts(counts: unknown): { counts: Record<string, number> } | { problem: string } {
  if (typeof counts !== "object" || counts === null || Array.isArray(counts)) {
    return { problem: `settle returned ${Array.isArray(counts) ? "an array" : String(counts)}, not a record of counts` };
  }
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(counts)) {
    const problem = counterNameProblem(name);
    if (problem !== undefined) return { problem: `settle returned ${problem}` };
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      return { problem: `settle returned ${name} = ${String(value)}, not a finite number ≥ 0` };
    }
    out[name] = value;
  }
  return { counts: out };
}
