// compareRuns on stored runs built here (the comparison reads stored results only, so plain
// objects are the real input): verdicts, the noise floor, too few trials, regressions, settings.
// test/cli/compare.test.ts does the same on real DuckDB runs through the CLI.
import assert from "node:assert/strict";
import { test } from "node:test";
import { compareRuns, gateKey, metricNames, regressions, settingDifferences } from "../../src/compare/compare.js";
import { renderComparison } from "../../src/compare/render.js";
import type { LatencySummary, ScenarioResult } from "../../src/metrics/summary.js";
import type { StoredRun, StoredScenario } from "../../src/store/results-store.js";

const latency = (p50: number): LatencySummary => ({
  count: 1000, min: p50 / 2, mean: p50, stddev: 0.1, p50, p90: p50 * 1.5, p95: p50 * 2, p99: p50 * 3, p999: p50 * 4, max: p50 * 5,
});

function result(throughput: number, p50: number, extra: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    status: "completed", startedAt: 0, durationS: 1, warmupS: 0, executor: "closed",
    ops: throughput, errors: 0, errorsByClass: {}, errorSamples: [], records: throughput, bytes: 0,
    opsPerSec: throughput, throughput, mbps: 0, errorRate: 0, latency: latency(p50), service: latency(p50),
    latencyHistogram: "", serviceHistogram: "", series: [],
    generator: { cpuPercent: 5, eventLoopLagP99Ms: 1, eventLoopLagMaxMs: 1, askedRate: null, achievedRate: throughput, lateStarts: 0, saturated: false, warnings: [] },
    ...extra,
  };
}

/** A run of one scenario, one trial per throughput given (p50 = 1000 / throughput ms). */
function run(id: number, throughputs: number[], options: { suite?: unknown; cacheHit?: number[]; node?: string } = {}): StoredRun {
  const scenarioResults = throughputs.map((t, trial): StoredScenario => ({
    id: id * 100 + trial, ordinal: 0, name: "insert", trial, target: "pg", targetKind: "postgres", workload: {}, load: {},
    status: "completed", result: result(t, 1000 / t), thresholds: [],
    probes: [
      { target: "pg", probe: "postgres-stats", phase: "interval", takenAt: 0, reading: { metrics: { cache_hit_ratio: options.cacheHit?.[trial] ?? 0.99, deadlocks: 0 }, notes: [] } },
      { target: null, probe: "host", phase: "interval", takenAt: 0, reading: { metrics: { cpu_usage: t / 1000 }, notes: [] } },
    ],
  }));
  return {
    id, suiteName: "pg", suiteFile: "/pg.yaml", startedAt: 0, finishedAt: 1, status: "passed", exitCode: 0,
    scenarios: scenarioResults.length, tag: null, trials: throughputs.length,
    environment: { pipebench: "0.1.0", node: options.node ?? "v20.20.2", host: { cpuModel: "EPYC", cores: 2 }, targets: { pg: { kind: "postgres", version: "18.4" } } },
    suite: options.suite ?? { scenarios: { insert: { workload: { batchSize: 100 } } } }, thresholds: [], runProbes: [], scenarioResults,
  };
}

const metric = (c: ReturnType<typeof compareRuns>, name: string) => {
  const m = c.metrics.find((x) => x.metric === name);
  assert.ok(m, `no ${name}`);
  return m;
};

test("separated trials: better in the right direction, with medians, % change, interval and p", () => {
  const c = compareRuns(run(1, [100, 104, 98, 101, 99]), run(2, [150, 149, 155, 152, 151]));
  const t = metric(c, "throughput");
  assert.equal(t.verdict, "better");
  assert.equal(t.test, "mann-whitney");
  assert.equal(t.before.median, 100);
  assert.equal(t.after.median, 151);
  assert.ok(Math.abs((t.changePct ?? 0) - 51) < 1e-9);
  assert.ok(Math.abs((t.pValue ?? 0) - 2 / 252) < 1e-12);
  assert.ok(t.ci95 !== null && t.ci95[0] > 40 && t.ci95[1] < 60, JSON.stringify(t.ci95));
  // Latency went down: also better, because lower is better for it.
  assert.equal(metric(c, "p50").verdict, "better");
  assert.equal(metric(c, "p50").higherIsBetter, false);
  assert.deepEqual(regressions(c, 5), []);
  // The other way round it is worse, and a regression for the gate.
  const back = compareRuns(run(2, [150, 149, 155, 152, 151]), run(1, [100, 104, 98, 101, 99]));
  assert.equal(metric(back, "throughput").verdict, "worse");
  assert.deepEqual(regressions(back, 5).map((m) => m.metric).sort(), ["p50", "p95", "p99", "throughput"]);
  // Host CPU fell too (worse is "more"), but resource usage never fails the gate.
  assert.equal(metric(compareRuns(run(1, [100, 104, 98, 101, 99]), run(2, [150, 149, 155, 152, 151])), "host.cpu_usage").verdict, "worse");
});

