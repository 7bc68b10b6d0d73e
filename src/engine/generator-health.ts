// Is the load generator itself the bottleneck? A generator short of CPU or with a lagging event loop
// starts operations late and reads clocks late, and every latency it reports includes that delay.
// This watches the process while a scenario is measured and says so, in words, when it happened.
import { monitorEventLoopDelay, performance, type IntervalHistogram } from "node:perf_hooks";
import type { GeneratorHealth, MachineContention } from "../metrics/summary.js";
import { ContentionMeter } from "./cpu-contention.js";

export const ACHIEVED_RATE_MIN_FRACTION = 0.95;
export const CPU_MAX_PERCENT = 90;
export const LAG_P99_MAX_MS = 20;
/** Late starts above this fraction of measured operations get a warning. */
export const LATE_START_MAX_FRACTION = 0.01;
/**
 * ...and at least this many: one stall delays only the few starts due during it. 2 late of 120 (a
 * 3 s run at 40/s in a CI run) is one hiccup, not a schedule that slips; its delay is in the
 * latencies either way, measured from the intended start.
 */
export const LATE_START_MIN_COUNT = 5;

/** Whether late starts are a pattern: over the fraction, and more than one stall's few. */
export function lateStartsMatter(lateStarts: number, started: number): boolean {
  return started > 0 && lateStarts >= LATE_START_MIN_COUNT && lateStarts > started * LATE_START_MAX_FRACTION;
}

const LAG_RESOLUTION_MS = 10;
const GENERATOR_ADVICE = "latencies include its own delay; split the load over more pipebench processes or lower the rate";

export interface ProcessSample {
  /** Process CPU (user + system) over the interval, in % of one core. */
  readonly cpuPercent: number;
  /** Of which busy-waiting in the clock's precise sleeps (see Clock.spinCpuMicros). */
  readonly spinCpuPercent: number;
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
  /** Whether it got the CPU it wanted (absent where the kernel does not say). */
  readonly machine?: MachineContention;
}

/**
 * Samples this process between `start` and `stop`. CPU is measured against real elapsed time (not an
 * injected clock): it is a property of the process, not of the schedule.
 */
export class ProcessMonitor {
  private readonly lag: IntervalHistogram = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  private cpuAtStart: NodeJS.CpuUsage | undefined;
  private realAtStart = 0;
  private result: ProcessSample | undefined;
  private readonly enabled: boolean;
  private readonly spinCpuMicros: (() => number) | undefined;
  private spinAtStart = 0;
  private readonly contention: ContentionMeter | undefined;

  /**
   * A disabled monitor reports zeros (for runs on a fake clock, where the process is not under load).
   * `spinCpuMicros` reads the clock's busy-wait CPU, to tell idle spinning from load.
   */
  constructor(options: { enabled?: boolean; spinCpuMicros?: (() => number) | undefined } = {}) {
    this.enabled = options.enabled ?? true;
    this.spinCpuMicros = options.spinCpuMicros;
    this.contention = this.enabled ? new ContentionMeter() : undefined;
  }

  start(): void {
    if (!this.enabled || this.cpuAtStart !== undefined) return;
    this.spinAtStart = this.spinCpuMicros?.() ?? 0;
    this.cpuAtStart = process.cpuUsage();
    this.realAtStart = performance.now();
    this.contention?.start();
    this.lag.enable();
  }

  /** Ends the interval (idempotent). Zeros when `start` was never called. */
  stop(): ProcessSample {
    if (this.result !== undefined) return this.result;
    if (this.cpuAtStart === undefined) {
      this.result = { cpuPercent: 0, spinCpuPercent: 0, lagP99Ms: 0, lagMaxMs: 0 };
      return this.result;
    }
    const cpu = process.cpuUsage(this.cpuAtStart);
    const spinMicros = (this.spinCpuMicros?.() ?? 0) - this.spinAtStart;
    const elapsedMs = performance.now() - this.realAtStart;
    const machine = this.contention?.stop(cpu.user + cpu.system, elapsedMs);
    this.lag.disable();
    // Node 20 records each sample as the whole timer interval (the resolution plus the delay); a
    // version that records the delay alone would have its median far below the resolution.
    const count = this.lag.count;
    const resolutionNs = LAG_RESOLUTION_MS * 1e6;
    const offsetNs = count > 0 && this.lag.percentile(50) >= resolutionNs / 2 ? resolutionNs : 0;
    const lagMs = (ns: number): number => round1(Math.max(0, ns - offsetNs) / 1e6);
    const percentOfCore = (micros: number): number => (elapsedMs > 0 ? round1((micros / 1000 / elapsedMs) * 100) : 0);
    this.result = {
      cpuPercent: percentOfCore(cpu.user + cpu.system),
      spinCpuPercent: percentOfCore(spinMicros),
      lagP99Ms: count > 0 ? lagMs(this.lag.percentile(99)) : 0,
      lagMaxMs: count > 0 ? lagMs(this.lag.max) : 0,
      ...(machine === undefined ? {} : { machine }),
    };
    return this.result;
  }
}

