// suites/kafka-baseline.yaml (seed 000, Day 6 Task 1) as the README runs it, against this file's
// own broker (scripts/kafka-local) with smaller counts: it loads, runs both scenarios, prints
// seed 000's target table (producer > 50,000 rec/s, p95 < 5 ms, consumer > 100,000 rec/s, each
// ✓ or ✗ with its measured value) and exits by the verdict; and the seed's
// `grep -E "records/sec|MB/sec|latency"` pulls the same fields from `--format kafka-perf` as from
// Kafka's own ProducerPerformance. suites/kafka-metrics.yaml (seed 004) loads and runs briefly.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import zlib from "node:zlib";
import { after, test } from "node:test";
import { useKafkaBroker } from "../helpers/kafka.js";
import { pipebench, type CliResult } from "./helpers.js";

const broker = useKafkaBroker();
const dir = mkdtempSync(join(tmpdir(), "pipebench-kafka-suites-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, "results.db");
const RECORDS = 20_000;

/** The seed's `grep -E "records/sec|MB/sec|latency"`. */
const grepSeed = (text: string): string[] => text.split("\n").filter((line) => /records\/sec|MB\/sec|latency/.test(line));
/** A line's words with every number replaced: what a script that cuts fields relies on. */
const shape = (line: string): string => line.replace(/-?\d+(\.\d+)?/g, "#");

test("kafka-baseline runs and prints seed 000's target table", { timeout: 60_000 }, async () => {
  const r = await pipebench(
    [
      "run", "--allow-invalid", "suites/kafka-baseline.yaml", "--store", store,
      "--set", `scenarios.producer.load.iterations=${RECORDS}`,
      "--set", `scenarios.consumer.load.iterations=${RECORDS}`,
    ],
    { KAFKA_BOOTSTRAP: broker.bootstrap },
    50_000,
  );
  const context = `exit ${r.code}\n${r.stderr}\n${r.stdout}`;
  assert.ok(r.code === 0 || r.code === 1, context);
  // Progress and the driver's log lines go to stderr, the summary to stdout.
  const log = r.stderr + r.stdout;
  assert.match(log, /created topic commodities: 3 partitions/, context);
  assert.match(log, /group \S+, 3 members over 3 partitions/, context);
  // The summary rows: every record produced and consumed, no errors.
  assert.match(r.stdout, new RegExp(`^producer\\s+kafka\\s+max ×\\S+(?: \\(auto\\))?\\s+${RECORDS.toLocaleString("en-US")}\\s.*\\s0$`, "m"), context);
  assert.match(r.stdout, new RegExp(`^consumer\\s+kafka\\s+max ×\\S+(?: \\(auto\\))?\\s+${RECORDS.toLocaleString("en-US")}\\s.*\\s0$`, "m"), context);
  // Seed 000's targets, each with its verdict and measured value.
  assert.match(r.stdout, /[✓✗] throughput > 50000\/s\s+[\d,]+\/s/, context);
  assert.match(r.stdout, /[✓✗] p95 < 5ms\s+[\d.,]+(µs|ms|s)/, context);
  assert.match(r.stdout, /[✓✗] throughput > 100000\/s\s+[\d,]+\/s/, context);
  assert.equal(r.code === 0, !/✗/.test(r.stdout), "exit 0 exactly when every target passed");
  // 1.3 kafka-topics --describe --topic commodities, from the kafka-admin probe.
  assert.match(r.stdout, /^kafka topic commodities: 3 partitions, replication factor 1, leaders per broker \d+:3, under-replicated 0$/m, context);
  assert.match(r.stdout, /^ {2}partition 2 {2}leader \d+ {2}replicas \d+ {2}isr \d+$/m, context);
});

test("the seed's grep finds the same fields in --format kafka-perf as in ProducerPerformance's output", { timeout: 60_000 }, async () => {
  const ours = await pipebench(["show", "latest", "--store", store, "--format", "kafka-perf"]);
  assert.equal(ours.code, 0, ours.stderr);
  const java = await broker.perfProducer([
    "--topic", "commodities-java", "--num-records", String(RECORDS), "--record-size", "1024", "--throughput", "-1",
    "--producer-props", `bootstrap.servers=${broker.bootstrap}`, "acks=all",
  ]);
  const oursLines = grepSeed(ours.stdout);
  const javaFinal = grepSeed(java.stdout).at(-1) ?? "";
  assert.equal(oursLines.length, 1, ours.stdout); // the producer's summary (the consumer's CSV has "MB.sec", not "MB/sec")
  assert.match(oursLines[0]!, new RegExp(`^${RECORDS} records sent, `));
  assert.equal(shape(oursLines[0]!), shape(javaFinal), `pipebench: ${oursLines[0]}\nJava:      ${javaFinal}`);
  // The consumer's CSV, as kafka-consumer-perf-test prints it.
  assert.match(ours.stdout, /^start\.time, end\.time, data\.consumed\.in\.MB, MB\.sec, data\.consumed\.in\.nMsg, nMsg\.sec, /m);
  assert.match(ours.stdout, new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\S+, \\d{4}-\\d\\d-\\d\\d \\S+, [\\d.]+, [\\d.]+, ${RECORDS}, `, "m"));
});

test("kafka-metrics (seed 004) runs briefly: JSON metrics keyed metric_name:host, error rate and p99 judged", { timeout: 40_000 }, async () => {
  const r = await pipebench(
    ["run", "--allow-invalid", "suites/kafka-metrics.yaml", "--store", store, "--duration", "5", "--set", "scenarios.metrics-producer.load.warmup=0s"],
    { KAFKA_BOOTSTRAP: broker.bootstrap },
    30_000,
  );
  const context = `exit ${r.code}\n${r.stderr}\n${r.stdout}`;
  assert.ok(r.code === 0 || r.code === 1, context);
  assert.match(r.stderr + r.stdout, /created topic metrics-raw: 20 partitions/, context);
  assert.match(r.stdout, /^metrics-producer\s+kafka\s+max ×\S+(?: \(auto\))?\s+[\d,]+\s.*\s0$/m, context);
  assert.match(r.stdout, /[✓✗] error_rate < 1%\s+\d/, context);
  assert.match(r.stdout, /[✓✗] p99 < 50ms\s+[\d.,]+(µs|ms|s)/, context);
  // Seed 004's peak and average throughput.
  const m = /^ {4}throughput {2}average ([\d,]+)\/s · peak ([\d,]+)\/s \(best second\)$/m.exec(r.stdout);
  assert.ok(m, context);
  assert.ok(Number(m[2]!.replace(/,/g, "")) >= Number(m[1]!.replace(/,/g, "")), context);
});

// A suite mistake is the suite's, not the target's (issue 11, part 6; the PostgreSQL, DuckDB and
// HTTP cases are in suite-mistakes.test.ts): exit 2 with a hint, not exit 3 blaming the broker.
// On this file's broker, each against a store of its own.
async function mistake(name: string, body: string): Promise<{ r: CliResult; stored: StoredMistake | undefined; context: string }> {
  const file = join(dir, `${name}.yaml`);
  const mistakes = join(dir, `${name}.db`);
  writeFileSync(file, `name: ${name}\ntargets:\n  kafka:\n    kind: kafka\n    brokers: \${KAFKA_BOOTSTRAP}\n${body}`);
  const r = await pipebench(["run", file, "--store", mistakes], { KAFKA_BOOTSTRAP: broker.bootstrap }, 50_000);
  const shown = await pipebench(["show", "latest", "--store", mistakes, "--format", "json"]);
  return { r, stored: shown.code === 0 ? (JSON.parse(shown.stdout) as StoredMistake) : undefined, context: `exit ${r.code}\n${r.stderr}\n${r.stdout}` };
}

interface StoredMistake {
  status: string;
  exitCode: number;
  scenarioResults: { name: string; result: { status: string; records: number } }[];
}

test("a consume of a topic that does not exist: exit 2, the topic named, the hint says how to make it; the scenario before it kept", { timeout: 60_000 }, async () => {
  const { r, stored, context } = await mistake(
    "consume-missing",
    `scenarios:
  first:
    target: kafka
    workload: { type: produce, topic: mistakes-first, recordSize: 100 }
    load: { executor: closed, workers: 1, iterations: 100 }
  read:
    target: kafka
    workload: { type: consume, topic: no-such-topic }
    load: { executor: closed, workers: 1, iterations: 10 }
`,
  );
  assert.equal(r.code, 2, context);
  assert.match(r.stdout, /^scenario read \(target kafka\): topic no-such-topic does not exist$/m, context);
  assert.match(r.stdout, /^ {2}hint: check scenarios\.read\.workload\.topic; produce to it in an earlier scenario, or list it under the target's topics:/m, context);
  assert.equal(stored?.status, "error", context);
  assert.equal(stored?.exitCode, 2, context);
  assert.deepEqual(stored?.scenarioResults.map((s) => [s.name, s.result.status, s.result.records]), [["first", "completed", 100]]);
});

test("enable.idempotence with acks 1: exit 2, the hint says which setting to change", { timeout: 60_000 }, async () => {
  const { r, context } = await mistake(
    "idempotence-acks",
    `    producer: { enable.idempotence: true }
scenarios:
  write:
    target: kafka
    workload: { type: produce, topic: mistakes-acks, recordSize: 100, acks: 1 }
    load: { executor: closed, workers: 1, iterations: 10 }
`,
  );
  assert.equal(r.code, 2, context);
  assert.match(r.stdout, /^scenario write \(target kafka\): enable\.idempotence needs acks=all, but this workload has acks=1$/m, context);
  assert.match(r.stdout, /^ {2}hint: set acks: all .*or enable\.idempotence: false/m, context);
});

test("compression.type zstd on a Node.js without zstd: exit 2, the hint names the other codecs", { timeout: 60_000, skip: "zstdCompressSync" in zlib ? "this Node.js has zstd" : false }, async () => {
  const { r, context } = await mistake(
    "zstd-old-node",
    `    producer: { compression.type: zstd }
scenarios:
  write:
    target: kafka
    workload: { type: produce, topic: mistakes-zstd, recordSize: 100 }
    load: { executor: closed, workers: 1, iterations: 10 }
`,
  );
  assert.equal(r.code, 2, context);
  assert.match(r.stdout, /compression\.type zstd needs Node\.js 22\.15 or newer/, context);
  assert.match(r.stdout, /^ {2}hint: set compression\.type under the target's producer: to lz4, snappy or gzip/m, context);
});

test("a topic with a replication factor beyond the brokers: exit 2 at connect, nothing stored", { timeout: 60_000 }, async () => {
  const { r, stored, context } = await mistake(
    "replication-factor",
    `    topics: { mistakes-rf: { partitions: 1, replicationFactor: 3 } }
scenarios:
  write:
    target: kafka
    workload: { type: produce, topic: mistakes-rf, recordSize: 100 }
    load: { executor: closed, workers: 1, iterations: 10 }
`,
  );
  assert.equal(r.code, 2, context);
  assert.match(r.stderr, /^error: targets\.kafka\.topics: cannot create topic mistakes-rf: .*replication factor/im, context);
  assert.match(r.stderr, /^ {2}hint: check the topic's partitions, replicationFactor/m, context);
  assert.equal(stored, undefined, "no run stored: the suite was refused at connect");
});
