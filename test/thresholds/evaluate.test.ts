import assert from "node:assert/strict";
import { describe, test } from "node:test";
import hdr from "hdr-histogram-js";
import type { LatencySummary, ScenarioResult } from "../../src/metrics/summary.js";
import type { ProbeReading } from "../../src/probes/probe.js";
import {
  evaluateThresholds,
  runMetricLookup,
  scenarioMetricLookup,
  type ProbeReadings,
} from "../../src/thresholds/evaluate.js";
import { formatThresholdValue } from "../../src/thresholds/format.js";
import { drivers } from "../../src/drivers/index.js";
import { probeMetricKinds } from "../../src/thresholds/metrics.js";
import { parseThreshold as parseWith } from "../../src/thresholds/parse.js";

// Probe metrics' kinds are the drivers' declarations, passed in as the suite loader passes them.
const PROBE_METRICS = probeMetricKinds(Object.values(drivers));
const parseThreshold = (expr: string): ReturnType<typeof parseWith> => parseWith(expr, PROBE_METRICS);

function latency(values: Partial<LatencySummary> = {}): LatencySummary {
  return { count: 100, min: 1, mean: 3, stddev: 1, p50: 2.5, p90: 4, p95: 4.21, p99: 6, p999: 9, max: 12, ...values };
}

function encode(valuesMs: readonly number[]): string {
  const h = hdr.build({ bitBucketSize: 64, autoResize: true });
  for (const v of valuesMs) h.recordValue(Math.round(v * 1000)); // histograms hold microseconds
  const encoded = hdr.encodeIntoCompressedBase64(h);
  h.destroy();
  return encoded;
}

function result(values: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    status: "completed",
    startedAt: 0,
    durationS: 10,
    warmupS: 0,
    executor: "constant-rate",
    ops: 1000,
    errors: 2,
    errorsByClass: { ECONNRESET: 2 },
    errorSamples: [],
    records: 512_340,
    bytes: 20_000_000,
    opsPerSec: 100,
    throughput: 51_234,
    mbps: 2,
    errorRate: 2 / 1002,
    latency: latency(),
    service: latency({ p99: 3 }),
    latencyHistogram: "",
    serviceHistogram: "",
    series: [],
    generator: {
      cpuPercent: 20,
      eventLoopLagP99Ms: 1,
      eventLoopLagMaxMs: 2,
      askedRate: 100,
      achievedRate: 100,
      lateStarts: 0,
      saturated: false,
      warnings: [],
    },
    ...values,
  };
}

const reading = (metrics: Record<string, number>): ProbeReading => ({ metrics, notes: [] });

const probes: ProbeReadings = {
  pg: { "postgres-stats": reading({ cache_hit_ratio: 0.995, connection_usage: 0.2, mean_query_time: 4 }) },
  pg2: { "postgres-stats": reading({ cache_hit_ratio: 0.9 }) },
  host: { host: reading({ cpu_usage: 0.35, load1: 1.2 }) },
};

describe("evaluateThresholds on a scenario", () => {
  const lookup = scenarioMetricLookup(result(), probes);
  // [expression, passed, actual]
  const cases = [
    ["p95 < 5ms", true, 4.21],
    ["p95 < 4ms", false, 4.21],
    ["p99.9 <= 9ms", true, 9],
    ["service.p99 < 5ms", true, 3],
    ["p99 < 5ms", false, 6],
    ["throughput > 50k/s", true, 51_234],
    ["ops >= 100", true, 100],
    ["mbps > 1", true, 2],
    ["error_rate < 0.1%", false, 2 / 1002],
    ["error_rate < 1%", true, 2 / 1002],
    ["errors == 2", true, 2],
    ["errors == 0", false, 2],
    ["ops_total > 999", true, 1000],
    ["cache_hit_ratio > 99%", true, 0.995], // unqualified: the first probe reporting it
    ["pg2.cache_hit_ratio > 99%", false, 0.9],
    ["pg.connection_usage < 50%", true, 0.2],
    ["mean_query_time < 10ms", true, 4],
    ["cpu_usage < 80%", true, 0.35],
    ["host.load1 < 4", true, 1.2],
  ] as const;
  for (const [expr, passed, actual] of cases) {
    test(expr, () => {
      const [outcome] = evaluateThresholds([parseThreshold(expr)], lookup);
      assert.ok(outcome);
      assert.equal(outcome.passed, passed);
      assert.ok(outcome.actual !== null && Math.abs(outcome.actual - actual) < 1e-9, `actual ${outcome.actual}`);
      assert.equal(outcome.note, undefined);
      assert.equal(outcome.expr, expr);
    });
  }
});

