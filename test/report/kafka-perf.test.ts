// `--format kafka-perf`: Kafka's perf tools' summary lines, byte for byte, from pipebench's own
// numbers, so seed 000's `grep -E "records/sec|MB/sec|latency" … | tail -5` keeps working.
//
// The fixtures below are the real tools' stdout, captured on this project's machine with
// org.apache.kafka:kafka-tools 4.3.1 (Java 17) on `scripts/kafka-local start`:
//   scripts/kafka-local perf-producer --topic t --num-records 20000 --record-size 100 --throughput -1 \
//     --producer-props bootstrap.servers=127.0.0.1:PORT
//   scripts/kafka-local perf-producer --topic t2 --num-records 300000 --record-size 1024 --throughput 50000 \
//     --producer-props bootstrap.servers=127.0.0.1:PORT acks=all
//   scripts/kafka-local perf-consumer --bootstrap-server 127.0.0.1:PORT --topic t --messages 20000
// (TZ UTC). The broker was slow that day (seconds of latency); only the layout matters here.
process.env.TZ = "UTC"; // the consumer's dates are local time, as Java's default time zone

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { LatencySummary, ScenarioResult } from "../../src/metrics/summary.js";
import {
  CONSUMER_PERF_HEADER,
  consumerPerfRow,
  javaFixed,
  javaInt,
  javaPerfDate,
  MIB_NOTE,
  producerPerfLine,
  producerTimingComment,
  renderKafkaPerf,
} from "../../src/report/kafka-perf.js";
import { ResultsStore, type StoredRun, type StoredScenario } from "../../src/store/results-store.js";
import { pipebench } from "../cli/helpers.js";

// --- what the real tools printed --------------------------------------------------------------

/** ProducerPerformance, 300,000 × 1 KiB, acks=all: its whole stdout (the deprecation line is 4.3's). */
const JAVA_PRODUCER_STDOUT = [
  "Option --producer-props has been deprecated and will be removed in a future version. Use --command-property instead.",
  "10864 records sent, 2171.9 records/sec (2.12 MB/sec), 1915.6 ms avg latency, 2672.0 ms max latency.",
  "44805 records sent, 8941.3 records/sec (8.73 MB/sec), 3249.4 ms avg latency, 4082.0 ms max latency.",
  "36000 records sent, 7185.6 records/sec (7.02 MB/sec), 4599.1 ms avg latency, 5484.0 ms max latency.",
  "92250 records sent, 18450.0 records/sec (18.02 MB/sec), 2016.5 ms avg latency, 3934.0 ms max latency.",
  "300000 records sent, 12581.781580 records/sec (12.29 MB/sec), 2141.94 ms avg latency, 5484.00 ms max latency, 1733 ms 50th, 4866 ms 95th, 5338 ms 99th, 5459 ms 99.9th.",
  "",
].join("\n");

/** ProducerPerformance, 20,000 × 100 B, unthrottled: its final line. */
const JAVA_PRODUCER_FINAL_20K =
  "20000 records sent, 5431.830527 records/sec (0.52 MB/sec), 1048.36 ms avg latency, 1721.00 ms max latency, 973 ms 50th, 1708 ms 95th, 1720 ms 99th, 1721 ms 99.9th.";

/** ConsumerPerformance, 20,000 messages of 100 B: its whole stdout. */
const JAVA_CONSUMER_STDOUT = [
  "Warning: --messages is deprecated. Use --num-records instead.",
  "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec",
  "2026-11-21 21:50:22:319, 2026-11-21 21:50:25:606, 1.9073, 0.5803, 20000, 6084.5756, 1651, 1636, 1.1659, 12224.9389",
  "",
].join("\n");

// --- the seed's shell, in JS ------------------------------------------------------------------

