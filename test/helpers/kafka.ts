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
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before } from "node:test";

export const KAFKA_LOCAL = fileURLToPath(new URL("../../scripts/kafka-local", import.meta.url));

/** Bounds for the script's steps; the first fetch downloads ~45 MB with Maven. */
const FETCH_TIMEOUT_MS = 10 * 60_000;
const START_TIMEOUT_S = 120;

// Process groups of the scripts still running (a perf tool, a start), killed if this process exits
// first, e.g. on an uncaught error. (After a SIGKILL of this process a perf tool runs on until its
// own timeouts end it, since its broker goes away too.)
const running = new Set<number>();
process.on("exit", () => {
  for (const pgid of running) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

export interface KafkaLocalResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * Runs `scripts/kafka-local ARGS…` and collects its output. On timeout the whole process group
 * (the script and any java/mvn under it) is killed and the promise rejects; a non-zero exit
 * rejects too, with the script's stderr, unless `allowFailure`.
 */
export function kafkaLocal(
  args: readonly string[],
  options: { timeoutMs: number; allowFailure?: boolean; env?: NodeJS.ProcessEnv },
): Promise<KafkaLocalResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(KAFKA_LOCAL, args, {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so a timeout can kill java/mvn below it too
      env: options.env ?? process.env,
    });
    if (child.pid !== undefined) running.add(child.pid);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${KAFKA_LOCAL}: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (child.pid !== undefined) running.delete(child.pid);
      const result = { code, signal, stdout, stderr, ms: Date.now() - started };
      const what = `scripts/kafka-local ${args.join(" ")}`;
      if (timedOut) reject(new Error(`${what} did not finish within ${options.timeoutMs / 1000} s; killed.\n${output(stderr, stdout)}`));
      else if (code !== 0 && !options.allowFailure) reject(new Error(`${what} failed (${signal ?? `exit ${code}`}):\n${output(stderr, stdout)}`));
      else resolve(result);
    });
  });
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

function output(stderr: string, stdout: string): string {
  return [tail(stderr), tail(stdout)].filter((part) => part !== "").join("\n");
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

interface Started {
  readonly bootstrap: string;
  readonly dir: string;
  readonly pid: number;
  readonly startMs: number;
}

export function useKafkaBroker(): TestKafka {
  let broker: Started | undefined;
  let dir: string | undefined;
  const onExit = (): void => {
    // Synchronous last resort if the file ends without `after` (the watchdog also cleans up).
    if (broker) {
      try {
        process.kill(broker.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  };

  before(
    async () => {
      await kafkaLocal(["fetch"], { timeoutMs: FETCH_TIMEOUT_MS });
      dir = await mkdtemp(join(tmpdir(), "pipebench-kafka-test-"));
      let result: KafkaLocalResult;
      try {
        result = await kafkaLocal(
          ["start", "--dir", dir, "--timeout", String(START_TIMEOUT_S), "--owner-pid", String(process.pid)],
          { timeoutMs: (START_TIMEOUT_S + 60) * 1000 },
        );
      } catch (error) {
        await kafkaLocal(["stop", "--dir", dir], { timeoutMs: 60_000, allowFailure: true }).catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
      const match = /^bootstrap=(\S+) dir=(.+) pid=(\d+)$/m.exec(result.stdout);
      if (!match) throw new Error(`scripts/kafka-local start printed no bootstrap line:\n${result.stdout}\n${tail(result.stderr)}`);
      broker = { bootstrap: match[1]!, dir: match[2]!, pid: Number(match[3]), startMs: result.ms };
      process.on("exit", onExit);
    },
    { timeout: FETCH_TIMEOUT_MS + (START_TIMEOUT_S + 90) * 1000 },
  );

  after(
    async () => {
      process.off("exit", onExit);
      if (dir) await kafkaLocal(["stop", "--dir", dir], { timeoutMs: 90_000 });
      broker = undefined;
    },
    { timeout: 120_000 },
  );

  const started = (): Started => {
    if (!broker) throw new Error("the Kafka broker is not running: use it inside tests, not at import time");
    return broker;
  };
  return {
    get bootstrap() {
      return started().bootstrap;
    },
    get dir() {
      return started().dir;
    },
    get pid() {
      return started().pid;
    },
    get startMs() {
      return started().startMs;
    },
    perfProducer: (args, timeoutMs = 120_000) => kafkaLocal(["perf-producer", ...args], { timeoutMs }),
    perfConsumer: (args, timeoutMs = 120_000) => kafkaLocal(["perf-consumer", ...args], { timeoutMs }),
  };
}