describe("evaluateThresholds on the parts of latency and dropped operations", () => {
  const parts = scenarioMetricLookup(
    result({
      clientWait: { count: 1000, min: 0, mean: 40, stddev: 1, p50: 30, p90: 60, p95: 70, p99: 120, p999: 130, max: 140 },
      startDelay: { count: 1000, min: 0, mean: 0.1, stddev: 0, p50: 0.05, p90: 0.1, p95: 0.2, p99: 0.4, p999: 1, max: 2 },
      dropped: 46_469,
    }),
    probes,
  );
  const cases = [
    ["client_wait.p99 < 100ms", false, 120],
    ["client_wait.p50 < 50ms", true, 30],
    ["start_delay.p99 < 1ms", true, 0.4],
    ["dropped == 0", false, 46_469],
  ] as const;
  for (const [expr, passed, actual] of cases) {
    test(expr, () => {
      const [outcome] = evaluateThresholds([parseThreshold(expr)], parts);
      assert.equal(outcome?.passed, passed);
      assert.equal(outcome?.actual, actual);
    });
  }
  test("a workload that does not say when it sends has no client wait; a closed loop dropped nothing", () => {
    const plain = scenarioMetricLookup(result(), probes);
    const [wait] = evaluateThresholds([parseThreshold("client_wait.p99 < 1s")], plain);
    assert.equal(wait?.passed, false);
    assert.match(wait?.note ?? "", /does not say when it sends/);
    assert.equal(evaluateThresholds([parseThreshold("dropped == 0")], plain)[0]?.passed, true);
  });
});

describe("evaluateThresholds on an observed latency and integrity counts", () => {
  const observing = result({
    observed: {
      name: "end_to_end",
      latency: latency({ p50: 20, p95: 31, p99: 45, max: 80 }),
      histogram: "",
      series: [],
      warmupArrivals: 0,
    },
    counters: { lost: 0, duplicated: 3, out_of_order: 0, rebalances: 1 },
  });
  const lookup = scenarioMetricLookup(observing, {});
  // [expression, passed, actual]
  const cases = [
    ["end_to_end.p99 < 50ms", true, 45],
    ["end_to_end.p95 < 30ms", false, 31],
    ["end_to_end.max <= 80ms", true, 80],
    ["end_to_end.p999 < 1s", true, 9],
    ["p99 < 50ms", true, 6], // the operations' own latency is still the unqualified one
    ["lost == 0", true, 0],
    ["duplicated == 0", false, 3],
    ["duplicated <= 5", true, 3],
    ["out_of_order == 0", true, 0],
  ] as const;
  for (const [expr, passed, actual] of cases) {
    test(expr, () => {
      const [outcome] = evaluateThresholds([parseThreshold(expr)], lookup);
      assert.ok(outcome);
      assert.equal(outcome.passed, passed);
      assert.equal(outcome.actual, actual);
      assert.equal(outcome.note, undefined);
    });
  }

  // [expression, result, note]
  const missing = [
    ["freshness.p95 < 2s", observing, "no freshness latency was observed (nothing arrived, or the workload does not measure it), so freshness.p95 has no value"],
    ["end_to_end.p99 < 50ms", result(), "no end_to_end latency was observed (nothing arrived, or the workload does not measure it), so end_to_end.p99 has no value"],
    [
      "end_to_end.p99 < 50ms",
      result({ observed: { name: "end_to_end", latency: latency({ count: 0, p99: 0 }), histogram: "", series: [], warmupArrivals: 0 } }),
      "no end_to_end latency was observed (nothing arrived, or the workload does not measure it), so end_to_end.p99 has no value",
    ],
    ["lost == 0", result(), "the workload reported no lost count"],
    ["out_of_order == 0", result({ counters: { lost: 0 } }), "the workload reported no out_of_order count"],
  ] as const;
  for (const [expr, r, note] of missing) {
    test(`${expr}: ${note.slice(0, 40)}…`, () => {
      const [outcome] = evaluateThresholds([parseThreshold(expr)], scenarioMetricLookup(r, {}));
      assert.equal(outcome?.passed, false, "a threshold that cannot be checked has not passed");
      assert.equal(outcome?.actual, null);
      assert.equal(outcome?.note, note);
    });
  }

  test("suite level: observed percentiles from the merged histograms of the scenarios that observed it, counts summed", () => {
    const observedBy = (name: string, valuesMs: readonly number[]) => ({
      name,
      latency: latency({ count: valuesMs.length, min: Math.min(...valuesMs), max: Math.max(...valuesMs), mean: 0 }),
      histogram: encode(valuesMs),
      series: [],
      warmupArrivals: 0,
    });
    const run = runMetricLookup(
      [
        result({ observed: observedBy("end_to_end", Array.from({ length: 900 }, () => 10)), counters: { lost: 2, duplicated: 0 } }),
        result({ observed: observedBy("end_to_end", Array.from({ length: 100 }, () => 100)), counters: { lost: 1 } }),
        result({ observed: observedBy("freshness", [5000]) }),
        result(),
      ],
      {},
    );
    assert.ok(Math.abs((run("end_to_end.p50") ?? 0) - 10) < 0.05, `p50 ${run("end_to_end.p50")}`);
    assert.ok(Math.abs((run("end_to_end.p99") ?? 0) - 100) < 0.1, `p99 ${run("end_to_end.p99")}`);
    assert.equal(run("end_to_end.max"), 100);
    assert.equal(run("freshness.max"), 5000);
    assert.equal(run("lost"), 3);
    assert.equal(run("duplicated"), 0);
    assert.equal(run("out_of_order"), undefined, "no scenario reported it");
    assert.equal(run("replication_delay.p99"), undefined);
  });
});

