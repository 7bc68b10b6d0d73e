// The duckdb driver against a real in-process DuckDB: datasets, seed 000's three Trino queries,
// named and parameterised queries, concurrency, errors.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { generators, GENERATOR_NAMES } from "../../../src/data/index.js";
import type { Connection, ConnectContext, OpContext, OpOutcome } from "../../../src/drivers/driver.js";
import { duckdb, DuckDbTargetSchema, DuckDbWorkloadSchema, type DuckDbWorkload } from "../../../src/drivers/duckdb/index.js";
import { classifyError, TargetFailed, UsageError } from "../../../src/errors.js";
import { driverContract } from "../contract.js";

/** Seed 000, Task 2: the three queries timed against Trino, in DuckDB's dialect (unchanged). */
const SEED_000 = {
  count: "SELECT COUNT(*) AS total_records FROM commodity_prices",
  daily: `
    SELECT commodity, DATE_TRUNC('day', timestamp) AS day, COUNT(*) AS record_count, AVG(price) AS avg_price,
           STDDEV(price) AS price_stddev, MIN(price) AS min_price, MAX(price) AS max_price
    FROM commodity_prices
    GROUP BY commodity, DATE_TRUNC('day', timestamp)
    ORDER BY day DESC, commodity
    LIMIT 1000`,
  join: `
    SELECT COUNT(*) AS match_count
    FROM commodity_prices p1 JOIN commodity_prices p2 ON p1.commodity = p2.commodity
    WHERE p1.price > p2.price
    LIMIT 10000`,
};
/** The self-join is quadratic: 10k rows take ~0.12 s here, 20k ~0.45 s, 50k ~2.8 s (2 cores). */
const PRICES = 10_000;

function context(suiteDir = "."): ConnectContext {
  return { name: "duck", suiteDir, log: () => undefined, resolveRef: () => undefined };
}

function op(seq = 0, signal = new AbortController().signal): OpContext {
  return { signal, seq, worker: 0, sent() {} };
}

const connect = (target: Record<string, unknown>, suiteDir?: string) =>
  duckdb.connect(DuckDbTargetSchema.parse({ kind: "duckdb", ...target }), context(suiteDir));
const query = (w: Record<string, unknown>): DuckDbWorkload => DuckDbWorkloadSchema.parse({ type: "query", ...w });

driverContract({
  driver: duckdb,
  target: () => ({ kind: "duckdb", datasets: [{ table: "prices", generator: "commodity-prices", rows: 100 }] }),
  workload: { type: "query", sql: "SELECT count(*) FROM prices" },
});

async function runOnce(conn: Connection<DuckDbWorkload>, w: Record<string, unknown>): Promise<OpOutcome> {
  const prepared = await conn.prepare(query(w), "s");
  try {
    return (await prepared.run(op())) ?? {};
  } finally {
    await prepared.close?.();
  }
}

