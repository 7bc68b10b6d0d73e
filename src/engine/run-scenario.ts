// Runs one scenario: warm-up, then the measured interval, under one load profile, and returns its
// ScenarioResult. The engine owns time (the injected Clock); the Operation only does protocol work.
//
//   t0 ── warm-up ──► measureStart ── measured interval ──► launches stop ── drain (≤ 10 s)
//      ── settle (observing workloads, ≤ 30 s) ──► result
//
// A workload that observes a latency outside its operations (end-to-end, freshness) is attached to
// an Observer before the first operation; its arrivals go into a second histogram. After the drain
// its `settle` waits for what is still on its way and returns the final integrity counts.
//
// Launches stop when the schedule is done (open loop), the duration or iteration count is reached
// (closed loop), the caller's signal aborts ("interrupted"), or the errors pass the scenario's
// `onError` limit ("failed"; by default, every finished operation failed for three seconds in a
// row). An interrupt lets the measured second under way finish first (at most a second more): the
// result then covers whole seconds and its series ends on a full one.
import { setMaxListeners } from "node:events";
import type { Operation, PreparedWorkload } from "../drivers/driver.js";
import { observedNameProblem } from "../metrics/observed-recorder.js";
import { ScenarioRecorder, type ClosedSecond } from "../metrics/recorder.js";
import { buildScenarioResult, type ScenarioOutcome } from "../metrics/scenario-result.js";
import type { ScenarioResult, ScenarioStatus } from "../metrics/summary.js";
import { realClock, type Clock } from "./clock.js";
import { assessGeneratorHealth, ProcessMonitor } from "./generator-health.js";
import { InFlight } from "./in-flight.js";
import { closedLoopStopProblem, type LoadProfile } from "./load.js";
import { ScenarioObserver } from "./observer.js";
import { OpRunner } from "./op-runner.js";
import { monitor, settleWorkload, type LiveTotals, type Progress } from "./scenario-monitor.js";
import { planOf, startExecutor } from "./executors/index.js";
import { segmentSchedule, type Schedule, type Segment } from "./schedule.js";
import { DEFAULT_ERROR_POLICY, firstErrorReason, type ErrorPolicy } from "./target-failure.js";

export { DEFAULT_MAX_CONCURRENCY, DEFAULT_MAX_IN_FLIGHT } from "./executors/index.js";
export type { LiveTotals, Progress } from "./scenario-monitor.js";
/** How long the end of a scenario waits for operations still in flight. */
export const DRAIN_TIMEOUT_MS = 10_000;
/**
 * An operation sent this shortly before the drain gave up had no fair chance to be answered: it is
 * dropped (cut off), not counted as the target's timeout.
 */
export const CUT_OFF_MS = 1_000;
/** How long an observing workload's `settle` may wait for what was sent to arrive, by default. */
export const DEFAULT_SETTLE_TIMEOUT_MS = 30_000;
/** After an interrupt or a failure, how long drivers get to notice the abort before results return. */
const ABORT_GRACE_MS = 1_000;
const SECOND_MS = 1_000;

export interface ScenarioRunOptions {
  /** The scenario's load profile, parsed (durations in ms). */
  load: LoadProfile;
  operation: Operation;
  /** The driver's advice on concurrency; the default of `max`'s `concurrency`. */
  concurrencyHint?: number;
  /** How many operations the client can have at the target, and the setting (PreparedWorkload.clientSlots). */
  clientSlots?: { readonly count: number; readonly setting: string };
  /** The operation calls `ctx.sent()` when it leaves for the target (PreparedWorkload.signalsSent). */
  signalsSent?: boolean;
  /** No latency is recorded for the operations (PreparedWorkload.untimed). */
  untimed?: boolean;
  /** The target runs inside this process (DuckDB): its CPU is not the generator's. */
  inProcessTarget?: boolean;
  /** Latency percentiles (0–1) the thresholds judge: the validity verdict checks their sample count. */
  judgedPercentiles?: readonly number[];
  clock?: Clock;
  /** A user interrupt (Ctrl-C): stop, keep partial results, status "interrupted". */
  signal?: AbortSignal;
  /** Called about once per second. */
  /** Once a second; `live`: the measured totals so far, for live metrics output (src/metrics-out). */
  onProgress?: (progress: Progress, live: LiveTotals) => void;
  /**
   * The workload's observing side, when it measures latency outside its operations (end-to-end,
   * freshness) or counts integrity events: pass the PreparedWorkload itself.
   */
  observe?: ObservingWorkload;
  /** How long the observing workload's `settle` may wait (default DEFAULT_SETTLE_TIMEOUT_MS). */
  settleTimeoutMs?: number;
  /** When errors stop the scenario (the suite's `onError`); default DEFAULT_ERROR_POLICY. */
  errorPolicy?: ErrorPolicy;
  /**
   * Run only this part of the load (`--segment i/N`): open-loop operation k of the whole schedule
   * when k mod N = i, at the whole schedule's time; closed-loop workers and iterations split so the
   * parts sum to the whole. `seq` stays the whole scenario's operation number.
   */
  segment?: Segment;
  /** Wall-clock epoch ms to start at (workers agree on it); the measured lateness is kept. */
  startAtEpochMs?: number;
  /** Each measured second as it closes, latencies encoded (a worker ships them; checkpoints). */
  onSecond?: (second: ClosedSecond) => void;
}