export interface HealthInputs {
  readonly process: ProcessSample;
  /** Asked ops/s of an open-loop profile over the measured interval; null for closed loops. */
  readonly askedRate: number | null;
  readonly achievedRate: number;
  /** Measured operations started (successes and failures). */
  readonly started: number;
  readonly lateStarts: number;
  /** Measured operations that were due but never started (open loop, maxInFlight reached). */
  readonly notStarted: number;
  /** Times the open loop waited for a slot under maxInFlight. */
  readonly capWaits: number;
  readonly maxInFlight: number | null;
  /** False when the rate comparison means nothing (the run was interrupted or stopped early). */
  readonly compareRates: boolean;
  /** The process's CPU is mostly the target's own (an in-process database): skip the CPU check. */
  readonly inProcessTarget?: boolean;
  /** Length of the measured interval. */
  readonly measuredMs?: number;
}

/**
 * The CPU share is judged over at least half a second: over a few milliseconds (ten quick queries)
 * one garbage collection or a driver's setup decides it, not the load.
 */
export const CPU_MIN_JUDGED_MS = 500;

export function assessGeneratorHealth(inputs: HealthInputs): GeneratorHealth {
  const { process: sample, askedRate, achievedRate } = inputs;
  const warnings: string[] = [];
  // Facts only: who set the pace (the target, pipebench's client or process, a busy machine) is
  // the diagnosis's to say (src/diagnose/culprit.ts), from these and the timings together.
  const shortOfRate = askedRate !== null && askedRate > 0 && achievedRate < askedRate * ACHIEVED_RATE_MIN_FRACTION;
  if (inputs.compareRates && askedRate !== null && shortOfRate) {
    const pct = Math.round((achievedRate / askedRate) * 100);
    const dropped =
      inputs.notStarted > 0
        ? `: ${inputs.notStarted} operations never started because maxInFlight (${inputs.maxInFlight ?? "?"}) operations were still in flight (dropped, not errors)`
        : "";
    warnings.push(`achieved ${fmt(achievedRate)} ops/s of the asked ${fmt(askedRate)} ops/s (${pct}%)${dropped}`);
  }

  const busyCpu = sample.cpuPercent - sample.spinCpuPercent;
  const cpuBound = busyCpu > CPU_MAX_PERCENT && inputs.inProcessTarget !== true && (inputs.measuredMs ?? Infinity) >= CPU_MIN_JUDGED_MS;
  if (cpuBound) {
    warnings.push(`pipebench's process kept ${fmt(busyCpu)}% of a CPU core busy (over ${CPU_MAX_PERCENT}%): ${GENERATOR_ADVICE}`);
  }

  if (sample.lagP99Ms > LAG_P99_MAX_MS) {
    warnings.push(
      `event-loop lag p99 was ${fmt(sample.lagP99Ms)} ms (max ${fmt(sample.lagMaxMs)} ms, limit ${LAG_P99_MAX_MS} ms): ` +
        "operations started and were timed late",
    );
  }

  if (lateStartsMatter(inputs.lateStarts, inputs.started)) {
    const share = `${inputs.lateStarts} of ${inputs.started} operations`;
    warnings.push(
      inputs.capWaits > 0
        ? // The schedule was kept; the slots were all taken. That wait is real and stays in latency.
          `${share} started more than 10 ms late because maxInFlight (${inputs.maxInFlight ?? "?"}) operations were in flight; their wait counts in latency`
        : `${share} started more than 10 ms late: the schedule slipped`,
    );
  }

  return {
    cpuPercent: sample.cpuPercent,
    spinCpuPercent: sample.spinCpuPercent,
    eventLoopLagP99Ms: sample.lagP99Ms,
    eventLoopLagMaxMs: sample.lagMaxMs,
    askedRate: askedRate === null ? null : round1(askedRate),
    achievedRate: round1(achievedRate),
    lateStarts: inputs.lateStarts,
    ...(sample.machine === undefined ? {} : { machine: sample.machine }),
    saturated: cpuBound,
    warnings,
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function fmt(x: number): string {
  return x >= 100 ? String(Math.round(x)) : String(round1(x));
}
