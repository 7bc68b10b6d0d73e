// Can a scenario's numbers be trusted? The verdict every result carries. Each rule names one way a
// load test lies about its target:
//
//   generator-saturated  pipebench's own CPU set the pace: the target was never pushed
//   machine-busy         pipebench wanted CPU and the machine did not give it (other processes,
//                        steal, a cgroup quota): the numbers describe the machine's load
//   rate-not-reached     an open loop achieved < 95 % of the asked rate: the load was not the load
//   schedule-lag         the event loop or the schedule ran late: start times (and latencies) slipped
//   not-steady           throughput or median latency still moving between the first and last third
//   too-few-samples      the tail percentile shown rests on too few latencies to be an estimate
//
// Arithmetic over the result only, so a stored result can be judged again when it is read.
import {
  ACHIEVED_RATE_MIN_FRACTION,
  CPU_MAX_PERCENT,
  CPU_MIN_JUDGED_MS,
  LAG_P99_MAX_MS,
  LATE_START_MAX_FRACTION,
  lateStartsMatter,
} from "./generator-health.js";
import { LATE_START_MS } from "../metrics/recorder.js";
import type { ScenarioResult, SeriesPoint, Validity, ValidityReason } from "../metrics/summary.js";

/** What the result alone does not say, known where it is built (run-scenario). */
export interface ValidityContext {
  /** The target runs in this process (DuckDB): the process's CPU is the target's, not the generator's. */
  readonly inProcessTarget?: boolean;
  /**
   * Open loop: times an operation waited for a slot under maxInFlight. Late starts then come from a
   * target that held every slot, not from the generator (and their wait counts in latency).
   */
  readonly capWaits?: number;
  /**
   * Latency percentiles (0–1) the scenario's thresholds judge (`p95 < 5ms` → 0.95): a verdict that
   * rests on a percentile needs the samples for it. Absent: the table's p99 is judged.
   */
  readonly judgedPercentiles?: readonly number[];
}

/** The latency percentiles (0–1) that threshold metrics name: `p95`, `service.p99`, `p99.9`. */
export function judgedPercentiles(metrics: readonly string[]): number[] {
  const out = new Set<number>();
  for (const metric of metrics) {
    const m = /^(?:(?:service|client_wait|start_delay)\.)?p(\d+(?:\.\d+)?)$/.exec(metric);
    const q = m ? Number((Number(m[1]) / 100).toFixed(6)) : NaN;
    if (q > 0 && q < 1) out.add(q);
  }
  return [...out].sort((a, b) => a - b);
}

/** The result as built, before its verdict. */
export type UnjudgedResult = Omit<ScenarioResult, "validity">;

/**
 * Percentile q (0–1) is an estimate when at least this many latencies lie beyond it; with fewer it
 * is one of the few largest values, i.e. close to the maximum of this run, and moves with every
 * run. 10 beyond it gives p99 ≥ 1,000 samples and p99.9 ≥ 10,000 (the usual HdrHistogram advice).
 */
export const SAMPLES_BEYOND_PERCENTILE = 10;
/** The highest percentile the console table shows: judged when the caller names none. */
export const SHOWN_PERCENTILE = 0.99;

/** A starved generator's delays (CPU waits, lag, late starts) count from this share of the median service time. */
export const DELAY_SHARE_OF_P50 = 0.05;
/** Event-loop lag in a closed loop counts when it exceeds this share of the median latency. */
export const LAG_SHARE_OF_P50 = 0.1;
/** Steadiness is judged on at least this many full measured seconds (two per third). */
export const STEADY_MIN_SECONDS = 6;
/** Throughput of the last third may differ from the first third's by this fraction. */
export const STEADY_THROUGHPUT_TOLERANCE = 0.2;
/** Median latency of the last third may be this many times the first's (or its inverse)... */
export const STEADY_P50_RATIO = 1.5;
/** ...and must differ by at least this much, below which loopback jitter decides. */
export const STEADY_P50_MIN_DELTA_MS = 0.5;
/** Too few completions per third make per-second throughput noise, not a trend. */
const STEADY_MIN_OPS_PER_THIRD = 50;

/** Latencies needed for percentile q (0–1) to be an estimate rather than the maximum. */
export function minSamplesFor(q: number): number {
  return Math.ceil(SAMPLES_BEYOND_PERCENTILE / (1 - q) - 1e-9);
}

