// The postgres-stats probe against a real server, with and without pg_stat_statements, and its
// arithmetic on hand-made snapshots.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { OpContext } from "../../../src/drivers/driver.js";
import { postgres } from "../../../src/drivers/postgres/index.js";
import { postgresStatsProbe, summarizePostgresStats } from "../../../src/probes/postgres-stats.js";
import type { ProbeSnapshot } from "../../../src/probes/probe.js";
import { useEmbeddedPostgres } from "../../helpers/postgres.js";

const db = useEmbeddedPostgres();

const ctx = { name: "pg", suiteDir: process.cwd(), log: () => {}, resolveRef: () => undefined };
const op = (seq = 0): OpContext => ({ signal: new AbortController().signal, seq, worker: 0, sent() {} });

/** Reads until at most `expected` backends remain (pooled backends flush their counters as they exit). */
async function readOnceBackendsLeft(probe: ReturnType<typeof postgresStatsProbe>, expected: number): Promise<ProbeSnapshot> {
  for (let k = 0; ; k++) {
    const snapshot = await probe.read();
    if ((snapshot.values.numbackends ?? 0) <= expected || k === 100) {
      // A backend leaves the activity list a moment before it has flushed its counters.
      await new Promise((resolve) => setTimeout(resolve, 50));
      return probe.read();
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("postgres-stats on a real server", () => {
  test("reports cache_hit_ratio, connection_usage, tps and mean_query_time with pg_stat_statements", async () => {
    const connection = await postgres.connect(postgres.targetSchema.parse({ kind: "postgres", url: db.url, pool: 5 }), ctx);
    const offered = connection.probe?.("postgres-stats");
    assert.equal(offered?.kind, "postgres-stats");
    assert.equal(connection.probe?.("kafka-lag"), undefined);

    const probe = postgresStatsProbe({ url: db.url, sampleEveryMs: 500 });
    assert.equal(probe.sampleEveryMs, 500);
    try {
      const before = await probe.read();
      const insert = await connection.prepare(postgres.workloadSchema.parse({ type: "insert", table: "stats_metrics", batchSize: 2000, generator: "server-metrics" }), "w");
      for (let k = 0; k < 3; k++) await insert.run(op(k));
      const query = await connection.prepare(
        postgres.workloadSchema.parse({ type: "query", sql: "select host, avg(value) from stats_metrics where metric_name = $1 group by host", params: ["cpu_usage_percent"] }),
        "r",
      );
      for (let k = 0; k < 20; k++) await query.run(op(k));
      const during = await probe.read(); // the pool's 5 connections are open now
      await connection.close(); // its backends exit and flush their counters
      const after = await readOnceBackendsLeft(probe, 1); // the probe's own

      const reading = probe.summarize(before, after);
      const m = reading.metrics;
      assert.ok(m.cache_hit_ratio !== undefined && m.cache_hit_ratio > 0 && m.cache_hit_ratio <= 1, `cache_hit_ratio ${m.cache_hit_ratio}`);
      assert.ok(!reading.notes.some((n) => /cumulative/.test(n)), "blocks were touched during the interval");
      const maxConnections = after.values.max_connections ?? 0;
      assert.ok(maxConnections > 0);
      assert.equal(m.connection_usage, (during.values.backends ?? 0) / maxConnections, "the most backends seen, not those at the end");
      assert.ok((during.values.backends ?? 0) >= 6, "5 pooled + the probe's own");
      assert.ok(m.mean_query_time !== undefined && m.mean_query_time > 0, `mean_query_time ${m.mean_query_time}`);
      assert.ok(m.tps !== undefined && m.tps > 0, `tps ${m.tps}`);

      const details = reading.details as { top_statements: { query: string; calls: number; mean_ms: number; max_ms: number; total_ms: number }[] };
      const grouped = details.top_statements.find((s) => s.query.includes("from stats_metrics where metric_name"));
      assert.ok(grouped, JSON.stringify(details.top_statements.map((s) => s.query)));
      assert.equal(grouped.calls, 20);
      assert.ok(grouped.mean_ms > 0 && grouped.total_ms >= grouped.mean_ms && grouped.max_ms >= grouped.mean_ms);
      assert.ok(details.top_statements.every((s) => !s.query.includes("pg_stat")), "statements about pg_stat_* are left out");
      assert.ok(details.top_statements.length <= 10);
    } finally {
      await probe.close();
      await connection.close();
    }
  });

  test("connection usage counts every database's connections, as max_connections does", async () => {
    await db.sql("create database elsewhere");
    const probe = postgresStatsProbe({ url: db.url });
    const other = await postgres.connect(postgres.targetSchema.parse({ kind: "postgres", url: db.urlFor("elsewhere"), pool: 4 }), ctx);
    try {
      const query = await other.prepare(postgres.workloadSchema.parse({ type: "query", sql: "select pg_sleep(0.2)" }), "q");
      const before = await probe.read();
      const busy = Promise.all(Array.from({ length: 4 }, (_, k) => query.run(op(k))));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const during = await probe.read();
      await busy;
      const after = await probe.read();
      // Four connections to another database, plus the probe's own here.
      assert.ok((during.values.backends ?? 0) >= 5, `backends ${during.values.backends}`);
      assert.ok((during.values.numbackends ?? 0) < 5, "this database alone would miss them");
      assert.ok((probe.summarize(before, after).metrics.backends ?? 0) >= 5);
    } finally {
      await other.close();
      await probe.close();
    }
  });

  test("without pg_stat_statements: no mean_query_time, and a note on how to enable it", async () => {
    // pg_stat_statements is created in the `postgres` database only; a new database lacks it.
    await db.sql("create database no_statements");
    const probe = postgresStatsProbe({ url: db.urlFor("no_statements") });
    try {
      const before = await probe.read();
      await db.sql("select count(*) from pg_class", [], "no_statements");
      const after = await probe.read();
      const reading = probe.summarize(before, after);
      assert.equal(reading.metrics.mean_query_time, undefined);
      assert.ok(reading.metrics.connection_usage !== undefined && reading.metrics.connection_usage > 0);
      const note = reading.notes.find((n) => n.includes("pg_stat_statements is not installed"));
      assert.ok(note, JSON.stringify(reading.notes));
      assert.match(note, /shared_preload_libraries = 'pg_stat_statements'/);
      assert.match(note, /restart/);
      assert.match(note, /CREATE EXTENSION pg_stat_statements;/);
    } finally {
      await probe.close();
    }
  });

  test("an unreachable server makes read() reject (the engine then leaves the probe's metrics out)", async () => {
    const probe = postgresStatsProbe({ url: "postgres://postgres:x@127.0.0.1:1/postgres" });
    await assert.rejects(probe.read());
    await probe.close();
  });
});

describe("summarizePostgresStats arithmetic", () => {
  const snapshot = (at: number, values: Record<string, number>, statements: "ok" | "not-installed" = "ok", top: unknown[] = []): ProbeSnapshot => ({
    at,
    values: { max_connections: 100, numbackends: 10, ...values },
    details: { database: "db", statements, top: top as never },
  });

  const cases: {
    name: string;
    before: ProbeSnapshot;
    after: ProbeSnapshot;
    expect: Record<string, number | undefined>;
    note?: RegExp;
  }[] = [
    {
      name: "ratios over the interval's deltas",
      before: snapshot(0, { blks_hit: 1000, blks_read: 1000, xact_commit: 10, xact_rollback: 0, statements_calls: 100, statements_total_ms: 500 }),
      after: snapshot(2000, { blks_hit: 1990, blks_read: 1010, xact_commit: 30, xact_rollback: 2, statements_calls: 150, statements_total_ms: 600 }),
      expect: { cache_hit_ratio: 0.99, tps: 11, mean_query_time: 2, connection_usage: 0.1 },
    },
    {
      name: "no blocks touched: cumulative cache hit ratio, with a note",
      before: snapshot(0, { blks_hit: 900, blks_read: 100, statements_calls: 5, statements_total_ms: 5 }),
      after: snapshot(1000, { blks_hit: 900, blks_read: 100, statements_calls: 5, statements_total_ms: 5 }),
      expect: { cache_hit_ratio: 0.9, mean_query_time: undefined },
      note: /cumulative/,
    },
    {
      // pg_stat_reset (or a crash restart) between the readings: counted since the reset, not negative.
      name: "statistics reset within the interval: counts since the reset, with a note",
      before: snapshot(0, { blks_hit: 1e6, blks_read: 1e4, xact_commit: 5e5, xact_rollback: 0, statements_calls: 1e5, statements_total_ms: 1e5 }),
      after: snapshot(2000, { blks_hit: 990, blks_read: 10, xact_commit: 100, xact_rollback: 0, statements_calls: 50, statements_total_ms: 100 }),
      expect: { cache_hit_ratio: 0.99, tps: 50, mean_query_time: 2, blocks_hit: 990 },
      note: /reset during the interval/,
    },
    {
      name: "no blocks ever: no cache hit ratio at all",
      before: snapshot(0, { blks_hit: 0, blks_read: 0 }, "not-installed"),
      after: snapshot(1000, { blks_hit: 0, blks_read: 0 }, "not-installed"),
      expect: { cache_hit_ratio: undefined, mean_query_time: undefined },
      note: /CREATE EXTENSION pg_stat_statements/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const reading = summarizePostgresStats(c.before, c.after);
      for (const [name, value] of Object.entries(c.expect)) {
        if (value === undefined) assert.equal(reading.metrics[name], undefined, name);
        else assert.ok(Math.abs((reading.metrics[name] ?? Number.NaN) - value) < 1e-9, `${name}: ${reading.metrics[name]} ≠ ${value}`);
      }
      if (c.note) assert.ok(reading.notes.some((n) => c.note?.test(n)), JSON.stringify(reading.notes));
    });
  }

  test("top statements are the interval's, by mean time", () => {
    const s = (key: string, calls: number, total_ms: number) => ({ key, query: key, calls, total_ms, mean_ms: total_ms / calls, max_ms: 50 });
    const before = snapshot(0, { statements_calls: 0, statements_total_ms: 0 }, "ok", [s("a", 100, 1000), s("b", 10, 10)]);
    const after = snapshot(1000, { statements_calls: 30, statements_total_ms: 100 }, "ok", [s("a", 110, 1010), s("b", 30, 110), s("c", 1, 0.5)]);
    const details = summarizePostgresStats(before, after).details as { top_statements: { query: string; calls: number; mean_ms: number }[] };
    assert.deepEqual(
      details.top_statements.map((t) => [t.query, t.calls, t.mean_ms]),
      [
        ["b", 20, 5],
        ["a", 10, 1],
        ["c", 1, 0.5],
      ],
    );
  });
});
