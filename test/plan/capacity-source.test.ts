// Measured capacities read from stored runs through the two reads a plan makes (resolveRef,
// getRun): the median of trials, a find-max answer in records/s, validity, and the refusals. The
// runs are built here with only the fields these reads use (the CLI test uses real DuckDB runs).
import assert from "node:assert/strict";
import { test } from "node:test";
import { measuredCapacity, type RunReader } from "../../src/plan/capacity-source.js";
import { findMaxAnswer } from "../../src/report/find-max-answer.js";
import type { StoredRun, StoredScenario } from "../../src/store/results-store.js";

function scenario(name: string, fields: { throughput?: number; ops?: number; records?: number; valid?: boolean; variant?: Record<string, string | number>; passed?: boolean }): StoredScenario {
  const valid = fields.valid ?? true;
  const partial = {
    name,
    ...(fields.variant === undefined ? {} : { variant: fields.variant }),
    thresholds: [{ expr: "achieved ≥ 95%", passed: fields.passed ?? true, actual: 1, target: 0.95, kind: "stability" }],
    result: {
      status: "completed",
      throughput: fields.throughput ?? 0,
      ops: fields.ops ?? 1,
      records: fields.records ?? 1,
      validity: { valid, reasons: valid ? [] : [{ code: "machine-busy", message: "the machine was busy" }] },
    },
  };
  return partial as unknown as StoredScenario;
}

function reader(runs: StoredRun[]): RunReader {
  return {
    path: "test.db",
    resolveRef: (ref) => Promise.resolve(runs.find((r) => String(r.id) === ref || r.tag === ref)?.id),
    getRun: (id) => Promise.resolve(runs.find((r) => r.id === id)),
    findMax: findMaxAnswer,
  };
}

function run(id: number, tag: string | null, scenarioResults: StoredScenario[], status: StoredRun["status"] = "passed"): StoredRun {
  const partial = { id, tag, status, startedAt: Date.UTC(2026, 11, 6, 14, 30), environment: { host: { hostname: "bench-1" } }, scenarioResults };
  return partial as unknown as StoredRun;
}

const trials = run(1, "copy", [scenario("copy", { throughput: 900 }), scenario("copy", { throughput: 1200 }), scenario("copy", { throughput: 1000 })]);
// A find-max search: 2,000 ops/s confirmed twice, 3,000 failed; 10 records per operation.
const search = run(2, "fm", [
  scenario("ingest[rate=1000]", { variant: { "find-max": "ramp", "load.rate": 1000 }, ops: 1000, records: 10_000 }),
  scenario("ingest[rate=3000]", { variant: { "find-max": "ramp", "load.rate": 3000 }, passed: false, valid: false }),
  scenario("ingest[rate=2000]", { variant: { "find-max": "confirm", "load.rate": 2000 }, ops: 2000, records: 20_000 }),
  scenario("ingest[rate=2000]", { variant: { "find-max": "confirm", "load.rate": 2000 }, ops: 2000, records: 20_000 }),
]);
const busy = run(3, "busy", [scenario("copy", { throughput: 5000, valid: false })], "invalid");
const store = reader([trials, search, busy]);

test("throughput: the median of the scenario's trials, with run, tag, date, host and validity", async () => {
  const m = await measuredCapacity(store, { run: "copy", scenario: "copy", metric: "throughput", allowInvalid: false });
  assert.ok(m.ok);
  assert.equal(m.capacityPerNode, 1000);
  assert.deepEqual(
    { run: m.source.run, tag: m.source.tag, startedAt: m.source.startedAt, host: m.source.host, valid: m.source.valid },
    { run: 1, tag: "copy", startedAt: "2026-12-06T14:30:00.000Z", host: "bench-1", valid: true },
  );
  assert.equal(m.source.summary, "measured: run 1 (copy) copy throughput, 2026-12-06 14:30 UTC on bench-1, valid");
  assert.equal(m.source.detail, "the median throughput of 3 trials (records/s)");
});