export function assessValidity(result: UnjudgedResult, context: ValidityContext = {}): Validity {
  const saturated = generatorSaturated(result, context);
  const busy = machineBusy(result, context);
  const reasons: ValidityReason[] = [
    ...saturated,
    ...busy,
    ...rateNotReached(result),
    // Lag that a busy machine or a saturated generator already explains is said there, once; lag
    // on a machine the kernel says was busy is the machine's, said there when it mattered.
    ...(saturated.length > 0 || busy.length > 0 || starvedHere(result, context) ? [] : scheduleLag(result, context)),
    ...notSteady(result),
    ...tooFewSamples(result, context),
  ];
  return { valid: reasons.length === 0, reasons };
}

/** The stored verdict, or (for results stored before verdicts existed) one judged now. */
export function validityOf(result: ScenarioResult): Validity {
  return result.validity ?? assessValidity(result, legacyContext(result));
}

/** Validity reasons as one line each: "INVALID: asked 5,000/s, achieved 3,120/s (62 %, …) [rate-not-reached]". */
export function validityLines(validity: Validity): string[] {
  return validity.reasons.map((r) => `INVALID: ${r.message} [${r.code}]`);
}

function shortOfRate(r: UnjudgedResult): boolean {
  const { askedRate, achievedRate } = r.generator;
  return r.status === "completed" && askedRate !== null && askedRate > 0 && achievedRate < askedRate * ACHIEVED_RATE_MIN_FRACTION;
}

/** What made starts slip, when the generator (not a full maxInFlight) did: lag, late starts. */
function lagFacts(r: UnjudgedResult, c: ValidityContext): string[] {
  const g = r.generator;
  const facts: string[] = [];
  // A closed loop times from the actual start, so lag only adds its delay to each reading: it
  // matters when it is a visible share (a tenth) of the median; an open loop's schedule always slips.
  const open = g.askedRate !== null;
  const material = open || r.latency.count === 0 || g.eventLoopLagP99Ms > r.latency.p50 * LAG_SHARE_OF_P50;
  if (g.eventLoopLagP99Ms > LAG_P99_MAX_MS && material) {
    facts.push(`event-loop lag p99 ${round1(g.eventLoopLagP99Ms)} ms, max ${round1(g.eventLoopLagMaxMs)} ms (limit ${LAG_P99_MAX_MS} ms)`);
  }
  // Late starts mean something only on a schedule, and only when the generator (not a full
  // maxInFlight, which is the target's doing) made them late.
  const started = r.ops + r.errors;
  if (open && (c.capWaits ?? 0) === 0 && lateStartsMatter(g.lateStarts, started)) {
    facts.push(
      `${fmtCount(g.lateStarts)} of ${fmtCount(started)} operations (${round1((g.lateStarts / started) * 100)} %) ` +
        `started more than 10 ms after their intended time (limit ${LATE_START_MAX_FRACTION * 100} %)`,
    );
  }
  return facts;
}

/** pipebench's own process set the pace: its CPU was full (an in-process target's CPU is not its). */
function generatorSaturated(r: UnjudgedResult, c: ValidityContext): ValidityReason[] {
  const g = r.generator;
  const busy = g.cpuPercent - (g.spinCpuPercent ?? 0);
  if (c.inProcessTarget === true || busy <= CPU_MAX_PERCENT || r.durationS * 1000 < CPU_MIN_JUDGED_MS) return [];
  const facts = [`pipebench's process kept ${round1(busy)} % of a CPU core busy (limit ${CPU_MAX_PERCENT} %)`];
  if (shortOfRate(r) && g.askedRate !== null) facts.push(`it achieved ${fmtRate(g.achievedRate)} of the asked ${fmtRate(g.askedRate)}`);
  return [
    {
      code: "generator-saturated",
      message: `${facts.join("; ")}: pipebench, not the target, set the pace; split the load over more pipebench processes or lower the rate`,
    },
  ];
}

/**
 * pipebench wanted CPU and did not get it (src/engine/cpu-contention.ts): whatever the numbers say,
 * they say it about a busy machine. The late starts and lag it caused are listed as its effects.
 */
