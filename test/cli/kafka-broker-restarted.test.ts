// Faults in the target, end to end: a real Kafka broker (scripts/kafka-local, this file's own)
// SIGKILLed while `pipebench run` produces at a constant rate with `onError: continue`, and started
// again at once with the same command line, data dir and port. The scenario runs to its end:
// produce errors are counted by class (refused while the broker is down), production resumes after
// the restart, and every record pipebench counted as acknowledged is in the topic afterwards.
// First, on the same broker, a broker's own error (MESSAGE_TOO_LARGE) counted with its code.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Admin, ListOffsetTimestamps } from "@platformatic/kafka";
import { kafka } from "../../src/drivers/kafka/index.js";
import { LoadProfile } from "../../src/engine/load.js";
import { runScenario } from "../../src/engine/run-scenario.js";
import { errorClassInfo, errorsByKind } from "../../src/drivers/error-classes.js";
import { useKafkaBroker } from "../helpers/kafka.js";
import { BIN, pipebench } from "./helpers.js";

const broker = useKafkaBroker();
const dir = mkdtempSync(join(tmpdir(), "pipebench-kafka-restarted-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const TOPIC = "restarted";
const SUITE = `
name: kafka-broker-restarted
targets:
  kafka:
    kind: kafka
    brokers: \${KAFKA_BOOTSTRAP}
scenarios:
  produce:
    target: kafka
    workload: { type: produce, topic: ${TOPIC}, recordSize: 200, partitions: 3 }
    load: { executor: constant-rate, rate: 500, duration: 20s }
    onError: continue
`;

/** SIGKILLs the broker and starts it again with the same command line (same data dir and port). */
function killAndRestart(pid: number): ChildProcess {
  const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((a) => a !== "");
  const cwd = readlinkSync(`/proc/${pid}/cwd`);
  process.kill(pid, "SIGKILL");
  // The restarted controller keeps the killed broker's registration until its session times out
  // (9 s by default) and only then lets the new one in: a short session keeps the test short.
  appendFileSync(join(cwd, "server.properties"), "\nbroker.session.timeout.ms=1500\nbroker.heartbeat.interval.ms=300\n");
  const child = spawn(argv[0] ?? "java", argv.slice(1), { cwd, detached: true, stdio: "ignore" });
  child.on("error", () => undefined);
  // kafka-local's `stop --dir` (the helper's `after`) stops the pid written here.
  if (child.pid !== undefined) writeFileSync(join(broker.dir, "broker.pid"), `${child.pid}\n`);
  return child;
}

async function recordsIn(topic: string): Promise<number> {
  const admin = new Admin({ clientId: "test", bootstrapBrokers: [broker.bootstrap] });
  try {
    const listed = await admin.listOffsets({
      topics: [{ name: topic, partitions: [0, 1, 2].map((partitionIndex) => ({ partitionIndex, timestamp: ListOffsetTimestamps.LATEST })) }],
    });
    return listed.flatMap((t) => t.partitions).reduce((sum, p) => sum + Number(p.offset), 0);
  } finally {
    await admin.close();
  }
}

test("a broker's own error is counted with its Kafka error code: a record over the topic's max.message.bytes", { timeout: 60_000 }, async () => {
  const target = kafka.targetSchema.parse({
    kind: "kafka",
    brokers: broker.bootstrap,
    producer: { retries: 0 },
    topics: { small: { partitions: 1, config: { "max.message.bytes": 200 } } },
  });
  const connection = await kafka.connect(target, { name: "kafka", suiteDir: dir, log: () => undefined, resolveRef: () => undefined });
  try {
    const prepared = await connection.prepare(kafka.workloadSchema.parse({ type: "produce", topic: "small", recordSize: 1000 }), "big");
    const result = await runScenario({
      load: LoadProfile.parse({ executor: "constant-rate", rate: 20, duration: "1s" }),
      operation: prepared.run,
      errorPolicy: { kind: "continue" },
    });
    await prepared.close?.();
    assert.deepEqual(result.errorsByClass, { KAFKA_10_MESSAGE_TOO_LARGE: 20 });
    assert.equal(errorClassInfo("KAFKA_10_MESSAGE_TOO_LARGE").label, "client kafka 10 MESSAGE_TOO_LARGE");
  } finally {
    await connection.close();
  }
});

test("onError continue: the broker killed and restarted mid-run — produce errors by class, production resumes, acknowledged records all kept", { timeout: 90_000 }, async (t) => {
  const suite = join(dir, "restarted.yaml");
  writeFileSync(suite, SUITE);
  const store = join(dir, "results.db");
  let restarted: ChildProcess | undefined;
  const run = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "run", "--allow-invalid", suite, "--store", store], {
      env: { ...process.env, NO_COLOR: "1", KAFKA_BOOTSTRAP: broker.bootstrap },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let timer: NodeJS.Timeout | undefined;
    const onData = (chunk: string): void => {
      output += chunk;
      if (timer === undefined && /▸ \[1\/1\] produce/.test(output)) timer = setTimeout(() => (restarted = killAndRestart(broker.pid)), 1_500);
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", onData);
    // The restarted broker answered after 8 s in one loaded CI run: the 20 s leave room to see it.
    const bound = setTimeout(() => child.kill("SIGKILL"), 45_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(bound);
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
  restarted?.unref();
  assert.notEqual(restarted, undefined, run.output);
  assert.equal(run.code, 0, run.output);

  const shown = await pipebench(["show", "latest", "--store", store, "--format", "json"]);
  const r = (JSON.parse(shown.stdout) as {
    scenarioResults: { result: { status: string; ops: number; records: number; errors: number; errorsByClass: Record<string, number>; series: { t: number; ops: number; errors: number }[] } }[];
  }).scenarioResults[0]!.result;
  const context = JSON.stringify({ byClass: r.errorsByClass, series: r.series.map((p) => [p.t, p.ops, p.errors]) });
  assert.equal(r.status, "completed", context);
  assert.ok(r.errors > 0, `the outage shows as errors: ${context}`);
  const kinds = errorsByKind(r.errorsByClass);
  assert.ok((kinds.refused ?? 0) + (kinds.reset ?? 0) + (kinds.timeout ?? 0) > 0, `classified as refused, reset or timeout: ${context}`);
  // Production resumed: some second after the outage acknowledged records again.
  const errorSeconds = r.series.filter((p) => p.errors > 0).map((p) => p.t);
  const lastError = Math.max(...errorSeconds);
  assert.ok(r.series.some((p) => p.t > lastError && p.ops > 100), context);
  // Every acknowledged record is in the topic; at most the ones in doubt (failed, maybe written) more.
  const inTopic = await recordsIn(TOPIC);
  t.diagnostic(`acknowledged ${r.records}, errors ${r.errors}, in the topic ${inTopic}: ${context}`);
  assert.ok(inTopic >= r.records, `${inTopic} records in the topic, ${r.records} acknowledged: ${context}`);
  assert.ok(inTopic <= r.records + r.errors, `${inTopic} records in the topic, ${r.records} acknowledged + ${r.errors} errors`);
});
