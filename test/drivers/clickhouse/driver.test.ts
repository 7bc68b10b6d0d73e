// The ClickHouse driver against a real server (scripts/clickhouse-local: Debian's 18.16), started
// once for this file: exact row counts written in each format and read back, the three formats
// writing the same rows, the server's errors classified by kind, what 18.16 lacks said plainly,
// the clickhouse-stats probe's readings, an unreachable server as one line and exit 3, and the
// too-many-parts and slow-query findings from a run of single-row inserts and a slow query.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { ClickHouseClient } from "@clickhouse/client";
import type { Connection, ConnectContext, OpContext, PreparedWorkload } from "../../../src/drivers/driver.js";
import { clickhouse, type ClickHouseWorkload } from "../../../src/drivers/clickhouse/index.js";
import { clickHouseClient, scalar } from "../../../src/drivers/clickhouse/connect.js";
import { TargetUnreachable, UsageError } from "../../../src/errors.js";
import { errorClassInfo } from "../../../src/drivers/error-classes.js";
import { freePort } from "../../../src/drivers/free-port.js";
import { pipebench, runAndKillServer } from "../../cli/helpers.js";
import { initAndRunStarter } from "../../cli/starter-run.js";
import { CLICKHOUSE_LOCAL, useClickHouse } from "../../helpers/clickhouse.js";
import { assertWatchdogOwnSession } from "../../helpers/watchdog.js";
import { driverContract } from "../contract.js";

const ch = useClickHouse();
const ctx: ConnectContext = { name: "ch", suiteDir: process.cwd(), log: () => {}, resolveRef: () => undefined };

driverContract({
  driver: clickhouse,
  target: () => ({ kind: "clickhouse", url: ch.url }),
  workload: { type: "insert", table: "contract_ticks", generator: "market-ticks", batchSize: 100 },
  unreachable: (port) => ({ kind: "clickhouse", url: `http://127.0.0.1:${port}` }),
});

let connection: Connection<ClickHouseWorkload>;
let sql: ClickHouseClient;
let tmp: string;
let setup: Promise<void> | undefined;

// Node 20 runs a file's top-level `before` hooks at once, not one after the other: this file's own
// setup waits for the server inside the suites' hooks instead.
function ready(): Promise<void> {
  setup ??= (async () => {
    connection = await clickhouse.connect(clickhouse.targetSchema.parse({ kind: "clickhouse", url: ch.url, connections: 4 }), ctx);
    sql = clickHouseClient({ url: ch.url, user: "default", database: "default", connections: 1, requestTimeoutMs: 30_000 });
    tmp = await mkdtemp(join(tmpdir(), "pipebench-clickhouse-test-"));
  })();
  return setup;
}

after(async () => {
  if (setup === undefined) return;
  await setup.catch(() => undefined);
  await connection?.close();
  await sql?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function op(seq: number, sent: () => void = () => {}): OpContext {
  return { signal: new AbortController().signal, seq, worker: 0, sent };
}

async function prepare(workload: Record<string, unknown>): Promise<PreparedWorkload> {
  return connection.prepare(clickhouse.workloadSchema.parse(workload), "s");
}

/** Runs `n` operations, `concurrency` at a time; returns the records they reported. */
async function runOps(p: PreparedWorkload, n: number, concurrency = 1): Promise<number> {
  let records = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const outcome = await p.run(op(next++));
        records += (outcome && outcome.records) ?? 1;
      }
    }),
  );
  return records;
}

