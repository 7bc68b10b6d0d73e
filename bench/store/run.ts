// What the results store costs a run, on its two databases side by side: an SQLite file and a
// PostgreSQL database (the embedded server, over loopback). Per round, on each: begin a run, store
// a 60-second scenario's checkpoints (one replace per second, as a running scenario writes them),
// its final result, read the run back. Prints the medians of the rounds and PostgreSQL ÷ SQLite.
//
//   node --import tsx bench/store/run.ts [--rounds 5] [--scenarios 20]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { startEmbeddedPostgres } from "../../src/drivers/postgres/embedded.js";
import { LatencyHistogram } from "../../src/metrics/histogram.js";
import type { ScenarioResult } from "../../src/metrics/summary.js";
import { ResultsStore, type NewScenario } from "../../src/store/results-store.js";
import { median } from "../stats.js";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "5" }, scenarios: { type: "string", default: "20" } } });
const rounds = Number(values.rounds);
const scenarios = Number(values.scenarios);
const SECONDS = 60;

/** A realistic scenario: histograms of 100,000 latencies, a minute of series, the usual metrics. */
function scenario(name: string, seconds: number): NewScenario {
  const h = new LatencyHistogram();
  for (let i = 0; i < 100_000; i++) h.record(200 + ((i * 7919) % 50_000));
  const encoded = h.encode();
  const latency = h.summary();
  const result: ScenarioResult = {
    status: "completed",
    startedAt: Date.now(),
    durationS: seconds,
    warmupS: 0,
    executor: "constant-rate",
    ops: 100_000,
    errors: 0,
    errorsByClass: {},
    errorSamples: [],
    records: 100_000,
    bytes: 20_000_000,
    opsPerSec: 1_666,
    throughput: 1_666,
    mbps: 0.33,
    errorRate: 0,
    latency,
    service: latency,
    clientWait: latency,
    startDelay: latency,
    latencyHistogram: encoded,
    serviceHistogram: encoded,
    clientWaitHistogram: encoded,
    startDelayHistogram: encoded,
    series: Array.from({ length: seconds }, (_, t) => ({ t, ops: 1_666, errors: 0, records: 1_666, bytes: 333_000, p50: 2.1, p99: 9.8 })),
    generator: { cpuPercent: 40, eventLoopLagP99Ms: 1, eventLoopLagMaxMs: 3, askedRate: 1_666, achievedRate: 1_666, lateStarts: 0, saturated: false, warnings: [] },
  };
  return { ordinal: 0, name, target: "t", targetKind: "http", workload: {}, load: {}, result, thresholds: [], probes: [] };
}

interface Timings {
  checkpointMs: number;
  saveMs: number;
  readMs: number;
}

async function round(location: string): Promise<Timings> {
  const store = await ResultsStore.open(location);
  const env = { pipebench: "bench", node: process.version, host: {}, targets: {} };
  const runId = await store.beginRun({ suiteName: "bench", suiteFile: "/bench.yaml", startedAt: Date.now(), environment: env, suite: {} });
  const checkpoints: number[] = [];
  const saves: number[] = [];
  for (let i = 0; i < scenarios; i++) {
    const name = `s${i}`;
    // The checkpoints a scenario writes as its seconds close (every fifth second of the minute here, to bound the time).
    for (let t = 5; t < SECONDS; t += 5) {
      const s = scenario(name, t);
      const started = performance.now();
      await store.replaceScenario(runId, { ...s, ordinal: i });
      checkpoints.push(performance.now() - started);
    }
    const s = scenario(name, SECONDS);
    const started = performance.now();
    await store.replaceScenario(runId, { ...s, ordinal: i });
    saves.push(performance.now() - started);
  }
  await store.finishRun(runId, "passed", 0, []);
  const started = performance.now();
  const run = await store.getRun(runId);
  const readMs = performance.now() - started;
  if (run?.scenarioResults.length !== scenarios) throw new Error("the run did not read back whole");
  await store.close();
  return { checkpointMs: median(checkpoints), saveMs: median(saves), readMs };
}

const dir = mkdtempSync(join(tmpdir(), "pipebench-bench-store-"));
const server = await startEmbeddedPostgres({ target: "bench" });
try {
  const results: Record<"SQLite" | "PostgreSQL", Timings[]> = { SQLite: [], PostgreSQL: [] };
  for (let r = 0; r < rounds; r++) {
    results.SQLite.push(await round(join(dir, `r${r}.db`)));
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query(`create database bench_${r}`);
    await client.end();
    const url = new URL(server.url);
    url.pathname = `/bench_${r}`;
    results.PostgreSQL.push(await round(url.toString()));
  }
  const row = (name: "SQLite" | "PostgreSQL"): Timings => ({
    checkpointMs: median(results[name].map((t) => t.checkpointMs)),
    saveMs: median(results[name].map((t) => t.saveMs)),
    readMs: median(results[name].map((t) => t.readMs)),
  });
  const [a, b] = [row("SQLite"), row("PostgreSQL")];
  console.log(`store, medians of ${rounds} rounds; ${scenarios} scenarios of ${SECONDS} s, 4 histograms each, checkpoints every 5 s`);
  console.log(`${"".padEnd(24)}${"checkpoint ms".padStart(14)}${"final save ms".padStart(15)}${"read run ms".padStart(13)}`);
  for (const [name, t] of [["SQLite file", a], ["PostgreSQL (loopback)", b]] as const) {
    console.log(`${name.padEnd(24)}${t.checkpointMs.toFixed(2).padStart(14)}${t.saveMs.toFixed(2).padStart(15)}${t.readMs.toFixed(1).padStart(13)}`);
  }
  console.log(`${"PostgreSQL ÷ SQLite".padEnd(24)}${(b.checkpointMs / a.checkpointMs).toFixed(2).padStart(14)}${(b.saveMs / a.saveMs).toFixed(2).padStart(15)}${(b.readMs / a.readMs).toFixed(2).padStart(13)}`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
