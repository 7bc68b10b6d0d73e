// `timing: producer-perf` against a real broker, through the real CLI: records handed to the
// producer until buffer.memory is full and timed from the hand-off (so the records in flight are
// what the buffer holds, as in kafka-producer-perf-test, not the few batches of pipebench's own
// `max`), `--format kafka-perf` saying which timing each produce line is, and consume rows that
// show no latency instead of p50 0µs. Behaviour, not speed: every bound holds on a busy machine.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { useKafkaBroker } from "../../helpers/kafka.js";
import { pipebench, type CliResult } from "../../cli/helpers.js";

const broker = useKafkaBroker();
const dir = mkdtempSync(join(tmpdir(), "pipebench-producer-perf-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, "results.db");

const RECORDS = 150_000;
const BUFFER = 4 * 1024 * 1024;
// What 4 MiB holds as the Java client holds it: 16 KiB batches (batch.size's Java default), each
// ~136-150 records of 100 B.
const BATCHES = BUFFER / 16_384;

const suite = (extra = ""): string => `name: producer-perf
targets:
  kafka:
    kind: kafka
    brokers: \${KAFKA_BOOTSTRAP}
    producer: { buffer.memory: ${BUFFER} }
scenarios:
  perf:
    target: kafka
    workload: { type: produce, topic: perf, recordSize: 100, partitions: 3, timing: producer-perf }
    load: { executor: max, iterations: ${RECORDS} }
  own:
    target: kafka
    workload: { type: produce, topic: own, recordSize: 100, partitions: 3 }
    load: { executor: max, iterations: ${RECORDS} }
  consume:
    target: kafka
    workload: { type: consume, topic: perf, fromBeginning: true }
    load: { executor: max, iterations: ${RECORDS} }
${extra}`;

interface Row {
  records: number;
  throughput: number;
  latency: { count: number; mean: number; p50: number };
}
let run: CliResult;
let rows: Record<string, Row>;
// The suite runs once, inside the first test that needs it (the broker's `before` has run by then).
let ran: Promise<void> | undefined;
function runSuite(): Promise<void> {
  ran ??= (async () => {
    const file = join(dir, "suite.yaml");
    writeFileSync(file, suite());
    run = await pipebench(["run", file, "--allow-invalid", "--store", store, "--format", "json"], { KAFKA_BOOTSTRAP: broker.bootstrap }, 170_000);
    assert.ok(run.code === 0 || run.code === 1, `exit ${run.code}\n${run.stderr}`);
    const json = JSON.parse(run.stdout) as { scenarioResults: { name: string; result: Row }[] };
    rows = Object.fromEntries(json.scenarioResults.map((s) => [s.name, s.result]));
  })();
  return ran;
}

/** Records in flight on average (Little's law): records/s × mean seconds from hand-off to ack. */
const inFlight = (r: Row): number => r.throughput * (r.latency.mean / 1000);

test("producer-perf keeps what buffer.memory holds in flight, each record timed from its hand-off; pipebench's own max keeps a few batches", { timeout: 200_000 }, async () => {
  await runSuite();
  const perf = rows.perf!;
  const own = rows.own!;
  assert.equal(perf.records, RECORDS);
  assert.equal(perf.latency.count, RECORDS, "every record timed");
  const held = inFlight(perf);
  // The buffer fills at once and stays full until the last records drain: on average most of it
  // (a drain of the last bufferful lowers the mean), never more than it holds plus the batch that
  // waits for room.
  assert.ok(held > 0.5 * BATCHES * 136, `${Math.round(held)} records in flight on average, buffer holds ~${BATCHES * 136}\n${run.stderr}`);
  assert.ok(held < 1.1 * (BATCHES + 1) * 150, `${Math.round(held)} records in flight on average, more than the buffer holds`);
  assert.match(run.stderr, new RegExp(`timing producer-perf \\(as kafka-producer-perf-test\\): up to \\d+ records handed over at once \\(buffer\\.memory ${BUFFER}, batch\\.size 16384, linger\\.ms 5, max\\.in\\.flight 5, acks all\\)`));
  // pipebench's own max: its concurrency (2,000 here), far below the buffer: latencies that are not the tool's.
  assert.ok(inFlight(own) < 2_200, `own: ${Math.round(inFlight(own))} records in flight on average`);
  assert.ok(held > 5 * inFlight(own), `producer-perf ${Math.round(held)} vs own ${Math.round(inFlight(own))} records in flight`);
});

test("--format kafka-perf says which timing each produce line is; the seed's grep still finds only the summaries", { timeout: 200_000 }, async () => {
  await runSuite();
  const r = await pipebench(["show", "latest", "--store", store, "--format", "kafka-perf"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.match(lines[0]!, /^# pipebench timing: producer-perf, comparable with kafka-producer-perf-test --throughput -1 /);
  assert.match(lines[1]!, new RegExp(`^${RECORDS} records sent, `));
  assert.match(lines[2]!, /^# pipebench timing: pipebench's own \(executor max, .*\), not comparable with kafka-producer-perf-test's numbers; set timing: producer-perf/);
  assert.match(lines[3]!, new RegExp(`^${RECORDS} records sent, `));
  const grep = lines.filter((l) => /records\/sec|MB\/sec|latency/.test(l));
  assert.deepEqual(grep, [lines[1], lines[3]]);
});

test("a consume row shows no latency, not p50 0µs (its operations take records already fetched)", { timeout: 200_000 }, async () => {
  await runSuite();
  const consume = rows.consume!;
  assert.equal(consume.records, RECORDS);
  assert.equal(consume.latency.count, 0);
  const r = await pipebench(["show", "latest", "--store", store]);
  assert.equal(r.code === 0 || r.code === 1, true, r.stderr);
  const row = r.stdout.split("\n").find((l) => /^consume\s+kafka\s/.test(l)) ?? "";
  assert.match(row, /\s–\s+–\s+–\s+–\s+0$/, r.stdout);
  assert.doesNotMatch(row, /0µs/);
});

test("producer-perf with a load the tool has no counterpart for: exit 2, naming the field and the fix", { timeout: 30_000 }, async () => {
  const file = join(dir, "bad.yaml");
  writeFileSync(
    file,
    suite().replace("load: { executor: max, iterations: 150000 }", "load: { executor: closed, workers: 4, iterations: 10 }"),
  );
  const r = await pipebench(["run", file, "--dry-run", "--store", join(dir, "bad.db")], { KAFKA_BOOTSTRAP: broker.bootstrap });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /scenarios\.perf\.workload\.timing/);
  assert.match(r.stderr, /timing: producer-perf hands records over as kafka-producer-perf-test does, which the closed executor cannot/);
  assert.match(r.stderr, /executor: max, iterations: N\} \(the tool's --throughput -1\)|executor: max, iterations: N } \(the tool's --throughput -1\)/);
});
