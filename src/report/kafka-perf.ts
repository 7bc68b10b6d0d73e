// `--format kafka-perf`: a stored run's Kafka scenarios printed exactly as Kafka's own perf tools
// print their final summaries, so scripts written around those tools (seed 000's
// `grep -E "records/sec|MB/sec|latency" … | tail -5`, `awk '{print $2 " " $3}'`) keep working
// unchanged on pipebench's output.
//
// Matched against Kafka's source (tools/…/ProducerPerformance.java Stats.printTotal,
// ConsumerPerformance.java main/printHeader) and byte for byte against the real tools
// (org.apache.kafka:kafka-tools 4.3.1 on a local broker, see test/report/kafka-perf.test.ts):
//
//   producer: "%d records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency,
//              %.2f ms max latency, %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.%n"
//   consumer: "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
//              rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec%n"
//             "%s, %s, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f%n"  (dates "yyyy-MM-dd HH:mm:ss:SSS")
//
// Only the layout is Kafka's: every number is pipebench's own measurement of the scenario, and a
// `# pipebench timing: …` line before each produce summary says whether it was loaded and timed as
// the Java tool does (the workload's `timing: producer-perf`) or pipebench's own way.
import type { StoredRun, StoredScenario } from "../store/results-store.js";

/** kafka-consumer-perf-test's summary header (without --show-detailed-stats). */
export const CONSUMER_PERF_HEADER =
  "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, " +
  "rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";

const MIB = 1024 * 1024;

/**
 * Java's `String.format("%.Nf", x)` (the root/English locale: "." and no grouping).
 *
 * Java does not round the binary value the way `Number.prototype.toFixed` does: it takes the
 * shortest decimal digits that identify the double (what `Double.toString` shows) and rounds those
 * HALF_UP. So `%.2f` of 1.005 is "1.01" in Java but `(1.005).toFixed(2)` is "1.00". NaN and the
 * infinities print as Java prints them ("NaN", "Infinity", "-Infinity"); -0.0 keeps its sign.
 *
 * Checked against `String.format` itself for 30,030 doubles (ties, near-ties, 1e-7 … 1e8, rates
 * like 1000.0 * n / ms) at %f, %.4f, %.2f, %.1f and %.0f: identical to JDK 25 for all, and to JDK 17
 * for all but 1e23, where JDK 17's old digit generator gives the non-shortest 9.999999999999999E22.
 */
export function javaFixed(x: number, precision: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  const negative = x < 0 || Object.is(x, -0);
  // toExponential() without an argument gives the shortest round-trip digits, like Double.toString.
  const [mantissa = "0", exp = "0"] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const fractionDigits = digits.length - 1 - Number(exp); // digits after the decimal point
  let scaled: bigint; // x × 10^precision, rounded half-up
  if (fractionDigits <= precision) {
    scaled = BigInt(digits) * 10n ** BigInt(precision - fractionDigits);
  } else {
    const divisor = 10n ** BigInt(fractionDigits - precision);
    const whole = BigInt(digits);
    scaled = whole / divisor + ((whole % divisor) * 2n >= divisor ? 1n : 0n);
  }
  const text = scaled.toString().padStart(precision + 1, "0");
  const body = precision === 0 ? text : `${text.slice(0, -precision)}.${text.slice(-precision)}`;
  return negative ? `-${body}` : body;
}

/** Java's `%d` of a value Java holds as an int or long: the fraction cut off toward zero. */
export function javaInt(x: number): string {
  return Number.isFinite(x) ? String(Math.trunc(x)) : "0";
}

/** `new SimpleDateFormat("yyyy-MM-dd HH:mm:ss:SSS").format(ms)`, in the local time zone as Java's default. */
export function javaPerfDate(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  return (
    `${p(d.getFullYear(), 4)}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}:${p(d.getMilliseconds(), 3)}`
  );
}

