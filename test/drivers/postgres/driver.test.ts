// The postgres driver against a real embedded PostgreSQL: rows land, concurrent batches do not
// overlap, named queries run with parameters, and failures to connect read as one actionable line.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { encodeCopyBatch, encodeCopyRows, generators, type RowValue } from "../../../src/data/index.js";
import type { ConnectContext, Connection, OpContext } from "../../../src/drivers/driver.js";
import { postgres } from "../../../src/drivers/postgres/index.js";
import type { PostgresWorkload } from "../../../src/drivers/postgres/schema.js";
import { TargetFailed, TargetUnreachable, UsageError } from "../../../src/errors.js";
import { useEmbeddedPostgres } from "../../helpers/postgres.js";
import { driverContract } from "../contract.js";
import { freePort } from "../../../src/drivers/free-port.js";

const db = useEmbeddedPostgres();

driverContract({
  driver: postgres,
  target: () => ({ kind: "postgres", url: db.url, pool: 2 }),
  workload: { type: "insert", table: "contract_metrics", generator: "server-metrics", batchSize: 100 },
  unreachable: (port) => ({ kind: "postgres", url: `postgres://postgres@127.0.0.1:${port}/postgres`, pool: 1 }),
});

const ctx: ConnectContext = { name: "pg", suiteDir: process.cwd(), log: () => {}, resolveRef: () => undefined };
const op = (seq = 0): OpContext => ({ signal: new AbortController().signal, seq, worker: 0, sent() {} });

async function connect(extra: Record<string, unknown> = {}): Promise<Connection<PostgresWorkload>> {
  return postgres.connect(postgres.targetSchema.parse({ kind: "postgres", url: db.url, pool: 4, ...extra }), ctx);
}

const workload = (input: Record<string, unknown>): PostgresWorkload => postgres.workloadSchema.parse(input);

async function count(table: string): Promise<number> {
  const rows = await db.sql<{ n: string }>(`select count(*) as n from ${table}`);
  return Number(rows[0]?.n);
}

describe("connect", () => {
  test("reports the server version and the url, and runs the setup SQL", async () => {
    const connection = await connect({ setup: ["create table if not exists setup_ran (x int)", "insert into setup_ran values (1)"] });
    try {
      assert.match(connection.info.version ?? "", /^PostgreSQL \d+\.\d+$/);
      assert.equal(connection.info.url, db.url);
      assert.equal(await count("setup_ran"), 1);
    } finally {
      await connection.close();
    }
  });

  test("a failing setup statement names its index and the statement", async () => {
    await assert.rejects(connect({ setup: ["select 1", "select * from no_such_table"] }), (error: unknown) => {
      assert.ok(error instanceof TargetFailed);
      assert.match(error.message, /targets\.pg\.setup\[1\] failed: .*no_such_table/);
      assert.match(error.hint ?? "", /select \* from no_such_table/);
      return true;
    });
  });

  test("a closed port gives TargetUnreachable: one line naming host:port and what to check", async () => {
    const port = await freePort();
    await assert.rejects(
      postgres.connect(postgres.targetSchema.parse({ kind: "postgres", url: `postgres://postgres:x@127.0.0.1:${port}/postgres`, pool: 2 }), ctx),
      (error: unknown) => {
        assert.ok(error instanceof TargetUnreachable);
        assert.equal(error.target, "pg");
        assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
        assert.match(error.message, /is the server running.*targets\.pg/);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      },
    );
  });

  test("a wrong password gives TargetUnreachable naming the user and where to fix it", async () => {
    const url = new URL(db.url);
    url.password = "wrong";
    await assert.rejects(postgres.connect(postgres.targetSchema.parse({ kind: "postgres", url: url.toString(), pool: 1 }), ctx), (error: unknown) => {
      assert.ok(error instanceof TargetUnreachable);
      assert.match(error.message, /rejected the password of user "postgres" \(28P01\).*targets\.pg\.url/);
      assert.doesNotMatch(error.message, /wrong/, "the password is not echoed");
      return true;
    });
  });

  test("embedded: true starts a server for the target and close() removes it", async () => {
    const connection = await postgres.connect(postgres.targetSchema.parse({ kind: "postgres", embedded: true, pool: 2 }), ctx);
    const url = connection.info.url ?? "";
    assert.match(url, /^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/postgres$/);
    const prepared = await connection.prepare(workload({ type: "query", sql: "select * from pg_stat_statements limit 1" }), "q");
    await prepared.run(op());
    await connection.close();
    const port = Number(new URL(url).port);
    await assert.rejects(
      postgres.connect(postgres.targetSchema.parse({ kind: "postgres", url, pool: 1 }), ctx),
      (error: unknown) => error instanceof TargetUnreachable && error.message.includes(`:${port} (ECONNREFUSED)`),
    );
  });
});

