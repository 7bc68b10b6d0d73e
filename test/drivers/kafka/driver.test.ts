// The kafka driver against a real broker (scripts/kafka-local, one per file): produced and consumed
// counts are exact through the engine, generated records carry seed 004's key, and the kafka-admin
// probe reports partitions and lag. (Unreachable brokers: unreachable.test.ts, which needs none.)
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { after, describe, test } from "node:test";
import { Admin, Consumer, ListOffsetTimestamps, Producer } from "@platformatic/kafka";
import type { ConnectContext, Connection } from "../../../src/drivers/driver.js";
import { kafka } from "../../../src/drivers/kafka/index.js";
import type { KafkaWorkload } from "../../../src/drivers/kafka/schema.js";
import { runScenario } from "../../../src/engine/run-scenario.js";
import { LoadProfile } from "../../../src/engine/load.js";
import { UsageError } from "../../../src/errors.js";
import { useKafkaBroker } from "../../helpers/kafka.js";
import { driverContract } from "../contract.js";

/** Every codec Kafka has; zstd from Node.js 22.15 (the floor is 22.19: on an older Node it is left out). */
const CODECS = ["gzip", "snappy", "lz4", ...("zstdCompressSync" in zlib ? (["zstd"] as const) : []), "none"] as const;

const broker = useKafkaBroker();

driverContract({
  driver: kafka,
  target: () => ({ kind: "kafka", brokers: broker.bootstrap }),
  workload: { type: "produce", topic: "contract-topic", recordSize: 100 },
  unreachable: (port) => ({ kind: "kafka", brokers: `127.0.0.1:${port}` }),
});

const lines: string[] = [];
const ctx: ConnectContext = { name: "k", suiteDir: process.cwd(), log: (line) => lines.push(line), resolveRef: () => undefined };
const workload = (input: Record<string, unknown>): KafkaWorkload => kafka.workloadSchema.parse(input);
const load = (input: Record<string, unknown>) => LoadProfile.parse(input);

