// The results store, on both of its databases: an SQLite file and a PostgreSQL database (real,
// embedded; a new database per test). Every test of what a store keeps runs on both, so the two
// read back alike; what only one has (SQLite's user_version and old files, PostgreSQL's schema of
// its own) is tested on that one.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import pgClient from "pg";
import type { ScenarioResult } from "../../src/metrics/summary.js";
import { REDACTED, redact } from "../../src/store/redact.js";
import { ResultsStore, type NewRun, type NewScenario } from "../../src/store/results-store.js";
import { HEARTBEAT_STALE_MS } from "../../src/store/open-store.js";
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from "../../src/store/schema.js";
import { useEmbeddedPostgres } from "../helpers/postgres.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const pg = useEmbeddedPostgres();
let stores = 0;

interface Backend {
  name: string;
  /** A new, empty store's location, as --store takes it. */
  fresh(): Promise<string>;
  /** The rows of a query on the store's own tables. */
  rows(location: string, text: string): Promise<Record<string, unknown>[]>;
}

const sqlite: Backend = {
  name: "SQLite",
  fresh: () => Promise.resolve(join(dir, `store-${++stores}`, "results.db")),
  rows: (location, text) => {
    const db = new Database(location, { readonly: true });
    try {
      return Promise.resolve(db.prepare(text).all() as Record<string, unknown>[]);
    } finally {
      db.close();
    }
  },
};