describe("insert", () => {
  for (const method of ["copy", "multi-row", "single"] as const) {
    test(`${method}: each operation writes exactly batchSize rows`, async () => {
      const table = `insert_${method.replace("-", "_")}`;
      const connection = await connect();
      try {
        const prepared = await connection.prepare(workload({ type: "insert", table, method, batchSize: 250, generator: "server-metrics" }), "w");
        assert.equal(prepared.concurrencyHint, 4);
        const outcomes = [];
        for (let k = 0; k < 3; k++) outcomes.push(await prepared.run(op(k)));
        assert.equal(await count(table), 750);
        for (const outcome of outcomes) {
          assert.equal(outcome?.records, 250);
          assert.ok((outcome?.bytes ?? 0) > 250 * 50, `bytes ${outcome?.bytes}`);
        }
      } finally {
        await connection.close();
      }
    });
  }

  test("multi-row splits a batch beyond 65535 parameters into several statements, in one transaction", async () => {
    const connection = await connect();
    try {
      // 8 columns: at most 8191 rows per statement, so 10000 rows take two.
      const prepared = await connection.prepare(
        workload({ type: "insert", table: "multi_split", method: "multi-row", batchSize: 10_000, generator: "transactions" }),
        "w",
      );
      await prepared.run(op());
      assert.equal(await count("multi_split"), 10_000);
    } finally {
      await connection.close();
    }
  });

  test("concurrent operations write distinct rows", async () => {
    const connection = await connect();
    try {
      const prepared = await connection.prepare(workload({ type: "insert", table: "concurrent_tx", batchSize: 200, generator: "transactions" }), "w");
      // Four writers, each starting its next COPY as soon as one ends, as closed-loop workers do:
      // while one encodes ahead, another starts, and the two must not send the same batch.
      await Promise.all(Array.from({ length: 4 }, async (_, w) => {
        for (let k = 0; k < 3; k++) await prepared.run(op(w * 3 + k));
      }));
      // A second scenario on the same table, generator and seed continues instead of repeating.
      const again = await connection.prepare(workload({ type: "insert", table: "concurrent_tx", method: "multi-row", batchSize: 200, generator: "transactions" }), "w2");
      await Promise.all(Array.from({ length: 3 }, (_, k) => again.run(op(k))));
      const rows = await db.sql<{ n: string; distinct_ids: string }>("select count(*) as n, count(distinct transaction_id) as distinct_ids from concurrent_tx");
      assert.deepEqual(rows[0], { n: "3000", distinct_ids: "3000" });
    } finally {
      await connection.close();
    }
  });

  test("segments of one scenario on two generators (two connections, one seed) write disjoint rows: rows come from seq", async () => {
    const [one, two] = [await connect(), await connect()];
    try {
      for (const method of ["copy", "multi-row"] as const) {
        const table = `segments_${method.replace("-", "_")}`;
        const w = workload({ type: "insert", table, method, batchSize: 100, generator: "transactions", seed: 3 });
        const [a, b] = [await one.prepare(w, "w"), await two.prepare(w, "w")];
        // Segment 0 of 2 runs the even operation numbers, segment 1 the odd ones.
        await Promise.all([
          (async () => { for (const seq of [0, 2, 4, 6]) await a.run(op(seq)); })(),
          (async () => { for (const seq of [1, 3, 5, 7]) await b.run(op(seq)); })(),
        ]);
        const rows = await db.sql<{ n: string; distinct_ids: string }>(`select count(*) as n, count(distinct transaction_id) as distinct_ids from ${table}`);
        assert.deepEqual(rows[0], { n: "800", distinct_ids: "800" }, method);
      }
    } finally {
      await one.close();
      await two.close();
    }
  });

  test("createTable: false on a missing table is a suite mistake at prepare, the hint saying what to do", async () => {
    const connection = await connect();
    try {
      await assert.rejects(
        connection.prepare(workload({ type: "insert", table: "not_there", generator: "transactions", createTable: false }), "w"),
        (error: unknown) => {
          assert.ok(error instanceof UsageError);
          assert.equal(error.message, "table not_there does not exist");
          assert.match(error.hint ?? "", /set createTable: true on the workload .*or create it in the target's setup:/);
          return true;
        },
      );
    } finally {
      await connection.close();
    }
  });

  test("a table with other columns is a suite mistake at prepare, naming the missing column", async () => {
    await db.sql("create table other_columns (id int)");
    const connection = await connect();
    try {
      await assert.rejects(
        connection.prepare(workload({ type: "insert", table: "other_columns", generator: "transactions" }), "w"),
        (error: unknown) => {
          assert.ok(error instanceof UsageError);
          assert.equal(error.message, 'table other_columns cannot take transactions rows: column "transaction_id" does not exist');
          assert.match(error.hint ?? "", /drop it, or create it in the target's setup: with the columns of transactions/);
          return true;
        },
      );
    } finally {
      await connection.close();
    }
  });

  test("COPY text round-trips awkward values through a real server unchanged", async () => {
    await db.sql("create table escaping (n serial, s text, j jsonb, b bytea)");
    const values: string[] = ["tab\there", "new\nline", "cr\rhere", "back\\slash", "\\N", "\\.", "", "zürich – 東京", 'quote "q"'];
    const rows: RowValue[][] = values.map((s) => [s, { s }, new Uint8Array([0, 92, 9, 255])]);
    rows.push([null, null, null]);
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const client = await pool.connect();
      await new Promise<void>((resolve, reject) => {
        const stream = client.query(copyFrom("copy escaping (s, j, b) from stdin"));
        stream.on("error", reject);
        stream.on("finish", () => resolve());
        stream.end(encodeCopyRows(rows));
      });
      client.release();
    } finally {
      await pool.end();
    }
    const back = await db.sql<{ s: string | null; j: { s: string } | null; b: Buffer | null }>("select s, j, b from escaping order by n");
    assert.deepEqual(
      back.map((r) => r.s),
      [...values, null],
    );
    assert.deepEqual(
      back.map((r) => r.j?.s ?? null),
      [...values, null],
    );
    assert.deepEqual([...(back[0]?.b ?? [])], [0, 92, 9, 255]);
  });
});

describe("query", () => {
  test("a named query runs with params and reports the rows it returned", async () => {
    const connection = await connect({
      queries: {
        "host-metric": "select time, value from q_metrics where host = $1 and metric_name = $2 order by time desc",
      },
    });
    try {
      const insert = await connection.prepare(workload({ type: "insert", table: "q_metrics", batchSize: 1000, generator: "server-metrics" }), "w");
      await insert.run(op());
      const expected = await db.sql<{ n: string }>("select count(*) as n from q_metrics where host = 'server-000001' and metric_name = 'cpu_usage_percent'");
      assert.ok(Number(expected[0]?.n) > 0);
      const query = await connection.prepare(workload({ type: "query", query: "host-metric", params: ["server-000001", "cpu_usage_percent"] }), "r");
      assert.deepEqual(await query.run(op()), { records: Number(expected[0]?.n) });
    } finally {
      await connection.close();
    }
  });

  test("seed 004's three query patterns return rows after one batch of server-metrics", async () => {
    const connection = await connect();
    try {
      await (await connection.prepare(workload({ type: "insert", table: "metrics_hot", batchSize: 1000, generator: "server-metrics" }), "w")).run(op());
      const patterns = [
        "select time, value from metrics_hot where metric_name = 'cpu_usage_percent' and host = 'server-000001' and time > now() - interval '1 hour' order by time desc",
        "select date_trunc('hour', time) as hour, avg(value) from metrics_hot where metric_name = 'cpu_usage_percent' and time > now() - interval '24 hours' group by hour order by hour",
        "select host, avg(value) as avg_cpu from metrics_hot where metric_name = 'cpu_usage_percent' and time > now() - interval '5 minutes' and host like 'server-0000%' group by host order by avg_cpu desc limit 10",
      ];
      for (const sql of patterns) {
        const outcome = await (await connection.prepare(workload({ type: "query", sql }), "r")).run(op());
        assert.ok((outcome?.records ?? 0) > 0, sql);
      }
    } finally {
      await connection.close();
    }
  });

  test("an unknown query name fails at prepare, listing the names", async () => {
    const connection = await connect({ queries: { hot: "select 1", cold: "select 2" } });
    try {
      await assert.rejects(connection.prepare(workload({ type: "query", query: "warm" }), "reads"), (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.equal(error.message, 'scenario reads: query "warm" is not one of targets.pg.queries (hot, cold)');
        assert.match(error.hint ?? "", /use one of: hot, cold/);
        return true;
      });
    } finally {
      await connection.close();
    }
  });

  test("a failing statement throws from the operation, and the pool stays usable", async () => {
    const connection = await connect();
    try {
      const bad = await connection.prepare(workload({ type: "query", sql: "select 1/0" }), "r");
      await assert.rejects(bad.run(op()), /division by zero/);
      const good = await connection.prepare(workload({ type: "query", sql: "select generate_series(1, 5)" }), "r");
      assert.deepEqual(await good.run(op()), { records: 5 });
    } finally {
      await connection.close();
    }
  });
});

describe("throughput (printed for the record, not asserted)", () => {
  test("COPY of server-metrics at batch 1000", async (t) => {
    const connection = await connect({ pool: 4 });
    try {
      const source = generators["server-metrics"].create(9);
      let started = performance.now();
      for (let b = 0; b < 50; b++) encodeCopyBatch(source, b * 1000, 1000);
      const encodeRate = 50_000 / ((performance.now() - started) / 1000);

      for (const concurrency of [1, 4]) {
        const table = `copy_rate_${concurrency}`;
        const prepared = await connection.prepare(workload({ type: "insert", table, batchSize: 1000, generator: "server-metrics" }), "w");
        await prepared.run(op()); // warm-up: table created, pages and plans cached
        const batches = 60;
        let next = 0;
        started = performance.now();
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next++ < batches) await prepared.run(op());
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        t.diagnostic(`COPY batch 1000, ${concurrency} writer(s): ${Math.round((batches * 1000) / seconds).toLocaleString("en")} rows/s`);
        assert.equal(await count(table), (batches + 1) * 1000);
      }
      t.diagnostic(`generating + COPY-encoding alone: ${Math.round(encodeRate).toLocaleString("en")} rows/s`);
      t.diagnostic(`embedded server: initdb ${Math.round(db.server.timings.initdbMs)} ms, start ${Math.round(db.server.timings.startMs)} ms`);
    } finally {
      await connection.close();
    }
  });
});
