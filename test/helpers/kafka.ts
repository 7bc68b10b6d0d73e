// One real, throwaway Kafka broker per test file (scripts/kafka-local: Apache Kafka from Maven
// Central, single KRaft node on 127.0.0.1), started in `before` and stopped (its temp dir removed)
// in `after`. Call at the top level of a test file:
//
//   const kafka = useKafkaBroker();
//   test("…", async () => { … kafka.bootstrap … });
//
// Needs Java 17+ and, the first time (to fetch the jars into ~/.cache/pipebench), Maven. If either
// is missing, `before` fails with the script's message naming what to install: no silent skip.
//
// Leftovers: `start --owner-pid` leaves a watchdog that stops the broker and removes its dir within
// a second or two of this test process's death (even on SIGKILL), and an `exit` listener signals
// the broker at once.
import { fileURLToPath } from "node:url";
import { runScript, useLocalServer, type ScriptResult } from "./local-server.js";

export const KAFKA_LOCAL = fileURLToPath(new URL("../../scripts/kafka-local", import.meta.url));

/** Bounds for the script's steps; the first fetch downloads ~45 MB with Maven. */
const FETCH_TIMEOUT_MS = 10 * 60_000;
const START_TIMEOUT_S = 120;

export type KafkaLocalResult = ScriptResult;

/** Runs `scripts/kafka-local ARGS…` (see runScript). */
export function kafkaLocal(
  args: readonly string[],
  options: { timeoutMs: number; allowFailure?: boolean; env?: NodeJS.ProcessEnv },
): Promise<KafkaLocalResult> {
  return runScript(KAFKA_LOCAL, args, options);
}

export interface TestKafka {
  /** host:port for bootstrap.servers, e.g. 127.0.0.1:41234 */
  readonly bootstrap: string;
  /** The broker's temp dir (server.properties, broker.log, data/); removed after the file's tests. */
  readonly dir: string;
  readonly pid: number;
  /** Milliseconds from `start` to ready (format, JVM start, broker registered and unfenced). */
  readonly startMs: number;
  /** org.apache.kafka.tools.ProducerPerformance on the cached jars; rejects on timeout or failure. */
  perfProducer(args: readonly string[], timeoutMs?: number): Promise<KafkaLocalResult>;
  /** org.apache.kafka.tools.ConsumerPerformance on the cached jars; rejects on timeout or failure. */
  perfConsumer(args: readonly string[], timeoutMs?: number): Promise<KafkaLocalResult>;
}

export function useKafkaBroker(): TestKafka {
  const broker = useLocalServer({
    script: KAFKA_LOCAL,
    name: "the Kafka broker",
    key: "bootstrap",
    fetchTimeoutMs: FETCH_TIMEOUT_MS,
    startTimeoutS: START_TIMEOUT_S,
    tempDirPrefix: "pipebench-kafka-test-",
  });
  return {
    get bootstrap() {
      return broker().address;
    },
    get dir() {
      return broker().dir;
    },
    get pid() {
      return broker().pid;
    },
    get startMs() {
      return broker().startMs;
    },
    perfProducer: (args, timeoutMs = 120_000) => kafkaLocal(["perf-producer", ...args], { timeoutMs }),
    perfConsumer: (args, timeoutMs = 120_000) => kafkaLocal(["perf-consumer", ...args], { timeoutMs }),
  };
}