describe("clickhouse driver on a real server", () => {
  before(ready);
  test("connect reports the server's version", () => {
    assert.match(connection.info.version ?? "", /^ClickHouse \d+\.\d+/);
  });

  test("each format writes exactly batchSize × operations rows, the same rows, and a query reads them all back", async () => {
    const sums: string[] = [];
    for (const format of ["TSV", "JSONEachRow", "RowBinary"]) {
      const table = `ticks_${format.toLowerCase()}`;
      const p = await prepare({ type: "insert", table, format, batchSize: 2500, generator: "market-ticks" });
      let sentCalls = 0;
      const first = await p.run(op(0, () => sentCalls++));
      assert.equal(sentCalls, 1, "sent() is called once per operation");
      assert.deepEqual(first, { records: 2500, bytes: (first as { bytes: number }).bytes });
      const records = 2500 + (await runOps(p, 7, 3));
      assert.equal(records, 20_000);
      assert.equal(await scalar(sql, `SELECT count() FROM ${table}`), "20000");
      const read = await prepare({ type: "query", sql: `SELECT * FROM ${table}` });
      assert.equal(await runOps(read, 1), 20_000, "records = rows returned");
      // Each prepare makes its generator afresh, timestamps relative to now: compare the values,
      // and the timestamps' span (whole seconds on 18.16: ±1 s).
      sums.push(await scalar(sql, `SELECT sum(cityHash64(instrument_id, toString(price), volume)) FROM ${table}`));
      const span = Number(await scalar(sql, `SELECT toUInt32(max(timestamp)) - toUInt32(min(timestamp)) FROM ${table}`));
      assert.ok(Math.abs(span - 49) <= 1, `${format}: 1,000 ticks of 50 ms span ${span} s`);
    }
    assert.equal(new Set(sums).size, 1, `TSV, JSONEachRow and RowBinary wrote different rows: ${sums.join(" ")}`);
  });

  test("pregenerate: whole batches encoded at prepare are the same rows, sent first; the operations after them encode as they go", async () => {
    const sums: string[] = [];
    for (const pregenerate of [undefined, 2500]) {
      const table = `ticks_pregenerate_${pregenerate ?? 0}`;
      const p = await prepare({ type: "insert", table, batchSize: 1000, generator: "market-ticks", ...(pregenerate === undefined ? {} : { pregenerate }) });
      // 2,500 rows ahead are three whole batches; seven operations send them and four more.
      assert.equal(await runOps(p, 7), 7000);
      assert.equal(await scalar(sql, `SELECT count() FROM ${table}`), "7000");
      sums.push(await scalar(sql, `SELECT sum(cityHash64(instrument_id, toString(price), volume)) FROM ${table}`));
    }
    assert.equal(sums[0], sums[1], "pregenerated batches hold the rows the operations would have encoded");
    assert.equal(clickhouse.workloadSchema.safeParse({ type: "insert", table: "t", generator: "market-ticks", pregenerate: "1M" }).success, true);
    assert.equal(clickhouse.workloadSchema.safeParse({ type: "insert", table: "t", generator: "market-ticks", pregenerate: "30M" }).success, false);
  });

  test("server-metrics rows (JSON labels, Float64) arrive intact", async () => {
    const p = await prepare({ type: "insert", table: "server_metrics", format: "RowBinary", batchSize: 1000, generator: "server-metrics" });
    await runOps(p, 2);
    assert.equal(await scalar(sql, "SELECT count() FROM server_metrics"), "2000");
    assert.equal(await scalar(sql, "SELECT countIf(visitParamExtractString(labels, 'host') = host) FROM server_metrics"), "2000");
  });

  test("a query's records are the rows it returned; a statement without rows counts one", async () => {
    assert.equal(await runOps(await prepare({ type: "query", sql: "SELECT number FROM system.numbers LIMIT 12345" }), 2), 24_690);
    assert.equal(await runOps(await prepare({ type: "query", sql: "SELECT 'a\\nb' AS s FROM system.numbers LIMIT 3;" }), 1), 3);
    assert.equal(await runOps(await prepare({ type: "query", sql: "OPTIMIZE TABLE ticks_tsv" }), 1), 1);
  });

  test("server errors carry CLICKHOUSE_<code>_<NAME> and their kind", async () => {
    const p = await prepare({ type: "query", sql: "SELECT * FROM no_such_table" });
    await assert.rejects(p.run(op(0)), (error: unknown) => {
      const code = (error as { code?: unknown }).code;
      assert.equal(code, "CLICKHOUSE_60_UNKNOWN_TABLE");
      assert.equal(errorClassInfo(String(code)).kind, "client");
      assert.match((error as Error).message, /^Code: 60: Table default\.no_such_table doesn't exist/);
      return true;
    });
    assert.equal(errorClassInfo("CLICKHOUSE_252_TOO_MANY_PARTS").kind, "server");
    assert.equal(errorClassInfo("CLICKHOUSE_159_TIMEOUT_EXCEEDED").kind, "timeout");
  });

  test("suite mistakes are UsageErrors: a missing table, and query parameters on a server without them", async () => {
    await assert.rejects(prepare({ type: "insert", table: "absent", createTable: false, generator: "market-ticks" }), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /table absent does not exist/);
      return true;
    });
    const version = connection.info.version ?? "";
    if (/^ClickHouse 18\./.test(version)) {
      await assert.rejects(prepare({ type: "query", sql: "SELECT {x:UInt8}", params: { x: 1 } }), (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, /needs a newer ClickHouse than this server's 18\.16/);
        return true;
      });
    }
  });

  test("the clickhouse-stats probe reads parts, merges, events, compression and query_log", async () => {
    const probe = connection.probe?.("clickhouse-stats");
    assert.ok(probe);
    const before = await probe.read();
    const p = await prepare({ type: "insert", table: "probe_ticks", batchSize: 500, generator: "market-ticks" });
    await runOps(p, 6);
    await runOps(await prepare({ type: "query", sql: "SELECT count() FROM probe_ticks" }), 3);
    // Over HTTP the answer can reach us before the server queues the query's QueryFinish row, and
    // then SYSTEM FLUSH LOGS has not got it yet: read again (a few times at most) until it is there.
    type Details = { slow_queries: { query: string; calls: number }[]; partitions: unknown[]; settings: Record<string, string> };
    const countOf = (d: Details) => d.slow_queries.find((q) => q.query.startsWith("SELECT count() FROM probe_ticks"));
    let reading = probe.summarize(before, await probe.read());
    for (let i = 0; i < 10 && (countOf(reading.details as Details)?.calls ?? 0) < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      reading = probe.summarize(before, await probe.read());
    }
    const m = reading.metrics;
    assert.ok((m.insert_queries ?? 0) >= 6, `insert_queries ${m.insert_queries}`);
    assert.ok((m.inserted_rows ?? 0) >= 3000, `inserted_rows ${m.inserted_rows}`);
    assert.ok((m.max_parts_per_partition ?? 0) >= 1);
    assert.ok((m.compression_ratio ?? 0) > 1, `compression_ratio ${m.compression_ratio}`);
    for (const name of ["active_parts", "merges_running", "queries", "delayed_inserts", "rejected_inserts"]) assert.ok(name in m, name);
    const details = reading.details as Details;
    assert.equal(countOf(details)?.calls, 3, JSON.stringify(details.slow_queries));
    assert.ok(details.partitions.length > 0);
    assert.equal(details.settings.parts_to_throw_insert, "300");
  });
});