/**
 * kafka-producer-perf-test's final summary line for a produce scenario.
 *
 * - records sent: result.records (records acknowledged in the measured interval; warm-up excluded,
 *   so this is the tool's figure for a run without --warmup-records, and close to its "steady
 *   state" line for one with them; only the plain line is printed).
 * - records/sec: result.throughput. MB/sec: result.bytes / duration / 1024², as the tool computes
 *   it (pipebench's bytes are key + value; the tool's --record-size runs send no key).
 * - avg/max latency and 50th…99.9th: result.latency, in ms. The tool's latencies are whole
 *   milliseconds (`(int) (now - start)` per record), so its percentiles are integers; pipebench
 *   truncates its own percentiles the same way (equal to the tool's rule: truncating is monotonic,
 *   so the truncated percentile is the percentile of the truncated values). Its avg is the mean of
 *   truncated values, ours of exact ones (ours can be up to ~1 ms higher for the same sends).
 *   Ours come from an HDR histogram (3 significant digits) over every operation, not a 500,000
 *   sample.
 * - With no latency recorded it prints what the tool prints for zero records: NaN avg, zeros.
 */
export function producerPerfLine(s: StoredScenario): string {
  const r = s.result;
  const l = r.latency;
  const has = l.count > 0;
  const mbPerSec = r.durationS > 0 ? r.bytes / r.durationS / MIB : 0;
  return (
    `${javaInt(r.records)} records sent, ${javaFixed(r.throughput, 6)} records/sec (${javaFixed(mbPerSec, 2)} MB/sec), ` +
    `${has ? javaFixed(l.mean, 2) : "NaN"} ms avg latency, ${javaFixed(has ? l.max : 0, 2)} ms max latency, ` +
    `${javaInt(has ? l.p50 : 0)} ms 50th, ${javaInt(has ? l.p95 : 0)} ms 95th, ` +
    `${javaInt(has ? l.p99 : 0)} ms 99th, ${javaInt(has ? l.p999 : 0)} ms 99.9th.`
  );
}

/**
 * A `#` line before a produce scenario's summary saying how its records were timed: as
 * ProducerPerformance times them (`timing: producer-perf`), so the numbers compare with the Java
 * tool's, or pipebench's own way, so they do not. The layout alone would otherwise claim the tool's
 * numbers (its latencies are mostly the wait in a full buffer.memory; pipebench's `max` keeps a few
 * batches in flight). It names no "records/sec", "MB/sec" or "latency": the seed's
 * `grep -E "records/sec|MB/sec|latency" | tail -5` still finds the summary line alone.
 */
export function producerTimingComment(s: StoredScenario): string {
  const w = s.workload as { timing?: unknown } | null | undefined;
  const load = s.load as { executor?: unknown; rate?: unknown; concurrency?: unknown } | null | undefined;
  const executor = typeof load?.executor === "string" ? load.executor : "?";
  if (w?.timing === "producer-perf") {
    const throughput = executor === "constant-rate" && typeof load?.rate === "number" ? String(load.rate) : "-1";
    return (
      `# pipebench timing: producer-perf, comparable with kafka-producer-perf-test --throughput ${throughput} ` +
      "(records handed to the producer as fast as buffer.memory takes them, each timed from its send to its ack)"
    );
  }
  const start = executor === "max" || executor === "closed" ? "its start" : "its intended start";
  return (
    `# pipebench timing: pipebench's own (executor ${executor}, each record timed from ${start} to its ack), ` +
    "not comparable with kafka-producer-perf-test's numbers; set timing: producer-perf on the workload for those"
  );
}

