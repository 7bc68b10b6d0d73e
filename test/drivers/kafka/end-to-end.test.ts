// The end-to-end workload against a real broker (scripts/kafka-local): records produced at a rate
// are consumed in the same scenario; the end_to_end histogram counts every record, and the
// integrity check catches a sequence number that was really skipped (the broker never got it) and a
// record that was really sent twice (the broker holds two copies).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { Admin, ListOffsetTimestamps } from "@platformatic/kafka";
import type { ConnectContext, Connection, PreparedWorkload } from "../../../src/drivers/driver.js";
import { kafka } from "../../../src/drivers/kafka/index.js";
import { prepareEndToEnd, type EndToEndFaults } from "../../../src/drivers/kafka/end-to-end.js";
import type { EndToEndWorkload, KafkaTarget, KafkaWorkload } from "../../../src/drivers/kafka/schema.js";
import { runScenario } from "../../../src/engine/run-scenario.js";
import { LoadProfile } from "../../../src/engine/load.js";
import { useKafkaBroker } from "../../helpers/kafka.js";
import { pipebench } from "../../cli/helpers.js";

const broker = useKafkaBroker();

const lines: string[] = [];
const ctx: ConnectContext = { name: "k", suiteDir: process.cwd(), log: (line) => lines.push(line), resolveRef: () => undefined };
const workload = (input: Record<string, unknown>): KafkaWorkload => kafka.workloadSchema.parse(input);
const load = (input: Record<string, unknown>) => LoadProfile.parse(input);

let connecting: Promise<{ connection: Connection<KafkaWorkload>; admin: Admin; target: KafkaTarget }> | undefined;
function cluster(): Promise<{ connection: Connection<KafkaWorkload>; admin: Admin; target: KafkaTarget }> {
  connecting ??= (async () => {
    const target = kafka.targetSchema.parse({ kind: "kafka", brokers: broker.bootstrap });
    return {
      target,
      connection: await kafka.connect(target, ctx),
      admin: new Admin({ clientId: "test", bootstrapBrokers: [broker.bootstrap] }),
    };
  })();
  return connecting;
}

after(async () => {
  const made = await connecting?.catch(() => undefined);
  await made?.connection.close();
  await made?.admin.close();
});

/** Records in a topic: the sum of its partitions' log end offsets. */
async function recordsIn(topic: string): Promise<number> {
  const { admin } = await cluster();
  const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
  const partitions = metadata.topics.get(topic)?.partitionsCount ?? 0;
  const listed = await admin.listOffsets({
    topics: [{ name: topic, partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({ partitionIndex, timestamp: ListOffsetTimestamps.LATEST })) }],
  });
  return listed.flatMap((t) => t.partitions).reduce((sum, p) => sum + Number(p.offset), 0);
}

async function run(prepared: PreparedWorkload, profile: Record<string, unknown>, settleTimeoutMs = 10_000) {
  try {
    return await runScenario({ load: load(profile), operation: prepared.run, concurrencyHint: prepared.concurrencyHint ?? 1, observe: prepared, settleTimeoutMs });
  } finally {
    await prepared.close?.();
  }
}

/** A prepared end-to-end workload with test-only faults (the topic must exist: a clean run made it). */
async function withFaults(input: Record<string, unknown>, faults: EndToEndFaults): Promise<PreparedWorkload> {
  const { target } = await cluster();
  return prepareEndToEnd({ target, workload: workload(input) as EndToEndWorkload, scenario: "faulty", log: (line) => lines.push(line), faults });
}

