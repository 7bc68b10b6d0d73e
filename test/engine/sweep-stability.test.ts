// find-max's stability checks on hand-made results: a growing queue fails (latency climbing at every
// percentile, completions below the asked rate), a flat latency or a tail-only spike does not, and
// a generator out of CPU is named as the limit.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ScenarioResult, SeriesPoint } from "../../src/metrics/summary.js";
import { CHECK, stabilityChecks } from "../../src/sweep/stability.js";
import { health, result as fixture } from "../diagnose/fixtures.js";

function result(points: [ops: number, p50: number, p99: number][], extra: Partial<ScenarioResult["generator"]> = {}): ScenarioResult {
  const series: SeriesPoint[] = points.map(([ops, p50, p99], t) => ({ t, ops, errors: 0, records: ops, bytes: 0, p50, p99 }));
  const ops = points.reduce((s, [o]) => s + o, 0);
  return fixture({
    durationS: points.length,
    warmupS: 1,
    executor: "constant-rate",
    ops,
    records: ops,
    opsPerSec: ops / points.length,
    throughput: ops / points.length,
    series,
    generator: health({ cpuPercent: 30, spinCpuPercent: 10, eventLoopLagP99Ms: 5, eventLoopLagMaxMs: 8, askedRate: 500, achievedRate: 500, ...extra }),
  });
}

function failed(r: ScenarioResult): string[] {
  return stabilityChecks(r, [], []).filter((c) => !c.passed).map((c) => c.metric);
}

test("a steady step passes every check", () => {
  assert.deepEqual(failed(result([[500, 10, 40], [500, 11, 45], [500, 10, 42], [500, 12, 41], [500, 10, 44], [500, 11, 40]])), []);
});

test("a flat but high latency is not a backlog (the thresholds judge its level)", () => {
  assert.deepEqual(failed(result([[500, 400, 600], [500, 420, 640], [500, 410, 610]])), []);
});

test("a tail-only spike late in the step is not a backlog", () => {
  assert.deepEqual(failed(result([[500, 10, 40], [500, 11, 45], [500, 12, 400]])), []);
});

test("a queue that grows fails: completions short of the rate, p50 and p99 climbing", () => {
  const growing = result([[450, 20, 60], [450, 150, 300], [450, 300, 500], [450, 450, 700], [450, 600, 900], [450, 750, 1100]]);
  assert.deepEqual(failed(growing), [CHECK.keepingUp, CHECK.growth]);
  const growth = stabilityChecks(growing, [], []).find((c) => c.metric === CHECK.growth);
  assert.match(growth?.expr ?? "", /p50 85\.0ms → 675ms/);
});

test("a generator out of CPU fails its own check, and errors over 1 % theirs unless the scenario sets one", () => {
  const r = { ...result([[500, 10, 40], [500, 10, 40], [500, 10, 40]], { cpuPercent: 99, spinCpuPercent: 2 }), errorRate: 0.02 };
  assert.deepEqual(failed(r), [CHECK.errors, CHECK.generator]);
  const own = [{ expr: "error_rate < 5%", metric: "error_rate", op: "<" as const, value: 0.05, kind: "ratio" as const }];
  assert.deepEqual(stabilityChecks(r, [], own).filter((c) => !c.passed).map((c) => c.metric), [CHECK.generator]);
});
