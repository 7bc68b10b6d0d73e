// The run summary's topic description (seed 000's "describe topic"), from the kafka-admin probe's
// whole-run reading as the probe stores it. The probe itself is tested on a real broker in
// test/drivers/kafka/driver.test.ts; a suite run on one prints this in test/cli/kafka-suites.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { JsonValue } from "../../src/probes/probe.js";
import { renderRunSummary } from "../../src/report/console-summary.js";
import { kafkaTopicLines } from "../../src/report/kafka-topics.js";
import type { StoredProbeReading, StoredRun } from "../../src/store/results-store.js";

const partition = (p: number, leader: number, replicas: number[], isr: number[]): JsonValue => ({ partition: p, leader, replicas, isr, offline: [], startOffset: 0, endOffset: 10 });

const reading = (takenAt: number, topics: JsonValue): StoredProbeReading => ({
  target: "kafka",
  probe: "kafka-admin",
  phase: "interval",
  takenAt,
  reading: { metrics: { partitions: 3 }, details: { cluster: "c", leadersPerBroker: {}, topics }, notes: [] },
});

test("each topic: partitions, replication factor, leaders per broker, under-replicated; a line per partition when few", () => {
  const lines = kafkaTopicLines({
    runProbes: [
      reading(1, [{ topic: "old", partitions: [] }]),
      reading(2, [
        { topic: "orders", partitions: [partition(0, 1, [1, 2, 3], [1, 2, 3]), partition(1, 1, [2, 1, 3], [2, 1]), partition(2, 3, [3, 1, 2], [3, 1, 2])] },
        { topic: "wide", partitions: Array.from({ length: 20 }, (_, p) => partition(p, 1, [1], [1])) },
      ]),
    ],
  });
  assert.deepEqual(lines, [
    "kafka topic orders: 3 partitions, replication factor 3, leaders per broker 1:2 2:0 3:1 (unbalanced), under-replicated 1",
    "  partition 0  leader 1  replicas 1,2,3  isr 1,2,3",
    "  partition 1  leader 1  replicas 2,1,3  isr 2,1",
    "  partition 2  leader 3  replicas 3,1,2  isr 3,1,2",
    "kafka topic wide: 20 partitions, replication factor 1, leaders per broker 1:20, under-replicated 0",
  ]);
});

test("a partition without a leader is offline; nothing is shown without a kafka-admin reading", () => {
  const lines = kafkaTopicLines({ runProbes: [reading(1, [{ topic: "t", partitions: [partition(0, -1, [1], [])] }])] });
  assert.equal(lines[0], "kafka topic t: 1 partition, replication factor 1, leaders per broker 1:0, under-replicated 1, offline 1");
  assert.equal(lines[1], "  partition 0  leader none  replicas 1  isr –");
  assert.deepEqual(kafkaTopicLines({ runProbes: [{ ...reading(1, []), probe: "host" }] }), []);
});

test("the run summary prints it after the scenarios", () => {
  const run: StoredRun = {
    id: 1, suiteName: "kafka-baseline", suiteFile: "/s.yaml", startedAt: Date.UTC(2025, 0, 1), finishedAt: Date.UTC(2025, 0, 1, 0, 1),
    status: "passed", exitCode: 0, scenarios: 0, tag: null, trials: 1,
    environment: { pipebench: "0.1.0", node: "v20", host: { cpuModel: "cpu", cores: 2 }, targets: {} },
    suite: {}, thresholds: [], scenarioResults: [],
    runProbes: [reading(1, [{ topic: "perf-test", partitions: [partition(0, 1, [1], [1])] }])],
  };
  const text = renderRunSummary(run, { color: false });
  assert.match(text, /\n\nkafka topic perf-test: 1 partition, replication factor 1, leaders per broker 1:1, under-replicated 0\n {2}partition 0 {2}leader 1 {2}replicas 1 {2}isr 1/);
});
