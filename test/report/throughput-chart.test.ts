// The steps a throughput chart draws from a stored per-second series: each second's records over
// the part of it that was measured, every record counted once, so the steps' average is the
// table's throughput (records / durationS).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { SeriesPoint } from "../../src/metrics/summary.js";
import { stepsOf } from "../../src/report/throughput-chart.js";

const point = (t: number, records: number): SeriesPoint => ({ t, ops: records, errors: 0, records, bytes: 0, p50: null, p99: null });

const cases: { name: string; durationS: number; series: SeriesPoint[]; steps: [number, number, number][] }[] = [
  { name: "half a second: one step of its length", durationS: 0.5, series: [point(0, 10)], steps: [[0, 0.5, 20]] },
  { name: "a last half second: its records over 0.5 s", durationS: 2.5, series: [point(0, 200), point(1, 200), point(2, 100)], steps: [[0, 1, 200], [1, 2, 200], [2, 2.5, 200]] },
  // Completions during the drain land in a second past the end: the table counts them, so does the last step.
  { name: "the drain's completions join the last measured second", durationS: 3, series: [point(0, 100), point(1, 100), point(2, 95), point(3, 5)], steps: [[0, 1, 100], [1, 2, 100], [2, 3, 100]] },
  { name: "a second with no point had nothing", durationS: 3, series: [point(0, 100), point(2, 100)], steps: [[0, 1, 100], [1, 2, 0], [2, 3, 100]] },
  // 1 record in 4 ms would read 250/s: too short a step to be a rate, so it joins the one before.
  { name: "a last sliver joins the second before it", durationS: 2.004, series: [point(0, 10), point(1, 10), point(2, 1)], steps: [[0, 1, 10], [1, 2.004, 11 / 1.004]] },
  { name: "nothing measured: no steps", durationS: 0, series: [], steps: [] },
];

for (const c of cases) {
  test(`stepsOf: ${c.name}`, () => {
    const steps = stepsOf({ durationS: c.durationS, series: c.series });
    assert.deepEqual(steps.map((s) => [s.from, s.to, s.rate]), c.steps);
    if (c.durationS > 0) {
      const records = c.series.reduce((n, p) => n + p.records, 0);
      const area = steps.reduce((n, s) => n + s.rate * (s.to - s.from), 0);
      assert.ok(Math.abs(area / c.durationS - records / c.durationS) < 1e-9, "the steps' average is the table's throughput");
    }
  });
}

test("a chart's caption names the load as the table does: max ×10 (auto) when the loop ran with 10", async () => {
  const { throughputCharts } = await import("../../src/report/throughput-chart.js");
  const { executorLabel } = await import("../../src/report/executor-label.js");
  const result = { status: "completed", durationS: 2, ops: 400, records: 400, workers: 10, series: [point(0, 200), point(1, 200)] };
  const scenario = { id: 1, ordinal: 0, name: "q", trial: 0, target: "duck", targetKind: "duckdb", workload: {}, load: { executor: "max", duration: 2000 }, status: "completed", result, thresholds: [], probes: [] };
  const run = { id: 1, suiteName: "s", scenarioResults: [scenario], environment: { host: {}, targets: {} } } as unknown as Parameters<typeof throughputCharts>[0];
  const [chart] = throughputCharts(run, undefined);
  assert.equal(chart?.caption, "max ×10 (auto) · 400 ops in 2.0 s");
  assert.equal(executorLabel(scenario.load, 10), "max ×10 (auto)", "the table's label");
});

