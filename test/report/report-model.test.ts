// What the reports say of a compared metric: its change signed as `pipebench compare` prints it
// (one convention: p99 +25 % went up), and its interval the same way.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { MetricComparison } from "../../src/compare/compare.js";
import { renderComparison } from "../../src/compare/render.js";
import { changeOf } from "../../src/report/report-model.js";

const metric = (m: Partial<MetricComparison>): MetricComparison => ({
  scenario: "s", metric: "p99", unit: "ms", higherIsBetter: false,
  before: { median: 10, n: 5, values: [] }, after: { median: 7.5, n: 5, values: [] },
  changePct: -25, ci95: [-30, -20], pValue: 0.008, test: "mann-whitney", verdict: "better",
  ...m,
});

test("a latency that fell by 25 % is −25 % in the report, as compare prints it, its interval −30 … −20 %", () => {
  assert.deepEqual(changeOf(metric({})), { pct: "−25.0%", ci: "−30.0% … −20.0%" });
});

test("a latency that rose is + in the report and in compare, and the verdict says worse", () => {
  const worse = metric({
    before: { median: 10, n: 5, values: [9, 10, 10, 10, 11] },
    after: { median: 193.3, n: 5, values: [190, 192, 193.3, 195, 196] },
    changePct: 1833, ci95: [1700, 1900], verdict: "worse",
  });
  assert.equal(changeOf(worse).pct, "+1833.0%");
  const printed = renderComparison({
    before: { id: 1, tag: null, suiteName: "s" }, after: { id: 2, tag: null, suiteName: "s" },
    alpha: 0.05, noiseFloorPct: 2, environment: [], settings: [], notes: [], operationChanges: [], metrics: [worse],
  } as unknown as Parameters<typeof renderComparison>[0]);
  assert.match(printed, /p99 .*\+1833\.0% .*WORSE/);
});

test("throughput keeps its sign; no change or no interval is shown as such", () => {
  assert.deepEqual(changeOf(metric({ metric: "throughput", higherIsBetter: true, changePct: 12, ci95: [5, 19] })), { pct: "+12.0%", ci: "+5.0% … +19.0%" });
  assert.deepEqual(changeOf(metric({ changePct: null, ci95: null })), { pct: "–", ci: "–" });
});

test("a latency per record below a microsecond prints as compare prints it (400ns), not rounded to 0µs", async () => {
  const { comparedValues, formatValue } = await import("../../src/report/report-model.js");
  const perRecord = metric({
    metric: "p50 per record",
    before: { median: 0.0004, n: 5, values: [0.00039, 0.0004, 0.0004, 0.0004, 0.00041] },
    after: { median: 0.00602, n: 5, values: [0.006, 0.00601, 0.00602, 0.00603, 0.00604] },
  });
  assert.equal(formatValue("ms", 0.0004), "0µs", "what the reports printed before");
  assert.deepEqual(comparedValues(perRecord), { before: "400ns", after: "6.02µs" });
  const printed = renderComparison({
    before: { id: 1, tag: null, suiteName: "s" }, after: { id: 2, tag: null, suiteName: "s" },
    alpha: 0.05, noiseFloorPct: 2, environment: [], settings: [], notes: [], operationChanges: [], metrics: [perRecord],
  } as unknown as Parameters<typeof renderComparison>[0]);
  assert.match(printed, /p50 per record\s+400ns .*6\.02µs/);
  assert.deepEqual(comparedValues(metric({})), { before: "10.0ms", after: "7.50ms" }, "other latencies as before");
});
