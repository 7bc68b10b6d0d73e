// What watches a running scenario from outside its operations: the once-a-second monitor (closes the
// recorder's seconds, detects a failed target, reports progress) and the bounded wait for an
// observing workload's settle. Kept apart from run-scenario.ts, which owns the scenario's phases.
import type { ClosedTotals, ScenarioRecorder } from "../metrics/recorder.js";
import type { Clock } from "./clock.js";
import type { InFlight } from "./in-flight.js";
import { checkSettledCounts, type ScenarioObserver } from "./observer.js";
import { TargetFailureDetector, type ErrorPolicy } from "./target-failure.js";

/** How much longer than its timeout a `settle` is waited for before the engine gives up on it. */
const SETTLE_GRACE_MS = 1_000;
const PROGRESS_EVERY_MS = 1_000;

export interface Progress {
  phase: "warmup" | "measure";
  /** Since the phase began. */
  elapsedMs: number;
  /** Length of the phase; null when it ends by iteration count. */
  totalMs: number | null;
  /** Operations and errors of the phase so far. */
  ops: number;
  errors: number;
  /** Completions (successes and failures) per second over the last second. */
  opsPerSec: number;
  /** p99 latency of the last complete measured second. */
  p99Ms: number | null;
  /** Failed completions per second over the last second. */
  errorsPerSec: number;
  /** Records (rows, messages, requests) of the last complete measured second; null in the warm-up. */
  recordsPerSec: number | null;
  /** p50 latency of the last complete measured second. */
  p50Ms: number | null;
}

/** The measured whole seconds so far, and what is in flight now (measured operations). */
export interface LiveTotals extends ClosedTotals {
  readonly inFlight: number;
}

export type Settled =
  | { kind: "settled"; counts: Record<string, number> }
  | { kind: "failed" | "timed-out" | "interrupted"; reason: string };

/**
 * Calls the workload's settle and waits for it, but not past its timeout (plus a grace) of clock
 * time, nor past the user's interrupt. Never rejects: a settle that throws, rejects, hangs or
 * returns something other than counts becomes a reason.
 */
export async function settleWorkload(
  settle: (timeoutMs: number) => Promise<Record<string, number>>,
  timeoutMs: number,
  clock: Clock,
  signal: AbortSignal | undefined,
): Promise<Settled> {
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  if (signal?.aborted) stop.abort();
  try {
    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve(settle(timeoutMs));
    } catch (error) {
      pending = Promise.reject(error);
    }
    const answered = pending.then(
      (counts): Settled => {
        const checked = checkSettledCounts(counts);
        return "counts" in checked
          ? { kind: "settled", counts: checked.counts }
          : { kind: "failed", reason: `the workload's settle failed: ${checked.problem}` };
      },
      (error: unknown): Settled => ({
        kind: "failed",
        reason: `the workload's settle failed: ${error instanceof Error ? error.message : String(error)}`,
      }),
    );
    const waited = clock.sleep(timeoutMs + SETTLE_GRACE_MS, stop.signal).then(
      (): Settled =>
        signal?.aborted === true
          ? { kind: "interrupted", reason: "interrupted while waiting for what was sent to arrive" }
          : { kind: "timed-out", reason: `the workload's settle did not return within its ${timeoutMs / 1000} s timeout` },
    );
    return await Promise.race([answered, waited]);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    stop.abort(); // releases the timer
  }
}

export interface MonitorOptions {
  clock: Clock;
  recorder: ScenarioRecorder;
  observer: ScenarioObserver | undefined;
  t0: number;
  measureStartMs: number;
  warmupMs: number;
  phaseTotalMs: number | null;
  signal: AbortSignal;
  errorPolicy: ErrorPolicy;
  onFailure: (reason: string) => void;
  onProgress: ((progress: Progress, live: LiveTotals) => void) | undefined;
  inFlight: InFlight;
}

/** Once a second: close the recorder's second, watch for a failed target, report progress. */
export async function monitor(o: MonitorOptions): Promise<void> {
  const { clock, recorder } = o;
  const policy = o.errorPolicy;
  const detector = policy.kind === "limit" ? new TargetFailureDetector(policy) : undefined;
  let nextMs = o.t0 + PROGRESS_EVERY_MS;
  let lastMs = o.t0;
  let lastCompleted = 0;
  let lastErrors = 0;
  for (;;) {
    await clock.sleep(nextMs - clock.now(), o.signal);
    if (o.signal.aborted) return;
    const now = clock.now();
    recorder.tick(now);
    o.observer?.tick();
    const successes = recorder.ops + recorder.warmupOps;
    const errors = recorder.errors + recorder.warmupErrors;
    const failure = detector?.observe(successes, errors, recorder.allErrorsByClass());
    if (failure !== undefined) {
      o.onFailure(failure);
      return;
    }
    if (o.onProgress !== undefined) {
      const warmup = now < o.measureStartMs;
      const live: LiveTotals = { ...recorder.closedTotals(), inFlight: o.inFlight.measuredCount };
      o.onProgress({
        phase: warmup ? "warmup" : "measure",
        elapsedMs: warmup ? now - o.t0 : now - o.measureStartMs,
        totalMs: warmup ? o.warmupMs : o.phaseTotalMs,
        ops: warmup ? recorder.warmupOps : recorder.ops,
        errors: warmup ? recorder.warmupErrors : recorder.errors,
        opsPerSec: now > lastMs ? ((successes + errors - lastCompleted) * 1000) / (now - lastMs) : 0,
        p99Ms: warmup ? null : (recorder.lastPoint?.p99 ?? null),
        errorsPerSec: now > lastMs ? ((errors - lastErrors) * 1000) / (now - lastMs) : 0,
        recordsPerSec: warmup ? null : (recorder.lastPoint?.records ?? null),
        p50Ms: warmup ? null : (recorder.lastPoint?.p50 ?? null),
      }, live);
    }
    lastMs = now;
    lastCompleted = successes + errors;
    lastErrors = errors;
    // Keep the cadence; after a long stall, skip the ticks that were missed rather than burst.
    nextMs += PROGRESS_EVERY_MS;
    if (nextMs <= now) nextMs = now + PROGRESS_EVERY_MS;
  }
}