describe("a metric with no value fails and says why", () => {
  const cases = [
    ["cache_hit_ratio > 99%", {}, result(), "no probe reported cache_hit_ratio"],
    ["duck.cache_hit_ratio > 99%", probes, result(), "no probe on target duck reported cache_hit_ratio"],
    ["pg.buffers_backend < 5", probes, result(), "no probe on target pg reported buffers_backend"],
    ["p95 < 5ms", {}, result({ latency: latency({ count: 0, p95: 0 }) }), "no operation completed, so p95 has no value"],
    ["error_rate < 1%", {}, result({ ops: 0, errors: 0, errorRate: 0 }), "no operation ran, so error_rate has no value"],
  ] as const;
  for (const [expr, readings, r, note] of cases) {
    test(expr, () => {
      const [outcome] = evaluateThresholds([parseThreshold(expr)], scenarioMetricLookup(r, readings));
      assert.deepEqual(outcome, {
        ...outcome,
        actual: null,
        passed: false,
        note,
      });
    });
  }
  test("a NaN is not a value", () => {
    const [outcome] = evaluateThresholds([parseThreshold("load1 < 4")], () => Number.NaN);
    assert.equal(outcome?.passed, false);
    assert.equal(outcome?.actual, null);
    assert.match(outcome?.note ?? "", /not a number/);
  });
});

test("outcomes carry the normalised target and the kind", () => {
  const [outcome] = evaluateThresholds([parseThreshold("p99.9 <= 2s")], () => 1500);
  assert.deepEqual(outcome, { expr: "p99.9 <= 2s", metric: "p99.9", op: "<=", target: 2000, actual: 1500, passed: true, kind: "duration" });
});

test("== on measured values tolerates floating-point noise", () => {
  const [outcome] = evaluateThresholds([parseThreshold("error_rate == 0.3")], () => 0.1 + 0.2);
  assert.equal(outcome?.passed, true);
});

