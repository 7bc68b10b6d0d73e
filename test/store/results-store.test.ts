import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import type { ScenarioResult } from "../../src/metrics/summary.js";
import { REDACTED, redact } from "../../src/store/redact.js";
import { ResultsStore } from "../../src/store/results-store.js";
import { MIGRATIONS } from "../../src/store/schema.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const latency = { count: 10, min: 1, mean: 2, stddev: 0.5, p50: 2, p90: 3, p95: 3.5, p99: 4, p999: 4, max: 4 };
const result: ScenarioResult = {
  status: "completed",
  startedAt: 1_700_000_000_000,
  durationS: 2,
  warmupS: 0,
  executor: "closed",
  ops: 10,
  errors: 1,
  errorsByClass: { ECONNRESET: 1 },
  errorSamples: ["socket hang up"],
  records: 1000,
  bytes: 5000,
  opsPerSec: 5,
  throughput: 500,
  mbps: 0.0025,
  errorRate: 1 / 11,
  latency,
  service: latency,
  latencyHistogram: "HISTFAAAAlatency",
  serviceHistogram: "HISTFAAAAservice",
  series: [
    { t: 0, ops: 5, errors: 0, records: 500, bytes: 2500, p50: 2, p99: 4 },
    { t: 1, ops: 5, errors: 1, records: 500, bytes: 2500, p50: null, p99: null },
  ],
  generator: { cpuPercent: 12, eventLoopLagP99Ms: 1, eventLoopLagMaxMs: 2, askedRate: null, achievedRate: 5, lateStarts: 0, saturated: false, warnings: [] },
};

test("a stored run reads back with its scenarios, histograms, series, probes and verdicts", () => {
  const store = ResultsStore.open(join(dir, "a", "results.db"));
  const runId = store.beginRun({
    suiteName: "s",
    suiteFile: "/tmp/s.yaml",
    startedAt: Date.now(),
    environment: { pipebench: "0.0.0", node: process.version, host: { cores: 2 }, targets: { pg: { kind: "postgres", version: "PostgreSQL 18.4" } } },
    suite: { targets: { pg: { url: "postgres://app:hunter2@db:5432/x", password: "hunter2" } } },
  });
  store.saveScenario(runId, {
    ordinal: 0,
    name: "writes",
    target: "pg",
    targetKind: "postgres",
    workload: { type: "insert" },
    load: { executor: "closed", workers: 1 },
    result,
    thresholds: [{ expr: "p95 < 5ms", passed: true, actual: 3.5, target: 5, kind: "duration" }],
    probes: [{ target: "pg", probe: "postgres-stats", phase: "interval", takenAt: 1, reading: { metrics: { cache_hit_ratio: 0.995 }, notes: [] } }],
  });
  store.finishRun(runId, "passed", 0, []);

  const run = store.getRun(runId);
  assert.ok(run);
  assert.equal(run.status, "passed");
  assert.equal(run.scenarios, 1);
  const [s] = run.scenarioResults;
  assert.ok(s);
  assert.equal(s.result.latencyHistogram, "HISTFAAAAlatency");
  assert.deepEqual(s.result.series, result.series);
  assert.equal(s.result.errorsByClass.ECONNRESET, 1);
  assert.equal(s.thresholds[0]?.passed, true);
  assert.equal(s.probes[0]?.reading.metrics.cache_hit_ratio, 0.995);
  assert.deepEqual(store.getRun("latest")?.id, runId);
  assert.equal(store.listRuns()[0]?.id, runId);
  store.close();
});

test("secrets in the stored suite are redacted: password keys and passwords inside URLs", () => {
  const out = redact({ url: "postgres://app:hunter2@db:5432/x", password: "hunter2", nested: [{ apiKey: "k" }], note: "ok" }) as Record<string, unknown>;
  assert.equal(out.url, `postgres://app:${REDACTED}@db:5432/x`);
  assert.equal(out.password, REDACTED);
  assert.deepEqual(out.nested, [{ apiKey: REDACTED }]);
  assert.equal(out.note, "ok");
});

