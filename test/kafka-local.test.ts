// scripts/kafka-local gives a real broker: started by the helper, it takes 10,000 records from
// Kafka's own ProducerPerformance and gives all 10,000 back to its ConsumerPerformance (the same
// jars the kafka bench compares pipebench against). Every step is bounded by a timeout.
import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { KAFKA_LOCAL, kafkaLocal, useKafkaBroker } from "./helpers/kafka.js";
import { assertWatchdogOwnSession } from "./helpers/watchdog.js";

const kafka = useKafkaBroker();

test("the broker listens on 127.0.0.1 only, KRaft combined mode", async () => {
  assert.match(kafka.bootstrap, /^127\.0\.0\.1:\d+$/);
  const config = await readFile(join(kafka.dir, "server.properties"), "utf8");
  assert.match(config, /^process\.roles=broker,controller$/m);
  assert.match(config, new RegExp(`^listeners=PLAINTEXT://${kafka.bootstrap.replace(/\./g, "\\.")},CONTROLLER://127\\.0\\.0\\.1:\\d+$`, "m"));
  const log = await readFile(join(kafka.dir, "broker.log"), "utf8");
  assert.match(log, /Kafka Server started/);
});

test("ProducerPerformance sends 10,000 records and ConsumerPerformance reads them back", { timeout: 240_000 }, async () => {
  const produced = await kafka.perfProducer(
    ["--topic", "t", "--num-records", "10000", "--record-size", "100", "--throughput", "-1", "--producer-props", `bootstrap.servers=${kafka.bootstrap}`, "acks=all"],
    120_000,
  );
  const lines = produced.stdout.trim().split("\n");
  // "10000 records sent, 3533.5 records/sec (0.34 MB/sec), 481.77 ms avg latency, 1903.00 ms max latency, 467 ms 50th, …"
  assert.match(lines.at(-1) ?? "", /^10000 records sent, [\d.]+ records\/sec \([\d.]+ MB\/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$/, produced.stdout);

  const consumed = await kafka.perfConsumer(
    ["--bootstrap-server", kafka.bootstrap, "--topic", "t", "--messages", "10000", "--timeout", "60000"],
    120_000,
  );
  assert.doesNotMatch(consumed.stdout, /WARNING: Exiting before consuming the expected number of messages/, consumed.stdout);
  const header = consumed.stdout.split("\n").findIndex((line) => line.startsWith("start.time, end.time"));
  assert.ok(header >= 0, `no CSV header in:\n${consumed.stdout}`);
  const columns = consumed.stdout.split("\n")[header]!.split(", ");
  const row = (consumed.stdout.split("\n")[header + 1] ?? "").split(", ");
  assert.equal(row.length, columns.length, consumed.stdout);
  assert.equal(row[columns.indexOf("data.consumed.in.nMsg")], "10000", consumed.stdout);
  // 10,000 × 100 bytes in MiB, as the tool rounds it
  assert.equal(row[columns.indexOf("data.consumed.in.MB")], "0.9537", consumed.stdout);
});

test("stop on a dir that is gone is a no-op, and stop refuses a dir kafka-local did not make", async () => {
  const gone = await kafkaLocal(["stop", "--dir", join(kafka.dir, "no-such-dir")], { timeoutMs: 30_000 });
  assert.match(gone.stderr, /does not exist; nothing to stop/);
  const refused = await kafkaLocal(["stop", "--dir", join(kafka.dir, "data")], { timeoutMs: 30_000, allowFailure: true });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /was not made by kafka-local start; not touching it/);
});

test("the watchdog runs in a session of its own: a signal to the process group that ran start leaves it watching", { timeout: 30_000 }, async () => {
  await assertWatchdogOwnSession(kafka, KAFKA_LOCAL);
});

// Last on purpose: it stops this file's broker (the `after` hook then finds none and removes the dir).
test("stop ends the broker: the process is gone, the port closed, and --keep keeps the dir", async () => {
  const { pid, dir, bootstrap } = kafka;
  const stopped = await kafkaLocal(["stop", "--dir", dir, "--keep"], { timeoutMs: 60_000 });
  assert.match(stopped.stderr, new RegExp(`stopped the broker \\(pid ${pid}\\)`));
  assert.equal(await running(pid), false, `broker pid ${pid} still running after stop`);
  const [host, port] = bootstrap.split(":");
  await assert.rejects(
    new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), host!, () => (socket.destroy(), resolve()));
      socket.on("error", reject);
    }),
    /ECONNREFUSED/,
  );
  assert.ok((await stat(join(dir, "broker.log"))).isFile());
});

/** Alive and not a zombie. */
async function running(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const state = await readFile(`/proc/${pid}/stat`, "utf8").then((s) => s.slice(s.lastIndexOf(")") + 2, s.lastIndexOf(")") + 3), () => "");
  return state !== "Z";
}