/** `grep -E PATTERN`: the lines (of text split as the shell does) that match. */
const grep = (text: string, pattern: RegExp): string[] => text.split("\n").filter((l) => l !== "" && pattern.test(l));
/** Seed 000, 1.1: `grep -E "records/sec|MB/sec|latency" /tmp/kafka-producer-load.log | tail -5`. */
const SEED_PRODUCER_GREP = /records\/sec|MB\/sec|latency/;
/** Seed 000, 1.2: `grep -E "records/sec|MB/sec" /tmp/kafka-consumer-load.log | tail -3`. */
const SEED_CONSUMER_GREP = /records\/sec|MB\/sec/;
const tail = (lines: string[], n: number): string[] => lines.slice(-n);
/** awk's default field splitting: runs of blanks, leading ones ignored; `$1` is fields[0]. */
const awkFields = (line: string): string[] => line.trim().split(/[ \t]+/);
/** What a script keying on positions sees: every number replaced by #, the words kept. */
const shape = (fields: string[]): string[] => fields.map((f) => f.replace(/-?\d+(\.\d+)?|NaN|Infinity/g, "#"));

/** One regex with a group per number of the final summary line, as a script parsing it would. */
const PRODUCER_FINAL =
  /^(\d+) records sent, (\d+\.\d{6}) records\/sec \((\d+\.\d{2}) MB\/sec\), (\d+\.\d{2}|NaN) ms avg latency, (\d+\.\d{2}) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.$/;

// --- fixtures: stored scenarios with the numbers the Java runs measured -------------------------

const latency = (values: Partial<LatencySummary>): LatencySummary => ({
  count: 1000, min: 1, mean: 2, stddev: 0.5, p50: 2, p90: 3, p95: 3.5, p99: 4, p999: 4, max: 5, ...values,
});

function result(values: Partial<ScenarioResult>): ScenarioResult {
  return {
    status: "completed",
    startedAt: Date.UTC(2026, 10, 21, 21, 50, 0),
    durationS: 1,
    warmupS: 0,
    executor: "max",
    ops: 0,
    errors: 0,
    errorsByClass: {},
    errorSamples: [],
    records: 0,
    bytes: 0,
    opsPerSec: 0,
    throughput: 0,
    mbps: 0,
    errorRate: 0,
    latency: latency({}),
    service: latency({}),
    latencyHistogram: "",
    serviceHistogram: "",
    series: [],
    generator: { cpuPercent: 50, eventLoopLagP99Ms: 1, eventLoopLagMaxMs: 2, askedRate: null, achievedRate: 0, lateStarts: 0, saturated: false, warnings: [] },
    ...values,
  };
}

function scenario(name: string, targetKind: string, workload: Record<string, unknown>, r: ScenarioResult): StoredScenario {
  return {
    id: 1, ordinal: 0, name, trial: 0, target: targetKind === "kafka" ? "kafka" : "db", targetKind, workload,
    load: { executor: "max" }, status: r.status, result: r, thresholds: [], probes: [],
  };
}

/** A produce scenario as pipebench would store it, measuring what the Java tool measured. */
function produced(records: number, recordSize: number, elapsedMs: number, l: Partial<LatencySummary>): StoredScenario {
  const durationS = elapsedMs / 1000;
  return scenario(
    "produce",
    "kafka",
    { type: "produce", topic: "commodities", recordSize, acks: "all" },
    result({
      durationS, ops: records, records, bytes: records * recordSize, opsPerSec: records / durationS,
      throughput: records / durationS, mbps: (records * recordSize) / 1e6 / durationS, latency: latency({ count: records, ...l }),
    }),
  );
}

// 300,000 × 1 KiB in 23,844 ms (12581.781580 rec/s); latencies with fractions, as pipebench's HDR
// histogram reports them: the tool's integer percentiles are their truncation.
const PRODUCE_300K = produced(300_000, 1024, 23_844, { mean: 2141.9449, max: 5484, p50: 1733.6, p95: 4866.99, p99: 5338.2, p999: 5459.9 });
const PRODUCE_20K = produced(20_000, 100, 3_682, { mean: 1048.362, max: 1721, p50: 973.9, p95: 1708.4, p99: 1720.0, p999: 1721 });