const postgres: Backend = {
  name: "PostgreSQL",
  fresh: async () => {
    const name = `store_${++stores}`;
    await pg.sql(`create database ${name}`);
    return pg.urlFor(name);
  },
  rows: async (location, text) => {
    const client = new pgClient.Client({ connectionString: location, options: "-c search_path=pipebench" });
    await client.connect();
    try {
      return (await client.query(text)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  },
};

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

const env = { pipebench: "0.0.0", node: process.version, host: { cores: 2 }, targets: { pg: { kind: "postgres", version: "PostgreSQL 18.4" } } };

function newRun(fields: Partial<NewRun> = {}): NewRun {
  return { suiteName: "s", suiteFile: "/tmp/s.yaml", startedAt: 1_700_000_000_000, environment: env, suite: {}, ...fields };
}

const writes: NewScenario = {
  ordinal: 0,
  name: "writes",
  target: "pg",
  targetKind: "postgres",
  workload: { type: "insert" },
  load: { executor: "closed", workers: 1 },
  result,
  thresholds: [{ expr: "p95 < 5ms", passed: true, actual: 3.5, target: 5, kind: "duration" }],
  probes: [{ target: "pg", probe: "postgres-stats", phase: "interval", takenAt: 1, reading: { metrics: { cache_hit_ratio: 0.995 }, notes: [] } }],
};

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


test("secrets in the stored suite are redacted: password keys and passwords inside URLs", () => {
  const out = redact({ url: "postgres://app:hunter2@db:5432/x", password: "hunter2", nested: [{ apiKey: "k" }], note: "ok" }) as Record<string, unknown>;
  assert.equal(out.url, `postgres://app:${REDACTED}@db:5432/x`);
  assert.equal(out.password, REDACTED);
  assert.deepEqual(out.nested, [{ apiKey: REDACTED }]);
  assert.equal(out.note, "ok");
});

for (const backend of [sqlite, postgres]) {
  describe(`the ${backend.name} store`, () => {
    test("a stored run reads back with its scenarios, histograms, series, probes and verdicts; secrets masked", async () => {
      const location = await backend.fresh();
      const store = await ResultsStore.open(location);
      // An agreed start (--start-at) has a fraction of a millisecond: kept to the millisecond.
      const runId = await store.beginRun(newRun({ startedAt: Date.now() + 0.781, suite: { targets: { pg: { url: "postgres://app:hunter2@db:5432/x", password: "hunter2" } } } }));
      await store.saveScenario(runId, { ...writes, result: { ...result, startedAt: result.startedAt + 0.5 } });
      await store.finishRun(runId, "passed", 0, []);

      const run = await store.getRun(runId);
      assert.ok(run);
      assert.equal(run.status, "passed");
      assert.equal(run.scenarios, 1);
      const [s] = run.scenarioResults;
      assert.ok(s);
      assert.deepEqual(s.result, { ...result, startedAt: result.startedAt + 0.5 });
      assert.equal(s.thresholds[0]?.passed, true);
      assert.equal(s.probes[0]?.reading.metrics.cache_hit_ratio, 0.995);
      assert.deepEqual((await store.getRun("latest"))?.id, runId);
      assert.equal((await store.listRuns())[0]?.id, runId);
      assert.deepEqual(run.suite, { targets: { pg: { url: `postgres://app:${REDACTED}@db:5432/x`, password: REDACTED } } });
      await store.close();
      const raw = JSON.stringify(await backend.rows(location, "select suite from runs"));
      assert.ok(!raw.includes("hunter2"), raw);
    });

    test("reads back as it was saved: observed latency, its histogram and series, counters; a plain scenario without them", async () => {
      const store = await ResultsStore.open(await backend.fresh());
      const runId = await store.beginRun(newRun());
      await store.saveScenario(runId, { ...writes, name: "e2e", probes: [], result: observing });
      await store.saveScenario(runId, { ...writes, ordinal: 1, probes: [] });
      const [back, plain] = (await store.getRun(runId))?.scenarioResults ?? [];
      await store.close();
      assert.deepEqual(back?.result, observing);
      assert.equal(plain?.result.observed, undefined);
      assert.equal(plain?.result.counters, undefined);
      assert.deepEqual(plain?.result, result);
    });

    test("its numbers are rows of the metrics table and its histograms rows of histograms", async () => {
      const location = await backend.fresh();
      const store = await ResultsStore.open(location);
      const runId = await store.beginRun(newRun());
      await store.saveScenario(runId, { ...writes, probes: [], result: observing });
      await store.close();
      const metrics = await backend.rows(location, `select name, value, unit from metrics where name like 'end_to_end.%' or unit = 'count' order by name`);
      assert.deepEqual(
        metrics.filter((m) => ["end_to_end.p99", "end_to_end.p99.9", "end_to_end.count", "lost", "duplicated", "out_of_order"].includes(String(m.name))),
        [
          { name: "duplicated", value: 2, unit: "count" },
          { name: "end_to_end.count", value: 400, unit: "count" },
          { name: "end_to_end.p99", value: 40, unit: "ms" },
          { name: "end_to_end.p99.9", value: 55, unit: "ms" },
          { name: "lost", value: 0, unit: "count" },
          { name: "out_of_order", value: 1, unit: "count" },
        ],
      );
      assert.deepEqual(await backend.rows(location, `select kind from histograms order by kind`), [{ kind: "end_to_end" }, { kind: "latency" }, { kind: "service" }]);
    });

    test("a scenario's checkpoint is replaced by its final result, in the order the calls were made", async () => {
      const store = await ResultsStore.open(await backend.fresh());
      const runId = await store.beginRun(newRun());
      // Not awaited one by one: the run's checkpoints and its final save are queued as the engine queues them.
      const checkpoint = store.replaceScenario(runId, { ...writes, probes: [], result: { ...result, status: "interrupted", ops: 5 } });
      const final = store.replaceScenario(runId, writes);
      await Promise.all([checkpoint, final]);
      const back = await store.getRun(runId);
      await store.close();
      assert.deepEqual(back?.scenarioResults.map((s) => [s.name, s.status, s.result.ops]), [["writes", "completed", 10]]);
    });

    test("a running run of another host is marked incomplete once its heartbeat is ten beats old, not before", async () => {
      const location = await backend.fresh();
      const store = await ResultsStore.open(location);
      const elsewhere = await store.beginRun(newRun({ owner: { pid: 4242, host: "pod-generator-1" } }));
      await store.close();
      const reader = await ResultsStore.open(location);
      assert.deepEqual(await reader.markAbandoned(Date.now() + HEARTBEAT_STALE_MS - 60_000), [], "a pod whose last beat is recent");
      assert.deepEqual(await reader.markAbandoned(Date.now() + HEARTBEAT_STALE_MS + 60_000), [elsewhere]);
      assert.equal((await reader.getRun(elsewhere))?.status, "incomplete");
      await reader.close();
    });

    test("each trial is its own row; tags, latest~N and the suite's baseline resolve to runs", async () => {
      const scenario = { name: "copy", target: "pg", targetKind: "postgres", workload: {}, load: { executor: "max" }, result, thresholds: [], probes: [] };
      const store = await ResultsStore.open(await backend.fresh());
      const first = await store.beginRun(newRun({ startedAt: 1, tag: "before", trials: 3 }));
      for (const trial of [0, 1, 2]) await store.saveScenario(first, { ...scenario, ordinal: 0, trial });
      await store.finishRun(first, "passed", 0, []);
      const second = await store.beginRun(newRun({ startedAt: 2, tag: "after" }));
      await store.saveScenario(second, { ...scenario, ordinal: 0, variant: { "workload.batchSize": 5000 } });
      await store.finishRun(second, "passed", 0, []);

      const back = await store.getRun(first);
      assert.equal(back?.trials, 3);
      assert.deepEqual(back?.scenarioResults.map((s) => s.trial), [0, 1, 2]);
      assert.deepEqual((await store.getRun(second))?.scenarioResults[0]?.variant, { "workload.batchSize": 5000 });
      await assert.rejects(store.saveScenario(first, { ...scenario, ordinal: 0, trial: 1 }), /UNIQUE|unique/);

      assert.equal(await store.resolveRef("before"), first);
      assert.equal(await store.resolveRef("latest"), second);
      assert.equal(await store.resolveRef("latest~1"), first);
      assert.equal(await store.resolveRef(String(first)), first);
      assert.equal(await store.resolveRef("baseline"), undefined);
      assert.equal(await store.resolveRef("nope"), undefined);
      // Past SQLite's integers: no such run, not an internal error.
      assert.equal(await store.resolveRef("latest~99999999999999999999"), undefined);
      assert.equal(await store.resolveRef("99999999999999999999"), undefined);
      await store.setBaseline(first);
      assert.equal(await store.resolveRef("baseline"), first);
      assert.equal(await store.resolveRef("baseline", { suite: "other" }), undefined);
      await assert.rejects(store.setBaseline(999), /no run 999/);
      assert.deepEqual((await store.listRuns()).map((r) => [r.id, r.tag, r.scenarios, r.distinctScenarios]), [[second, "after", 1, 1], [first, "before", 3, 1]]);
      await store.close();
    });

    test("scenarioMetrics: one metric of a scenario and its variants across runs, filtered by suite and date, with validity, cores and the target's version", async () => {
      const store = await ResultsStore.open(await backend.fresh());
      const begin = (suiteName: string, startedAt: number, tag?: string): Promise<number> =>
        store.beginRun({
          suiteName,
          suiteFile: `/tmp/${suiteName}.yaml`,
          startedAt,
          ...(tag === undefined ? {} : { tag }),
          environment: { pipebench: "0.0.0", node: process.version, host: { cores: 2 }, targets: { "pg.main": { kind: "postgres", version: "PostgreSQL 18.4" } } },
          suite: {},
        });
      const save = (runId: number, ordinal: number, name: string, throughput: number, extra: { variant?: Record<string, number>; trial?: number; valid?: boolean } = {}): Promise<number> =>
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
      const june = Date.UTC(2026, 5, 1);
      const old = await begin("s", june - 1, "old");
      await save(old, 0, "copy", 100);
      const sweep = await begin("s", june + 1, "sweep");
      await save(sweep, 0, "copy[workers=1]", 1000, { variant: { "load.workers": 1 } });
      await save(sweep, 1, "copy[workers=2]", 1800, { variant: { "load.workers": 2 }, valid: false });
      await save(sweep, 2, "copy_x", 5); // another scenario whose name starts alike, and `_` is no wildcard
      await save(sweep, 3, "cop", 6);
      const trials = await begin("s", june + 2);
      await save(trials, 0, "copy", 900, { trial: 0 });
      await save(trials, 0, "copy", 950, { trial: 1 });
      const other = await begin("t", june + 3);
      await save(other, 0, "copy", 7);

      const rows = await store.scenarioMetrics({ metric: "throughput", suite: "s", scenario: "copy", since: june });
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
      assert.equal((await store.scenarioMetrics({ metric: "throughput", scenario: "copy" })).length, 6, "every suite and date: the old run and suite t too");
      assert.deepEqual((await store.scenarioMetrics({ metric: "p99", suite: "t" })).map((r) => r.value), [4]);
      assert.deepEqual(await store.scenarioMetrics({ metric: "no_such_metric" }), []);
      await store.close();
    });
  });
}

describe("an SQLite store's schema versions", () => {
  test("a store written by a newer pipebench is refused with a hint", async () => {
    const path = await sqlite.fresh();
    await (await ResultsStore.open(path)).close();
    const db = new Database(path);
    db.pragma("user_version = 99");
    db.close();
    await assert.rejects(ResultsStore.open(path), /written by a newer pipebench/);
  });

  test("a store written before observed latencies existed is migrated forward and keeps its runs", async () => {
    const path = await sqlite.fresh();
    await (await ResultsStore.open(path)).close();
    rmSync(path);
    const old = new Database(path);
    old.exec(SQLITE_MIGRATIONS[0] ?? "");
    old.pragma("user_version = 1");
    old.close();
    const store = await ResultsStore.open(path);
    const runId = await store.beginRun(newRun());
    await store.saveScenario(runId, { ...writes, probes: [], result: observing });
    assert.deepEqual((await store.getRun(runId))?.scenarioResults[0]?.result.observed?.series, observing.observed?.series);
    await store.close();
    const db = new Database(path, { readonly: true });
    assert.equal(db.pragma("user_version", { simple: true }), SQLITE_MIGRATIONS.length);
    db.close();
  });

  test("a store from before trials is migrated with its rows and everything that hangs off them", async () => {
    const path = join(dir, "schema2.db");
    const old = new Database(path);
    old.exec(SQLITE_MIGRATIONS[0] ?? "");
    old.exec(SQLITE_MIGRATIONS[1] ?? "");
    old.pragma("user_version = 2");
    old.exec(`insert into runs (id, suite_name, suite_file, started_at, status, environment, suite) values (1, 's', '/s.yaml', 1, 'passed', '{}', '{}')`);
    old.exec(`insert into scenarios (id, run_id, ordinal, name, target, target_kind, workload, load, status, started_at, duration_s, result)
              values (1, 1, 0, 'copy', 'pg', 'postgres', '{}', '{}', 'completed', 1, 2, '${JSON.stringify(result)}')`);
    old.exec(`insert into metrics (scenario_id, name, value, unit) values (1, 'throughput', 500, 'records/s')`);
    old.exec(`insert into series (scenario_id, t, ops, errors, records, bytes) values (1, 0, 5, 0, 500, 2500)`);
    old.close();

    const store = await ResultsStore.open(path);
    const run = await store.getRun(1);
    await store.close();
    assert.equal(run?.trials, 1);
    assert.equal(run?.tag, null);
    assert.equal(run?.scenarioResults[0]?.trial, 0);
    assert.deepEqual(run?.scenarioResults[0]?.result.series, [{ t: 0, ops: 5, errors: 0, records: 500, bytes: 2500, p50: null, p99: null }]);
    assert.deepEqual(await sqlite.rows(path, `select value from metrics where scenario_id = 1`), [{ value: 500 }]);
  });
});

describe("a PostgreSQL store's schema", () => {
  test("one migration per SQLite migration, in the same order", () => {
    assert.equal(POSTGRES_MIGRATIONS.length, SQLITE_MIGRATIONS.length);
  });

  test("kept in a schema of its own, versioned there; a store of a newer pipebench is refused with a hint", async () => {
    const url = await postgres.fresh();
    await (await ResultsStore.open(url)).close();
    const tables = await postgres.rows(url, `select table_name from information_schema.tables where table_schema = 'pipebench' order by table_name`);
    assert.deepEqual(tables.map((t) => t.table_name), ["baselines", "histograms", "metrics", "observed_series", "probe_readings", "runs", "scenarios", "series", "store_schema"]);
    assert.deepEqual(await postgres.rows(url, `select version from store_schema`), [{ version: POSTGRES_MIGRATIONS.length }]);
    await postgres.rows(url, `update store_schema set version = 99`);
    await assert.rejects(ResultsStore.open(url), /written by a newer pipebench \(schema 99\)/);
  });

  test("a database with no store is not created by a command that only reads; another program's schema pipebench is refused", async () => {
    const url = await postgres.fresh();
    await assert.rejects(ResultsStore.open(url, { create: false }), /there is no results store in postgres:\/\//);
    assert.deepEqual(await postgres.rows(url, `select schema_name from information_schema.schemata where schema_name = 'pipebench'`), []);
    await postgres.rows(url, `create schema pipebench; create table pipebench.orders (id int)`);
    await assert.rejects(ResultsStore.open(url), /holds tables, but not a pipebench results store/);
  });

  test("a URL's password is masked where the store is named; a server that does not answer is a StoreError with a hint", async () => {
    const url = new URL(await postgres.fresh());
    const password = decodeURIComponent(url.password);
    assert.ok(password.length >= 4, "the embedded server has a password");
    const store = await ResultsStore.open(url.toString());
    assert.ok(!store.path.includes(password) && store.path.includes(REDACTED), store.path);
    await store.close();
    url.port = "1";
    await assert.rejects(ResultsStore.open(url.toString()), (e: Error) => {
      assert.match(e.message, /cannot open the results store postgres:/);
      assert.ok(!e.message.includes(password), e.message);
      assert.match((e as Error & { hint?: string }).hint ?? "", /check the URL/);
      return true;
    });
  });

  test("four connections opening a new store at once migrate it once", async () => {
    const url = await postgres.fresh();
    const stores = await Promise.all(Array.from({ length: 4 }, () => ResultsStore.open(url)));
    const ids = await Promise.all(stores.map((s) => s.beginRun(newRun())));
    await Promise.all(stores.map((s) => s.close()));
    assert.equal(new Set(ids).size, 4);
    assert.deepEqual(await postgres.rows(url, `select version from store_schema`), [{ version: POSTGRES_MIGRATIONS.length }]);
  });
});