test("interleaved trials: no change (~)", () => {
  const c = compareRuns(run(1, [100, 120, 90, 110, 105]), run(2, [115, 95, 108, 102, 118]));
  assert.equal(metric(c, "throughput").verdict, "no change");
  assert.ok((metric(c, "throughput").pValue ?? 0) > 0.05);
});

test("the noise floor: a significant 1 % change is no change at the default 2 %, better at 0", () => {
  const before = run(1, [1000, 1001, 1002, 1003, 1004]);
  const after = run(2, [1010, 1011, 1012, 1013, 1014]);
  const c = compareRuns(before, after);
  assert.equal(metric(c, "throughput").pValue, 2 / 252);
  assert.equal(metric(c, "throughput").verdict, "no change");
  assert.equal(metric(compareRuns(before, after, { noiseFloorPct: 0 }), "throughput").verdict, "better");
  // At alpha 0.005, 5 + 5 trials could never be significant (the smallest p is 0.008): undecided.
  assert.equal(metric(compareRuns(before, after, { noiseFloorPct: 0, alpha: 0.005 }), "throughput").verdict, "insufficient");
});

test("3 trials against 3 can never be significant: insufficient, with a note", () => {
  const c = compareRuns(run(1, [100, 101, 102]), run(2, [200, 201, 202]));
  const t = metric(c, "throughput");
  assert.equal(t.verdict, "insufficient");
  assert.equal(t.ci95, null);
  assert.ok(c.notes.some((n) => /3 and 3 trials can never show a difference/.test(n)), c.notes.join("\n"));
  assert.match(renderComparison(c), /too few trials for the test to ever be significant/);
});

test("zeros everywhere (errors, deadlocks): error_rate is no change, an all-zero probe counter is left out", () => {
  const c = compareRuns(run(1, [100, 101, 102, 103, 104]), run(2, [100, 101, 102, 103, 104]));
  assert.equal(metric(c, "error_rate").verdict, "no change");
  assert.equal(c.metrics.find((m) => m.metric === "pg.deadlocks"), undefined);
  assert.equal(metric(c, "pg.cache_hit_ratio").verdict, "no change");
});