/** What one process measured of a scenario (or of its segment), before it is summarised. */
export interface RecordedScenario {
  readonly outcome: ScenarioOutcome;
  /** Every closed measured second, latencies encoded; present when `segment` or `onSecond` was given. */
  readonly seconds?: readonly ClosedSecond[];
  /** How late this process started after `startAtEpochMs` (ms; negative: early). */
  readonly startSkewMs?: number;
  /** The open loop's cap on operations in flight; null for closed loops. */
  readonly maxInFlight: number | null;
  /**
   * Operation numbers the scenario used (PreparedWorkload.ended): the load's fixed count, the same
   * in every segment, else the highest this process started, plus one.
   */
  readonly seqs: number;
}

/** The members of a PreparedWorkload that observe. */
export type ObservingWorkload = Pick<PreparedWorkload, "observes" | "attach" | "settle">;


export async function runScenario(options: ScenarioRunOptions): Promise<ScenarioResult> {
  return buildScenarioResult((await recordScenario(options)).outcome);
}

/**
 * Runs the scenario (or its segment) and returns what was measured, not yet summarised: a single
 * process summarises its one recording (runScenario); workers' recordings are merged first.
 */
export async function recordScenario(options: ScenarioRunOptions): Promise<RecordedScenario> {
  const { load, operation, onProgress, segment } = options;
  const stopProblem = closedLoopStopProblem(load);
  if (stopProblem !== undefined) throw new TypeError(`${stopProblem.message}: ${stopProblem.fix}`);

  const observing = options.observe;
  const observes = observing?.observes;
  const observedProblem = observes === undefined ? undefined : observedNameProblem(observes);
  if (observedProblem !== undefined) throw new TypeError(`PreparedWorkload.observes: ${observedProblem}`);
  const settleTimeoutMs = options.settleTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS;
  if (!(settleTimeoutMs >= 0)) throw new TypeError(`settleTimeoutMs must be ≥ 0, got ${settleTimeoutMs}`);

  const clock = options.clock ?? realClock;
  const warmupMs = load.warmup ?? 0;
  let startSkewMs: number | undefined;
  if (options.startAtEpochMs !== undefined) {
    const waitMs = options.startAtEpochMs - clock.wallNow();
    if (waitMs > 0) await clock.sleep(waitMs, options.signal);
    startSkewMs = clock.wallNow() - options.startAtEpochMs;
  }
  const t0 = clock.now();
  const measureStartMs = t0 + warmupMs;
  const observer =
    observing !== undefined && (observes !== undefined || observing.attach !== undefined || observing.settle !== undefined)
      ? new ScenarioObserver(clock, t0, measureStartMs, observes)
      : undefined;
  // Before anything is launched or listened to: a workload that throws here leaves nothing running.
  if (observer !== undefined) observing?.attach?.(observer.observer);
  const plan = planOf(load);
  const whole: Schedule | undefined = plan.schedule;
  const schedule = whole === undefined || segment === undefined ? whole : segmentSchedule(whole, segment.index, segment.count);
  const measuredLimitMs = plan.measuredMs;
  const measureEndMs = measuredLimitMs === undefined ? undefined : measureStartMs + measuredLimitMs;

  const errorPolicy = options.errorPolicy ?? DEFAULT_ERROR_POLICY;
  const closedSeconds: ClosedSecond[] | undefined = segment !== undefined || options.onSecond !== undefined ? [] : undefined;
  const recorder = new ScenarioRecorder({
    ...(closedSeconds === undefined
      ? {}
      : {
          onSecond: (second: ClosedSecond) => {
            closedSeconds.push(second);
            options.onSecond?.(second);
          },
        }),
    measureStartMs,
    signalsSent: options.signalsSent === true,
    untimed: options.untimed === true,
    openLoop: schedule !== undefined,
    // `onError: abort` stops at the first error itself, not at the next once-a-second check.
    ...(errorPolicy.kind === "abort"
      ? { onError: (errorClass: string) => stop("failed", firstErrorReason(errorClass, clock.now() - measureStartMs)) }
      : {}),
  });
  const inFlight = new InFlight();
  // `launches`: aborted when no more operations may start. `opSignal`: handed to the operations,
  // aborted once the scenario is over (after the drain, or at once on an interrupt or failure).
  const launches = new AbortController();
  const opSignal = new AbortController();
  // Every operation in flight may listen on it (undici does): thousands of listeners are expected.
  setMaxListeners(0, opSignal.signal, launches.signal);
  const runner = new OpRunner(operation, recorder, clock, inFlight, opSignal.signal, options.signalsSent === true);
  // This process's CPU and event-loop lag say something only when the schedule ran in real time.
  const processMonitor = new ProcessMonitor({
    enabled: clock === realClock,
    spinCpuMicros: clock.spinCpuMicros?.bind(clock),
  });

  let status: ScenarioStatus = "completed";
  let failure: string | undefined;
  let stoppedAtMs: number | undefined;
  /** Whole seconds measured when an interrupt stopped at a second's end (exact, unlike a clock difference). */
  let wholeMeasuredMs: number | undefined;
  let progressError: unknown;
  /** An interrupt waiting for the end of the measured second under way. */
  let interruptAtSecondEnd: Promise<void> | undefined;
  const stop = (why: Exclude<ScenarioStatus, "completed">, reason: string, atMs = clock.now()): void => {
    if (launches.signal.aborted) return;
    status = why;
    failure = reason;
    stoppedAtMs = atMs;
    launches.abort();
  };
  const onInterrupt = (): void => {
    const now = clock.now();
    // The measured second under way runs to its end; completions after it are not recorded, so a
    // late timer adds no sliver of a second. In the warm-up, or past the scenario's own end (it is
    // finishing anyway), it stops now.
    const wholeMs = Math.ceil((now - measureStartMs) / SECOND_MS) * SECOND_MS;
    const boundary = measureStartMs + wholeMs;
    if (now < measureStartMs || boundary <= now || (measureEndMs !== undefined && boundary >= measureEndMs)) {
      stop("interrupted", interruptedReason(now - measureStartMs, measuredLimitMs));
      return;
    }
    runner.recordUntil(boundary);
    interruptAtSecondEnd = clock.sleep(boundary - now, launches.signal).then(() => {
      if (launches.signal.aborted) return;
      wholeMeasuredMs = wholeMs;
      stop("interrupted", interruptedReason(wholeMs, measuredLimitMs), boundary);
    });
  };
  options.signal?.addEventListener("abort", onInterrupt, { once: true });
  if (options.signal?.aborted) onInterrupt();

  // Generator health covers the measured interval only.
  if (warmupMs > 0) {
    void clock.sleep(warmupMs, launches.signal).then(() => {
      if (!launches.signal.aborted) processMonitor.start();
    });
  } else processMonitor.start();

  const monitorStop = new AbortController();
  const monitoring = monitor({
    clock,
    recorder,
    observer,
    t0,
    measureStartMs,
    warmupMs,
    phaseTotalMs: measuredLimitMs ?? null,
    signal: monitorStop.signal,
    errorPolicy,
    onFailure: (reason) => stop("failed", reason),
    inFlight,
    onProgress:
      onProgress === undefined
        ? undefined
        : (p, live) => {
            try {
              onProgress(p, live);
            } catch (error) {
              progressError = error;
              stop("interrupted", "the progress callback threw");
            }
          },
  });

  try {
    const executor = startExecutor(load, {
      plan,
      schedule,
      warmupMs,
      t0,
      measureStartMs,
      measureEndMs,
      runner,
      inFlight,
      clock,
      stop: launches.signal,
      concurrencyHint: options.concurrencyHint,
      segment,
    });
    await Promise.race([executor.launching, aborted(launches.signal)]);
    // The schedule's last start can come while an interrupt waits for its second's end: the run is
    // still interrupted there (with that second whole), not completed with the rest dropped.
    if (interruptAtSecondEnd !== undefined) await interruptAtSecondEnd;
    launches.abort();
    const launchesEndedMs = stoppedAtMs ?? clock.now();
    const processSample = processMonitor.stop();
    monitorStop.abort();
    await monitoring;

    let measuredMs: number;
    let closeAtMs: number | undefined;
    if (status === "completed") {
      // A Ctrl-C during the drain ends the wait: the user asked to stop, not to wait 10 s more.
      const drained = await inFlight.waitIdle(clock, DRAIN_TIMEOUT_MS, options.signal);
      if (!drained && options.signal?.aborted === true) {
        status = "interrupted";
        failure = `interrupted while ${inFlight.measuredCount} operations were still in flight after the end`;
      } else if (!drained) {
        // The seconds up to the end are closed first (the monitor stopped ticking at the last
        // launch): a target that hung shows as the empty seconds it was, and these errors land at
        // the end, in a last second of their own, not in whichever second was open.
        closeAtMs = Math.min(clock.now(), measureEndMs ?? Number.POSITIVE_INFINITY);
        recorder.tick(closeAtMs);
        // Sent and unanswered for a while: the target's timeouts. Never sent: pipebench's own queue;
        // sent moments before the wait ended: cut off by it. Both dropped, not the target's errors.
        const unsent = inFlight.measuredUnsentCount;
        const cutOff = runner.sentSince(clock.now() - CUT_OFF_MS);
        recorder.recordDropped("never-sent", unsent);
        recorder.recordDropped("cut-off", cutOff);
        recorder.recordErrors(
          "timeout-at-end",
          inFlight.measuredCount - unsent - cutOff,
          `operation still unanswered ${DRAIN_TIMEOUT_MS / 1000} s after the scenario ended`,
        );
      }
      recorder.recordDropped("max-in-flight", executor.openOutcome()?.notStarted ?? 0);
      const endMs = clock.now();
      recorder.close(closeAtMs ?? endMs);
      opSignal.abort();
      measuredMs =
        schedule !== undefined
          ? schedule.durationMs
          : Math.max(0, Math.min(measureEndMs ?? Infinity, endMs) - measureStartMs);
    } else {
      // The results so far are the results; operations cut short by the abort are not counted.
      recorder.close(launchesEndedMs);
      opSignal.abort();
      await inFlight.waitIdle(clock, ABORT_GRACE_MS);
      measuredMs = wholeMeasuredMs ?? Math.max(0, launchesEndedMs - measureStartMs);
    }
    if (progressError !== undefined) throw progressError;

    if (observer !== undefined) {
      // Arrivals keep counting while the workload settles; a scenario already cut short gives it
      // only the grace an abort gets, and its counts are whatever they are by then.
      const completed = status === "completed";
      const settled =
        observing?.settle === undefined
          ? undefined
          : await settleWorkload(
              observing.settle.bind(observing),
              completed ? settleTimeoutMs : Math.min(settleTimeoutMs, ABORT_GRACE_MS),
              clock,
              completed ? options.signal : undefined,
            );
      if (settled?.kind === "settled") observer.setCounts(settled.counts);
      else if (completed && settled !== undefined) {
        status = settled.kind === "interrupted" ? "interrupted" : "failed";
        failure = settled.reason;
      }
      observer.close();
    }

    const recording = recorder.recording();
    const started = recording.ops + recording.errors;
    const seconds = measuredMs / 1000;
    const generator = assessGeneratorHealth({
      process: processSample,
      askedRate: schedule === undefined ? null : seconds > 0 ? schedule.countBefore(measuredMs) / seconds : 0,
      achievedRate: seconds > 0 ? started / seconds : 0,
      started,
      lateStarts: recording.lateStarts,
      notStarted: executor.openOutcome()?.notStarted ?? 0,
      capWaits: executor.openOutcome()?.capWaits ?? 0,
      maxInFlight: executor.maxInFlight,
      compareRates: status === "completed",
      inProcessTarget: options.inProcessTarget === true,
      measuredMs,
    });
    const outcome: ScenarioOutcome = {
      status,
      ...(failure === undefined ? {} : { failure }),
      executor: load.executor,
      ...(executor.workers === null ? {} : { workers: executor.workers }),
      startedAt: clock.wallNow() - (clock.now() - measureStartMs),
      measuredMs,
      warmupMs,
      recording,
      generator,
      ...(observer === undefined ? {} : { observed: observer.recording() }),
      ...(observes === undefined ? {} : { observes }),
      ...(options.clientSlots === undefined ? {} : { clientSlots: options.clientSlots }),
      validity: {
        inProcessTarget: options.inProcessTarget === true,
        ...(options.judgedPercentiles === undefined ? {} : { judgedPercentiles: options.judgedPercentiles }),
        capWaits: executor.openOutcome()?.capWaits ?? 0,
      },
    };
    return {
      outcome,
      ...(closedSeconds === undefined ? {} : { seconds: closedSeconds }),
      ...(startSkewMs === undefined ? {} : { startSkewMs }),
      maxInFlight: executor.maxInFlight,
      seqs: plan.fixedCount ?? runner.seqsUsed,
    };
  } finally {
    options.signal?.removeEventListener("abort", onInterrupt);
    launches.abort();
    monitorStop.abort();
    opSignal.abort();
    processMonitor.stop();
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

function interruptedReason(measuredMs: number, totalMs: number | undefined): string {
  if (measuredMs < 0) return "interrupted during the warm-up";
  const s = (ms: number): string => `${Math.round(ms / 100) / 10} s`;
  const of = totalMs === undefined ? "" : ` of ${s(totalMs)}`;
  return `interrupted after ${s(measuredMs)}${of}`;
}
