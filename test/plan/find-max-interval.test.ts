// A plan whose capacity is a stored find-max answer carries the answer's interval into its node
// counts: the count at the interval's low end (the safe one) beside the count at the answer, per
// month, and both in the assumptions. The search is stored through ResultsStore as a run makes it
// (steps with their per-second series), and read back through the same reads `pipebench plan` uses.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { ScenarioResult, SeriesPoint } from "../../src/metrics/summary.js";
import { measuredCapacity } from "../../src/plan/capacity-source.js";
import { parsePlanText, planComponents } from "../../src/plan/load-plan.js";
import { computePlan } from "../../src/plan/model.js";
import { findMaxAnswer } from "../../src/report/find-max-answer.js";
import { renderPlan } from "../../src/report/plan-console.js";
import { monthTable } from "../../src/report/plan-format.js";
import { ResultsStore } from "../../src/store/results-store.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-plan-interval-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const latency = { count: 16_000, min: 1, mean: 2, stddev: 0.5, p50: 2, p90: 3, p95: 3.5, p99: 4, p999: 4, max: 4 };
/** An 8 s step at `rate` ops/s that completed `perSecond` each second; 10 records per operation. */
function result(rate: number, perSecond: number[]): ScenarioResult {
  const ops = perSecond.reduce((s, n) => s + n, 0);
  const series: SeriesPoint[] = perSecond.map((n, t) => ({ t, ops: n, errors: 0, records: n * 10, bytes: 0, p50: 2, p99: 4 }));
  return {
    status: "completed",
    startedAt: Date.UTC(2026, 11, 6, 15, 0),
    durationS: perSecond.length,
    warmupS: 1,
    executor: "constant-rate",
    ops,
    errors: 0,
    errorsByClass: {},
    errorSamples: [],
    records: ops * 10,
    bytes: 0,
    opsPerSec: ops / perSecond.length,
    throughput: (ops * 10) / perSecond.length,
    mbps: 0,
    errorRate: 0,
    latency,
    service: latency,
    latencyHistogram: "",
    serviceHistogram: "",
    series,
    generator: { cpuPercent: 20, eventLoopLagP99Ms: 1, eventLoopLagMaxMs: 2, askedRate: rate, achievedRate: rate, lateStarts: 0, saturated: false, warnings: [] },
  };
}

const flat = (n: number): number[] => Array.from({ length: 8 }, () => n);

/** A search of `ingest`: 2,000/s accepted twice (2,000 and 1,900 completed), 2,100/s rejected twice. */
async function storeSearch(path: string): Promise<void> {
  const store = await ResultsStore.open(path);
  const runId = await store.beginRun({
    suiteName: "quickstart",
    suiteFile: "/tmp/quickstart.yaml",
    startedAt: Date.UTC(2026, 11, 6, 15, 0),
    environment: { pipebench: "0.0.0", node: process.version, host: { hostname: "bench-1", cores: 2 }, targets: {} },
    suite: {},
    tag: "fm",
  });
  const steps: [string, number, number[], boolean][] = [
    ["ramp", 1400, flat(1400), true],
    ["ramp", 2100, flat(1800), false],
    ["confirm", 2000, flat(2000), true],
    ["confirm", 2000, flat(1900), true],
    ["confirm", 2100, flat(1950), false],
    ["confirm", 2100, flat(800), false],
  ];
  // Steps at one rate are its trials, as the search stores them.
  const trials = new Map<number, number>();
  for (const [ordinal, [phase, rate, perSecond, passed]] of steps.entries()) {
    const trial = trials.get(rate) ?? 0;
    trials.set(rate, trial + 1);
    await store.saveScenario(runId, {
      ordinal,
      trial,
      name: `ingest[rate=${rate}]`,
      variant: { "load.rate": rate, "find-max": phase },
      target: "ingest",
      targetKind: "http",
      workload: {},
      load: { executor: "constant-rate", rate },
      result: result(rate, perSecond),
      thresholds: [{ expr: "achieved ≥ 95%", target: 0.95, actual: passed ? 1 : 0.9, passed, kind: "ratio" }],
      probes: [],
    });
  }
  await store.finishRun(runId, "passed", 0, []);
  await store.close();
}

