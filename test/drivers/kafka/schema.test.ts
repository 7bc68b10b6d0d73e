// The kafka target and workload schemas, and the producer/consumer settings passed through by
// their Kafka names: defaults, accepted spellings, and every mistake reported at its key with a fix.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { z } from "zod";
import { driverSchemas } from "../../../src/drivers/index.js";
import { kafka } from "../../../src/drivers/kafka/index.js";
import { KafkaTargetSchema, KafkaWorkloadSchema } from "../../../src/drivers/kafka/schema.js";
import { CONSUMER_DEFAULTS, PRODUCER_DEFAULTS, PRODUCER_SETTING_NAMES } from "../../../src/drivers/kafka/settings.js";
import { SuiteError } from "../../../src/errors.js";
import { parseSuiteText } from "../../../src/suite/load-suite.js";

function issues(result: z.ZodSafeParseResult<unknown>): { path: string; message: string; fix?: unknown }[] {
  if (result.success) return [];
  return result.error.issues.map((i) => ({
    path: i.path.join("."),
    message: i.message,
    ...("params" in i && i.params !== undefined ? { fix: (i.params as { fix?: unknown }).fix } : {}),
  }));
}

describe("kafka target schema", () => {
  test("brokers as a comma-separated string or a list; settings get the defaults", () => {
    const a = KafkaTargetSchema.parse({ kind: "kafka", brokers: "k1:9092, k2:9093" });
    const b = KafkaTargetSchema.parse({ kind: "kafka", brokers: ["k1:9092", "k2:9093"] });
    assert.deepEqual(a.brokers, ["k1:9092", "k2:9093"]);
    assert.deepEqual(b, a);
    assert.equal(a.clientId, "pipebench");
    assert.deepEqual(a.producer, PRODUCER_DEFAULTS);
    assert.deepEqual(a.consumer, CONSUMER_DEFAULTS);
    assert.deepEqual(a.topics, {});
  });

  test("producer and consumer settings by their Kafka names, as Java properties or YAML values", () => {
    const t = KafkaTargetSchema.parse({
      kind: "kafka",
      brokers: "127.0.0.1:9092",
      producer: { "batch.size": "65536", "linger.ms": 20, acks: "1", "compression.type": "lz4", "enable.idempotence": "false", "buffer.memory": 67108864 },
      consumer: { "fetch.min.bytes": 1024, "auto.offset.reset": "latest", "isolation.level": "read_committed" },
    });
    assert.equal(t.producer.batchSize, 65_536);
    assert.equal(t.producer.lingerMs, 20);
    assert.equal(t.producer.acks, 1);
    assert.equal(t.producer.compression, "lz4");
    assert.equal(t.producer.idempotent, false);
    assert.equal(t.producer.bufferMemory, 67_108_864);
    assert.equal(t.producer.maxInFlight, PRODUCER_DEFAULTS.maxInFlight);
    assert.equal(t.consumer.fetchMinBytes, 1024);
    assert.equal(t.consumer.autoOffsetReset, "latest");
    assert.equal(t.consumer.isolationLevel, "read_committed");
    assert.equal(KafkaTargetSchema.parse({ kind: "kafka", brokers: "h:1", producer: { acks: "all" } }).producer.acks, -1);
  });

  test("an unknown producer setting is rejected at its key, with did-you-mean and the supported list", () => {
    const found = issues(KafkaTargetSchema.safeParse({ kind: "kafka", brokers: "h:9092", producer: { "linger.msec": 5, "batch.size": 1000 } }));
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]?.path, "producer.linger.msec");
    assert.match(found[0]?.message ?? "", /"linger\.msec" is not a producer setting pipebench carries out/);
    const fix = String(found[0]?.fix);
    assert.match(fix, /did you mean "linger\.ms"\?/);
    for (const name of PRODUCER_SETTING_NAMES) assert.ok(fix.includes(name), `${name} missing from: ${fix}`);
  });

  const badValues: [string, Record<string, unknown>, RegExp][] = [
    ["acks", { acks: "2" }, /acks must be 0, 1, all or -1, not "2".*|acks: all/],
    ["linger.ms", { "linger.ms": -1 }, /linger\.ms must be an integer from 0 to 60000/],
    ["compression.type", { "compression.type": "brotli" }, /one of none, gzip, snappy, lz4, zstd/],
    ["enable.idempotence", { "enable.idempotence": "yes" }, /true or false/],
  ];
  for (const [name, producer, message] of badValues) {
    test(`a bad ${name} value says what it must be, with the default as the fix`, () => {
      const found = issues(KafkaTargetSchema.safeParse({ kind: "kafka", brokers: "h:9092", producer }));
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.equal(found[0]?.path, `producer.${name}`);
      assert.match(found[0]?.message ?? "", message);
      assert.match(String(found[0]?.fix), /\(the default\)$/);
    });
  }

  test("an unknown consumer setting is rejected the same way", () => {
    const found = issues(KafkaTargetSchema.safeParse({ kind: "kafka", brokers: "h:9092", consumer: { "max.poll.records": 500 } }));
    assert.equal(found[0]?.path, "consumer.max.poll.records");
    assert.match(String(found[0]?.fix), /the supported consumer settings are: fetch\.min\.bytes/);
  });

  test("a broker without a port, or with a scheme, is not an address", () => {
    for (const brokers of ["kafka-1", "PLAINTEXT://kafka-1:9092", "h:99999", ""]) {
      const found = issues(KafkaTargetSchema.safeParse({ kind: "kafka", brokers }));
      assert.ok(found.length >= 1, brokers);
      assert.equal(found[0]?.path, "brokers");
    }
  });

  test("topics to create: partitions, replication factor, configs as strings", () => {
    const t = KafkaTargetSchema.parse({ kind: "kafka", brokers: "h:1", topics: { metrics: { partitions: 6, replicationFactor: 3, config: { "retention.ms": 3600000 } } } });
    assert.deepEqual(t.topics.metrics, { partitions: 6, replicationFactor: 3, config: { "retention.ms": "3600000" } });
  });
});

