// The numbers a scenario produces. Plain JSON: stored, compared and printed as they are.

/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  stddev: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/** Why a measured operation was never sent: not an error of the target. */
export type DropReason = "max-in-flight" | "never-sent" | "cut-off";

/** Service time of the operations sent while between `from` and `to` were at the target. */
export interface ConcurrencyBucket {
  from: number;
  to: number;
  ops: number;
  /** Mean operations at the target when these were sent (themselves included). */
  meanAtTarget: number;
  meanServiceMs: number;
}

/** One second of a scenario (warm-up excluded). `t` counts seconds from the measured start. */
export interface SeriesPoint {
  t: number;
  ops: number;
  errors: number;
  records: number;
  bytes: number;
  /** Latency percentiles (ms) of operations that completed in this second; null when none did. */
  p50: number | null;
  p99: number | null;
}

/** The errors of one second that had any, by class (see src/metrics/error-kind.ts for kinds). */
export interface ErrorSeriesPoint {
  t: number;
  byClass: Record<string, number>;
}

/** What the load generator saw of itself: the evidence for "the generator was the bottleneck". */
export interface GeneratorHealth {
  /** Process CPU (user + system) over the measured interval, in % of one core. */
  cpuPercent: number;
  /**
   * The part of cpuPercent spent busy-waiting for precise start times (idle work the generator does
   * only when it has nothing else to do). Saturation is judged on cpuPercent minus this.
   */
  spinCpuPercent?: number;
  /** Event-loop delay while measuring, ms. */
  eventLoopLagP99Ms: number;
  eventLoopLagMaxMs: number;
  /** Asked rate (ops/s) of an open-loop profile, averaged over the measured interval. */
  askedRate: number | null;
  achievedRate: number;
  /** Operations that started later than 10 ms after their intended time (open loop only). */
  lateStarts: number;
  /**
   * Whether pipebench got the CPU it wanted while measuring (Linux; absent elsewhere and in results
   * stored by an older pipebench): the evidence for "the machine was busy".
   */
  machine?: MachineContention;
  saturated: boolean;
  warnings: string[];
}

/**
 * CPU contention while a scenario was measured, from the kernel's own accounting. Percentages are of
 * the measured interval's wall time; absent fields could not be read here.
 */
export interface MachineContention {
  /** pipebench's main thread ran on a CPU (/proc/self/schedstat). */
  runPercent: number;
  /** It was runnable but waited for a CPU (/proc/self/schedstat): wanted CPU and did not get it. */
  waitPercent: number;
  /** Of the time it wanted a CPU, the share it waited: wait ÷ (run + wait). */
  waitShare: number;
  /** The mean wait for a CPU each time it became runnable, ms: how late a timer or a reply was read. */
  meanWaitMs: number;
  /** Some runnable task on the machine waited for a CPU (/proc/pressure/cpu "some"). */
  pressurePercent?: number;
  /** Every other process's CPU, in % of one core (/proc/stat busy time less this process's). */
  othersCpuPercent?: number;
  /** Cores the machine has (what `othersCpuPercent` is out of, × 100). */
  cores?: number;
  /** The hypervisor took CPU (/proc/stat steal), % of all CPUs' time. */
  stealPercent?: number;
  /** The cgroup's CPU quota held this process back (cpu.stat throttled time). */
  throttledPercent?: number;
  /** The verdict over the readings above (src/engine/cpu-contention.ts). */
  starved: boolean;
}

export type ScenarioStatus = "completed" | "interrupted" | "failed";

/** Why a result's numbers cannot be trusted (src/engine/validity.ts decides). */
export type ValidityCode =
  | "generator-saturated"
  | "machine-busy"
  | "rate-not-reached"
  | "schedule-lag"
  | "not-steady"
  | "too-few-samples";

export interface ValidityReason {
  code: ValidityCode;
  /** With the numbers, e.g. "asked 5000/s, achieved 3120/s (62 %)". */
  message: string;
}

/** Whether a scenario's numbers can be trusted; invalid when there is any reason. */
export interface Validity {
  valid: boolean;
  reasons: ValidityReason[];
}

/** One second of observed arrivals, by arrival time; `t` counts seconds from the measured start. */
export interface ObservedSeriesPoint {
  t: number;
  /** Measured arrivals in this second. */
  arrivals: number;
  /** Percentiles (ms) of this second's arrivals; null when nothing arrived. */
  p50: number | null;
  p99: number | null;
}

/**
 * A latency the workload observed outside its operations (end-to-end, freshness): arrival − send,
 * both read from the engine's clock, for what was sent during the measured interval.
 */
export interface ObservedLatency {
  /** What was observed, e.g. "end_to_end" or "freshness"; thresholds use it as a prefix. */
  name: string;
  latency: LatencySummary;
  /** HDR histogram, compressed base64 ("HISTFAAA…"), values in microseconds. */
  histogram: string;
  series: ObservedSeriesPoint[];
  /** Arrivals of what was sent during the warm-up: excluded from every number above. */
  warmupArrivals: number;
}