describe("duckdb driver: seed 000's commodity_prices", () => {
  let conn: Connection<DuckDbWorkload>;

  before(async () => {
    conn = await connect({
      datasets: [{ table: "commodity_prices", generator: "commodity-prices", rows: PRICES, seed: 7 }],
      setup: ["CREATE VIEW gold AS SELECT * FROM commodity_prices WHERE commodity = 'gold'"],
      queries: SEED_000,
    });
  });
  after(() => conn.close());

  it("reports the DuckDB version", () => {
    assert.match(conn.info.version ?? "", /^DuckDB v1\.\d+\.\d+/);
  });

  it("creates the dataset with every row, and reads all rows of a query", async () => {
    assert.deepEqual(await runOnce(conn, { sql: "SELECT * FROM commodity_prices" }), { records: PRICES });
    assert.ok(((await runOnce(conn, { sql: "SELECT * FROM gold" })).records ?? 0) > PRICES / 20, "setup ran");
  });

  it("runs seed 000's three queries by name", async (t) => {
    assert.deepEqual(await runOnce(conn, { query: "count" }), { records: 1 });
    // 10 commodities × the ~91 calendar days the 90-day window touches.
    const daily = (await runOnce(conn, { query: "daily" })).records ?? 0;
    assert.ok(daily >= 900 && daily <= 920, `daily aggregate rows: ${daily}`);
    const started = performance.now();
    assert.deepEqual(await runOnce(conn, { query: "join" }), { records: 1 });
    t.diagnostic(`self-join on ${PRICES} rows: ${(performance.now() - started).toFixed(0)} ms`);
  });

  it("binds params once and reuses the prepared statement", async () => {
    const prepared = await conn.prepare(query({ sql: "SELECT * FROM commodity_prices WHERE commodity = ? AND price > $2", params: ["gold", 0] }), "s");
    try {
      const first = await prepared.run(op(0));
      const second = await prepared.run(op(1));
      assert.deepEqual(first, second);
      assert.ok((first?.records ?? 0) > 0);
    } finally {
      await prepared.close?.();
    }
  });

  it("runs operations in flight at the same time on connections of their own", async () => {
    const prepared = await conn.prepare(query({ query: "daily" }), "s");
    try {
      assert.equal(prepared.concurrencyHint, 1);
      const outcomes = await Promise.all([0, 1, 2, 3, 4, 5].map((seq) => prepared.run(op(seq))));
      assert.equal(new Set(outcomes.map((o) => o?.records)).size, 1);
    } finally {
      await prepared.close?.();
    }
  });

  it("fails before the load starts on an unknown query name or SQL that does not prepare", async () => {
    await assert.rejects(conn.prepare(query({ query: "joins" }), "q3"), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.message, 'scenario q3: query "joins" is not one of targets.duck.queries (count, daily, join)');
      assert.equal(e.hint, 'did you mean "join"?');
      return true;
    });
    await assert.rejects(conn.prepare(query({ query: "toString" }), "q4"), UsageError);
    await assert.rejects(conn.prepare(query({ sql: "SELECT * FROM commodity_price" }), "typo"), (e: unknown) => {
      assert.ok(e instanceof UsageError, "SQL naming a table the database does not have is the suite's to fix");
      assert.match(e.message, /^scenario typo: its sql cannot be prepared: Catalog Error: Table with name commodity_price does not exist/);
      assert.match(e.hint ?? "", /^fix scenarios\.typo\.workload\.sql: /);
      return true;
    });
  });

  it("classifies errors of single operations by DuckDB's error type", async () => {
    const prepared = await conn.prepare(query({ sql: "SELECT error('bad row ' || ?)", params: [1] }), "s");
    try {
      const error = await prepared.run(op()).then(() => assert.fail("error() throws"), (e: unknown) => e);
      assert.equal(classifyError(error), "DUCKDB_INVALID_INPUT");
    } finally {
      await prepared.close?.();
    }
  });

  it("interrupts a running statement when the scenario's signal aborts", async () => {
    const prepared = await conn.prepare(query({ sql: "SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3" }), "s");
    try {
      const stop = new AbortController();
      const running = prepared.run(op(0, stop.signal));
      setTimeout(() => stop.abort(), 100);
      const started = performance.now();
      await assert.rejects(running, (e: unknown) => classifyError(e) === "DUCKDB_INTERRUPT");
      assert.ok(performance.now() - started < 5_000);
    } finally {
      await prepared.close?.();
    }
  });
});