test("a query's charts say rows/s, as its table row does; other workloads' say records/s", async () => {
  const { throughputCharts } = await import("../../src/report/throughput-chart.js");
  const { chartData } = await import("../../src/report/chart-data.js");
  const result = { status: "completed", durationS: 2, ops: 400, records: 400, throughput: 200, series: [point(0, 200), point(1, 200)], generator: { askedRate: null }, latency: { count: 0 } };
  const scenario = (id: number, name: string, workload: unknown) => ({ id, ordinal: id, name, trial: 0, target: "t", targetKind: "duckdb", workload, load: { executor: "closed", workers: 1 }, status: "completed", result, thresholds: [], probes: [] });
  const runOf = (id: number, scenarios: unknown[]) => ({ id, suiteName: "s", scenarioResults: scenarios, environment: { host: {}, targets: {} } }) as unknown as Parameters<typeof throughputCharts>[0];
  const query = scenario(1, "q", { type: "query", sql: "select 1" });
  const produce = scenario(2, "p", { type: "produce", topic: "t" });
  assert.deepEqual(throughputCharts(runOf(1, [query, produce]), undefined).map((c) => [c.scenario, c.unit]), [["q", "rows/s"], ["p", "records/s"]]);

  // The before/after bars of throughput: rows/s when every scenario is a query, said for the queries when some are.
  const bars = (scenarios: unknown[]): string | undefined => {
    const names = (scenarios as { name: string }[]).map((s) => s.name);
    const metrics = names.map((name) => ({ scenario: name, metric: "throughput", unit: "records/s", higherIsBetter: true, before: { median: 200 }, after: { median: 210 }, verdict: "better" }));
    const input = { run: runOf(2, scenarios), baseline: runOf(1, scenarios), comparison: { metrics }, findings: [], generatedAt: 0 } as unknown as Parameters<typeof chartData>[0];
    return chartData(input).bars.find((b) => b.metric === "throughput")?.unit;
  };
  assert.equal(bars([query]), "rows/s");
  assert.equal(bars([produce]), "records/s");
  assert.equal(bars([query, produce]), "records/s; a query's: rows/s");
});

test("before/after bars of rates and latencies are each scenario's after in % of its own before, so a small scenario's change shows beside a large one", async () => {
  const { chartData } = await import("../../src/report/chart-data.js");
  const result = { status: "completed", durationS: 2, ops: 400, records: 400, throughput: 200, series: [point(0, 200), point(1, 200)], generator: { askedRate: null }, latency: { count: 0 } };
  const scenario = (id: number, name: string) => ({ id, ordinal: id, name, trial: 0, target: "t", targetKind: "duckdb", workload: { type: "query", sql: "select 1" }, load: { executor: "closed", workers: 1 }, status: "completed", result, thresholds: [], probes: [] });
  const scenarios = [scenario(1, "small"), scenario(2, "large"), scenario(3, "new")];
  const runOf = (id: number) => ({ id, suiteName: "s", scenarioResults: scenarios, environment: { host: {}, targets: {} } }) as unknown as Parameters<typeof chartData>[0]["run"];
  const m = (scenario: string, metric: string, unit: string, before: number, after: number) => ({ scenario, metric, unit, higherIsBetter: metric === "throughput", before: { median: before }, after: { median: after }, verdict: "~" });
  const metrics = [
    m("small", "throughput", "records/s", 200, 300), m("large", "throughput", "records/s", 136_400, 122_760), m("new", "throughput", "records/s", 0, 50),
    m("small", "p99", "ms", 6.1, 27.2), m("large", "p99", "ms", 4.1, 3.36), m("new", "p99", "ms", 1, 1),
    m("small", "error_rate", "ratio", 0, 0.01), m("large", "error_rate", "ratio", 0.02, 0.01), m("new", "error_rate", "ratio", 0, 0),
  ];
  const input = { run: runOf(2), baseline: runOf(1), comparison: { metrics }, findings: [], generatedAt: 0 } as unknown as Parameters<typeof chartData>[0];
  const bars = chartData(input).bars;
  const round = (xs: readonly (number | null)[] | undefined): (number | null)[] | undefined => xs?.map((x) => (x === null ? null : Math.round(x * 10) / 10));
  const throughput = bars.find((b) => b.metric === "throughput");
  // 200 → 300 rows/s is +50 % whatever 136,400 → 122,760 beside it; nothing before: no ratio to draw.
  assert.deepEqual(round(throughput?.relative?.before), [100, 100, null]);
  assert.deepEqual(round(throughput?.relative?.after), [150, 90, null]);
  assert.deepEqual(throughput?.after, [300, 122_760, 50], "the measured values stay, for the legend");
  assert.deepEqual(round(bars.find((b) => b.metric === "p99")?.relative?.after), [445.9, 82, 100]);
  // An error ratio shares one scale across scenarios (0-100 %): drawn as measured.
  assert.equal(bars.find((b) => b.metric === "error_rate")?.relative, undefined);
});