function machineBusy(r: UnjudgedResult, c: ValidityContext): ValidityReason[] {
  const m = r.generator.machine;
  // An in-process target's threads are this process's: they, not other processes, took the CPU.
  if (m === undefined || !starvedHere(r, c)) return [];
  const effects = lagFacts(r, c);
  const g = r.generator;
  if (shortOfRate(r) && g.askedRate !== null) effects.push(`it achieved ${fmtRate(g.achievedRate)} of the asked ${fmtRate(g.askedRate)}`);
  // A busy machine that cost the measurement nothing visible leaves the numbers standing: the
  // delays it caused (CPU waits, the event loop's lag, starts behind schedule) must be a visible
  // share of the median latency, or the asked rate missed. Waits of 0.2 ms and starts 30 ms late
  // under latencies of 1.7 s change nothing a person reads.
  // Lag and late starts count, as everywhere here, past their own limits (20 ms, 10 ms) too.
  // Against the target's own median (service time) where it is measured: operations queued in
  // pipebench for a connection are the machine's doing too (a CI run: 1.2 s of client wait over a
  // starved machine's 2 ms services hid start delays of 60 ms, and the connections were blamed).
  const p50 = r.service.count > 0 ? Math.min(r.latency.p50, r.service.p50) : r.latency.p50;
  const visible = (ms: number, floorMs: number): boolean => r.latency.count > 0 && ms > floorMs && ms >= p50 * DELAY_SHARE_OF_P50;
  const shows =
    shortOfRate(r) ||
    visible(m.meanWaitMs, 0) ||
    visible(g.eventLoopLagP99Ms, LAG_P99_MAX_MS) ||
    visible(r.startDelay?.p99 ?? 0, LATE_START_MS);
  if (!shows) return [];
  return [
    {
      code: "machine-busy",
      message:
        // The wait and the others' CPU; the finding (culprit.machine) lists every reading.
        `the machine was busy: ${contentionFacts(m).slice(0, 2).join(", ")}` +
        (effects.length > 0 ? `; ${effects.join("; ")}` : "") +
        ": these numbers describe the machine's load, not the target; run again on a quiet machine",
    },
  ];
}

/** The kernel says pipebench waited for CPU (an in-process target's threads are its own). */
function starvedHere(r: UnjudgedResult, c: ValidityContext): boolean {
  return r.generator.machine?.starved === true && c.inProcessTarget !== true;
}

/** The readings that say a machine was busy, as a person reads them. */
export function contentionFacts(m: NonNullable<UnjudgedResult["generator"]["machine"]>): string[] {
  const facts = [`pipebench waited for a CPU ${round1(m.waitPercent)} % of the time (${Math.round(m.waitShare * 100)} % of the time it wanted one)`];
  if (m.othersCpuPercent !== undefined) facts.push(`other processes used ${Math.round(m.othersCpuPercent)} % of a core${m.cores === undefined ? "" : ` (of ${m.cores * 100} %)`}`);
  if (m.pressurePercent !== undefined) facts.push(`some task waited for a CPU ${round1(m.pressurePercent)} % of the time (/proc/pressure/cpu)`);
  if ((m.stealPercent ?? 0) > 0) facts.push(`the hypervisor took ${round1(m.stealPercent ?? 0)} % (steal)`);
  if ((m.throttledPercent ?? 0) > 0) facts.push(`the cgroup's CPU quota throttled it ${round1(m.throttledPercent ?? 0)} % of the time`);
  return facts;
}

function rateNotReached(r: UnjudgedResult): ValidityReason[] {
  const { askedRate, achievedRate } = r.generator;
  if (!shortOfRate(r) || askedRate === null) return [];
  const pct = Math.round((achievedRate / askedRate) * 100);
  const why = (r.dropped ?? 0) > 0 ? `; ${droppedText(r)}` : "";
  return [
    {
      code: "rate-not-reached",
      message: `asked ${fmtRate(askedRate)}, achieved ${fmtRate(achievedRate)} (${pct} %, needs ≥ ${Math.round(ACHIEVED_RATE_MIN_FRACTION * 100)} %)${why}`,
    },
  ];
}

function scheduleLag(r: UnjudgedResult, c: ValidityContext): ValidityReason[] {
  const facts = lagFacts(r, c);
  if (facts.length === 0) return [];
  return [{ code: "schedule-lag", message: `${facts.join("; ")}: start times slipped, so latencies include the generator's delay` }];
}