test("find-max: the confirmed rate × the records per operation; the failed step above it does not make it invalid", async () => {
  const m = await measuredCapacity(store, { run: "fm", scenario: "ingest", metric: "find-max", allowInvalid: false });
  assert.ok(m.ok, m.ok ? "" : m.message);
  assert.equal(m.capacityPerNode, 20_000);
  assert.equal(m.source.valid, true);
  assert.match(m.source.detail, /confirmed find-max rate 2000 ops\/s × 10 records per operation/);
  const plain = await measuredCapacity(store, { run: "fm", scenario: "ingest", metric: "throughput", allowInvalid: false });
  assert.ok(!plain.ok);
  assert.match(plain.message, /is a sweep or a find-max search/);
});

test("an INVALID run is refused with its reasons, and taken when allowed", async () => {
  const refused = await measuredCapacity(store, { run: "busy", scenario: "copy", metric: "throughput", allowInvalid: false });
  assert.ok(!refused.ok);
  assert.equal(refused.field, "run");
  assert.match(refused.message, /INVALID.*the machine was busy \[machine-busy\]/);
  const taken = await measuredCapacity(store, { run: "busy", scenario: "copy", metric: "throughput", allowInvalid: true });
  assert.ok(taken.ok);
  assert.equal(taken.capacityPerNode, 5000);
  assert.equal(taken.source.valid, false);
  assert.match(taken.source.summary, /INVALID, allowed$/);
});

test("no run, no scenario, no search: the field to fix and what there is", async () => {
  const cases = [
    [{ run: "nope", scenario: "copy", metric: "throughput" }, "run", /there is no run "nope" in test\.db/],
    [{ run: "copy", scenario: "cpoy", metric: "throughput" }, "scenario", /run 1 has no scenario "cpoy"/],
    [{ run: "copy", scenario: "copy", metric: "find-max" }, "metric", /run 1 holds no find-max search of copy/],
  ] as const;
  for (const [spec, field, message] of cases) {
    const m = await measuredCapacity(store, { ...spec, allowInvalid: false });
    assert.ok(!m.ok);
    assert.equal(m.field, field);
    assert.match(m.message, message);
  }
});

// A search that stopped at pipebench's own CPU limit: 41,700/s kept up with, 62,600/s failed only
// its generator check (seed 004's Kafka search on this 2-core machine, 2026-12-06).
function generatorBoundRun(id: number, tag: string): StoredRun {
  const limit = scenario("metrics-producer[rate=62600]", { variant: { "find-max": "ramp", "load.rate": 62_600 }, ops: 250_400, records: 250_400 });
  const failing = { ...limit, thresholds: [{ expr: "generator CPU ≤ 90%", passed: false, actual: 95.5, target: 90, kind: "stability" }] } as unknown as StoredScenario;
  return run(id, tag, [
    scenario("metrics-producer[calibrate]", { variant: { "find-max": "calibrate" }, ops: 238_000, records: 238_000 }),
    scenario("metrics-producer[rate=41700]", { variant: { "find-max": "ramp", "load.rate": 41_700 }, ops: 166_800, records: 166_800 }),
    failing,
  ]);
}