const planText = `
name: interval
demand:
  base: { recordsPerSecond: 100000 }
  recordSize: 200B
  growthPerMonth: 10%
  horizonMonths: 6
components:
  ingest:
    capacityPerNode:
      measured: { run: fm, scenario: ingest, metric: find-max }
    costPerNodeMonth: 100
`;

test("a find-max capacity's interval: safe node counts at its low end beside those at the answer, listed in the assumptions", async () => {
  const path = join(dir, "results.db");
  await storeSearch(path);
  const store = await ResultsStore.open(path, { create: false });
  try {
    // The reads `pipebench plan` makes: the store's two, and the find-max read-back it passes in.
    const reader = { path, resolveRef: (ref: string) => store.resolveRef(ref), getRun: (id: number) => store.getRun(id), findMax: findMaxAnswer };
    const m = await measuredCapacity(reader, { run: "fm", scenario: "ingest", metric: "find-max", allowInvalid: false });
    assert.ok(m.ok, m.ok ? "" : m.message);
    // 2,000 ops/s × 10 records; the interval 1,850–2,250 ops/s (2 × a 3.54 % step-to-step noise).
    assert.equal(m.capacityPerNode, 20_000);
    const i = m.source.interval;
    assert.ok(i !== undefined);
    assert.deepEqual({ low: i.low, high: i.high }, { low: 18_500, high: 22_500 });
    assert.ok(Math.abs(i.noise - 0.05 / Math.SQRT2) < 1e-9, String(i.noise));
    assert.match(i.detail, /find-max interval 1,850–2,250 ops\/s: low 1,850 ops\/s \(the answer 2,000 − 2 × the step-to-step noise, 3\.5 %\), high 2,250 ops\/s \(the lowest rejected rate 2,100 \+ 2 × noise\)/);

    const loaded = parsePlanText(planText, "interval.yaml");
    const plan = computePlan(loaded.plan, await planComponents(loaded, () => Promise.resolve(reader)), loaded.name);
    // 100k growing 10 %: 100,000 … 177,156 records/s. At 20k per node 5 6 7 7 8 9 9; at 18.5k 6 6 7 8 8 9 10.
    assert.deepEqual(plan.months.map((mo) => mo.nodes.ingest), [5, 6, 7, 7, 8, 9, 9]);
    assert.deepEqual(plan.months.map((mo) => mo.safeNodes.ingest), [6, 6, 7, 8, 8, 9, 10]);
    const line = plan.assumptions.find((a) => a.startsWith("ingest: its find-max capacity has the interval"));
    assert.ok(line, plan.assumptions.join("\n"));
    assert.match(line, /interval 18,500–22,500 records\/s per node/);
    assert.match(line, /at the low end, the safe count: 6 6 7 8 8 9 10; at the answer 20,000\/s: 5 6 7 7 8 9 9$/);
    // In the plan's JSON as it is: the source's interval and each month's safeNodes.
    const json = JSON.parse(JSON.stringify(plan)) as { months: { safeNodes: Record<string, number> }[]; components: { source: { interval?: { low: number } } }[] };
    assert.equal(json.months[0]?.safeNodes.ingest, 6);
    assert.equal(json.components[0]?.source.interval?.low, 18_500);
    // The tables show the safe count beside the answer's where they differ: month 0 is 5 at the answer, 6 safe.
    assert.match(renderPlan(plan), /^ +0 +100,000 +[\d.,]+ +5 \(6 safe\) /m);
    assert.deepEqual(monthTable(plan).rows.map((r) => r[3]), ["5 (6 safe)", "6", "7", "7 (8 safe)", "8", "9", "9 (10 safe)"]);
  } finally {
    await store.close();
  }
});

test("a capacity given as a number, or measured as throughput, has no interval and no safe counts", async () => {
  const loaded = parsePlanText(planText.replace(/capacityPerNode:\n\s+measured: .*\n/, "capacityPerNode: 20k\n"), "given.yaml");
  const plan = computePlan(loaded.plan, await planComponents(loaded, () => assert.fail("no store for a given capacity")), loaded.name);
  assert.deepEqual(plan.months[0]?.safeNodes, {});
  assert.ok(!plan.assumptions.some((a) => a.includes("find-max capacity has the interval")));
});