// 20,000 × 100 B: measured interval (fetch) 1,636 ms ending 21:50:25.606, after a 1,651 ms rebalance.
const CONSUME_20K = scenario(
  "consume",
  "kafka",
  { type: "consume", topic: "t", messages: 20000 },
  result({
    startedAt: Date.UTC(2026, 10, 21, 21, 50, 25, 606) - 1636, durationS: 1.636, records: 20_000, bytes: 2_000_000,
    throughput: 20_000 / 1.636, latency: latency({ count: 0 }), counters: { rebalance_time_ms: 1651 },
  }),
);

// --- the Must-show: the seed's grep extracts the same fields --------------------------------------

test("a produce scenario prints kafka-producer-perf-test's final line byte for byte", () => {
  assert.equal(producerPerfLine(PRODUCE_300K), tail(JAVA_PRODUCER_STDOUT.trimEnd().split("\n"), 1)[0]);
  assert.equal(producerPerfLine(PRODUCE_20K), JAVA_PRODUCER_FINAL_20K);
});

test('seed 000\'s grep -E "records/sec|MB/sec|latency" | tail -5 extracts the same fields from pipebench as from the Java tool', () => {
  const ours = `${renderKafkaPerf(runOf(PRODUCE_300K)).lines.join("\n")}\n`;
  const javaHits = tail(grep(JAVA_PRODUCER_STDOUT, SEED_PRODUCER_GREP), 5);
  const ourHits = tail(grep(ours, SEED_PRODUCER_GREP), 5);
  // The Java tool's 5 s interval lines match too; the summary is the last line in both.
  assert.equal(javaHits.length, 5);
  assert.equal(ourHits.length, 1, "pipebench prints the summary only, no interval lines");
  const javaFinal = javaHits.at(-1) ?? "";
  const ourFinal = ourHits.at(-1) ?? "";

  // Field by field, as awk sees them: same count, same words in the same positions, numbers where
  // the tool has numbers, and here the same numbers too (the fixture measured what Java measured).
  const jf = awkFields(javaFinal);
  const of = awkFields(ourFinal);
  assert.equal(of.length, jf.length);
  assert.deepEqual(shape(of), shape(jf));
  assert.deepEqual(of, jf);
  // e.g. `awk '{print $1 " " $4}'` → records and records/sec; `$6` → "(12.29", `$7` → "MB/sec),"
  const awk = (fields: string[], ...n: number[]): string => n.map((i) => fields[i - 1]).join(" ");
  assert.equal(awk(of, 1, 4), "300000 12581.781580");
  assert.equal(awk(of, 5, 6), awk(jf, 5, 6));

  // Every number through one regex: the same groups match, and they are pipebench's measurements.
  const j = PRODUCER_FINAL.exec(javaFinal);
  const o = PRODUCER_FINAL.exec(ourFinal);
  assert.ok(j, "the regex parses the Java tool's line");
  assert.ok(o, "the regex parses pipebench's line");
  assert.equal(o.length, j.length);
  const r = PRODUCE_300K.result;
  assert.deepEqual(o.slice(1).map(Number), [
    r.records, Number(r.throughput.toFixed(6)), Number((r.bytes / r.durationS / 1024 / 1024).toFixed(2)),
    Number(r.latency.mean.toFixed(2)), r.latency.max,
    Math.trunc(r.latency.p50), Math.trunc(r.latency.p95), Math.trunc(r.latency.p99), Math.trunc(r.latency.p999),
  ]);
});

test("consume prints kafka-consumer-perf-test's header and row; the seed's consumer grep matches neither, as with the tool", () => {
  const ours = renderKafkaPerf(runOf(CONSUME_20K)).lines;
  const javaLines = JAVA_CONSUMER_STDOUT.trimEnd().split("\n");
  assert.deepEqual(ours, javaLines.slice(1), "header and row byte for byte (the tool's own deprecation warning aside)");
  assert.equal(CONSUMER_PERF_HEADER, javaLines[1]);
  // The seed's `grep -E "records/sec|MB/sec"` finds nothing in the real tool's CSV (its columns are
  // MB.sec and nMsg.sec): pipebench gives the script exactly the same (nothing).
  assert.deepEqual(grep(`${ours.join("\n")}\n`, SEED_CONSUMER_GREP), grep(JAVA_CONSUMER_STDOUT, SEED_CONSUMER_GREP));
  assert.deepEqual(grep(JAVA_CONSUMER_STDOUT, SEED_CONSUMER_GREP), []);
  // A script reading the CSV by column gets the same columns.
  const cols = (line: string): string[] => line.split(", ");
  assert.deepEqual(shape(cols(ours[1] ?? "")), shape(cols(javaLines[2] ?? "")));
});