test("a store written by a newer pipebench is refused with a hint", () => {
  const path = join(dir, "newer.db");
  ResultsStore.open(path).close();
  // Simulate a future schema version.
  const store = ResultsStore.open(path);
  (store as unknown as { db: { pragma(s: string): void } }).db.pragma("user_version = 99");
  store.close();
  assert.throws(() => ResultsStore.open(path), /written by a newer pipebench/);
});

describe("a scenario whose workload observes a latency and counts integrity events", () => {
  const observedLatency = { count: 400, min: 12, mean: 21, stddev: 3, p50: 20, p90: 25, p95: 28, p99: 40, p999: 55, max: 61 };
  const observing: ScenarioResult = {
    ...result,
    observed: {
      name: "end_to_end",
      latency: observedLatency,
      histogram: "HISTFAAAAendtoend",
      series: [
        { t: 0, arrivals: 199, p50: 20, p99: 39 },
        { t: 1, arrivals: 200, p50: 21, p99: 41 },
        { t: 2, arrivals: 1, p50: 22, p99: 22 },
      ],
      warmupArrivals: 50,
    },
    counters: { lost: 0, duplicated: 2, out_of_order: 1 },
  };

  function saveOne(path: string, r: ScenarioResult): number {
    const store = ResultsStore.open(path);
    const runId = store.beginRun({
      suiteName: "e2e",
      suiteFile: "/tmp/e2e.yaml",
      startedAt: Date.now(),
      environment: { pipebench: "0.0.0", node: process.version, host: {}, targets: {} },
      suite: {},
    });
    store.saveScenario(runId, {
      ordinal: 0,
      name: "e2e",
      target: "kafka",
      targetKind: "kafka",
      workload: { type: "end-to-end" },
      load: { executor: "constant-rate", rate: 200 },
      result: r,
      thresholds: [{ expr: "lost == 0", passed: true, actual: 0, target: 0, kind: "count" }],
      probes: [],
    });
    store.finishRun(runId, "passed", 0, []);
    store.close();
    return runId;
  }

  test("reads back as it was saved: observed latency, its histogram and series, counters", () => {
    const path = join(dir, "observed.db");
    const runId = saveOne(path, observing);
    const store = ResultsStore.open(path);
    const back = store.getRun(runId)?.scenarioResults[0]?.result;
    store.close();
    assert.deepEqual(back, observing);
  });

  test("its numbers are rows of the metrics table and its histogram a row of histograms", () => {
    const path = join(dir, "observed-rows.db");
    saveOne(path, observing);
    const db = new Database(path, { readonly: true });
    const metrics = db.prepare(`select name, value, unit from metrics where name like 'end_to_end.%' or unit = 'count' order by name`).all();
    const kinds = db.prepare(`select kind from histograms order by kind`).all();
    db.close();
    assert.deepEqual(
      metrics.filter((m) => ["end_to_end.p99", "end_to_end.p99.9", "end_to_end.count", "lost", "duplicated", "out_of_order"].includes((m as { name: string }).name)),
      [
        { name: "duplicated", value: 2, unit: "count" },
        { name: "end_to_end.count", value: 400, unit: "count" },
        { name: "end_to_end.p99", value: 40, unit: "ms" },
        { name: "end_to_end.p99.9", value: 55, unit: "ms" },
        { name: "lost", value: 0, unit: "count" },
        { name: "out_of_order", value: 1, unit: "count" },
      ],
    );
    assert.deepEqual(kinds, [{ kind: "end_to_end" }, { kind: "latency" }, { kind: "service" }]);
  });

  test("a scenario without them reads back without them", () => {
    const path = join(dir, "plain.db");
    const runId = saveOne(path, result);
    const store = ResultsStore.open(path);
    const back = store.getRun(runId)?.scenarioResults[0]?.result;
    store.close();
    assert.equal(back?.observed, undefined);
    assert.equal(back?.counters, undefined);
    assert.deepEqual(back, result);
  });

  test("a store written before observed latencies existed is migrated forward and keeps its runs", () => {
    const path = join(dir, "schema1.db");
    const old = new Database(path);
    old.exec(MIGRATIONS[0] ?? "");
    old.pragma("user_version = 1");
    old.close();
    const runId = saveOne(path, observing);
    const db = new Database(path, { readonly: true });
    assert.equal(db.pragma("user_version", { simple: true }), MIGRATIONS.length);
    db.close();
    const store = ResultsStore.open(path);
    assert.deepEqual(store.getRun(runId)?.scenarioResults[0]?.result.observed?.series, observing.observed?.series);
    store.close();
  });
});

