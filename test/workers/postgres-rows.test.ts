// `run --workers 2` against a real PostgreSQL (embedded, started once here, on 127.0.0.1) with
// several insert scenarios on one table, generator and seed: each scenario's rows continue after the
// last scenario's. The workers' rows must be exactly the rows one process writes (open loops: the
// schedule fixes the operation count), and never overlap where the count is only known at the end
// (a closed loop run for a duration: the coordinator tells every worker how many operations there were).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pipebench } from "../cli/helpers.js";
import { useEmbeddedPostgres } from "../helpers/postgres.js";

const pg = useEmbeddedPostgres();
const dir = mkdtempSync(join(tmpdir(), "pipebench-pg-workers-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function suiteFile(url: string): string {
  const file = join(dir, "rows.yaml");
  const insert = (table: string, method: string): string =>
    `{ type: insert, table: ${table}, method: ${method}, batchSize: 10, generator: transactions, seed: 9 }`;
  writeFileSync(
    file,
    `name: pg-rows
targets:
  db:
    kind: postgres
    url: ${url}
    pool: 2
scenarios:
  first:
    target: db
    workload: ${insert("rows_open", "multi-row")}
    load: { executor: constant-rate, rate: 20, duration: 1s, warmup: 500ms }
  second:
    target: db
    workload: ${insert("rows_open", "copy")}
    load: { executor: constant-rate, rate: 30, duration: 1s }
  closed:
    target: db
    workload: ${insert("rows_closed", "multi-row")}
    load: { executor: max, concurrency: 2, duration: 1s }
  after-closed:
    target: db
    workload: ${insert("rows_closed", "copy")}
    load: { executor: constant-rate, rate: 20, duration: 1s }
`,
  );
  return file;
}

/** Rows, distinct ids, and a checksum of every column but the timestamp (each process's generator dates rows from its own start). */
async function contents(table: string): Promise<{ rows: number; distinct: number; checksum: string }> {
  const [r] = await pg.sql<{ n: string; d: string; sum: string }>(
    `select count(*) as n, count(distinct transaction_id) as d,
            md5(string_agg(concat_ws('|', transaction_id, customer_id, merchant_id, amount, currency, category, is_fraud), ',' order by transaction_id)) as sum
       from ${table}`,
  );
  return { rows: Number(r?.n), distinct: Number(r?.d), checksum: r?.sum ?? "" };
}

describe("insert scenarios on one table with --workers 2 (real PostgreSQL)", { timeout: 180_000 }, () => {
  /** What one process wrote to rows_open. */
  let one: { rows: number; distinct: number; checksum: string } | undefined;

  it("write the rows one process writes, none twice; after a closed loop the next scenario's rows overlap none of it", async () => {
    const file = suiteFile(pg.url);
    const single = await pipebench(["run", file, "--store", join(dir, "single.db")]);
    assert.ok(single.code === 0 || single.code === 4, `exit ${single.code}\n${single.stderr}\n${single.stdout}`);
    one = await contents("rows_open");
    // 10 warm-up and 20 measured operations, then 30: 60 batches of 10.
    assert.deepEqual([one.rows, one.distinct], [600, 600]);
    await pg.sql("truncate rows_open; truncate rows_closed");

    const workers = await pipebench(["run", file, "--workers", "2", "--store", join(dir, "workers.db")]);
    assert.ok(workers.code === 0 || workers.code === 4, `exit ${workers.code}\n${workers.stderr}\n${workers.stdout}`);
    assert.deepEqual(await contents("rows_open"), one, "the workers' rows are the single process's rows");
    const closed = await contents("rows_closed");
    assert.ok(closed.rows > 200, `rows ${closed.rows}`);
    assert.equal(closed.distinct, closed.rows, "no row written twice after the closed loop");
  });

  it("--segment i/2 run by two independent processes (an Indexed Job's pods, no coordinator): open loops write the single process's rows", async () => {
    assert.ok(one !== undefined, "runs after the test above");
    await pg.sql("truncate rows_open");
    const file = suiteFile(pg.url);
    // Ahead of two CLI start-ups on a busy machine.
    const at = String(Date.now() + 8_000);
    const runs = await Promise.all(
      [0, 1].map((index) =>
        pipebench(["run", file, "--segment", `${index}/2`, "--start-at", at, "--scenario", "first", "--scenario", "second", "--store", join(dir, `pod-${index}.db`)]),
      ),
    );
    for (const r of runs) assert.ok(r.code === 0 || r.code === 4, `exit ${r.code}\n${r.stderr}\n${r.stdout}`);
    assert.deepEqual(await contents("rows_open"), one, "each pod computed the same base for the second scenario from the schedule");
  });
});
