import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assessGeneratorHealth, type HealthInputs } from "../../src/engine/generator-health.js";

const healthy: HealthInputs = {
  process: { cpuPercent: 30, spinCpuPercent: 10, lagP99Ms: 2, lagMaxMs: 5 },
  askedRate: 1000,
  achievedRate: 1000,
  started: 10_000,
  lateStarts: 0,
  notStarted: 0,
  capWaits: 0,
  maxInFlight: 10_000,
  compareRates: true,
};

describe("assessGeneratorHealth", () => {
  const cases: { name: string; change: Partial<HealthInputs>; saturated: boolean; warning?: RegExp }[] = [
    { name: "a healthy run has no warnings", change: {}, saturated: false },
    {
      // Who set the pace is the diagnosis's to say: the fact names no culprit.
      name: "achieved under 95% of asked: the fact, and no saturation on it alone",
      change: { achievedRate: 900 },
      saturated: false,
      warning: /^achieved 900 ops\/s of the asked 1000 ops\/s \(90%\)$/,
    },
    { name: "achieved 96% of asked is fine", change: { achievedRate: 960 }, saturated: false },
    {
      name: "a shortfall from maxInFlight counts the operations dropped, and blames nobody",
      change: { achievedRate: 400, notStarted: 600, maxInFlight: 4 },
      saturated: false,
      warning: /^achieved 400 ops\/s of the asked 1000 ops\/s \(40%\): 600 operations never started because maxInFlight \(4\) operations were still in flight \(dropped, not errors\)$/,
    },
    { name: "no rate check after an interrupt", change: { achievedRate: 100, compareRates: false }, saturated: false },
    {
      name: "busy CPU over 90% of a core",
      change: { process: { cpuPercent: 97, spinCpuPercent: 2, lagP99Ms: 2, lagMaxMs: 3 } },
      saturated: true,
      warning: /^pipebench's process kept 95% of a CPU core busy.*split the load over more pipebench processes or lower the rate/,
    },
    {
      name: "an in-process target's CPU is not held against the generator",
      change: { process: { cpuPercent: 150, spinCpuPercent: 0, lagP99Ms: 2, lagMaxMs: 3 }, inProcessTarget: true },
      saturated: false,
    },
    {
      name: "CPU spent spinning for precise start times is not load",
      change: { process: { cpuPercent: 97, spinCpuPercent: 80, lagP99Ms: 2, lagMaxMs: 3 } },
      saturated: false,
    },
    {
      name: "event-loop lag p99 over 20 ms",
      change: { process: { cpuPercent: 30, spinCpuPercent: 0, lagP99Ms: 35, lagMaxMs: 80 } },
      saturated: false,
      warning: /event-loop lag p99 was 35 ms \(max 80 ms, limit 20 ms\)/,
    },
    {
      name: "late starts without a full maxInFlight: the schedule slipped",
      change: { lateStarts: 500 },
      saturated: false,
      warning: /500 of 10000 operations started more than 10 ms late: the schedule slipped/,
    },
    {
      name: "late starts behind a full maxInFlight: the target was slow, and that is latency",
      change: { lateStarts: 500, capWaits: 40, maxInFlight: 1 },
      saturated: false,
      warning: /because maxInFlight \(1\) operations were in flight; their wait counts in latency/,
    },
    { name: "a few late starts (≤ 1%) are noise", change: { lateStarts: 100 }, saturated: false },
    {
      // Whether it mattered is the validity verdict's to say (machine-busy), with the readings.
      name: "a starved process: the readings are kept, no warning of their own",
      change: { process: { cpuPercent: 20, spinCpuPercent: 0, lagP99Ms: 2, lagMaxMs: 3, machine: { runPercent: 14, waitPercent: 31, waitShare: 0.69, meanWaitMs: 4.2, starved: true } } },
      saturated: false,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const h = assessGeneratorHealth({ ...healthy, ...c.change });
      assert.equal(h.saturated, c.saturated);
      if (c.warning === undefined) assert.deepEqual(h.warnings, []);
      else {
        assert.equal(h.warnings.length, 1, h.warnings.join("\n"));
        assert.match(h.warnings[0] ?? "", c.warning);
      }
    });
  }

  test("closed loops have no asked rate", () => {
    const h = assessGeneratorHealth({ ...healthy, askedRate: null, achievedRate: 12.345, maxInFlight: null });
    assert.deepEqual([h.askedRate, h.achievedRate, h.saturated], [null, 12.3, false]);
  });
});