function notSteady(r: UnjudgedResult): ValidityReason[] {
  if (r.status !== "completed") return [];
  // Full seconds of the measured interval only: the drain after an open loop and a closed loop's
  // last partial second are not rates.
  const full = r.series.filter((p) => p.t + 1 <= Math.floor(r.durationS + 1e-9));
  if (full.length < STEADY_MIN_SECONDS) return [];
  const third = Math.floor(full.length / 3);
  const first = full.slice(0, third);
  const last = full.slice(full.length - third);
  const problems: string[] = [];

  // A ramp or steps profile changes its rate on purpose; its throughput is not meant to be flat.
  const flatRate = r.executor !== "ramp" && r.executor !== "steps";
  const opsOf = (points: readonly SeriesPoint[]): number => points.reduce((sum, p) => sum + p.ops + p.errors, 0);
  if (flatRate && opsOf(first) >= STEADY_MIN_OPS_PER_THIRD && opsOf(last) >= STEADY_MIN_OPS_PER_THIRD) {
    const a = opsOf(first) / first.length;
    const b = opsOf(last) / last.length;
    const change = (b - a) / a;
    if (Math.abs(change) > STEADY_THROUGHPUT_TOLERANCE) {
      problems.push(
        `throughput went from ${fmtRate(a)} in the first third to ${fmtRate(b)} in the last ` +
          `(${change > 0 ? "+" : ""}${Math.round(change * 100)} %, tolerance ±${STEADY_THROUGHPUT_TOLERANCE * 100} %)`,
      );
    }
  }
  const p50First = median(first.map((p) => p.p50));
  const p50Last = median(last.map((p) => p.p50));
  if (p50First !== undefined && p50Last !== undefined && p50First > 0 && p50Last > 0) {
    const ratio = p50Last / p50First;
    if ((ratio >= STEADY_P50_RATIO || ratio <= 1 / STEADY_P50_RATIO) && Math.abs(p50Last - p50First) >= STEADY_P50_MIN_DELTA_MS) {
      problems.push(
        `median latency went from ${fmtMs(p50First)} in the first third to ${fmtMs(p50Last)} in the last (×${ratio.toFixed(2)})`,
      );
    }
  }
  if (problems.length === 0) return [];
  return [
    {
      code: "not-steady",
      message: `${problems.join("; ")} over ${full.length} s: not at steady state; lengthen the warm-up or the duration`,
    },
  ];
}

/** Percentile q (0–1) as the table names it: 0.99 → "p99", 0.999 → "p99.9". */
export function percentileName(q: number): string {
  return `p${Number((q * 100).toFixed(3))}`;
}

/** The highest judged percentile that the samples cannot support, when there is one. */
function tooFewSamples(r: UnjudgedResult, c: ValidityContext): ValidityReason[] {
  const n = r.latency.count;
  const unsupported = (c.judgedPercentiles ?? [SHOWN_PERCENTILE]).filter((q) => n > 0 && n < minSamplesFor(q));
  const q = unsupported.at(-1);
  if (q === undefined) return [];
  const needed = minSamplesFor(q);
  return [
    {
      code: "too-few-samples",
      message:
        `${percentileName(q)} from ${fmtCount(n)} latencies (needs ≥ ${fmtCount(needed)}, ${SAMPLES_BEYOND_PERCENTILE} beyond it): ` +
        "it is close to the maximum of this run, not a percentile; run more iterations or a longer duration",
    },
  ];
}

/** "46,469 operations dropped (never started: maxInFlight 10,000 reached; …)": not errors. */
export function droppedText(r: Pick<UnjudgedResult, "dropped" | "droppedBy">): string {
  const by = r.droppedBy ?? {};
  const parts: string[] = [];
  if ((by["max-in-flight"] ?? 0) > 0) parts.push(`${fmtCount(by["max-in-flight"] ?? 0)} never started (maxInFlight operations still in flight)`);
  if ((by["never-sent"] ?? 0) > 0) parts.push(`${fmtCount(by["never-sent"] ?? 0)} never sent (still queued in pipebench for a connection at the end)`);
  if ((by["cut-off"] ?? 0) > 0) parts.push(`${fmtCount(by["cut-off"] ?? 0)} sent less than a second before the wait for them ended`);
  return `${fmtCount(r.dropped ?? 0)} operations dropped${parts.length > 0 ? `: ${parts.join(", ")}` : ""}`;
}

/** What can be told from an old result's warnings: the generator health wrote why starts were late. */
function legacyContext(r: ScenarioResult): ValidityContext {
  const held = r.generator.warnings.some((w) => w.includes("maxInFlight"));
  return held ? { capWaits: 1 } : {};
}

function median(values: readonly (number | null)[]): number | undefined {
  const xs = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (xs.length === 0) return undefined;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 === 1 ? xs[mid] : ((xs[mid - 1] ?? 0) + (xs[mid] ?? 0)) / 2;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function fmtCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function fmtRate(perSec: number): string {
  return perSec >= 100 ? `${fmtCount(perSec)}/s` : `${round1(perSec)}/s`;
}

function fmtMs(ms: number): string {
  return ms >= 100 ? `${Math.round(ms)} ms` : ms >= 1 ? `${ms.toFixed(2)} ms` : `${Math.round(ms * 1000)} µs`;
}