describe("kafka workload schema", () => {
  test("produce: random bytes by default, acks by name", () => {
    const w = KafkaWorkloadSchema.parse({ type: "produce", topic: "t", recordSize: 1024, acks: "all" });
    assert.deepEqual(w, { type: "produce", topic: "t", recordSize: 1024, seed: 1, acks: -1, producers: 1 });
  });

  test("produce: recordSize and generator together is one issue with a fix", () => {
    const found = issues(KafkaWorkloadSchema.safeParse({ type: "produce", topic: "t", recordSize: 10, generator: "server-metrics" }));
    assert.equal(found.length, 1);
    assert.equal(found[0]?.path, "generator");
    assert.equal(typeof found[0]?.fix, "string");
  });

  test("produce: a key template naming a field the generator lacks is caught by checkWorkload", () => {
    const target = KafkaTargetSchema.parse({ kind: "kafka", brokers: "h:1" });
    const w = KafkaWorkloadSchema.parse({ type: "produce", topic: "t", generator: "server-metrics", key: "{metric}:{host}" });
    const problem = kafka.checkWorkload?.(target, w, "k");
    assert.equal(problem?.path, "key");
    assert.match(problem?.message ?? "", /\{metric\}/);
    assert.match(problem?.fix ?? "", /\{metric_name\}/);
    const ok = KafkaWorkloadSchema.parse({ type: "produce", topic: "t", generator: "server-metrics", key: "{metric_name}:{host}" });
    assert.equal(kafka.checkWorkload?.(target, ok, "k"), undefined);
  });

  test("consume: one member, one record per operation, from the beginning unless told", () => {
    const w = KafkaWorkloadSchema.parse({ type: "consume", topic: "t" });
    assert.deepEqual(w, { type: "consume", topic: "t", consumers: 1, recordsPerOp: 1 });
  });

  test("an illegal topic name says what is legal", () => {
    const found = issues(KafkaWorkloadSchema.safeParse({ type: "consume", topic: "a topic" }));
    assert.equal(found[0]?.path, "topic");
    assert.match(String(found[0]?.fix), /letters, digits/);
  });
});

