// Sweep planning against the real drivers' schemas: keys with dots resolved (Kafka's linger.ms),
// grids in order, every combination validated before anything runs, bad values reported at their
// line in the sweep: block or naming the flag.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { driverSchemas } from "../../src/drivers/index.js";
import { SuiteError, UsageError } from "../../src/errors.js";
import { parseSuiteText } from "../../src/suite/load-suite.js";
import { resolveKey, splitKey } from "../../src/suite/sweep-keys.js";
import { roundRate } from "../../src/sweep/find-max.js";
import { parseSweepFlag } from "../../src/suite/expand-sweeps.js";
import { KafkaTargetSchema } from "../../src/drivers/kafka/schema.js";

const KAFKA = `name: kafka-sweep
targets:
  kafka: { kind: kafka, brokers: "127.0.0.1:9092", producer: { acks: all }, topics: { t1: { partitions: 3, config: { retention.ms: 60000 } } } }
scenarios:
  produce:
    target: kafka
    workload: { type: produce, topic: t1, recordSize: 100 }
    load: { executor: max, iterations: 1000 }
`;

const DUCK = `name: duck-sweep
targets:
  duck: { kind: duckdb }
scenarios:
  q:
    target: duck
    workload: { type: query, sql: "select 1" }
    load: { executor: closed, workers: 1, iterations: 10 }
    sweep:
      load.workers: [1, 2]
      load.iterations: [10, 20, 0]
`;

function load(text: string, sweep: string[] = [], file = "/suites/x.yaml") {
  return parseSuiteText(text, file, { env: {}, sweep }, driverSchemas);
}

function suiteError(fn: () => unknown): SuiteError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SuiteError) return error;
    throw error;
  }
  assert.fail("expected a SuiteError");
}

describe("sweep keys", () => {
  const cases: [string, string[]][] = [
    ["target.producer.linger.ms", ["producer", "linger.ms"]],
    ['target.producer."batch.size"', ["producer", "batch.size"]],
    ["target.producer.compression.type", ["producer", "compression.type"]],
    ["target.topics.t1.config.retention.ms", ["topics", "t1", "config", "retention.ms"]],
    ["target.topics.t1.partitions", ["topics", "t1", "partitions"]],
    ["target.clientId", ["clientId"]],
  ];
  for (const [text, expected] of cases) {
    test(`${text} resolves to ${expected.join(" / ")} against the Kafka target schema`, () => {
      const key = splitKey(text).key;
      assert.ok(key, text);
      const written = { kind: "kafka", brokers: "x:1", topics: { t1: { partitions: 3, config: {} } } };
      assert.deepEqual(resolveKey(key, KafkaTargetSchema, written), expected);
    });
  }
  for (const bad of ["batchSize", "workload.", 'target."linger.ms', "settings.x", "workload..x"]) {
    test(`"${bad}" is not a key`, () => assert.ok(splitKey(bad).problem, bad));
  }
});