test("consume without driver counters: rebalance 0, fetch time = the measured interval", () => {
  const s = scenario("c", "kafka", { type: "consume" }, result({
    startedAt: Date.UTC(2025, 0, 2, 3, 4, 5, 6), durationS: 2, records: 1_000_000, bytes: 1_000_000 * 1024,
  }));
  assert.equal(
    consumerPerfRow(s),
    "2025-01-02 03:04:05:006, 2025-01-02 03:04:07:006, 976.5625, 488.2813, 1000000, 500000.0000, 0, 2000, 488.2813, 500000.0000",
  );
  // A driver-reported fetch time is used as is; no time at all prints what Java prints for x / 0.
  const zero = { ...s, result: { ...s.result, durationS: 0, records: 0, bytes: 0 } };
  assert.equal(consumerPerfRow(zero), "2025-01-02 03:04:05:006, 2025-01-02 03:04:05:006, 0.0000, NaN, 0, NaN, 0, 0, NaN, NaN");
});

// --- number formatting ------------------------------------------------------------------------

test("javaFixed is Java's String.format %.Nf (HALF_UP on the shortest digits), not toFixed", () => {
  // Expected values printed by Java 17's String.format for the same doubles.
  const cases: [number, number, string][] = [
    [5431.83052688755, 6, "5431.830527"],
    [12581.781579936251, 6, "12581.781580"],
    [0, 6, "0.000000"],
    [18450, 6, "18450.000000"],
    [123456789.123456789, 6, "123456789.123457"],
    [5e-7, 6, "0.000001"], // toFixed(6): 0.000000
    [1e-7, 6, "0.000000"],
    [1.0000005, 6, "1.000001"],
    [1.005, 2, "1.01"], // toFixed(2): 1.00
    [2.675, 2, "2.68"], // toFixed(2): 2.67
    [0.015, 2, "0.02"], // toFixed(2): 0.01
    [1.115, 2, "1.12"], // toFixed(2): 1.11
    [999.995, 2, "1000.00"],
    [0.125, 2, "0.13"],
    [4.35, 2, "4.35"],
    [1721, 2, "1721.00"],
    [0.51801, 2, "0.52"],
    [-0.001, 2, "-0.00"],
    [-0, 2, "-0.00"],
    [1.9073486328125, 4, "1.9073"],
    [0.045, 4, "0.0450"],
    [4.35, 1, "4.4"],
    [0.5, 0, "1"],
    [2.5, 0, "3"],
    [NaN, 2, "NaN"],
    [Infinity, 4, "Infinity"],
    [-Infinity, 4, "-Infinity"],
  ];
  for (const [x, precision, java] of cases) assert.equal(javaFixed(x, precision), java, `%.${precision}f of ${x}`);
});

test("percentiles and counts are %d of ints: truncated, never rounded", () => {
  const cases: [number, string][] = [[0, "0"], [0.999, "0"], [1.5, "1"], [973.9, "973"], [4866.99, "4866"], [5459.9999, "5459"], [300000, "300000"], [NaN, "0"]];
  for (const [x, java] of cases) assert.equal(javaInt(x), java, `${x}`);
  const line = producerPerfLine(produced(10, 100, 1000, { mean: 0.4, max: 0.9, p50: 0.3, p95: 0.8, p99: 0.9, p999: 0.9 }));
  assert.equal(line, "10 records sent, 10.000000 records/sec (0.00 MB/sec), 0.40 ms avg latency, 0.90 ms max latency, 0 ms 50th, 0 ms 95th, 0 ms 99th, 0 ms 99.9th.");
});