describe("a suite with a misspelt producer setting", () => {
  test("fails to load with the file, line, the key and the supported settings", () => {
    const text = [
      "name: k",
      "targets:",
      "  k:",
      "    kind: kafka",
      "    brokers: 127.0.0.1:9092",
      "    producer:",
      "      batch.size: 65536",
      "      lingerms: 5",
      "scenarios:",
      "  p:",
      "    target: k",
      "    workload: { type: produce, topic: t }",
      "    load: { executor: max, iterations: 10 }",
    ].join("\n");
    const error = (() => {
      try {
        parseSuiteText(text, "suite.yaml", { env: {} }, driverSchemas);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(error instanceof SuiteError, String(error));
    const issue = error.issues[0];
    assert.equal(issue?.line, 8);
    assert.equal(issue?.path, "targets.k.producer.lingerms");
    assert.match(issue?.fix ?? "", /did you mean "linger\.ms"\? the supported producer settings are: acks, batch\.size, linger\.ms/);
  });
});

describe("timing: producer-perf", () => {
  const loadSuite = (workload: string, load: string): unknown => {
    const text = [
      "name: k",
      "targets:",
      "  k: { kind: kafka, brokers: 127.0.0.1:9092 }",
      "scenarios:",
      "  p:",
      "    target: k",
      `    workload: ${workload}`,
      `    load: ${load}`,
    ].join("\n");
    try {
      return parseSuiteText(text, "suite.yaml", { env: {} }, driverSchemas);
    } catch (e) {
      return e;
    }
  };

  test("loads with max (--throughput -1) and constant-rate (--throughput N)", () => {
    for (const load of ["{ executor: max, iterations: 10 }", "{ executor: constant-rate, rate: 100, duration: 1s }"]) {
      const loaded = loadSuite("{ type: produce, topic: t, recordSize: 100, timing: producer-perf }", load);
      assert.ok(!(loaded instanceof Error), String(loaded));
    }
  });

  test("a load the tool has no counterpart for, and one setting its own concurrency, are reported at timing with a fix", () => {
    const cases: [string, RegExp, RegExp][] = [
      ["{ executor: closed, workers: 2, iterations: 10 }", /which the closed executor cannot/, /executor: max, iterations: N \}/],
      ["{ executor: ramp, from: 1, to: 10, duration: 1s }", /which the ramp executor cannot/, /--throughput R/],
      ["{ executor: max, concurrency: 100, iterations: 10 }", /but the load sets concurrency: 100/, /remove load\.concurrency/],
    ];
    for (const [load, message, fix] of cases) {
      const error = loadSuite("{ type: produce, topic: t, timing: producer-perf }", load);
      assert.ok(error instanceof SuiteError, `${load}: ${String(error)}`);
      assert.equal(error.issues.length, 1, load);
      assert.equal(error.issues[0]?.path, "scenarios.p.workload.timing");
      assert.equal(error.issues[0]?.line, 7);
      assert.match(error.issues[0]?.message ?? "", message);
      assert.match(error.issues[0]?.fix ?? "", fix);
    }
  });

  test("generated records, several producers and an unknown timing are each one issue with a fix", () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ generator: "server-metrics" }, "generator", /random bytes of recordSize, as kafka-producer-perf-test --record-size does/],
      [{ producers: 2 }, "producers", /runs one producer, as kafka-producer-perf-test does \(producers is 2\)/],
    ];
    for (const [extra, path, message] of cases) {
      const found = issues(KafkaWorkloadSchema.safeParse({ type: "produce", topic: "t", timing: "producer-perf", ...extra }));
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.equal(found[0]?.path, path);
      assert.match(found[0]?.message ?? "", message);
      assert.equal(typeof found[0]?.fix, "string");
    }
    const unknown = issues(KafkaWorkloadSchema.safeParse({ type: "produce", topic: "t", timing: "java" }));
    assert.equal(unknown[0]?.path, "timing");
  });

  test("the settings the producer runs with: the Java client's batch.size unless the target sets one", async () => {
    const { producerPerfSettings, recordsInBuffer } = await import("../../../src/drivers/kafka/producer-perf.js");
    const plain = KafkaTargetSchema.parse({ kind: "kafka", brokers: "h:1" }).producer;
    assert.equal(producerPerfSettings(plain).batchSize, 16_384);
    assert.equal(producerPerfSettings(plain).lingerMs, 5);
    assert.equal(producerPerfSettings(plain).bufferMemory, 32 * 1024 * 1024);
    const set = KafkaTargetSchema.parse({ kind: "kafka", brokers: "h:1", producer: { "batch.size": 1_000_000 } }).producer;
    assert.equal(producerPerfSettings(set).batchSize, 1_000_000);
    // 32 MiB in 16 KiB batches of 100-byte records: 2,048 batches of 136, plus the batch that waits for room.
    assert.equal(recordsInBuffer(32 * 1024 * 1024, 16_384, 100), 2_049 * 136);
  });
});