test("find-max stopped at pipebench's limit: the last rate kept up with, as a floor whose node counts are upper bounds", async () => {
  const floorStore = reader([generatorBoundRun(4, "kafka-fm")]);
  const m = await measuredCapacity(floorStore, { run: "kafka-fm", scenario: "metrics-producer", metric: "find-max", allowInvalid: false });
  assert.ok(m.ok, m.ok ? "" : m.message);
  assert.equal(m.capacityPerNode, 41_700);
  assert.deepEqual(m.source.floor, { bound: "pipebench", limitRate: 62_600, why: "generator CPU ≤ 90% (95.5)" });
  assert.equal(m.source.interval, undefined, "a floor has no interval");
  assert.match(m.source.summary, /^measured: run 4 \(kafka-fm\) metrics-producer find-max floor \(pipebench-bound\), /);
  assert.match(m.source.detail, /a floor: the search stopped at pipebench's own limit at 62,600 ops\/s .*node counts from it \(≤ n\) are upper bounds/);
});

test("a search that confirmed nothing for another reason is still refused: only pipebench's limit makes a floor", async () => {
  const failed = run(5, "nothing", [
    scenario("ingest[rate=1000]", { variant: { "find-max": "ramp", "load.rate": 1000 }, passed: false }),
    scenario("ingest[rate=500]", { variant: { "find-max": "ramp", "load.rate": 500 }, passed: false }),
  ]);
  const m = await measuredCapacity(reader([failed]), { run: "nothing", scenario: "ingest", metric: "find-max", allowInvalid: false });
  assert.ok(!m.ok);
  assert.match(m.message, /confirmed no rate/);
});

test("a plan on a floor: the capacity reads '≥ …, pipebench-bound', its node counts '≤ n', and the assumptions say why", async () => {
  const { parsePlanText, planComponents } = await import("../../src/plan/load-plan.js");
  const { computePlan } = await import("../../src/plan/model.js");
  const { renderPlan } = await import("../../src/report/plan-console.js");
  const { planMarkdown } = await import("../../src/report/plan-markdown.js");
  const loaded = parsePlanText(
    `demand: { base: { recordsPerSecond: 100k }, recordSize: 200B, growthPerMonth: 0, horizonMonths: 0 }
components:
  kafka: { capacityPerNode: { measured: { run: kafka-fm, scenario: metrics-producer, metric: find-max } } }
  pg: { capacityPerNode: 50k }
`,
    "floor.yaml",
  );
  const plan = computePlan(loaded.plan, await planComponents(loaded, async () => reader([generatorBoundRun(4, "kafka-fm")])), loaded.name);
  assert.equal(plan.months[0]?.nodes.kafka, 3, "⌈100,000 ÷ 41,700⌉");
  const text = renderPlan(plan);
  assert.match(text, /kafka\s+≥ 41,700\/s, pipebench-bound/);
  assert.match(text, /\n\s*0\s+100,000\s+[\d.,]+\s+≤ 3\s+2\s/, text);
  assert.match(text, /\n  kafka: a floor: the search stopped at pipebench's own limit at 62,600 ops\/s .*node counts from it \(≤ n\) are upper bounds/);
  const md = planMarkdown(plan);
  assert.match(md, /\| ≤ 3 \| 2 \|/);
  assert.ok(plan.assumptions.some((a) => /kafka: its capacity is a floor, not an answer: .*62,600 records\/s \(generator CPU ≤ 90% \(95\.5\)\).*upper bounds/.test(a)), plan.assumptions.join("\n"));
});

// A sweep over load.workers whose throughputs lie on X(N) = 1000 N / (1 + 0.05 (N−1) + 0.001 N (N−1)),
// ±0.5 % so the fit has residuals: N* = √(0.95 / 0.001) ≈ 30.8, within 2 × 16.
function workersSweep(id: number, tag: string, valid = true): StoredRun {
  const x = (n: number): number => (1000 * n) / (1 + 0.05 * (n - 1) + 0.001 * n * (n - 1));
  const wiggle = [1.004, 0.996, 1.003, 0.997, 1.005, 0.995];
  return run(
    id,
    tag,
    [1, 2, 4, 8, 12, 16].map((n, i) => ({ ...scenario(`copy[workers=${n}]`, { variant: { "load.workers": n }, throughput: x(n) * (wiggle[i] ?? 1), valid }), trial: 0 }) as StoredScenario),
  );
}

test("fit: usl at N: X(N) of the sweep's USL fit, with σ κ λ, R² and the run in the source; beyond 2× refused unless forced", async () => {
  const fits = reader([workersSweep(6, "workers"), workersSweep(7, "busy-workers", false)]);
  const spec = { run: "workers", scenario: "copy", fit: "usl", allowInvalid: false } as const;
  const m = await measuredCapacity(fits, { ...spec, at: 8 });
  assert.ok(m.ok, m.ok ? "" : m.message);
  const exact = (1000 * 8) / (1 + 0.05 * 7 + 0.001 * 56);
  assert.ok(Math.abs(m.capacityPerNode / exact - 1) < 0.01, `${m.capacityPerNode} vs ${exact}`);
  assert.equal(m.source.metric, "usl");
  assert.equal(m.source.fit?.key, "load.workers");
  assert.equal(m.source.fit?.n, 8);
  assert.ok(Math.abs((m.source.fit?.sigma.value ?? 0) - 0.05) < 0.01 && (m.source.fit?.r2 ?? 0) > 0.99);
  assert.match(m.source.summary, /^measured: run 6 \(workers\) copy USL fit X\(8\) over load\.workers, 2026-12-06 14:30 UTC on bench-1, valid$/);
  assert.match(m.source.detail, /σ 0\.0\d+ \[[\d.]+, [\d.]+\], κ [\d.e-]+ \[.*\], λ .*R² (1\.000|0\.99\d), 6 values of N measured up to 16/);

  const far = await measuredCapacity(fits, { ...spec, at: 40 });
  assert.ok(!far.ok);
  assert.equal(far.field, "at");
  assert.match(far.message, /N = 40 is beyond 2× the largest N measured \(16\)/);
  assert.match(far.fix, /add force: true/);
  const forced = await measuredCapacity(fits, { ...spec, at: 40, force: true });
  assert.ok(forced.ok && forced.source.fit?.extrapolated === true && /extrapolated with force/.test(forced.source.detail));

  const peak = await measuredCapacity(fits, { ...spec, at: "peak" });
  assert.ok(peak.ok, peak.ok ? "" : peak.message);
  assert.ok(Math.abs((peak.source.fit?.n ?? 0) - 30.8) < 3, String(peak.source.fit?.n));
  assert.match(peak.source.summary, /USL fit peak over load\.workers/);

  const busy = await measuredCapacity(fits, { ...spec, run: "busy-workers", at: 8 });
  assert.ok(!busy.ok);
  assert.match(busy.message, /INVALID, so its USL fit X\(8\) over load\.workers is not a capacity/);
  const notSwept = await measuredCapacity(store, { ...spec, run: "copy", at: 8 });
  assert.ok(!notSwept.ok);
  assert.equal(notSwept.field, "fit");
  assert.match(notSwept.message, /is not a sweep over a concurrency-like key/);
});

test("a measured capacity is metric: or fit: (with at:), and at/key/force belong to a fit", async () => {
  const { parsePlanText } = await import("../../src/plan/load-plan.js");
  const plan = (measured: string): string =>
    `demand: { base: { recordsPerSecond: 1000 }, recordSize: 100, growthPerMonth: 0, horizonMonths: 0 }\ncomponents:\n  pg:\n    capacityPerNode:\n      measured: ${measured}\n`;
  const issues = (measured: string): string[] => {
    try {
      parsePlanText(plan(measured), "m.yaml");
    } catch (error) {
      return (error as { issues: { path: string; message: string }[] }).issues.map((i) => `${i.path}: ${i.message}`);
    }
    return [];
  };
  assert.deepEqual(issues("{ run: 1, scenario: copy, fit: usl, at: 8 }"), []);
  assert.deepEqual(issues("{ run: 1, scenario: copy, fit: usl, at: peak, key: workers, force: true }"), []);
  assert.deepEqual(issues("{ run: 1, scenario: copy }"), ["components.pg.capacityPerNode.measured.metric: a measured capacity needs metric: (throughput or find-max) or fit: usl"]);
  assert.deepEqual(issues("{ run: 1, scenario: copy, fit: usl }"), ["components.pg.capacityPerNode.measured.at: fit: usl needs at: the N to predict X(N) at, or peak"]);
  assert.deepEqual(issues("{ run: 1, scenario: copy, metric: throughput, at: 8 }"), ["components.pg.capacityPerNode.measured.at: at: belongs to a fit (fit: usl)"]);
});

test("a plan on a fit's X(N): the console names the run and the fit's σ κ λ and R² under the capacity", async () => {
  const { parsePlanText, planComponents } = await import("../../src/plan/load-plan.js");
  const { computePlan } = await import("../../src/plan/model.js");
  const { renderPlan } = await import("../../src/report/plan-console.js");
  const loaded = parsePlanText(
    `demand: { base: { recordsPerSecond: 20k }, recordSize: 200B, growthPerMonth: 0, horizonMonths: 0 }
components:
  pg: { capacityPerNode: { measured: { run: workers, scenario: copy, fit: usl, at: 8 } } }
`,
    "fit.yaml",
  );
  const plan = computePlan(loaded.plan, await planComponents(loaded, async () => reader([workersSweep(6, "workers")])), loaded.name);
  assert.equal(plan.months[0]?.nodes.pg, 4, "20,000 ÷ X(8) ≈ 5,880 per node");
  const text = renderPlan(plan);
  assert.match(text, /measured: run 6 \(workers\) copy USL fit X\(8\) over load\.workers, 2026-12-06 14:30 UTC on bench-1, valid/);
  assert.match(text, /\n  pg: the USL fit's X\(8\) over load\.workers: σ .* κ .* λ .* R² /);
});
