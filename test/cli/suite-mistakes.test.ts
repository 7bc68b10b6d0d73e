// A suite mistake is the suite's, not the target's (issue 11, part 6): a driver's `prepare` that
// finds one (a table that is not there, rows the table cannot take, an HTTP header no server could
// read, SQL that does not parse) ends the run with exit 2 and a hint naming what to change in the
// suite, not exit 3 blaming the target. As a target failure mid-run, the scenarios that ran before
// stay stored and the run is marked. The built CLI against real servers: an embedded PostgreSQL, a
// node:http server in this process, DuckDB. Kafka's cases are in kafka-suites.test.ts, beside its
// broker.
import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { useEmbeddedPostgres } from "../helpers/postgres.js";
import { pipebench, type CliResult } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-suite-mistakes-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const pg = useEmbeddedPostgres();

let suites = 0;
/** Runs `suite` in a store of its own; returns the CLI's result and the stored run. */
async function run(suite: string): Promise<{ r: CliResult; stored: StoredRun; context: string }> {
  const n = ++suites;
  const file = join(dir, `suite-${n}.yaml`);
  const store = join(dir, `results-${n}.db`);
  writeFileSync(file, suite);
  const r = await pipebench(["run", file, "--store", store]);
  const context = `exit ${r.code}\n${r.stderr}\n${r.stdout}`;
  const shown = await pipebench(["show", "latest", "--store", store, "--format", "json"]);
  assert.equal(shown.code, 0, `${context}\n${shown.stderr}`);
  return { r, stored: JSON.parse(shown.stdout) as StoredRun, context };
}

interface StoredRun {
  status: string;
  exitCode: number;
  scenarioResults: { name: string; result: { status: string; ops: number } }[];
}

/** A first scenario that runs, so that the mistake comes mid-run, with results to keep. */
const FIRST = `
  first:
    target: pg
    workload: { type: query, sql: "select 1" }
    load: { executor: closed, workers: 1, iterations: 5 }`;

test("an insert into a missing table with createTable: false: exit 2, the table named, the hint says createTable: true or setup; the first scenario kept", async () => {
  const { r, stored, context } = await run(`name: missing-table
targets:
  pg: { kind: postgres, url: "${pg.url}" }
scenarios:${FIRST}
  writes:
    target: pg
    workload: { type: insert, table: no_such_table, generator: transactions, createTable: false }
    load: { executor: closed, workers: 1, iterations: 5 }
`);
  assert.equal(r.code, 2, context);
  assert.match(r.stdout, /^scenario writes \(target pg\): table no_such_table does not exist$/m, context);
  assert.match(r.stdout, /^ {2}hint: .*createTable: true.*setup/m, context);
  assert.doesNotMatch(r.stdout + r.stderr, /target failed/i, context);
  assert.match(r.stdout, /ERROR \(a mistake in the suite\)/, context);
  // Nothing lost, the run marked: as when a target fails mid-run.
  assert.equal(stored.status, "error");
  assert.equal(stored.exitCode, 2);
  assert.deepEqual(stored.scenarioResults.map((s) => [s.name, s.result.status, s.result.ops]), [["first", "completed", 5]]);
});

test("a table that cannot take the generator's rows: exit 2, the missing column named, the hint says to create it with the generator's columns", async () => {
  await pg.sql("create table narrow_table (id int)");
  const { r, stored, context } = await run(`targets:
  pg: { kind: postgres, url: "${pg.url}" }
scenarios:
  writes:
    target: pg
    workload: { type: insert, table: narrow_table, generator: transactions, createTable: false }
    load: { executor: closed, workers: 1, iterations: 5 }
`);
  assert.equal(r.code, 2, context);
  assert.match(r.stdout, /^scenario writes \(target pg\): table narrow_table cannot take transactions rows: column "transaction_id" does not exist$/m, context);
  assert.match(r.stdout, /^ {2}hint: create it with the columns of transactions/m, context);
  assert.equal(stored.exitCode, 2);
  assert.equal(stored.scenarioResults.length, 0);
});

test("SQL that DuckDB cannot parse or bind: exit 2, the hint names the scenario's sql", async () => {
  const { r, stored, context } = await run(`targets:
  duck: { kind: duckdb }
scenarios:
  q:
    target: duck
    workload: { type: query, sql: "select * from no_such_table" }
    load: { executor: closed, workers: 1, iterations: 5 }
`);
  assert.equal(r.code, 2, context);
  assert.match(r.stdout, /^scenario q \(target duck\): its sql cannot be prepared: Catalog Error: Table with name no_such_table does not exist/m, context);
  assert.match(r.stdout, /^ {2}hint: .*scenarios\.q\.workload\.sql/m, context);
  assert.equal(stored.exitCode, 2);
});

test("an HTTP header name no server can read, in the workload or the target: exit 2, the hint names the field", async () => {
  const server = createServer((_req, res) => res.end("ok")).listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const inWorkload = await run(`targets:
  api: { kind: http, url: "${url}" }
scenarios:
  get:
    target: api
    workload: { type: request, headers: { "x trace": "1" } }
    load: { executor: closed, workers: 1, iterations: 5 }
`);
    assert.equal(inWorkload.r.code, 2, inWorkload.context);
    assert.match(inWorkload.r.stdout, /^scenario get \(target api\): header name "x trace" is not a valid HTTP header name$/m, inWorkload.context);
    assert.match(inWorkload.r.stdout, /^ {2}hint: .*scenarios\.get\.workload\.headers/m, inWorkload.context);
    assert.equal(inWorkload.stored.exitCode, 2);

    const inTarget = await run(`targets:
  api: { kind: http, url: "${url}", headers: { "x-ok": "1", "bad:name": "2" } }
scenarios:
  get:
    target: api
    workload: { type: request }
    load: { executor: closed, workers: 1, iterations: 5 }
`);
    assert.equal(inTarget.r.code, 2, inTarget.context);
    assert.match(inTarget.r.stdout, /^ {2}hint: .*targets\.api\.headers/m, inTarget.context);

    const lineBreak = await run(`targets:
  api: { kind: http, url: "${url}" }
scenarios:
  get:
    target: api
    workload: { type: request, headers: { "x-note": "two\\nlines" } }
    load: { executor: closed, workers: 1, iterations: 5 }
`);
    assert.equal(lineBreak.r.code, 2, lineBreak.context);
    assert.match(lineBreak.r.stdout, /header x-note has a line break or NUL in its value/, lineBreak.context);
  } finally {
    server.close();
  }
});