describe("trials, tags and baselines", () => {
  const env = { pipebench: "0.0.0", node: process.version, host: {}, targets: {} };
  const scenario = { name: "copy", target: "pg", targetKind: "postgres", workload: {}, load: { executor: "max" }, result, thresholds: [], probes: [] };

  test("a store from before trials is migrated with its rows and everything that hangs off them", () => {
    const path = join(dir, "schema2.db");
    const old = new Database(path);
    old.exec(MIGRATIONS[0] ?? "");
    old.exec(MIGRATIONS[1] ?? "");
    old.pragma("user_version = 2");
    old.exec(`insert into runs (id, suite_name, suite_file, started_at, status, environment, suite) values (1, 's', '/s.yaml', 1, 'passed', '{}', '{}')`);
    old.exec(`insert into scenarios (id, run_id, ordinal, name, target, target_kind, workload, load, status, started_at, duration_s, result)
              values (1, 1, 0, 'copy', 'pg', 'postgres', '{}', '{}', 'completed', 1, 2, '${JSON.stringify(result)}')`);
    old.exec(`insert into metrics (scenario_id, name, value, unit) values (1, 'throughput', 500, 'records/s')`);
    old.exec(`insert into series (scenario_id, t, ops, errors, records, bytes) values (1, 0, 5, 0, 500, 2500)`);
    old.close();

    const store = ResultsStore.open(path);
    const run = store.getRun(1);
    store.close();
    assert.equal(run?.trials, 1);
    assert.equal(run?.tag, null);
    assert.equal(run?.scenarioResults[0]?.trial, 0);
    assert.deepEqual(run?.scenarioResults[0]?.result.series, [{ t: 0, ops: 5, errors: 0, records: 500, bytes: 2500, p50: null, p99: null }]);
    const db = new Database(path, { readonly: true });
    assert.deepEqual(db.prepare(`select value from metrics where scenario_id = 1`).all(), [{ value: 500 }]);
    db.close();
  });

  test("each trial is its own row; tags, latest~N and the suite's baseline resolve to runs", () => {
    const store = ResultsStore.open(join(dir, "trials.db"));
    const first = store.beginRun({ suiteName: "s", suiteFile: "/s.yaml", startedAt: 1, environment: env, suite: {}, tag: "before", trials: 3 });
    for (const trial of [0, 1, 2]) store.saveScenario(first, { ...scenario, ordinal: 0, trial });
    store.finishRun(first, "passed", 0, []);
    const second = store.beginRun({ suiteName: "s", suiteFile: "/s.yaml", startedAt: 2, environment: env, suite: {}, tag: "after" });
    store.saveScenario(second, { ...scenario, ordinal: 0, variant: { "workload.batchSize": 5000 } });
    store.finishRun(second, "passed", 0, []);

    const back = store.getRun(first);
    assert.equal(back?.trials, 3);
    assert.deepEqual(back?.scenarioResults.map((s) => s.trial), [0, 1, 2]);
    assert.deepEqual(store.getRun(second)?.scenarioResults[0]?.variant, { "workload.batchSize": 5000 });
    assert.throws(() => store.saveScenario(first, { ...scenario, ordinal: 0, trial: 1 }), /UNIQUE/);

    assert.equal(store.resolveRef("before"), first);
    assert.equal(store.resolveRef("latest"), second);
    assert.equal(store.resolveRef("latest~1"), first);
    assert.equal(store.resolveRef(String(first)), first);
    assert.equal(store.resolveRef("baseline"), undefined);
    assert.equal(store.resolveRef("nope"), undefined);
    // Past SQLite's integers: no such run, not an internal error.
    assert.equal(store.resolveRef("latest~99999999999999999999"), undefined);
    assert.equal(store.resolveRef("99999999999999999999"), undefined);
    store.setBaseline(first);
    assert.equal(store.resolveRef("baseline"), first);
    assert.equal(store.resolveRef("baseline", { suite: "other" }), undefined);
    assert.throws(() => store.setBaseline(999), /no run 999/);
    store.close();
  });
});