describe("duckdb driver: datasets", () => {
  it("fills every generator's table with the requested rows, in the generator's column types", async () => {
    const rows = 3_000;
    const conn = await connect({
      datasets: GENERATOR_NAMES.map((generator) => ({ table: generator.replaceAll("-", "_"), generator, rows })),
    });
    try {
      for (const name of GENERATOR_NAMES) {
        assert.deepEqual(await runOnce(conn, { sql: `SELECT * FROM ${name.replaceAll("-", "_")}` }), { records: rows }, name);
      }
    } finally {
      await conn.close();
    }
  });

  it("writes the generator's rows exactly (timestamps shifted only by when each source was created)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pipebench-duckdb-"));
    try {
      const rows = 5_000;
      mkdirSync(join(dir, "data"));
      const conn = await connect(
        {
          path: "data/bench.duckdb",
          datasets: [
            { table: "tx", generator: "transactions", rows, seed: 3 },
            { table: "metrics", generator: "server-metrics", rows, seed: 3 },
          ],
        },
        dir,
      );
      assert.equal(conn.info.url, join(dir, "data/bench.duckdb"));
      await conn.close();

      // Read back through DuckDB itself: the file is where `path` said, relative to the suite dir.
      const db = await DuckDBInstance.create(join(dir, "data/bench.duckdb"));
      const c = await db.connect();
      try {
        const types = (await c.runAndReadAll("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'tx' ORDER BY ordinal_position")).getRows();
        assert.deepEqual(types.map((r) => r[1]), ["UUID", "TIMESTAMP WITH TIME ZONE", "INTEGER", "INTEGER", "DECIMAL(12,2)", "VARCHAR", "VARCHAR", "BOOLEAN"]);

        const got = (await c.runAndReadAll(
          `SELECT transaction_id::VARCHAR, epoch_ms(timestamp), customer_id, merchant_id, amount::DOUBLE, currency, category, is_fraud FROM tx`,
        )).getRows();
        const source = generators.transactions.create(3);
        assert.equal(got.length, rows);
        const offsets = new Set<number>();
        got.forEach((row, i) => {
          const want = source.row(i);
          offsets.add(Number(row[1]) - Date.parse(String(want[1])));
          assert.deepEqual([row[0], ...row.slice(2)], [want[0], ...want.slice(2)], `row ${i}`);
        });
        assert.equal(offsets.size, 1, "one constant timestamp offset");
        assert.ok(Math.abs([...offsets][0] ?? Infinity) < 60_000);

        const labels = (await c.runAndReadAll("SELECT labels::VARCHAR FROM metrics LIMIT 3")).getRows();
        const metricSource = generators["server-metrics"].create(3);
        labels.forEach((row, i) => assert.deepEqual(JSON.parse(String(row[0])), JSON.parse(String(metricSource.row(i)[3]))));
      } finally {
        c.closeSync();
        db.closeSync();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("applies the threads setting", async () => {
    const conn = await connect({ threads: 1 });
    try {
      const threadsIs = (n: number) => runOnce(conn, { sql: "SELECT * FROM duckdb_settings() WHERE name = 'threads' AND value = ?", params: [String(n)] });
      assert.deepEqual(await threadsIs(1), { records: 1 });
    } finally {
      await conn.close();
    }
  });

  it("names the failing setup statement", async () => {
    await assert.rejects(connect({ setup: ["CREATE TABLE ok (x INT)", "CREAT TABLE broken (x INT)"] }), (e: unknown) => {
      assert.ok(e instanceof TargetFailed);
      assert.match(e.message, /^setup\[1\] failed: Parser Error: syntax error at or near "CREAT"/);
      assert.equal(e.hint, "the statement was: CREAT TABLE broken (x INT)");
      return true;
    });
  });
});

describe("duckdb driver: schemas", () => {
  it("accepts exactly one of query and sql", () => {
    assert.equal(DuckDbWorkloadSchema.safeParse({ type: "query", query: "a" }).success, true);
    assert.equal(DuckDbWorkloadSchema.safeParse({ type: "query", sql: "SELECT 1" }).success, true);
    assert.equal(DuckDbWorkloadSchema.safeParse({ type: "query" }).success, false);
    assert.equal(DuckDbWorkloadSchema.safeParse({ type: "query", query: "a", sql: "SELECT 1" }).success, false);
  });

  it("reads row counts as people write them and rejects unknown generators", () => {
    const target = DuckDbTargetSchema.parse({ kind: "duckdb", datasets: [{ table: "t", generator: "transactions", rows: "250k" }] });
    assert.equal(target.path, ":memory:");
    assert.deepEqual(target.datasets[0], { table: "t", generator: "transactions", rows: 250_000, seed: 1 });
    assert.equal(DuckDbTargetSchema.safeParse({ kind: "duckdb", datasets: [{ table: "t", generator: "nope", rows: 1 }] }).success, false);
    assert.equal(DuckDbTargetSchema.safeParse({ kind: "duckdb", datasets: [{ table: "drop table", generator: "transactions", rows: 1 }] }).success, false);
  });
});