function counter(s: StoredScenario, name: string): number | undefined {
  const v = s.result.counters?.[name];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/**
 * kafka-consumer-perf-test's summary row for a consume scenario, computed as the tool computes it
 * from its elapsed time, rebalance ("join") time and fetch time.
 *
 * Exact: data.consumed.in.MB (result.bytes = key + value bytes, as the tool counts, / 1024²) and
 * data.consumed.in.nMsg (result.records).
 *
 * Approximations, because pipebench measures a consume scenario differently:
 * - fetch.time.ms: the driver's `fetch_time_ms` counter when it reports one, else the measured
 *   interval (result.durationS). The tool's fetch time is its elapsed time minus the rebalance
 *   time; pipebench's measured interval likewise starts once the group is assigned, but it also
 *   leaves out the warm-up (result.warmupS), which the tool has no notion of.
 * - rebalance.time.ms: the driver's `rebalance_time_ms` counter when it reports one, else 0 (the
 *   rebalance happens before the measured interval, so pipebench's numbers do not include it).
 * - end.time: the end of the measured interval (result.startedAt + durationS); start.time: end.time
 *   minus (rebalance + fetch) time, i.e. when the tool would have subscribed. The tool's
 *   MB.sec and nMsg.sec divide by that whole span; fetch.MB.sec and fetch.nMsg.sec by the fetch
 *   time alone (so fetch.nMsg.sec ≈ pipebench's records/s).
 */
export function consumerPerfRow(s: StoredScenario): string {
  const r = s.result;
  const mb = r.bytes / MIB;
  const fetchMs = Math.round(counter(s, "fetch_time_ms") ?? r.durationS * 1000);
  const rebalanceMs = Math.round(counter(s, "rebalance_time_ms") ?? 0);
  const endMs = Math.round(r.startedAt + r.durationS * 1000);
  const startMs = endMs - fetchMs - rebalanceMs;
  // Java: double elapsedSec = (endMs - startMs) / 1_000.0; x / 0.0 is Infinity or NaN, printed so.
  const elapsedSec = (endMs - startMs) / 1000;
  const fetchSec = fetchMs / 1000;
  return [
    javaPerfDate(startMs),
    javaPerfDate(endMs),
    javaFixed(mb, 4),
    javaFixed(mb / elapsedSec, 4),
    javaInt(r.records),
    javaFixed(r.records / elapsedSec, 4),
    javaInt(rebalanceMs),
    javaInt(fetchMs),
    javaFixed(mb / fetchSec, 4),
    javaFixed(r.records / fetchSec, 4),
  ].join(", ");
}

type PerfKind = "produce" | "consume";

function workloadType(s: StoredScenario): string | undefined {
  const w = s.workload as { type?: unknown } | null | undefined;
  return typeof w?.type === "string" ? w.type : undefined;
}

/** Which of Kafka's perf tools a scenario's summary can be printed as, if any. */
export function kafkaPerfKind(s: StoredScenario): PerfKind | undefined {
  if (s.targetKind !== "kafka") return undefined;
  const type = workloadType(s);
  return type === "produce" || type === "consume" ? type : undefined;
}

export interface KafkaPerfOutput {
  /**
   * For stdout: the tools' lines, per scenario in run order: a produce scenario's timing comment
   * (producerTimingComment) and summary line, or a consume scenario's header and row.
   */
  lines: string[];
  /** For stderr: one line each about skipped scenarios and ones that did not complete; may be empty. */
  notes: string[];
}

/** Said on stderr whenever the tools' lines are printed: which MB they mean. */
export const MIB_NOTE =
  "kafka-perf: MB here is Kafka's, 1,048,576 bytes (MiB), as its tools print it; pipebench's table, JSON and thresholds use MB = 1,000,000 bytes";

export function renderKafkaPerf(run: StoredRun): KafkaPerfOutput {
  const lines: string[] = [];
  const skipped: string[] = [];
  const partial: string[] = [];
  for (const s of run.scenarioResults) {
    const kind = kafkaPerfKind(s);
    if (kind === undefined) {
      skipped.push(`${s.name} (${s.targetKind} ${workloadType(s) ?? "?"})`);
      continue;
    }
    if (kind === "produce") lines.push(producerTimingComment(s), producerPerfLine(s));
    else lines.push(CONSUMER_PERF_HEADER, consumerPerfRow(s));
    if (s.result.status !== "completed") partial.push(`${s.name} (${s.result.status})`);
  }
  const notes: string[] = [];
  // The tools' "MB" is 2^20 bytes; pipebench's table, JSON and thresholds mean 10^6 (5 % apart).
  if (lines.length > 0) notes.push(MIB_NOTE);
  if (skipped.length > 0) {
    notes.push(
      `kafka-perf: skipped ${skipped.length === 1 ? "1 scenario" : `${skipped.length} scenarios`} that ` +
        `${skipped.length === 1 ? "is" : "are"} not a Kafka produce or consume workload: ${skipped.join(", ")}`,
    );
  }
  if (partial.length > 0) {
    notes.push(`kafka-perf: partial results (the scenario ended early) for ${partial.join(", ")}`);
  }
  return { lines, notes };
}