test("one trial a side: errors where there were none are worse and gate --fail-on-regression", () => {
  // 10 s of per-second series; after: 100 errors a second among 1,000 operations.
  const withSeries = (id: number, errorsPerSecond: number): StoredRun => {
    const r = run(id, [1000]);
    const series = Array.from({ length: 10 }, (_, t) => ({ t, ops: 1000 - errorsPerSecond + (t % 3), errors: errorsPerSecond, records: 1000, bytes: 0, p50: 1, p99: 3 }));
    const s = r.scenarioResults[0]!;
    s.result = { ...s.result, series, errors: errorsPerSecond * 10, errorRate: errorsPerSecond / 1000 };
    return r;
  };
  const c = compareRuns(withSeries(1, 0), withSeries(2, 100));
  const errors = metric(c, "error_rate");
  assert.equal(errors.verdict, "worse");
  assert.equal(errors.test, "bootstrap");
  assert.equal(errors.changePct, null);
  assert.ok((errors.pValue ?? 1) < 0.01);
  assert.deepEqual(regressions(c, 5).map((m) => m.metric), ["error_rate"]);
  assert.match(renderComparison(c), /error_rate.*from 0 \(p=/);
});

test("settings and environment differences, scenarios only one run has", () => {
  const before = run(1, [100, 101, 102, 103, 104]);
  const after = run(2, [100, 101, 102, 103, 104], { suite: { scenarios: { insert: { workload: { batchSize: 5000 } } } }, node: "v22.1.0" });
  after.scenarioResults.push({ ...after.scenarioResults[0]!, name: "query", id: 999 });
  const c = compareRuns(before, after);
  assert.deepEqual(c.settings, [{ path: "scenarios.insert.workload.batchSize", before: 100, after: 5000 }]);
  assert.deepEqual(c.environment, ["node: v20.20.2 → v22.1.0"]);
  assert.ok(c.notes.includes("scenario query is only in run 2"), c.notes.join("\n"));
  const text = renderComparison(c);
  assert.match(text, /the environments differ[\s\S]*node: v20\.20\.2 → v22\.1\.0/);
  assert.match(text, /scenarios\.insert\.workload\.batchSize +100 +→ +5000/);
});

test("settingDifferences: nested objects, arrays by index, added and removed keys", () => {
  assert.deepEqual(
    settingDifferences({ a: { b: 1, c: [1, 2] }, gone: true }, { a: { b: 1, c: [1, 3, 4] }, added: "x" }),
    [
      { path: "a.c.1", before: 2, after: 3 },
      { path: "a.c.2", before: undefined, after: 4 },
      { path: "gone", before: true, after: undefined },
      { path: "added", before: undefined, after: "x" },
    ],
  );
});

test("the table: ~ with p and n, the change with its interval, the median interval from 6 trials", () => {
  const text = renderComparison(compareRuns(run(1, [100, 104, 98, 101, 99, 100]), run(2, [150, 149, 155, 152, 151, 150])));
  assert.match(text, /throughput +100\/s ± 4% +151\/s ± 3% +\+50\.50% \(p=0\.002 n=6\) +\[\+\d+\.\d+%, \+\d+\.\d+%\] +better/);
  assert.doesNotMatch(text, /± ∞/);
});

test("the parts of latency are compared at p99 and explain a change without gating it; dropped operations gate", () => {
  const parts = (wait: number, dropped: number) => (r: StoredRun): StoredRun => ({
    ...r,
    scenarioResults: r.scenarioResults.map((s) => ({
      ...s,
      result: { ...s.result, clientWait: latency(wait), startDelay: latency(0.01), dropped },
    })),
  });
  const c = compareRuns(parts(1, 0)(run(1, [100, 101, 99, 100, 102])), parts(30, 500)(run(2, [100, 99, 101, 100, 98])));
  const wait = metric(c, "client_wait.p99");
  assert.equal(wait.verdict, "worse");
  assert.equal(metric(c, "service.p99").verdict, "no change");
  assert.ok(c.metrics.some((m) => m.metric === "start_delay.p99"));
  assert.equal(metric(c, "dropped").verdict, "worse");
  const gated = regressions(c, 5).map((r) => r.metric);
  assert.ok(gated.includes("dropped"), gated.join(", "));
  assert.ok(!gated.includes("client_wait.p99"), "a part of latency explains; p99 itself is what the gate judges");
});

/**
 * A run whose operation carries `perOp` records (a batch size): `ops` operations a second as
 * run() gives them, each `perOp` records, the workload saying its batch size, a 3 s series.
 */
function batched(id: number, opsPerSec: number[], perOp: number, workload: unknown = { batchSize: perOp }): StoredRun {
  const r = run(id, opsPerSec);
  r.scenarioResults = r.scenarioResults.map((s) => ({
    ...s,
    workload,
    result: {
      ...s.result,
      records: s.result.ops * perOp,
      throughput: s.result.opsPerSec * perOp,
      series: [0, 1, 2].map((t) => ({ t, ops: s.result.ops, errors: 0, records: s.result.ops * perOp, bytes: 0, p50: 1, p99: 3 })),
    },
  }));
  return r;
}

test("the operation changed (batch 100 → 5000): per-operation metrics are not comparable, not tallied, not gated; per record instead", () => {
  // 200 operations of 100 records (20,000/s, p50 5 ms) → 10 operations of 5000 (50,000/s, p50 100 ms).
  const before = batched(1, [200, 201, 199, 202, 198], 100);
  const after = batched(2, [10, 10.1, 9.9, 10.2, 9.8], 5000);
  const c = compareRuns(before, after);
  assert.equal(metric(c, "throughput").verdict, "better");
  for (const name of ["ops", "p50", "p95", "p99", "service.p99"]) assert.equal(metric(c, name).verdict, "not comparable", name);
  // Per record: p50 5 ms ÷ 100 = 50 µs before, 100 ms ÷ 5000 = 20 µs after.
  const perRecord = metric(c, "p50 per record");
  assert.ok(Math.abs((perRecord.before.median ?? 0) - 1000 / 200 / 100) < 1e-9, JSON.stringify(perRecord.before));
  assert.ok(Math.abs((perRecord.after.median ?? 0) - 1000 / 10 / 5000) < 1e-9, JSON.stringify(perRecord.after));
  assert.equal(perRecord.verdict, "better");
  assert.deepEqual(c.operationChanges, [
    { scenario: "insert", recordsPerOp: [100, 5000], notComparable: ["ops", "p50", "p95", "p99", "service.p99"], perRecord: ["p50 per record", "p95 per record", "p99 per record"] },
  ]);
  assert.deepEqual(regressions(c, 5), []);
  // Named in --gate, a metric not comparable is still not judged.
  assert.deepEqual(regressions(c, 5, ["p50", "ops"]), []);
  const text = renderComparison(c);
  assert.match(text, /note: insert: the operation changed \(100 records an operation in run 1, 5000 in run 2\)/);
  assert.match(text, /\n  per operation \(100 → 5000 records\):\n    ops .* not comparable\n    p50 +5\.00ms.* 100ms.* not comparable\n/);
  assert.match(text, /  p50 per record +50\.0µs.* 20\.0µs.* -60\.00% \(p=0\.008 n=5\).* better\n/);
  assert.match(text, /5 not comparable \(of another operation\), not counted/);
  assert.doesNotMatch(text, /WORSE/);
});

test("the same workload carrying other numbers of records (a query's rows) is the same operation: judged as it is", () => {
  const workload = { type: "query", sql: "select * from t where time > now() - interval '1 hour'" };
  const c = compareRuns(batched(1, [200, 201, 199, 202, 198], 100, workload), batched(2, [100, 101, 99, 102, 98], 150, workload));
  assert.deepEqual(c.operationChanges, []);
  assert.equal(metric(c, "p50").verdict, "worse");
  assert.equal(c.metrics.find((m) => m.metric === "p50 per record"), undefined);
  assert.ok(regressions(c, 5).some((m) => m.metric === "p50"));
  assert.ok(c.notes.some((n) => /an operation carries 100 records in run 1 and 150 in run 2 with the same workload/.test(n)), c.notes.join("\n"));
});

test("records per operation that vary within a run: not comparable all the same, but no latency per record", () => {
  const after = batched(2, [10, 10.1, 9.9, 10.2, 9.8], 5000);
  const s = after.scenarioResults[0]!;
  s.result = { ...s.result, series: [...s.result.series, { t: 3, ops: 10, errors: 0, records: 10 * 3000, bytes: 0, p50: 1, p99: 3 }] };
  const c = compareRuns(batched(1, [200, 201, 199, 202, 198], 100), after);
  assert.equal(metric(c, "p50").verdict, "not comparable");
  assert.equal(c.metrics.find((m) => m.metric.endsWith(" per record")), undefined);
  assert.deepEqual(c.operationChanges[0]?.perRecord, []);
  assert.ok(c.notes.some((n) => /no latency per record/.test(n)), c.notes.join("\n"));
});

test("regressions with a gate: only the metrics named (any case, _ for spaces), resource usage too when named", () => {
  const c = compareRuns(run(2, [150, 149, 155, 152, 151]), run(1, [100, 104, 98, 101, 99]));
  assert.deepEqual(regressions(c, 5, ["throughput"]).map((m) => m.metric), ["throughput"]);
  assert.deepEqual(regressions(c, 5, ["P99", "error_rate"]).map((m) => m.metric), ["p99"]);
  // Host CPU rose from 0.10 to 0.15: worse, and judged when named though it does not gate by default.
  const cpu = compareRuns(run(1, [100, 104, 98, 101, 99]), run(2, [150, 149, 155, 152, 151]));
  assert.deepEqual(regressions(cpu, 5).map((m) => m.metric), []);
  assert.deepEqual(regressions(cpu, 5, ["host.cpu_usage"]).map((m) => m.metric), ["host.cpu_usage"]);
  assert.ok(metricNames(c).includes("pg.cache_hit_ratio"));
  assert.equal(gateKey(" P50_Per-Record "), gateKey("p50 per record"));
});