describe("planning a sweep", () => {
  test("a Kafka producer grid of batch.size × linger.ms × compression.type: 8 combinations, target settings applied", () => {
    const suite = load(KAFKA, [
      "target.producer.batch.size=16384,1000000",
      "target.producer.linger.ms=0,10",
      "target.producer.compression.type=none,lz4",
    ]);
    const sweep = suite.scenarios[0]?.sweep;
    assert.ok(sweep);
    assert.equal(sweep.variants.length, 8);
    const first = sweep.variants[0];
    const last = sweep.variants[7];
    assert.equal(first?.name, "produce[batch.size=16384 linger.ms=0 compression.type=none]");
    assert.deepEqual(last?.variant, {
      "target.producer.batch.size": 1000000,
      "target.producer.linger.ms": 10,
      "target.producer.compression.type": "lz4",
    });
    const config = last?.target?.config as { producer: { batchSize: number; lingerMs: number; compression: string; acks: number } };
    assert.deepEqual(
      [config.producer.batchSize, config.producer.lingerMs, config.producer.compression, config.producer.acks],
      [1000000, 10, "lz4", -1],
    );
  });

  test("a bad value in a flag is refused, naming the flag and the value, once", () => {
    const error = suiteError(() => load(KAFKA, ["target.producer.linger.ms=0,-5", "target.producer.acks=1,all"]));
    assert.equal(error.issues.length, 1, JSON.stringify(error.issues));
    assert.match(error.issues[0]?.message ?? "", /sweep target\.producer\.linger\.ms = -5: .*linger\.ms must be an integer from 0 to 60000.*\(from --sweep target\.producer\.linger\.ms=0,-5\)/);
  });

  test("an unknown setting gets its did-you-mean", () => {
    const error = suiteError(() => load(KAFKA, ["target.producer.linger.msec=0,5"]));
    assert.match(error.issues[0]?.message ?? "", /"linger\.msec" is not a producer setting/);
    assert.match(error.issues[0]?.fix ?? "", /linger\.ms/);
  });

  test("a bad value in the sweep: block is reported at its line and column", () => {
    const error = suiteError(() => load(DUCK));
    assert.equal(error.issues.length, 1, JSON.stringify(error.issues));
    const issue = error.issues[0];
    assert.equal(issue?.line, 11);
    assert.equal(issue?.column, 33);
    assert.match(issue?.message ?? "", /sweep load\.iterations = 0/);
  });

  test("a file grid runs first key outermost; --sweep replaces a key's values", () => {
    const ok = DUCK.replace("[10, 20, 0]", "[10, 20]");
    const names = load(ok).scenarios[0]?.sweep?.variants.map((v) => v.name);
    assert.deepEqual(names, ["q[workers=1 iterations=10]", "q[workers=1 iterations=20]", "q[workers=2 iterations=10]", "q[workers=2 iterations=20]"]);
    const replaced = load(ok, ["load.workers=3"]).scenarios[0]?.sweep?.variants.map((v) => [v.name, v.scenario.load]);
    assert.deepEqual(replaced?.map(([n]) => n), ["q[workers=3 iterations=10]", "q[workers=3 iterations=20]"]);
    assert.deepEqual(replaced?.[1]?.[1], { executor: "closed", workers: 3, iterations: 20 });
  });

  test("a key outside workload/load/target, and --sweep on several scenarios, are refused", () => {
    const error = suiteError(() => load(DUCK.replace("load.workers", "settings.workers")));
    assert.match(error.issues[0]?.message ?? "", /does not start with workload\., load\. or target\./);
    const two = `${DUCK.replace(/    sweep:[\s\S]*$/, "")}  r:\n    target: duck\n    workload: { type: query, sql: "select 2" }\n    load: { executor: closed, workers: 1, iterations: 10 }\n`;
    assert.throws(() => load(two, ["load.workers=1,2"]), (e: unknown) => e instanceof UsageError && /one scenario/.test(e.message));
    assert.throws(() => load(two, ["load.workers"]), (e: unknown) => e instanceof UsageError && /key=value1,value2/.test(e.message));
  });
});

describe("--sweep values", () => {
  test("split at commas, read as YAML; a YAML list keeps commas inside values", () => {
    assert.deepEqual(parseSweepFlag("load.workers=1, 4,10"), { key: "load.workers", values: [1, 4, 10] });
    assert.deepEqual(parseSweepFlag("target.producer.compression.type=none,lz4"), { key: "target.producer.compression.type", values: ["none", "lz4"] });
    assert.deepEqual(parseSweepFlag('workload.sql=["select 1, 2", "select 3"]'), { key: "workload.sql", values: ["select 1, 2", "select 3"] });
    assert.throws(() => parseSweepFlag("load.workers=1,,2"), UsageError);
  });
});

describe("find-max rates", () => {
  test("are rounded to 3 significant digits", () => {
    assert.deepEqual([1131.4, 87.4, 0.2, 12_345, 200].map(roundRate), [1130, 87, 1, 12_300, 200]);
  });
});