test("a produce scenario with nothing acknowledged prints what the tool prints for zero records", () => {
  const s = produced(0, 100, 1000, { count: 0 });
  assert.equal(
    producerPerfLine(s),
    "0 records sent, 0.000000 records/sec (0.00 MB/sec), NaN ms avg latency, 0.00 ms max latency, 0 ms 50th, 0 ms 95th, 0 ms 99th, 0 ms 99.9th.",
  );
});

test("dates are SimpleDateFormat yyyy-MM-dd HH:mm:ss:SSS in the local time zone", () => {
  const t = Date.UTC(2026, 10, 21, 21, 50, 22, 9);
  assert.equal(javaPerfDate(t), "2026-11-21 21:50:22:009");
  process.env.TZ = "Asia/Kolkata";
  try {
    assert.equal(javaPerfDate(t), "2026-11-22 03:20:22:009");
  } finally {
    process.env.TZ = "UTC";
  }
});

// --- which scenarios print --------------------------------------------------------------------

function runOf(...scenarios: StoredScenario[]): StoredRun {
  return {
    id: 1, suiteName: "kafka-baseline", suiteFile: "/s.yaml", startedAt: Date.UTC(2026, 0, 1), finishedAt: Date.UTC(2026, 0, 1, 0, 1),
    status: "passed", exitCode: 0, scenarios: scenarios.length, tag: null, trials: 1,
    environment: { pipebench: "0.1.0", node: "v20", host: {}, targets: {} },
    suite: {}, thresholds: [], runProbes: [], scenarioResults: scenarios.map((s, i) => ({ ...s, id: i + 1, ordinal: i })),
  };
}

test("only Kafka produce and consume scenarios print; the others are named in one note", () => {
  const q = scenario("trino-count", "duckdb", { type: "query", query: "count" }, result({}));
  const e2e = scenario("e2e", "kafka", { type: "end-to-end" }, result({}));
  const out = renderKafkaPerf(runOf(PRODUCE_20K, q, CONSUME_20K, e2e));
  assert.deepEqual(out.lines, [producerTimingComment(PRODUCE_20K), JAVA_PRODUCER_FINAL_20K, CONSUMER_PERF_HEADER, consumerPerfRow(CONSUME_20K)]);
  assert.deepEqual(out.notes, [
    MIB_NOTE,
    "kafka-perf: skipped 2 scenarios that are not a Kafka produce or consume workload: trino-count (duckdb query), e2e (kafka end-to-end)",
  ]);
  const failed = { ...PRODUCE_20K, result: { ...PRODUCE_20K.result, status: "failed" as const } };
  assert.deepEqual(renderKafkaPerf(runOf(failed)).notes, [MIB_NOTE, "kafka-perf: partial results (the scenario ended early) for produce (failed)"]);
  // Which MB the lines mean is said whenever there are lines: Kafka's is 2^20 bytes, the table's 10^6.
  assert.deepEqual(renderKafkaPerf(runOf(PRODUCE_20K)).notes, [MIB_NOTE]);
  assert.match(MIB_NOTE, /1,048,576 bytes \(MiB\).*1,000,000 bytes/);
  assert.deepEqual(renderKafkaPerf(runOf(q)).notes.filter((n) => n === MIB_NOTE), []);
});

// --- which timing a produce line is -------------------------------------------------------------

