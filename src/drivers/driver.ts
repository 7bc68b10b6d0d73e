// The driver contract. A driver speaks one protocol; it never measures time. The engine calls an
// Operation, timing it from the operation's intended start; the driver only reports what the
// operation moved (records, bytes).
import type { z } from "zod";
import type { LoadProfile } from "../engine/load.js";
import type { ErrorClassifier } from "../metrics/error-kind.js";
import type { Probe } from "../probes/probe.js";
import type { MetricKind } from "../thresholds/metrics.js";

export interface OpContext {
  /** Aborted when the scenario stops (duration reached, interrupted, or the target failed). */
  readonly signal: AbortSignal;
  /** 0-based sequence number of this operation within the scenario (warm-up included). */
  readonly seq: number;
  /** Which closed-loop worker runs it (0 for open-loop executors). */
  readonly worker: number;
  /**
   * The operation belongs to the warm-up: its intended start lies before the measured interval
   * (it may still start after it, when the generator runs late). Set by the engine.
   */
  readonly warmup?: boolean;
  /**
   * The operation leaves for the target now: its request is written to the socket, the pool hands
   * it a client, its records join a request. The engine reads its clock here (the driver still never
   * measures): the time before is pipebench's own queue (client wait), the time after is the
   * target's (service time). Only the first call counts. Workloads that call it say so with
   * `PreparedWorkload.signalsSent`; for the others the whole operation is service time.
   */
  sent(): void;
}

/** What one operation moved. `records` defaults to 1 (a request, a query, a message). */
export interface OpOutcome {
  records?: number;
  bytes?: number;
}

export type Operation = (ctx: OpContext) => Promise<OpOutcome | void>;

/**
 * Given to a workload that measures latency outside its operations (end-to-end, freshness). As in
 * OpenMessaging Benchmark, the driver only carries a timestamp: it stamps what it sends with
 * `wallNow()` and, where the thing is seen again (a consumer, a watcher of a sink table), hands the
 * stamp back to `arrived`. The engine reads its own clock and records the difference.
 */
export interface Observer {
  /**
   * Wall-clock ms since the epoch, from the engine's clock: stamp it into what you send. Fractional
   * (sub-millisecond); carry it as a float64 to keep that precision. Anchored to the monotonic clock
   * at the scenario's start, so a wall-clock step during the run does not bend latencies.
   *
   * Pass the operation's context when the stamp goes into what that operation sends. The engine
   * puts an operation on one side of the warm-up boundary by its intended start, but the stamp is
   * read when it actually runs: a warm-up operation that starts late, after the boundary, gets a
   * stamp just before the boundary instead, so its arrival is counted with the warm-up as the
   * operation itself is (warm-up arrivals are counted, never timed, so the stamp's value is unused).
   */
  wallNow(op?: Pick<OpContext, "warmup">): number;
  /**
   * Something that started at `sentAtWallMs` (a stamp from wallNow) arrived now; the engine records
   * now − sentAt. Stamps from before the measured interval (the warm-up) are counted, not recorded;
   * arrivals after the scenario's result was built are ignored.
   */
  arrived(sentAtWallMs: number): void;
  /**
   * Count an integrity event, e.g. "lost", "duplicated", "out_of_order" (any snake_case name that is
   * not one of the scenario's own metrics, such as "errors"). `n` defaults to 1; 0 declares the
   * counter so that it shows (and can be judged) even when nothing happened.
   */
  count(name: string, n?: number): void;
}

