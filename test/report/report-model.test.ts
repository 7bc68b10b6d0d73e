// What the reports say of a compared metric: the improvement and its interval point the same way.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { MetricComparison } from "../../src/compare/compare.js";
import { improvementOf } from "../../src/report/report-model.js";

const metric = (m: Partial<MetricComparison>): MetricComparison => ({
  scenario: "s", metric: "p99", unit: "ms", higherIsBetter: false,
  before: { median: 10, n: 5, values: [] }, after: { median: 7.5, n: 5, values: [] },
  changePct: -25, ci95: [-30, -20], pValue: 0.008, test: "mann-whitney", verdict: "better",
  ...m,
});

test("a latency that fell by 25 % is a +25 % improvement, its interval +20 … +30 %, not −30 … −20 %", () => {
  assert.deepEqual(improvementOf(metric({})), { pct: "+25.0%", ci: "+20.0% … +30.0%" });
});

test("throughput keeps its sign; no change or no interval is shown as such", () => {
  assert.deepEqual(improvementOf(metric({ metric: "throughput", higherIsBetter: true, changePct: 12, ci95: [5, 19] })), { pct: "+12.0%", ci: "+5.0% … +19.0%" });
  assert.deepEqual(improvementOf(metric({ changePct: null, ci95: null })), { pct: "–", ci: "–" });
});