test("a # line before each produce summary says whether it is timed as kafka-producer-perf-test or pipebench's own way", () => {
  const withTiming = (timing: string | undefined, load: Record<string, unknown>): StoredScenario => ({
    ...PRODUCE_20K,
    workload: { ...(PRODUCE_20K.workload as Record<string, unknown>), ...(timing === undefined ? {} : { timing }) },
    load,
  });
  assert.equal(
    producerTimingComment(withTiming("producer-perf", { executor: "max", iterations: 20_000 })),
    "# pipebench timing: producer-perf, comparable with kafka-producer-perf-test --throughput -1 " +
      "(records handed to the producer as fast as buffer.memory takes them, each timed from its send to its ack)",
  );
  assert.match(producerTimingComment(withTiming("producer-perf", { executor: "constant-rate", rate: 5000, duration: 60_000 })), /--throughput 5000 /);
  for (const [timing, load, start] of [
    [undefined, { executor: "max" }, "its start"],
    ["pipebench", { executor: "constant-rate", rate: 100, duration: 1000 }, "its intended start"],
  ] as const) {
    assert.equal(
      producerTimingComment(withTiming(timing, load)),
      `# pipebench timing: pipebench's own (executor ${load.executor}, each record timed from ${start} to its ack), ` +
        "not comparable with kafka-producer-perf-test's numbers; set timing: producer-perf on the workload for those",
    );
  }
  // Neither matches the seed's grep: `grep -E "records/sec|MB/sec|latency" | tail -5` finds the summaries alone.
  const out = renderKafkaPerf(runOf(withTiming("producer-perf", { executor: "max" }), PRODUCE_20K)).lines;
  assert.deepEqual(grep(`${out.join("\n")}\n`, SEED_PRODUCER_GREP), [JAVA_PRODUCER_FINAL_20K, JAVA_PRODUCER_FINAL_20K]);
});

// --- the CLI: show and run ----------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), "pipebench-kafka-perf-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("pipebench show --format kafka-perf: the tools' lines on stdout, the note on stderr", async () => {
  const storePath = join(dir, "show.db");
  const store = await ResultsStore.open(storePath);
  const runId = await store.beginRun({
    suiteName: "kafka-baseline", suiteFile: "/s.yaml", startedAt: Date.now(),
    environment: { pipebench: "0.1.0", node: "v20", host: {}, targets: {} }, suite: {},
  });
  const q = scenario("trino-count", "duckdb", { type: "query", query: "count" }, result({}));
  for (const [ordinal, s] of [PRODUCE_300K, CONSUME_20K, q].entries()) {
    await store.saveScenario(runId, { ...s, ordinal, thresholds: [], probes: [] });
  }
  await store.finishRun(runId, "passed", 0, []);
  await store.close();

  const r = await pipebench(["show", "latest", "--format", "kafka-perf", "--store", storePath], { TZ: "UTC" });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    [producerTimingComment(PRODUCE_300K), tail(JAVA_PRODUCER_STDOUT.trimEnd().split("\n"), 1)[0], ...JAVA_CONSUMER_STDOUT.split("\n").slice(1)].join("\n"),
  );
  assert.equal(r.stderr, `${MIB_NOTE}\nkafka-perf: skipped 1 scenario that is not a Kafka produce or consume workload: trino-count (duckdb query)\n`);
  // `2>&1 | grep … | tail -5`, as the seed runs it: still exactly the tool's summary line.
  assert.deepEqual(tail(grep(r.stderr + r.stdout, SEED_PRODUCER_GREP), 5), tail(grep(JAVA_PRODUCER_STDOUT, SEED_PRODUCER_GREP), 1));
});

test("pipebench run --format kafka-perf: no summary table; a non-Kafka suite prints nothing on stdout", async () => {
  const suite = join(dir, "duck.yaml");
  writeFileSync(
    suite,
    `name: duck-only
targets:
  duck: { kind: duckdb }
scenarios:
  one:
    target: duck
    workload: { type: query, sql: "select 1" }
    load: { executor: closed, workers: 1, iterations: 5 }
`,
  );
  const r = await pipebench(["run", "--allow-invalid", suite, "--format", "kafka-perf", "--store", join(dir, "run.db")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^kafka-perf: skipped 1 scenario that is not a Kafka produce or consume workload: one \(duckdb query\)$/m);
  assert.match(r.stderr, /stored as run 1 in .*run\.db/);
  assert.doesNotMatch(r.stderr, /records\/s\s+MB\/s/, "the summary table is not printed anywhere");

  const bad = await pipebench(["show", "latest", "--format", "kafka", "--store", join(dir, "run.db")]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /table, json, kafka-perf/);
});