export interface PreparedWorkload {
  readonly run: Operation;
  /** How many concurrent operations the connection can carry well (e.g. a pool's size). */
  readonly concurrencyHint?: number;
  /**
   * How many operations pipebench's client can have at the target at once, and the setting that
   * says so (`connections`, `pool`, a producer's in-flight requests): the ceiling the diagnosis
   * holds the measured concurrency against (connections ÷ service time caps the rate).
   */
  readonly clientSlots?: { readonly count: number; readonly setting: string };
  /** Every operation calls `ctx.sent()` when it leaves for the target (see OpContext.sent). */
  readonly signalsSent?: boolean;
  /**
   * Its operations only hand over what the workload already did in the background (a consumer's
   * records, fetched ahead): how long one took says nothing about the target, so the engine
   * records no latency for them (their counts, records and bytes still count). Report the
   * background work's own latency with `observes` instead (a consumer's fetches).
   */
  readonly untimed?: boolean;
  /** The target runs inside pipebench's process (DuckDB), so the process's CPU is the target's too. */
  readonly inProcess?: boolean;
  /**
   * Name of the observed latency, e.g. "end_to_end" or "freshness" (snake_case); present when the
   * workload observes. Thresholds name it as a prefix: `end_to_end.p99 < 50ms`.
   */
  readonly observes?: string;
  /** Called once before the first operation (warm-up included) with the scenario's observer. */
  attach?(observer: Observer): void;
  /**
   * After the last operation: wait (≤ timeoutMs) until what was sent has arrived, then return final
   * integrity counts (e.g. lost = sent − received). Return every count you track, zeros included: a
   * threshold on a count that was never reported fails. Returned values replace counts of the same
   * name made with `count`. The engine stops waiting shortly after timeoutMs.
   */
  settle?(timeoutMs: number): Promise<Record<string, number>>;
  /**
   * The scenario is over and used operation numbers 0 … seqs − 1 (`OpContext.seq`), counted over
   * every load generator: the schedule's count when the load fixes it (so independent `--segment`
   * pods agree), else the highest number any of them started, plus one. Called before `close` and
   * before the next scenario is prepared, in every process that prepared the workload; a workload
   * that numbers what it writes from `seq` (PostgreSQL's insert rows) continues after them.
   */
  ended?(seqs: number): void;
  /** Called once after the scenario, e.g. to drop prepared statements. */
  close?(): Promise<void>;
}

export interface ConnectContext {
  /** The target's name in the suite. */
  readonly name: string;
  /** Directory of the suite file; relative paths in a target resolve against it. */
  readonly suiteDir: string;
  /** Progress lines for a person (e.g. "starting embedded PostgreSQL …"). */
  readonly log: (message: string) => void;
  /** Values of targets connected earlier, for `{{targets.NAME.url}}` references. */
  readonly resolveRef: (ref: string) => string | undefined;
}

export interface TargetInfo {
  /** Server product and version, e.g. "PostgreSQL 18.4". */
  readonly version?: string;
  /** A URL other targets may reference (`{{targets.NAME.url}}`); secrets are redacted by the store. */
  readonly url?: string;
}

export interface Connection<W> {
  readonly info: TargetInfo;
  /**
   * Makes a workload ready to run, once per scenario, before its load starts. The rule for its
   * errors: throw UsageError for a mistake a person fixes in the suite (a table that is not there
   * with createTable: false, a topic to consume that does not exist, settings that contradict each
   * other, a header no server can read), its hint naming the suite field to change; the run exits
   * 2. Anything else is the target's failure (exit 3): throw it as it comes. The engine names the
   * scenario and the target in the message.
   */
  prepare(workload: W, scenario: string): Promise<PreparedWorkload>;
  /** Server-side readings this connection offers, by probe kind (e.g. "postgres-stats"). */
  probe?(kind: string): Probe | undefined;
  close(): Promise<void>;
}

/** A problem a person can fix in the suite: field path inside the workload, message and fix. */
export interface WorkloadProblem {
  path: string;
  message: string;
  fix: string;
}

export interface Driver<T = unknown, W = unknown> {
  readonly kind: string;
  /** zod schema of a target of this kind (`kind` included). Strict: unknown keys are errors. */
  readonly targetSchema: z.ZodType<T>;
  /** zod schema of this driver's workloads, a union discriminated on `type`. */
  readonly workloadSchema: z.ZodType<W>;
  /** Probe kinds this driver's connections answer for. */
  readonly probeKinds: readonly string[];
  /**
   * The kind of each metric its probes report, by metric name, so a threshold on one is checked
   * for its unit when the suite loads (`cache_hit_ratio > 5ms` is refused before a long run).
   */
  readonly probeMetrics?: Readonly<Record<string, MetricKind>>;
  /** Reads the error classes its operations give of their own (a prefix such as KAFKA_, a SQLSTATE):
   * their kind and label. The network classes every client shares are read before it. */
  readonly errorClasses?: ErrorClassifier;
  /** Where a target of this kind sends load, shown before anything connects: host:port, "embedded
   * (started by pipebench)", a file; never a user or password. */
  describeEndpoint(target: T): string;
  /** Cross-checks the schemas cannot make alone, e.g. a query name must exist in the target's
   * `queries`, or a workload option needs a certain executor (`load`, when the scenario's is valid).
   * Run by the suite loader so the problem is reported with file and line. */
  checkWorkload?(target: T, workload: W, targetName: string, load?: LoadProfile): WorkloadProblem | undefined;
  /** Loads the client library only when a target of this kind is used. */
  connect(target: T, ctx: ConnectContext): Promise<Connection<W>>;
}
