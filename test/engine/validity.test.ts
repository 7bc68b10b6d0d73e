// The validity verdict: each reason fires on the numbers that mean it, and stays quiet just short of
// them (so a test that cannot fail would show here as a boundary that does not move).
import assert from "node:assert/strict";
import { test } from "node:test";
import { assessValidity, judgedPercentiles, minSamplesFor, validityOf, type UnjudgedResult, type ValidityContext } from "../../src/engine/validity.js";
import type { GeneratorHealth, LatencySummary, ScenarioResult, SeriesPoint } from "../../src/metrics/summary.js";

const latency = (values: Partial<LatencySummary> = {}): LatencySummary => ({
  count: 20_000, min: 1, mean: 2, stddev: 0.5, p50: 2, p90: 3, p95: 3.5, p99: 4, p999: 6, max: 9, ...values,
});

const health = (values: Partial<GeneratorHealth> = {}): GeneratorHealth => ({
  cpuPercent: 20, spinCpuPercent: 0, eventLoopLagP99Ms: 1, eventLoopLagMaxMs: 2, askedRate: 1000, achievedRate: 1000,
  lateStarts: 0, saturated: false, warnings: [], ...values,
});

/** A steady second: `ops` completions at `p50` ms. */
const point = (t: number, ops = 1000, p50 = 2): SeriesPoint => ({ t, ops, errors: 0, records: ops, bytes: 0, p50, p99: p50 * 2 });

function result(values: Partial<UnjudgedResult> = {}): UnjudgedResult {
  return {
    status: "completed", startedAt: 0, durationS: 20, warmupS: 2, executor: "constant-rate",
    ops: 20_000, errors: 0, errorsByClass: {}, errorSamples: [], records: 20_000, bytes: 0,
    opsPerSec: 1000, throughput: 1000, mbps: 0, errorRate: 0, latency: latency(), service: latency(),
    latencyHistogram: "", serviceHistogram: "", series: Array.from({ length: 20 }, (_, t) => point(t)),
    generator: health(), ...values,
  };
}

const codes = (r: UnjudgedResult, context: ValidityContext = {}): string[] => assessValidity(r, context).reasons.map((x) => x.code);

test("a steady open-loop run that met its rate with plenty of samples is valid", () => {
  const v = assessValidity(result());
  assert.deepEqual(v, { valid: true, reasons: [] });
});