describe("runMetricLookup: suite-level thresholds over a whole run", () => {
  const a = result({
    durationS: 10,
    ops: 1000,
    errors: 0,
    records: 1000,
    bytes: 10_000_000,
    latency: latency({ count: 1000, min: 1, max: 10, mean: 2 }),
    latencyHistogram: encode(Array.from({ length: 1000 }, () => 1)),
  });
  const b = result({
    durationS: 30,
    ops: 3000,
    errors: 10,
    records: 6000,
    bytes: 30_000_000,
    latency: latency({ count: 3000, min: 5, max: 50, mean: 6 }),
    latencyHistogram: encode(Array.from({ length: 3000 }, (_, i) => (i < 2900 ? 5 : 50))),
  });
  const lookup = runMetricLookup([a, b], probes);

  test("counts are summed and rates are over the summed time", () => {
    assert.equal(lookup("errors"), 10);
    assert.equal(lookup("ops_total"), 4000);
    assert.equal(lookup("records"), 7000);
    assert.equal(lookup("throughput"), 7000 / 40);
    assert.equal(lookup("ops"), 100);
    assert.equal(lookup("mbps"), 1);
    assert.equal(lookup("error_rate"), 10 / 4010);
  });

  test("percentiles come from the merged histograms", () => {
    // 1000 × 1ms and 2900 × 5ms and 100 × 50ms: p50 is 5ms, p99 is 50ms.
    assert.ok(Math.abs((lookup("p50") ?? 0) - 5) < 0.01, `p50 ${lookup("p50")}`);
    assert.ok(Math.abs((lookup("p99") ?? 0) - 50) < 0.1, `p99 ${lookup("p99")}`);
    assert.equal(lookup("min"), 1);
    assert.equal(lookup("max"), 50);
    assert.equal(lookup("mean"), (2 * 1000 + 6 * 3000) / 4000);
  });

  test("without histograms, the largest per-scenario percentile bounds the merged one", () => {
    const bound = runMetricLookup(
      [result({ latency: latency({ p95: 3 }) }), result({ latency: latency({ p95: 7 }) })],
      {},
    );
    assert.equal(bound("p95"), 7);
  });

  test("probe readings over the run", () => {
    assert.equal(lookup("pg.cache_hit_ratio"), 0.995);
    assert.equal(lookup("cpu_usage"), 0.35);
  });

  test("an empty run has no values", () => {
    const empty = runMetricLookup([], {});
    assert.equal(empty("p95"), undefined);
    assert.equal(empty("throughput"), undefined);
  });
});

describe("formatThresholdValue", () => {
  const cases = [
    ["duration", 4.21, "4.21ms"],
    ["duration", 0.5, "500µs"],
    ["duration", 1500, "1.5s"],
    // The unit is chosen after rounding: not 1000µs, 1000ms or 60s.
    ["duration", 0.9996, "1ms"],
    ["duration", 999.96, "1s"],
    ["duration", 59_996, "1m"],
    ["rate", 51_234, "51,234/s"],
    ["rate", 2.5, "2.5/s"],
    ["bandwidth", 12.345, "12.35 MB/s"],
    ["ratio", 0.992, "99.2%"],
    ["ratio", 0.9995, "99.95%"],
    ["ratio", 0.001, "0.1%"],
    ["ratio", 0.00012, "0.012%"],
    ["ratio", 0, "0%"],
    ["count", 1_234_567, "1,234,567"],
    ["number", 1.23456, "1.235"],
    ["something-stored-later", 3, "3"],
  ] as const;
  for (const [kind, value, text] of cases) {
    test(`${kind} ${value} → ${text}`, () => assert.equal(formatThresholdValue(kind, value), text));
  }

  test("beside its limit, a value that is not the limit is not printed as the limit", () => {
    const beside = [
      ["ratio", 0.98996, 0.99, "98.996%"], // cache_hit_ratio >= 99% failed: not "99%"
      ["ratio", 0.99004, 0.99, "99.004%"],
      ["duration", 5.0004, 5, "5.0004ms"], // p95 < 5ms failed: not "5.00ms"
      ["duration", 999.96, 1000, "0.99996s"], // in the limit's unit
      ["duration", 1000.4, 1000, "1.0004s"],
      ["rate", 49_999.6, 50_000, "49,999.6/s"],
      ["bandwidth", 99.999, 100, "99.999 MB/s"],
      ["count", 2.0001, 2, "2.0001"],
      // Off the limit when rounded as usual: printed as usual.
      ["ratio", 0.912, 0.99, "91.2%"],
      ["duration", 4.21, 5, "4.21ms"],
      // On the limit (to the last digits a threshold compares): the limit.
      ["ratio", 0.007000000000000001, 0.007, "0.7%"],
      ["ratio", 0.99, 0.99, "99%"],
    ] as const;
    for (const [kind, value, limit, text] of beside) assert.equal(formatThresholdValue(kind, value, limit), text, `${kind} ${value} beside ${limit}`);
  });
});