test("scenarioMetrics: one metric of a scenario and its variants across runs, filtered by suite and date, with validity, cores and the target's version", () => {
  const store = ResultsStore.open(join(dir, "query", "results.db"));
  const begin = (suiteName: string, startedAt: number, tag?: string): number =>
    store.beginRun({
      suiteName,
      suiteFile: `/tmp/${suiteName}.yaml`,
      startedAt,
      ...(tag === undefined ? {} : { tag }),
      environment: { pipebench: "0.0.0", node: process.version, host: { cores: 2 }, targets: { "pg.main": { kind: "postgres", version: "PostgreSQL 18.4" } } },
      suite: {},
    });
  const save = (runId: number, ordinal: number, name: string, throughput: number, extra: { variant?: Record<string, number>; trial?: number; valid?: boolean } = {}): void => {
    store.saveScenario(runId, {
      ordinal,
      name,
      ...(extra.variant === undefined ? {} : { variant: extra.variant }),
      ...(extra.trial === undefined ? {} : { trial: extra.trial }),
      target: "pg.main",
      targetKind: "postgres",
      workload: {},
      load: {},
      result: { ...result, throughput, validity: { valid: extra.valid ?? true, reasons: [] } },
      thresholds: [],
      probes: [],
    });
  };
  const june = Date.UTC(2026, 5, 1);
  const old = begin("s", june - 1, "old");
  save(old, 0, "copy", 100);
  const sweep = begin("s", june + 1, "sweep");
  save(sweep, 0, "copy[workers=1]", 1000, { variant: { "load.workers": 1 } });
  save(sweep, 1, "copy[workers=2]", 1800, { variant: { "load.workers": 2 }, valid: false });
  save(sweep, 2, "copy_x", 5); // another scenario whose name starts alike, and `_` is no wildcard
  save(sweep, 3, "cop", 6);
  const trials = begin("s", june + 2);
  save(trials, 0, "copy", 900, { trial: 0 });
  save(trials, 0, "copy", 950, { trial: 1 });
  const other = begin("t", june + 3);
  save(other, 0, "copy", 7);

  const rows = store.scenarioMetrics({ metric: "throughput", suite: "s", scenario: "copy", since: june });
  assert.deepEqual(
    rows.map((r) => [r.runId, r.tag, r.scenario, r.variant ?? null, r.trial, r.value, r.unit, r.valid]),
    [
      [sweep, "sweep", "copy[workers=1]", { "load.workers": 1 }, 0, 1000, "records/s", true],
      [sweep, "sweep", "copy[workers=2]", { "load.workers": 2 }, 0, 1800, "records/s", false],
      [trials, null, "copy", null, 0, 900, "records/s", true],
      [trials, null, "copy", null, 1, 950, "records/s", true],
    ],
  );
  assert.deepEqual([rows[0]?.hostCores, rows[0]?.targetVersion, rows[0]?.suite], [2, "PostgreSQL 18.4", "s"]);
  assert.equal(store.scenarioMetrics({ metric: "throughput", scenario: "copy" }).length, 6, "every suite and date: the old run and suite t too");
  assert.deepEqual(store.scenarioMetrics({ metric: "p99", suite: "t" }).map((r) => r.value), [4]);
  assert.deepEqual(store.scenarioMetrics({ metric: "no_such_metric" }), []);
  store.close();
});