describe("end-to-end", () => {
  const topic = "e2e";

  test("a clean run at 500/s over 3 partitions: every record arrives once, in order; the histogram counts them all", async () => {
    const { connection } = await cluster();
    const prepared = await connection.prepare(workload({ type: "end-to-end", topic, recordSize: 100, partitions: 3 }), "clean");
    assert.equal(prepared.observes, "end_to_end");
    const before = await recordsIn(topic);
    const r = await run(prepared, { executor: "constant-rate", rate: 500, duration: "2s" });
    assert.equal(r.status, "completed", r.failure);
    assert.equal(r.errors, 0, JSON.stringify(r.errorSamples));
    assert.equal(r.records, 1_000);
    assert.equal((await recordsIn(topic)) - before, 1_000);
    assert.deepEqual(r.counters, { lost: 0, duplicated: 0, out_of_order: 0 });
    assert.equal(r.observed?.name, "end_to_end");
    assert.equal(r.observed?.latency.count, 1_000);
    // No latency bound beyond sanity: on a shared 2-core machine the broker's acks alone can take 0.5 s.
    const e2e = r.observed?.latency;
    assert.ok(e2e !== undefined && e2e.min > 0 && e2e.max < 10_000, `end_to_end ${JSON.stringify(e2e)}`);
    assert.ok(lines.some((l) => /end-to-end e2e: 1000 sequence numbers, 0 failed sends, 1000 received, 0 lost, 0 duplicated, 0 out of order/.test(l)), lines.join("\n"));
  });

  test("generated JSON keyed by a field: records go by key hash and still arrive in order per partition", async () => {
    const { connection } = await cluster();
    const prepared = await connection.prepare(workload({ type: "end-to-end", topic: "e2e-keyed", generator: "transactions", key: "{customer_id}", partitions: 4 }), "keyed");
    const r = await run(prepared, { executor: "max", concurrency: 64, iterations: 5_000 });
    assert.equal(r.errors, 0, JSON.stringify(r.errorSamples));
    assert.deepEqual(r.counters, { lost: 0, duplicated: 0, out_of_order: 0 });
    assert.equal(r.observed?.latency.count, 5_000);
  });

  test("a deliberately skipped sequence number: the broker never gets it, and it is counted lost = 1", async () => {
    const before = await recordsIn(topic);
    const prepared = await withFaults({ type: "end-to-end", topic, recordSize: 100 }, { skipSeq: 137 });
    const started = performance.now();
    const r = await run(prepared, { executor: "constant-rate", rate: 500, duration: "1s" }, 20_000);
    // Settle stops waiting once the consumer has read up to the log end: the loss is certain there,
    // not after the 20 s timeout.
    const took = performance.now() - started;
    assert.ok(took < 10_000, `the 1 s scenario and its settle took ${Math.round(took)} ms`);
    assert.equal(r.errors, 0, JSON.stringify(r.errorSamples));
    // 500 operations, 500 records on the broker, numbered 0…500 without 137.
    assert.equal(r.records, 500);
    assert.equal((await recordsIn(topic)) - before, 500);
    assert.deepEqual(r.counters, { lost: 1, duplicated: 0, out_of_order: 0 });
    assert.equal(r.observed?.latency.count, 500);
  });

  test("a deliberately duplicated message: the broker holds two copies, and it is counted duplicated = 1", async () => {
    const before = await recordsIn(topic);
    const prepared = await withFaults({ type: "end-to-end", topic, recordSize: 100 }, { duplicateSeq: 42 });
    const r = await run(prepared, { executor: "constant-rate", rate: 500, duration: "1s" });
    assert.equal(r.errors, 0, JSON.stringify(r.errorSamples));
    assert.equal(r.records, 500);
    assert.equal((await recordsIn(topic)) - before, 501, "the duplicate is really on the broker");
    assert.deepEqual(r.counters, { lost: 0, duplicated: 1, out_of_order: 0 });
    assert.equal(r.observed?.latency.count, 500, "the latency of a duplicate is not recorded twice");
  });
});

describe("end-to-end, out of order", () => {
  test("a record deliberately sent after the next one of its partition: out_of_order = 1, nothing lost or duplicated", async () => {
    const topic = "e2e";
    const before = await recordsIn(topic);
    const prepared = await withFaults({ type: "end-to-end", topic, recordSize: 100 }, { reorderSeq: 60 });
    const r = await run(prepared, { executor: "constant-rate", rate: 500, duration: "1s" });
    assert.equal(r.errors, 0, JSON.stringify(r.errorSamples));
    assert.equal((await recordsIn(topic)) - before, 500);
    assert.deepEqual(r.counters, { lost: 0, duplicated: 0, out_of_order: 1 });
    assert.equal(r.observed?.latency.count, 500);
  });
});

describe("end-to-end workload schema", () => {
  test("defaults, and acks by name", () => {
    const w = workload({ type: "end-to-end", topic: "t", acks: "all" });
    assert.deepEqual(w, { type: "end-to-end", topic: "t", acks: -1, seed: 1 });
  });

  test("recordSize with a generator, or a key without one, is refused with a fix", () => {
    assert.throws(() => workload({ type: "end-to-end", topic: "t", recordSize: 100, generator: "transactions" }), /either random bytes \(recordSize\) or generated JSON/);
    assert.throws(() => workload({ type: "end-to-end", topic: "t", key: "{customer_id}" }), /a key template takes its fields from a generator/);
  });

  test("a key template naming a field the generator lacks is caught by checkWorkload", () => {
    const target = kafka.targetSchema.parse({ kind: "kafka", brokers: "127.0.0.1:9092" });
    const problem = kafka.checkWorkload?.(target, workload({ type: "end-to-end", topic: "t", generator: "transactions", key: "{customer}" }), "k");
    assert.match(problem?.message ?? "", /names \{customer\}, which transactions records do not have/);
  });
});

describe("suites/pipeline-e2e.yaml", () => {
  const dir = mkdtempSync(join(tmpdir(), "pipebench-e2e-suite-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("runs (shortened) and judges seed 001's end-to-end targets and the integrity counts", { timeout: 90_000 }, async () => {
    const r = await pipebench(["run", "--allow-invalid", "suites/pipeline-e2e.yaml", "--duration", "3", "--store", join(dir, "results.db")], { KAFKA_BOOTSTRAP: broker.bootstrap }, 80_000);
    const context = `exit ${r.code}\n${r.stderr}\n${r.stdout}`;
    assert.ok(r.code === 0 || r.code === 1, context);
    assert.match(r.stdout, /end_to_end\s+p50 \S+\s+p95 \S+\s+p99 \S+\s+max \S+\s+\(\d[\d,]* arrived\)/, context);
    assert.match(r.stdout, /lost 0 · duplicated 0 · out_of_order 0/, context);
    for (const line of [/end_to_end\.p50 < 500ms/, /end_to_end\.p95 < 1s/, /end_to_end\.p99 < 2s/]) assert.match(r.stdout, new RegExp(`[✓✗] ${line.source}`), context);
    for (const name of ["lost", "duplicated", "out_of_order"]) assert.match(r.stdout, new RegExp(`✓ ${name} == 0\\s+0`), context);
  });
});