describe("clickhouse through the CLI", () => {
  before(ready);
  test("init clickhouse: the starter runs as written against a server, and says how to start one", { timeout: 120_000 }, async () => {
    await initAndRunStarter("clickhouse", tmp, join(tmp, "starter.db"), { CLICKHOUSE_URL: ch.url });
    const text = await readFile(join(tmp, "clickhouse", "clickhouse-suite.yaml"), "utf8");
    assert.match(text, /^#\s+\S*clickhouse-local fetch$/m);
    assert.match(text, /^#\s+export CLICKHOUSE_URL=\$\(\S*clickhouse-local start \| sed -n 's\/\^url=/m);
  });

  test("an unreachable server: exit 3, one line naming host and port", async () => {
    const port = await freePort();
    const suite = join(tmp, "unreachable.yaml");
    await writeFile(
      suite,
      `name: ch-unreachable
targets:
  ch: { kind: clickhouse, url: "\${CLICKHOUSE_URL}" }
scenarios:
  q: { target: ch, workload: { type: query, sql: "SELECT 1" }, load: { executor: closed, workers: 1, iterations: 1 } }
`,
    );
    const r = await pipebench(["run", suite, "--store", join(tmp, "unreachable.db")], { CLICKHOUSE_URL: `http://127.0.0.1:${port}` });
    assert.equal(r.code, 3, r.stderr);
    const errors = r.stderr.split("\n").filter((line) => line.startsWith("error:"));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0]!, new RegExp(`^error: cannot reach ClickHouse at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED`));
    assert.doesNotMatch(r.stderr, /@clickhouse\/client/, "the client's own log stays quiet");
  });

  test("single-row inserts give the too-many-parts finding; a slow query the slow-query finding", { timeout: 60_000 }, async () => {
    const suite = join(tmp, "parts.yaml");
    await writeFile(
      suite,
      `name: ch-parts
targets:
  ch: { kind: clickhouse, url: "\${CLICKHOUSE_URL}" }
probes:
  - { kind: clickhouse-stats, target: ch, every: 1s }
scenarios:
  single-rows:
    target: ch
    workload: { type: insert, table: single_rows, batchSize: 1, generator: market-ticks }
    load: { executor: constant-rate, rate: 40, duration: 3s }
  slow:
    target: ch
    workload: { type: query, sql: "SELECT sleep(0.6)" }
    load: { executor: closed, workers: 1, iterations: 2 }
`,
    );
    const store = join(tmp, "parts.db");
    const r = await pipebench(["run", suite, "--store", store, "--allow-invalid"], { CLICKHOUSE_URL: ch.url });
    assert.ok(r.code === 0 || r.code === 4, `exit ${r.code}\n${r.stderr}\n${r.stdout}`);
    assert.equal(await scalar(sql, "SELECT count() FROM single_rows"), "120", "3 s × 40/s single-row inserts");
    const d = await pipebench(["diagnose", "latest", "--store", store]);
    const text = d.stdout;
    assert.match(text, /ClickHouse inserts are too small.*clickhouse\.too-many-parts/);
    assert.match(text, /120 INSERTs in 3\.0 s \(40\.0\/s\), 1 row each on average/);
    assert.match(text, /workload\.batchSize: 1000 \(now 1\)/);
    assert.match(text, /runbook: docs\/runbooks\/clickhouse-too-many-parts\.md · https:\/\/clickhouse\.com\/docs/);
    assert.match(text, /Slow ClickHouse queries.*clickhouse\.slow-query/);
    assert.match(text, /SELECT sleep\(0\.6\) — 2 calls, mean 6\d\dms/);
  });

  test("scripts/clickhouse-local's watchdog runs in a session of its own: a signal to the process group that ran start leaves it watching", { timeout: 30_000 }, async () => {
    await assertWatchdogOwnSession(ch, CLICKHOUSE_LOCAL);
  });

  // Last in the file: it kills the file's server.
  test("a server killed mid-run: exit 3, the errors counted by kind, the run stored with its partial results", { timeout: 60_000 }, async () => {
    const suite = join(tmp, "killed.yaml");
    await writeFile(
      suite,
      `name: ch-killed
targets:
  ch: { kind: clickhouse, url: "\${CLICKHOUSE_URL}" }
scenarios:
  ticks:
    target: ch
    workload: { type: insert, table: killed_ticks, batchSize: 100, generator: market-ticks }
    load: { executor: constant-rate, rate: 20, duration: 40s }
`,
    );
    const store = join(tmp, "killed.db");
    const run = await runAndKillServer({ suite, store, env: { CLICKHOUSE_URL: ch.url }, pid: ch.pid, scenario: "ticks", afterMs: 3_000 });
    const context = `exit ${run.code}\n${run.output}`;
    assert.equal(run.code, 3, context);
    assert.match(run.output, /scenario ticks failed: every operation failed for \d+ s in a row/, context);
    const shown = await pipebench(["show", "latest", "--store", store, "--format", "json"]);
    const stored = JSON.parse(shown.stdout) as { status: string; scenarioResults: { result: { status: string; ops: number; errors: number; errorsByClass: Record<string, number> } }[] };
    assert.equal(stored.status, "error");
    const result = stored.scenarioResults[0]!.result;
    assert.equal(result.status, "failed");
    assert.ok(result.ops >= 20, `inserts before the kill: ${result.ops}`);
    const classes = Object.entries(result.errorsByClass);
    assert.equal(classes.reduce((n, [, k]) => n + k, 0), result.errors);
    assert.ok(classes.some(([c]) => c === "ECONNREFUSED"), `refused once the server is gone: ${JSON.stringify(result.errorsByClass)}`);
    for (const [c] of classes) assert.notEqual(errorClassInfo(c).kind, undefined, c);
  });
});

