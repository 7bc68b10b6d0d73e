// The console summary of a stored run: what a person reads after `pipebench run` and `show`.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { LatencySummary, ScenarioResult } from "../../src/metrics/summary.js";
import { renderRunSummary } from "../../src/report/console-summary.js";
import type { StoredRun, StoredScenario } from "../../src/store/results-store.js";

const latency = (values: Partial<LatencySummary> = {}): LatencySummary => ({
  count: 100, min: 1, mean: 2, stddev: 0.5, p50: 2, p90: 3, p95: 3.5, p99: 4, p999: 4, max: 5, ...values,
});

const result: ScenarioResult = {
  status: "completed",
  startedAt: 1_700_000_000_000,
  durationS: 2,
  warmupS: 0,
  executor: "constant-rate",
  ops: 400,
  errors: 0,
  errorsByClass: {},
  errorSamples: [],
  records: 400,
  bytes: 0,
  opsPerSec: 200,
  throughput: 200,
  mbps: 0,
  errorRate: 0,
  latency: latency(),
  service: latency(),
  latencyHistogram: "",
  serviceHistogram: "",
  series: [],
  generator: { cpuPercent: 5, eventLoopLagP99Ms: 1, eventLoopLagMaxMs: 1, askedRate: 200, achievedRate: 200, lateStarts: 0, saturated: false, warnings: [] },
};

function runOf(...results: [string, ScenarioResult][]): StoredRun {
  const scenarioResults = results.map(([name, r], i): StoredScenario => ({
    id: i + 1, ordinal: i, name, trial: 0, target: "kafka", targetKind: "kafka", workload: {},
    load: { executor: "constant-rate", rate: 200 }, status: r.status, result: r, thresholds: [], probes: [],
  }));
  return {
    id: 7, suiteName: "pipeline-e2e", suiteFile: "/s.yaml", startedAt: Date.UTC(2025, 0, 1), finishedAt: Date.UTC(2025, 0, 1, 0, 1),
    status: "passed", exitCode: 0, scenarios: results.length, tag: null, trials: 1,
    environment: { pipebench: "0.1.0", node: "v20", host: { cpuModel: "cpu", cores: 2 }, targets: {} },
    suite: {}, thresholds: [], runProbes: [], scenarioResults,
  };
}

const linesUnder = (text: string, scenario: string): string[] => {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.startsWith(`${scenario} `));
  const out: string[] = [];
  for (let i = at + 1; i < lines.length && lines[i]?.startsWith("    "); i++) out.push(lines[i] ?? "");
  return out;
};

test("an observed latency and the integrity counts print under their scenario's row", () => {
  const text = renderRunSummary(
    runOf(
      [
        "e2e",
        {
          ...result,
          observed: { name: "end_to_end", latency: latency({ count: 400, p50: 20.1, p95: 28, p99: 40.25, max: 61 }), histogram: "", series: [], warmupArrivals: 0 },
          counters: { lost: 0, duplicated: 0, out_of_order: 0 },
        },
      ],
      ["plain", result],
    ),
    { color: false },
  );
  assert.deepEqual(linesUnder(text, "e2e"), [
    "    end_to_end  p50 20.1ms  p95 28.0ms  p99 40.3ms  max 61.0ms  (400 arrived)",
    "    lost 0 · duplicated 0 · out_of_order 0",
  ]);
  assert.deepEqual(linesUnder(text, "plain"), [], "a scenario that observes nothing gets no extra lines");
});

test("nothing arrived, and non-zero integrity counts, stand out", () => {
  const text = renderRunSummary(
    runOf([
      "e2e",
      {
        ...result,
        observed: { name: "freshness", latency: latency({ count: 0 }), histogram: "", series: [], warmupArrivals: 0 },
        counters: { lost: 400, rebalances: 2 },
      },
    ]),
    { color: true },
  );
  assert.deepEqual(linesUnder(text, "e2e"), [
    "    freshness  \x1b[31mnothing arrived\x1b[0m",
    "    \x1b[31mlost 400\x1b[0m · rebalances 2",
  ]);
});

test("a failed threshold never shows the number it asked for: 98.996% beside cache_hit_ratio >= 99%", () => {
  const run = runOf(["reads", result]);
  run.thresholds = [
    { expr: "cache_hit_ratio >= 99%", passed: false, actual: 0.98996, target: 0.99, kind: "ratio" },
    { expr: "p95 < 5ms", passed: false, actual: 5.0004, target: 5, kind: "duration" },
    { expr: "throughput > 100/s", passed: true, actual: 200, target: 100, kind: "rate" },
  ];
  const text = renderRunSummary(run, { color: false });
  assert.match(text, /✗ cache_hit_ratio >= 99% +98\.996%$/m);
  assert.match(text, /✗ p95 < 5ms +5\.0004ms$/m);
  assert.match(text, /✓ throughput > 100\/s +200\/s$/m);
});

test("where the time went shows when pipebench's side of it matters, and dropped operations are not errors", () => {
  const queued: ScenarioResult = {
    ...result,
    latency: latency({ p50: 1630, p99: 1920 }),
    startDelay: latency({ p50: 575, p99: 1400 }),
    clientWait: latency({ p50: 1030, p99: 1350 }),
    service: latency({ p50: 0.159, p99: 1.17 }),
    dropped: 28_302,
    droppedBy: { "max-in-flight": 28_302 },
  };
  const quick: ScenarioResult = { ...result, startDelay: latency({ p50: 0.01, p99: 0.05 }), clientWait: latency({ p50: 0.01, p99: 0.1 }), dropped: 0 };
  const text = renderRunSummary(runOf(["queued", queued], ["quick", quick]), { color: false });
  assert.match(text, /\n {4}time {2}start delay p50 575ms p99 1\.40s · client wait p50 1\.03s p99 1\.35s · service p50 159µs p99 1\.17ms\n/);
  assert.match(text, /\n {4}28,302 operations dropped: 28,302 never started \(maxInFlight operations still in flight\) — not errors: the target never saw them\n/);
  assert.equal(text.match(/ time {2}/g)?.length, 1, "the quick scenario's latency is the target's: no line");
  assert.equal(text.match(/dropped/g)?.length, 1);
});