// Made on first use inside a test (the broker's `before` hook must have run), closed after the file.
let connecting: Promise<{ connection: Connection<KafkaWorkload>; admin: Admin }> | undefined;
function cluster(): Promise<{ connection: Connection<KafkaWorkload>; admin: Admin }> {
  connecting ??= (async () => ({
    connection: await kafka.connect(
      kafka.targetSchema.parse({
        kind: "kafka",
        brokers: broker.bootstrap,
        // Quick rebalances: members that joined first learn of later ones at their next heartbeat.
        consumer: { "heartbeat.interval.ms": 200 },
        topics: { "made-at-connect": { partitions: 2, config: { "retention.ms": 3_600_000 } } },
      }),
      ctx,
    ),
    admin: new Admin({ clientId: "test", bootstrapBrokers: [broker.bootstrap] }),
  }))();
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

async function run(w: KafkaWorkload, profile: Record<string, unknown>, scenario = "s") {
  const { connection } = await cluster();
  const prepared = await connection.prepare(w, scenario);
  try {
    return await runScenario({
      load: load(profile),
      operation: prepared.run,
      ...(prepared.concurrencyHint === undefined ? {} : { concurrencyHint: prepared.concurrencyHint }),
    });
  } finally {
    await prepared.close?.();
  }
}

describe("connect", () => {
  test("reports the cluster and the bootstrap address, and creates the target's topics", async () => {
    const { connection, admin } = await cluster();
    assert.match(connection.info.version ?? "", /^Apache Kafka, cluster \S+, 1 broker \(Produce v\d+, Fetch v\d+\)$/);
    assert.equal(connection.info.url, broker.bootstrap);
    const metadata = await admin.metadata({ topics: ["made-at-connect"] });
    assert.equal(metadata.topics.get("made-at-connect")?.partitionsCount, 2);
    assert.ok(lines.some((l) => /created topic made-at-connect: 2 partitions, replication factor 1/.test(l)), lines.join("\n"));
  });
});

describe("produce and consume", () => {
  const topic = "exact";

  test("max, iterations 10,000: exactly 10,000 records land, over 3 partitions", async () => {
    const { admin } = await cluster();
    const result = await run(workload({ type: "produce", topic, recordSize: 100, partitions: 3 }), { executor: "max", iterations: 10_000 });
    assert.equal(result.status, "completed");
    assert.equal(result.errors, 0, JSON.stringify(result.errorSamples));
    assert.equal(result.records, 10_000);
    assert.equal(result.bytes, 1_000_000);
    assert.equal(await recordsIn(topic), 10_000);
    const metadata = await admin.metadata({ topics: [topic] });
    assert.equal(metadata.topics.get(topic)?.partitionsCount, 3);
  });

  test("three producers in parallel: exactly 9,000 records land, none twice", async () => {
    const result = await run(
      workload({ type: "produce", topic: "three-producers", recordSize: 50, partitions: 3, producers: 3 }),
      { executor: "max", iterations: 9_000 },
    );
    assert.equal(result.status, "completed");
    assert.equal(result.errors, 0, JSON.stringify(result.errorSamples));
    assert.equal(result.records, 9_000);
    assert.equal(await recordsIn("three-producers"), 9_000);
  });

  test("consume, one record per operation: exactly 10,000 records, the group's lag ends at 0, the join time is a counter", async () => {
    const { connection } = await cluster();
    const probe = connection.probe?.("kafka-admin");
    assert.ok(probe);
    const prepared = await connection.prepare(workload({ type: "consume", topic }), "consume-all");
    const before = await probe.read();
    const result = await runScenario({ load: load({ executor: "max", concurrency: 1, iterations: 10_000 }), operation: prepared.run, observe: prepared });
    await prepared.close?.();
    const after = await probe.read();
    assert.equal(result.status, "completed");
    assert.equal(result.errors, 0, JSON.stringify(result.errorSamples));
    assert.equal(result.records, 10_000);
    assert.equal(result.bytes, 1_000_000);
    const reading = probe.summarize(before, after);
    assert.equal(reading.metrics.consumer_lag, 0);
    assert.equal(before.values.consumer_lag, 10_000, "nothing committed yet: all of it is lag");
    // The group's join, for --format kafka-perf's rebalance.time.ms.
    assert.equal(typeof result.counters?.rebalance_time_ms, "number");
  });

  test("two members of one group, 50 records per operation: 200 operations take exactly 10,000", async () => {
    const result = await run(workload({ type: "consume", topic, consumers: 2, recordsPerOp: 50 }), { executor: "max", concurrency: 4, iterations: 200 }, "two");
    assert.equal(result.errors, 0, JSON.stringify(result.errorSamples));
    assert.equal(result.ops, 200);
    assert.equal(result.records, 10_000);
    assert.ok(lines.some((l) => /consume exact: group pipebench-two-\w+, 2 members over 3 partitions, joined and assigned in \d+ ms/.test(l)), lines.join("\n"));
  });

  test("generated records: seed 004's JSON metrics keyed metric_name:host", async () => {
    const result = await run(workload({ type: "produce", topic: "metrics", generator: "server-metrics", partitions: 2 }), { executor: "max", iterations: 1_000 });
    assert.equal(result.records, 1_000);
    assert.equal(await recordsIn("metrics"), 1_000);
    const consumer = new Consumer({ clientId: "test", groupId: "check-metrics", bootstrapBrokers: [broker.bootstrap] });
    try {
      const stream = await consumer.consume({ topics: ["metrics"], mode: "earliest" });
      for await (const message of stream) {
        const record = JSON.parse(message.value.toString()) as Record<string, unknown>;
        assert.equal(message.key.toString(), `${String(record.metric_name)}:${String(record.host)}`);
        assert.match(String(record.host), /^server-\d{6}$/);
        assert.equal(typeof record.value, "number");
        assert.ok(typeof record.labels === "object" && record.labels !== null);
        break;
      }
      await stream.close();
    } finally {
      await consumer.close(true);
    }
  });

  test("consume counts records and key + value bytes exactly in compressed batches, null keys and headers included", async () => {
    const { admin } = await cluster();
    await admin.createTopics({ topics: ["compressed"], partitions: 2, replicas: 1 });
    // A just-created topic's leaders answer after a moment (the driver waits likewise, see decisions).
    for (let tries = 0; ; tries++) {
      try {
        await recordsIn("compressed");
        break;
      } catch (error) {
        if (tries > 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const producer = new Producer({ clientId: "test", bootstrapBrokers: [broker.bootstrap], acks: -1 });
    let bytes = 0;
    try {
      for (const [round, compression] of CODECS.entries()) {
        const messages = Array.from({ length: 500 }, (_, i) => {
          const key = i % 4 === 0 ? undefined : Buffer.alloc((i * 13 + round) % 90, 1);
          const value = Buffer.alloc((i * 37 + round * 11) % 3_000, 2);
          bytes += (key?.length ?? 0) + value.length;
          return { topic: "compressed", partition: i % 2, value, ...(key === undefined ? {} : { key }), ...(i % 3 === 0 ? { headers: new Map([[Buffer.from("h"), Buffer.from("v")]]) } : {}) };
        });
        await producer.send({ messages, compression });
      }
    } finally {
      await producer.close();
    }
    assert.equal(await recordsIn("compressed"), 500 * CODECS.length);
    const result = await run(workload({ type: "consume", topic: "compressed", recordsPerOp: 10 }), { executor: "max", concurrency: 2, iterations: 50 * CODECS.length }, "compressed");
    assert.equal(result.errors, 0, JSON.stringify(result.errorSamples));
    assert.equal(result.records, 500 * CODECS.length);
    assert.equal(result.bytes, bytes);
  });

  test("a group's committed offset below the log's start (retention) restarts there, without rereading", { timeout: 60_000 }, async () => {
    const produced = await run(workload({ type: "produce", topic: "truncated", recordSize: 100, partitions: 1 }), { executor: "max", iterations: 1_000 });
    assert.equal(produced.records, 1_000);
    const group = "pipebench-truncated";
    // 100 records consumed and committed at close; then retention deletes the first 500.
    const first = await run(workload({ type: "consume", topic: "truncated", group, recordsPerOp: 100 }), { executor: "closed", workers: 1, iterations: 1 }, "first");
    assert.equal(first.records, 100);
    const { admin } = await cluster();
    await admin.deleteRecords({ topics: [{ name: "truncated", partitions: [{ partition: 0, offset: 500n }] }] });
    // The committed 100 is off the log: the fetch is out of range, and the reset policy (earliest)
    // says 500. Before, the member went back to 100 and asked again, for ever.
    const rest = await run(workload({ type: "consume", topic: "truncated", group, recordsPerOp: 100 }), { executor: "closed", workers: 1, iterations: 5, duration: 20_000 }, "rest");
    assert.equal(rest.errors, 0, JSON.stringify(rest.errorSamples));
    assert.equal(rest.records, 500);
  });

  test("a missing topic to consume is a suite mistake, named, the hint saying what to do", async () => {
    const { connection } = await cluster();
    await assert.rejects(connection.prepare(workload({ type: "consume", topic: "no-such-topic" }), "missing"), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.message, "topic no-such-topic does not exist");
      assert.match(error.hint ?? "", /^check scenarios\.missing\.workload\.topic; produce to it in an earlier scenario/);
      return true;
    });
  });
});

describe("kafka-admin probe", () => {
  test("reports partitions, leaders, broker settings and a group's lag after a partial consume", async () => {
    const topic = "lagging";
    const { connection } = await cluster();
    await run(workload({ type: "produce", topic, recordSize: 10, partitions: 4 }), { executor: "max", iterations: 2_000 });
    const probe = connection.probe?.("kafka-admin");
    assert.ok(probe);
    const before = await probe.read();
    await run(workload({ type: "consume", topic, group: "half-way", recordsPerOp: 100 }), { executor: "max", concurrency: 1, iterations: 5 });
    await run(workload({ type: "produce", topic, recordSize: 10 }), { executor: "max", iterations: 300 });
    const after = await probe.read();
    const reading = probe.summarize(before, after);
    assert.equal(reading.metrics.under_replicated_partitions, 0);
    assert.equal(reading.metrics.offline_partitions, 0);
    assert.equal(reading.metrics.brokers, 1);
    assert.equal(reading.metrics.records_in, 300);
    const details = reading.details as {
      topics: { topic: string; partitions: { leader: number; isr: number[] }[] }[];
      consumerGroups: { group: string; lag: number; partitions: { lag: number | null }[] }[];
      brokerSettings: Record<string, Record<string, string | null>>;
      apiVersions: { name: string }[];
    };
    const lagging = details.topics.find((t) => t.topic === topic);
    assert.equal(lagging?.partitions.length, 4);
    assert.ok(lagging?.partitions.every((p) => p.leader === 1 && p.isr.join() === "1"));
    // 2,300 records, 500 delivered and committed: 1,800 behind.
    const group = details.consumerGroups.find((g) => g.group === "half-way");
    assert.equal(group?.lag, 1_800, JSON.stringify(details.consumerGroups) + JSON.stringify(details.topics.find((t) => t.topic === topic)));
    assert.equal(group?.partitions.length, 4);
    assert.ok((reading.metrics.consumer_lag ?? 0) >= 1_800);
    assert.equal(details.brokerSettings["1"]?.["num.io.threads"], "8");
    assert.ok("log.flush.interval.messages" in (details.brokerSettings["1"] ?? {}));
    assert.ok(details.apiVersions.some((a) => a.name === "Produce"));
  });
});