test("generator-saturated: pipebench's busy CPU over 90 % of a core, spin time not counted, in-process targets exempt", () => {
  const busy = result({ generator: health({ cpuPercent: 97, achievedRate: 3120, askedRate: 5000 }) });
  const v = assessValidity(busy);
  assert.equal(v.valid, false);
  const reason = v.reasons.find((r) => r.code === "generator-saturated");
  assert.match(reason?.message ?? "", /^pipebench's process kept 97 % of a CPU core busy \(limit 90 %\); it achieved 3,120\/s of the asked 5,000\/s: pipebench, not the target, set the pace/);
  assert.deepEqual(codes(result({ generator: health({ cpuPercent: 90 }) })), []);
  // 95 % of which 40 points spin in the precise-sleep loop: 55 % busy.
  assert.deepEqual(codes(result({ generator: health({ cpuPercent: 95, spinCpuPercent: 40 }) })), []);
  assert.deepEqual(codes(result({ generator: health({ cpuPercent: 180 }) }), { inProcessTarget: true }), []);
});

const starvedMachine = { runPercent: 14, waitPercent: 31, waitShare: 0.69, meanWaitMs: 4.2, pressurePercent: 48, othersCpuPercent: 190, cores: 2, starved: true };

test("machine-busy: pipebench waited for a CPU; the lag and the shortfall are said as its effects, not as saturation", () => {
  const starved = result({
    generator: health({ cpuPercent: 33, eventLoopLagP99Ms: 60, eventLoopLagMaxMs: 76, askedRate: 1_000_000, achievedRate: 5500, machine: starvedMachine }),
  });
  const v = assessValidity(starved, { capWaits: 10_000 });
  assert.deepEqual(v.reasons.map((r) => r.code), ["machine-busy", "rate-not-reached"], "the lag is said once, under the busy machine");
  assert.match(
    v.reasons[0]?.message ?? "",
    /^the machine was busy: pipebench waited for a CPU 31 % of the time \(69 % of the time it wanted one\), other processes used 190 % of a core \(of 200 %\); event-loop lag p99 60 ms, max 76 ms \(limit 20 ms\); it achieved 5,500\/s of the asked 1,000,000\/s: these numbers describe the machine's load, not the target/,
  );
  // The same readings under the verdict's bar: not busy, and a quiet generator's lag is schedule-lag.
  const quiet = result({ generator: health({ eventLoopLagP99Ms: 35, eventLoopLagMaxMs: 80, machine: { ...starvedMachine, waitShare: 0.3, starved: false } }) });
  assert.deepEqual(codes(quiet), ["schedule-lag"]);
  // Starved, but it cost nothing visible: waits of 0.2 ms under a 50 ms median, on schedule, at rate.
  const slowTarget = result({ latency: latency({ p50: 50 }), service: latency({ p50: 50 }), generator: health({ machine: { ...starvedMachine, meanWaitMs: 0.2 } }) });
  assert.deepEqual(codes(slowTarget), []);
  // A slow target on a loaded machine (the truth matrix's serial service beside other work): late
  // starts of 30 ms and some lag under a 1.7 s median change nothing a person reads.
  const queued = result({
    latency: latency({ p50: 1700 }),
    service: latency({ p50: 1690 }),
    startDelay: latency({ p99: 30 }),
    generator: health({ lateStarts: 40, eventLoopLagP99Ms: 25, eventLoopLagMaxMs: 40, machine: { ...starvedMachine, meanWaitMs: 0.3 } }),
  });
  assert.deepEqual(codes(queued), []);
  // A fast target behind pipebench's connections on a starved machine (the truth matrix's (d) in a
  // CI run): a 1.2 s median made of client wait, services of 2 ms, starts 60 ms late. The queue for
  // connections grew because the machine slowed everything: the machine, not the connections.
  const pinned = result({
    latency: latency({ p50: 1230 }),
    service: latency({ p50: 2.25 }),
    clientWait: latency({ p50: 1225 }),
    startDelay: latency({ p99: 60 }),
    generator: health({ machine: { ...starvedMachine, meanWaitMs: 0.3 } }),
  });
  assert.deepEqual(codes(pinned), ["machine-busy"]);
  assert.deepEqual(codes({ ...pinned, generator: health({ machine: { ...starvedMachine, meanWaitMs: 0.3, starved: false } }) }), []);
  // An in-process target (DuckDB) runs its threads in this process: they took the CPU, not others.
  assert.deepEqual(codes(result({ latency: latency({ p50: 0.3 }), generator: health({ machine: { ...starvedMachine, meanWaitMs: 0.2 } }) }), { inProcessTarget: true }), []);
  // The same waits under a 0.3 ms median are most of it.
  assert.deepEqual(codes(result({ latency: latency({ p50: 0.3 }), generator: health({ machine: { ...starvedMachine, meanWaitMs: 0.2 } }) })), ["machine-busy"]);
  // Short of the rate with a quiet generator: the slots were held; not the generator's doing.
  const held = result({ generator: health({ cpuPercent: 22, askedRate: 1_000_000, achievedRate: 100_000, lateStarts: 40_000 }) });
  assert.deepEqual(codes(held, { capWaits: 40_000 }), ["rate-not-reached"]);
});

test("rate-not-reached: an open loop under 95 % of the asked rate, with the numbers and the dropped operations", () => {
  const short = result({ generator: health({ askedRate: 5000, achievedRate: 3120 }), dropped: 1200, droppedBy: { "max-in-flight": 1000, "never-sent": 200 } });
  const v = assessValidity(short);
  assert.deepEqual(v.reasons.map((r) => r.code), ["rate-not-reached"]);
  assert.match(
    v.reasons[0]?.message ?? "",
    /^asked 5,000\/s, achieved 3,120\/s \(62 %, needs ≥ 95 %\); 1,200 operations dropped: 1,000 never started \(maxInFlight operations still in flight\), 200 never sent/,
  );
  assert.deepEqual(codes(result({ generator: health({ askedRate: 5000, achievedRate: 4760 }) })), []);
  // Closed loops have no asked rate; an interrupted run is short by design.
  assert.deepEqual(codes(result({ executor: "closed", generator: health({ askedRate: null, achievedRate: 10 }) })), []);
  assert.deepEqual(codes(result({ status: "interrupted", generator: health({ askedRate: 5000, achievedRate: 100 }) })), []);
});

test("schedule-lag: event-loop lag p99 over 20 ms, or over 1 % late starts the generator caused", () => {
  const lag = assessValidity(result({ generator: health({ eventLoopLagP99Ms: 35, eventLoopLagMaxMs: 80 }) }));
  assert.deepEqual(lag.reasons.map((r) => r.code), ["schedule-lag"]);
  assert.match(lag.reasons[0]?.message ?? "", /event-loop lag p99 35 ms, max 80 ms \(limit 20 ms\)/);
  assert.deepEqual(codes(result({ generator: health({ eventLoopLagP99Ms: 20 }) })), []);
  // A closed loop of 2 s queries: 45 ms of lag is 2 % of each reading, not worth distrusting.
  const slowQueries = { executor: "closed", latency: latency({ p50: 2260 }), generator: health({ askedRate: null, eventLoopLagP99Ms: 45 }) };
  assert.deepEqual(codes(result(slowQueries)), []);
  assert.deepEqual(codes(result({ ...slowQueries, latency: latency({ p50: 239 }) })), ["schedule-lag"]);

  const late = assessValidity(result({ generator: health({ lateStarts: 900 }) }));
  assert.match(late.reasons[0]?.message ?? "", /900 of 20,000 operations \(4\.5 %\) started more than 10 ms/);
  assert.deepEqual(codes(result({ generator: health({ lateStarts: 200 }) })), []);
  // A short run: 2 late of 120 is over 1 % but one stall's few (a CI run of the truth matrix's (a));
  // 5 of 120 is a pattern.
  const short = { ops: 120, series: Array.from({ length: 3 }, (_, t) => point(t, 40)) };
  assert.deepEqual(codes(result({ ...short, generator: health({ askedRate: 40, achievedRate: 40, lateStarts: 2 }) })).filter((c) => c === "schedule-lag"), []);
  assert.deepEqual(codes(result({ ...short, generator: health({ askedRate: 40, achievedRate: 40, lateStarts: 5 }) })).filter((c) => c === "schedule-lag"), ["schedule-lag"]);
  // Late because the target held every maxInFlight slot: the target's doing, counted in latency.
  assert.deepEqual(codes(result({ generator: health({ lateStarts: 900 }) }), { capWaits: 900 }), []);
});

test("not-steady: throughput or median latency moving between the first and the last third", () => {
  const falling = result({ series: Array.from({ length: 12 }, (_, t) => point(t, t < 4 ? 1000 : t < 8 ? 900 : 700)), durationS: 12 });
  const v = assessValidity(falling);
  assert.deepEqual(v.reasons.map((r) => r.code), ["not-steady"]);
  assert.match(v.reasons[0]?.message ?? "", /throughput went from 1,000\/s in the first third to 700\/s in the last \(-30 %/);

  const warming = result({ series: Array.from({ length: 12 }, (_, t) => point(t, 1000, t < 4 ? 8 : 2)), durationS: 12 });
  assert.match(assessValidity(warming).reasons[0]?.message ?? "", /median latency went from 8\.00 ms in the first third to 2\.00 ms/);
  // Within tolerance, under the absolute floor, too short to judge, or a ramp on purpose: steady.
  assert.deepEqual(codes(result({ series: Array.from({ length: 12 }, (_, t) => point(t, t < 4 ? 1000 : 850)), durationS: 12 })), []);
  assert.deepEqual(codes(result({ series: Array.from({ length: 12 }, (_, t) => point(t, 1000, t < 4 ? 0.3 : 0.1)), durationS: 12 })), []);
  assert.deepEqual(codes(result({ series: Array.from({ length: 5 }, (_, t) => point(t, t < 2 ? 1000 : 100)), durationS: 5 })), []);
  assert.deepEqual(codes(result({ executor: "ramp", series: Array.from({ length: 12 }, (_, t) => point(t, 100 * (t + 1))), durationS: 12 })), []);
  // The drain after an open loop (seconds past the measured interval) is not a rate.
  const drained = result({ series: [...Array.from({ length: 12 }, (_, t) => point(t)), point(12, 5), point(13, 1)], durationS: 12 });
  assert.deepEqual(codes(drained), []);
});

test("too-few-samples: p99 needs 1,000 latencies, p99.9 10,000 (10 beyond the percentile)", () => {
  assert.equal(minSamplesFor(0.99), 1000);
  assert.equal(minSamplesFor(0.999), 10_000);
  assert.equal(minSamplesFor(0.95), 200);
  const few = assessValidity(result({ latency: latency({ count: 10 }) }));
  assert.deepEqual(few.reasons.map((r) => r.code), ["too-few-samples"]);
  assert.match(few.reasons[0]?.message ?? "", /^p99 from 10 latencies \(needs ≥ 1,000/);
  assert.deepEqual(codes(result({ latency: latency({ count: 1000 }) })), []);
  assert.deepEqual(codes(result({ latency: latency({ count: 0 }) })), [], "no latency, no percentile shown");
});

test("validityOf keeps a stored verdict and judges a result stored without one", () => {
  const stored: ScenarioResult = { ...result(), validity: { valid: true, reasons: [] } };
  assert.equal(validityOf({ ...stored, latency: latency({ count: 3 }) }).valid, true);
  const old: ScenarioResult = result({ latency: latency({ count: 3 }) });
  assert.deepEqual(validityOf(old).reasons.map((r) => r.code), ["too-few-samples"]);
});

test("the console summary puts each INVALID reason right under its scenario's row; valid rows get none", async () => {
  const { renderRunSummary } = await import("../../src/report/console-summary.js");
  const { run, scenario, result: stored } = await import("../diagnose/fixtures.js");
  const bad = stored({ executor: "constant-rate", generator: health({ askedRate: 5000, achievedRate: 3120 }) });
  const text = renderRunSummary(run([scenario({ name: "short", result: bad }, 0), scenario({ name: "fine" }, 1)]), { color: false });
  const lines = text.split("\n");
  const row = lines.findIndex((l) => l.startsWith("short "));
  assert.match(lines[row + 1] ?? "", /^ {4}INVALID: asked 5,000\/s, achieved 3,120\/s \(62 %, needs ≥ 95 %\) \[rate-not-reached\]$/);
  const fine = lines.findIndex((l) => l.startsWith("fine "));
  assert.ok(fine > row && !(lines[fine + 1] ?? "").includes("INVALID"), text);
});

test("too-few-samples judges the percentiles the thresholds name, when the caller says which", () => {
  assert.deepEqual(judgedPercentiles(["p95", "throughput", "service.p99", "p99.9", "end_to_end.p99", "p95"]), [0.95, 0.99, 0.999]);
  const ten = result({ latency: latency({ count: 10 }) });
  assert.deepEqual(codes(ten, { judgedPercentiles: [] }), [], "no percentile judged: max and p50 are what a short run shows");
  const p95 = assessValidity(result({ latency: latency({ count: 150 }) }), { judgedPercentiles: [0.5, 0.95] });
  assert.match(p95.reasons[0]?.message ?? "", /^p95 from 150 latencies \(needs ≥ 200/);
  assert.deepEqual(codes(result({ latency: latency({ count: 200 }) }), { judgedPercentiles: [0.95] }), []);
  const tail = assessValidity(result({ latency: latency({ count: 5000 }) }), { judgedPercentiles: [0.99, 0.999] });
  assert.match(tail.reasons[0]?.message ?? "", /^p99\.9 from 5,000 latencies \(needs ≥ 10,000/);
});