export interface ScenarioResult {
  status: ScenarioStatus;
  /** Epoch ms of the first measured operation's intended start (after warm-up). */
  startedAt: number;
  /** Measured interval, seconds. */
  durationS: number;
  warmupS: number;
  executor: string;
  /**
   * Closed loops: operations kept in flight as run (`closed`: its workers; `max`: its concurrency,
   * the target's concurrency hint when the suite does not set one). Absent for open loops and in
   * results stored by an older pipebench.
   */
  workers?: number;
  ops: number;
  errors: number;
  errorsByClass: Record<string, number>;
  /** A few distinct error messages, for a person to read. */
  errorSamples: string[];
  records: number;
  bytes: number;
  /** Operations per second. */
  opsPerSec: number;
  /** Records per second (rows, messages, requests). */
  throughput: number;
  /**
   * Records per second of the best full measured second of `series` (the average when the run had
   * no full second). Results stored by an older pipebench do not have it.
   */
  peakThroughput?: number;
  /** Megabytes (1e6 bytes) per second. */
  mbps: number;
  /** errors / (ops + errors): operations that failed; dropped ones are not among them. */
  errorRate: number;
  /**
   * Open loop: measured operations the schedule asked for that pipebench never sent (maxInFlight
   * still reached when the schedule ended, or still queued for a connection when the drain ended).
   * Not errors of the target, not in error_rate; k6 calls them dropped_iterations. Absent for
   * closed loops, which never drop, and in results stored by an older pipebench.
   */
  dropped?: number;
  droppedBy?: Partial<Record<DropReason, number>>;
  /** From the intended start (open loop), or from the actual start (closed loop, where they agree). */
  latency: LatencySummary;
  /**
   * From when the operation left for the target (OpContext.sent) until its answer: the target's
   * share. From the actual start for workloads that do not say when they send.
   */
  service: LatencySummary;
  /** From the actual start until the operation left: queued inside pipebench (workloads that say). */
  clientWait?: LatencySummary;
  /** Open loop: from the intended start until the actual start. */
  startDelay?: LatencySummary;
  /** HDR histograms, compressed base64 ("HISTFAAA…"), values in microseconds. */
  latencyHistogram: string;
  serviceHistogram: string;
  clientWaitHistogram?: string;
  startDelayHistogram?: string;
  /** How many operations pipebench's client can have at the target at once, and the setting. */
  clientSlots?: { count: number; setting: string };
  /** Service time by how many operations were at the target when each was sent. */
  serviceByConcurrency?: ConcurrencyBucket[];
  series: SeriesPoint[];
  /**
   * Errors by class per second, only the seconds that had errors (`t` as in `series`). Kept in the
   * stored result; results stored by an older pipebench do not have it.
   */
  errorSeries?: ErrorSeriesPoint[];
  generator: GeneratorHealth;
  /** Present when the workload observes a latency of its own (PreparedWorkload.observes). */
  observed?: ObservedLatency;
  /** Integrity counts the workload reported (lost, duplicated, out_of_order …); present when any. */
  counters?: Record<string, number>;
  /** Why the scenario ended early, when it did. */
  failure?: string;
  /**
   * Whether these numbers can be trusted. Every result pipebench builds has it; results stored by
   * an older pipebench do not (validityOf in src/engine/validity.ts judges those when read).
   */
  validity?: Validity;
  /**
   * Run by several load generators (`--workers N`, `--segment i/N`): each worker's part, merged into
   * the numbers above. Absent for a single process.
   */
  segments?: SegmentReport[];
}

/** One worker's part of a merged scenario: its own counts, start skew and validity. */
export interface SegmentReport {
  /** "2/3": the worker's segment, 1-based for people. */
  worker: string;
  index: number;
  count: number;
  /** `lost`: the worker stopped (killed, evicted) before it reported; its checkpointed seconds are kept. */
  status: ScenarioStatus | "lost";
  ops: number;
  errors: number;
  /** How late the worker started after the agreed start time, ms; null when it never said. */
  startSkewMs: number | null;
  /** The worker's own verdict (its own CPU, its own part of the rate). */
  validity?: Validity;
  /**
   * Its process's busy CPU, % of a core (spin-waiting excluded): find-max judges every worker's
   * generator, not only the merged result's busiest. Absent for a lost worker and older results.
   */
  busyCpuPercent?: number;
  /** A lost worker: what happened and after how many measured seconds. */
  failure?: string;
  /**
   * Measured seconds its part covers (`t` of the series below this ran with it): a worker that
   * failed or was stopped early ends before the others' last second. Absent in older results.
   */
  endS?: number;
}
