// Peak throughput (seed 004: "peak and average throughput"): the best full second of the per-second
// series, stored as the metrics row throughput_peak, a threshold metric peak_throughput, and a line
// under the scenario's row in the run summary.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { peakThroughput } from "../../src/metrics/scenario-result.js";
import type { ScenarioResult, SeriesPoint } from "../../src/metrics/summary.js";
import { renderRunSummary } from "../../src/report/console-summary.js";
import { ResultsStore } from "../../src/store/results-store.js";
import { runMetricLookup, scenarioMetricLookup } from "../../src/thresholds/metric-lookup.js";
import { parseThreshold, ThresholdSyntaxError } from "../../src/thresholds/parse.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-peak-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const point = (t: number, records: number): SeriesPoint => ({ t, ops: records, errors: 0, records, bytes: 0, p50: 1, p99: 2 });

test("the best full second; a last partial second does not count; never below the average", () => {
  // 4.5 s measured: seconds 0–3 are full, the point at t=4 covers half a second.
  const series = [point(0, 900), point(1, 1_300), point(2, 1_100), point(3, 1_000), point(4, 700)];
  assert.equal(peakThroughput(series, 4.5, 5_000 / 4.5), 1_300);
  // The partial second's 700 records in 0.5 s would be 1,400/s, but half a second is not a second.
  assert.equal(peakThroughput([point(0, 1_000), point(1, 1_400)], 1.5, 2_400 / 1.5), 1_600, "the average (1,600/s) is above every full second");
  assert.equal(peakThroughput([point(0, 300)], 0.4, 750), 750, "no full second: the average");
  assert.equal(peakThroughput([], 0, 0), 0);
});

const latency = { count: 10, min: 1, mean: 2, stddev: 0.5, p50: 2, p90: 3, p95: 3.5, p99: 4, p999: 4, max: 4 };
const result = (peak: number | undefined, durationS = 10, throughput = 60_000): ScenarioResult => ({
  status: "completed",
  startedAt: 1_700_000_000_000,
  durationS,
  warmupS: 0,
  executor: "max",
  ops: throughput * durationS,
  errors: 0,
  errorsByClass: {},
  errorSamples: [],
  records: throughput * durationS,
  bytes: 0,
  opsPerSec: throughput,
  throughput,
  ...(peak === undefined ? {} : { peakThroughput: peak }),
  mbps: 0,
  errorRate: 0,
  latency,
  service: latency,
  latencyHistogram: "",
  serviceHistogram: "",
  series: [],
  generator: { cpuPercent: 50, eventLoopLagP99Ms: 1, eventLoopLagMaxMs: 2, askedRate: null, achievedRate: throughput, lateStarts: 0, saturated: false, warnings: [] },
});

test("a threshold names it as peak_throughput (or peak); results stored before it existed give no value", () => {
  const parsed = parseThreshold("peak_throughput > 50k/s");
  assert.equal(parsed.metric, "peak_throughput");
  assert.equal(parsed.kind, "rate");
  assert.throws(() => parseThreshold("peak > 1000/s"), (e: ThresholdSyntaxError) => /did you mean peak_throughput\?/.test(e.fix), "the synonym is named in the fix");
  assert.equal(scenarioMetricLookup(result(72_000), {})("peak_throughput"), 72_000);
  assert.equal(scenarioMetricLookup(result(undefined), {})("peak_throughput"), undefined);
  // A run: the best second of any of its scenarios.
  assert.equal(runMetricLookup([result(72_000), result(90_000, 5, 80_000)], {})("peak_throughput"), 90_000);
  assert.equal(runMetricLookup([result(undefined)], {})("peak_throughput"), undefined);
});

test("stored as the metrics row throughput_peak", async () => {
  const path = join(dir, "results.db");
  const store = await ResultsStore.open(path);
  const runId = await store.beginRun({
    suiteName: "s",
    suiteFile: "/tmp/s.yaml",
    startedAt: Date.now(),
    environment: { pipebench: "0.0.0", node: process.version, host: { cores: 2 }, targets: {} },
    suite: {},
  });
  await store.saveScenario(runId, { ordinal: 0, name: "p", target: "kafka", targetKind: "kafka", workload: {}, load: { executor: "max" }, result: result(72_000), thresholds: [], probes: [] });
  await store.finishRun(runId, "passed", 0, []);
  assert.equal((await store.getRun(runId))?.scenarioResults[0]?.result.peakThroughput, 72_000);
  await store.close();
  const db = new Database(path, { readonly: true });
  const rows = db.prepare(`select name, value, unit from metrics where name like 'throughput%' order by name`).all();
  db.close();
  assert.deepEqual(rows, [
    { name: "throughput", value: 60_000, unit: "records/s" },
    { name: "throughput_peak", value: 72_000, unit: "records/s" },
  ]);
});

test("the run summary shows average and peak under a scenario that ran 5 s or more", () => {
  const scenario = (name: string, r: ScenarioResult) => ({
    id: 1, ordinal: 0, name, trial: 0, target: "kafka", targetKind: "kafka", workload: {}, load: { executor: "max" }, status: "completed", result: r, thresholds: [], probes: [],
  });
  const text = renderRunSummary(
    {
      id: 1, suiteName: "kafka-metrics", suiteFile: "/s.yaml", startedAt: Date.UTC(2025, 0, 1), finishedAt: Date.UTC(2025, 0, 1, 0, 1),
      status: "passed", exitCode: 0, scenarios: 2, tag: null, trials: 1,
      environment: { pipebench: "0.1.0", node: "v20", host: { cpuModel: "cpu", cores: 2 }, targets: {} },
      suite: {}, thresholds: [], runProbes: [],
      scenarioResults: [scenario("long", result(72_000)), scenario("short", result(72_000, 2))],
    },
    { color: false },
  );
  assert.match(text, /^ {4}throughput {2}average 60,000\/s · peak 72,000\/s \(best second\)$/m);
  assert.equal(text.match(/best second/g)?.length, 1, "not for the 2-second scenario");
});
