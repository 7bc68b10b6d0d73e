// Must-show "the broker killed mid-run": a produce scenario at a constant rate against a real
// broker (scripts/kafka-local, this file's own), the broker SIGKILLed a few seconds in. pipebench
// ends the scenario once every operation has failed for a few seconds, and:
//   - exits 3 (target failed) with a one-line message naming the scenario and the error, no stack;
//   - stores the run as `error`, the scenario as `failed`, with its partial results: the operations
//     that succeeded before the kill, and the errors after it counted by class.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { useKafkaBroker } from "../helpers/kafka.js";
import { BIN, pipebench } from "./helpers.js";

const broker = useKafkaBroker();
const dir = mkdtempSync(join(tmpdir(), "pipebench-kafka-killed-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const SUITE = `
name: kafka-broker-killed
targets:
  kafka:
    kind: kafka
    brokers: \${KAFKA_BOOTSTRAP}
scenarios:
  produce:
    target: kafka
    workload: { type: produce, topic: killed, recordSize: 200, partitions: 3 }
    load: { executor: constant-rate, rate: 2000, duration: 30s }
    thresholds: ["error_rate < 1%"]
`;

/** Kill the broker this long after the scenario starts. */
const KILL_AFTER_MS = 3_000;
/** The whole run must end well before the scenario's 30 s: the failure ends it. */
const RUN_TIMEOUT_MS = 28_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  killedAtMs: number | undefined;
  endedAtMs: number;
}

/** Runs the suite, SIGKILLs the broker KILL_AFTER_MS after the scenario's start line. */
function runAndKill(suite: string, store: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, "run", suite, "--store", store], {
      env: { ...process.env, NO_COLOR: "1", KAFKA_BOOTSTRAP: broker.bootstrap },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let killTimer: NodeJS.Timeout | undefined;
    let killedAtMs: number | undefined;
    const onData = (chunk: string): void => {
      output += chunk;
      if (killTimer === undefined && /▸ \[1\/1\] produce/.test(output)) {
        killTimer = setTimeout(() => {
          killedAtMs = Date.now() - started;
          process.kill(broker.pid, "SIGKILL");
        }, KILL_AFTER_MS);
      }
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", onData);
    const bound = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(bound);
      clearTimeout(killTimer);
      resolve({ code, signal, output, killedAtMs, endedAtMs: Date.now() - started });
    });
  });
}

test("a broker killed mid-run: exit 3, a clear message, the run stored as error with partial results", { timeout: 45_000 }, async () => {
  const suite = join(dir, "killed.yaml");
  writeFileSync(suite, SUITE);
  const store = join(dir, "results.db");

  const run = await runAndKill(suite, store);
  const context = `exit ${run.code} (${run.signal ?? "no signal"}) after ${run.endedAtMs} ms, broker killed at ${run.killedAtMs} ms\n${run.output}`;
  assert.notEqual(run.killedAtMs, undefined, `the scenario never started\n${context}`);
  assert.equal(run.signal, null, `pipebench did not end by itself within ${RUN_TIMEOUT_MS} ms\n${context}`);
  assert.equal(run.code, 3, context);
  // The failure is named: which scenario, that it failed, and the dominant error class.
  assert.match(run.output, /scenario produce failed: every operation failed for \d+ s in a row: \d+ of \d+ errors were \S+/, context);
  assert.doesNotMatch(run.output, /^\s+at .+:\d+:\d+\)?$/m, `no stack trace\n${context}`);

  const shown = await pipebench(["show", "latest", "--store", store, "--format", "json"]);
  assert.equal(shown.code, 0, shown.stderr);
  const stored = JSON.parse(shown.stdout) as {
    status: string;
    exitCode: number;
    scenarioResults: {
      name: string;
      status: string;
      result: { status: string; ops: number; errors: number; errorsByClass: Record<string, number>; failure?: string };
    }[];
  };
  assert.equal(stored.status, "error");
  assert.equal(stored.exitCode, 3);
  assert.equal(stored.scenarioResults.length, 1);
  const scenario = stored.scenarioResults[0]!;
  assert.equal(scenario.name, "produce");
  assert.equal(scenario.result.status, "failed", JSON.stringify(scenario.result.failure));
  // Partial results: ~2,000 records/s acknowledged for the seconds before the kill, then errors.
  assert.ok(scenario.result.ops > 1_000, `ops ${scenario.result.ops}`);
  assert.ok(scenario.result.errors > 0, `errors ${scenario.result.errors}`);
  const classes = Object.entries(scenario.result.errorsByClass);
  assert.ok(classes.length > 0, "errors are classified");
  assert.equal(classes.reduce((sum, [, n]) => sum + n, 0), scenario.result.errors, JSON.stringify(scenario.result.errorsByClass));
  for (const [name] of classes) assert.match(name, /^[A-Za-z_][\w.-]*$/, `a short class name, not a message: ${name}`);
});
