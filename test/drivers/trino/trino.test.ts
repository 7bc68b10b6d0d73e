// The trino driver, the trino-stats probe and suites/trino-baseline.yaml against one real Trino
// (scripts/trino-local, started once for this file: Trino takes 15–60 s to start here).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { ConnectContext, Observer, OpContext, PreparedWorkload } from "../../../src/drivers/driver.js";
import { trino } from "../../../src/drivers/trino/index.js";
import { TrinoClient } from "../../../src/drivers/trino/protocol.js";
import { TargetUnreachable, UsageError } from "../../../src/errors.js";
import { trinoStatsProbe } from "../../../src/probes/trino-stats.js";
import { BIN, pipebench, runAndKillServer } from "../../cli/helpers.js";
import { initAndRunStarter } from "../../cli/starter-run.js";
import { TRINO_LOCAL, useTrinoServer } from "../../helpers/trino.js";
import { assertWatchdogOwnSession } from "../../helpers/watchdog.js";
import { driverContract } from "../contract.js";
import { freePort } from "../../../src/drivers/free-port.js";

// Two queries at once, the rest queue: the queueing finding has something to find.
const server = useTrinoServer({ maxConcurrent: 2 });
const ctx: ConnectContext = { name: "t", suiteDir: process.cwd(), log: () => {}, resolveRef: () => undefined };
const SUITE = fileURLToPath(new URL("../../../suites/trino-baseline.yaml", import.meta.url));
const ROWS = 12_345;

driverContract({
  driver: trino,
  target: () => ({ kind: "trino", url: server.url }),
  workload: { type: "query", sql: "SELECT count(*) FROM tpch.tiny.nation" },
  unreachable: (port) => ({ kind: "trino", url: `http://127.0.0.1:${port}` }),
});

function op(seq: number, warmup = false): OpContext {
  return { signal: new AbortController().signal, seq, worker: 0, warmup, sent: () => undefined };
}

/** An observer that keeps what the workload reports: arrivals as (now − stamp) and counts. */
function recordingObserver(): { observer: Observer; serverMs: number[] } {
  const serverMs: number[] = [];
  const now = 1_000_000;
  return {
    serverMs,
    observer: {
      wallNow: () => now,
      arrived: (sentAt) => serverMs.push(now - sentAt),
      count: () => undefined,
    },
  };
}

describe("trino against a real server", () => {
  let store: string | undefined;
  after(async () => {
    if (store) await rm(store, { recursive: true, force: true });
  });

  test("a dataset is loaded with exact rows, read back row for row, and each query keeps Trino's stats", { timeout: 60_000 }, async () => {
    const target = trino.targetSchema.parse({
      kind: "trino",
      url: server.url,
      catalog: "memory",
      schema: "default",
      datasets: [{ table: "prices_test", generator: "commodity-prices", rows: ROWS, seed: 3 }],
      queries: { all: "SELECT * FROM prices_test", count: "SELECT count(*) FROM prices_test" },
    });
    const connection = await trino.connect(target, ctx);
    try {
      assert.match(connection.info.version ?? "", /^Trino 476$/);
      const all = await connection.prepare({ type: "query", query: "all" }, "s");
      const seen = recordingObserver();
      all.attach?.(seen.observer);
      const outcome = await all.run(op(0));
      assert.deepEqual(outcome, { records: ROWS });
      const counts = await (all as Required<PreparedWorkload>).settle(1000);
      assert.ok(counts.processed_rows === ROWS, `processed_rows ${counts.processed_rows}`);
      assert.ok((counts.server_cpu_ms ?? -1) >= 0 && (counts.peak_memory_bytes ?? 0) > 0, JSON.stringify(counts));
      assert.equal(seen.serverMs.length, 1);
      assert.ok((seen.serverMs[0] ?? 0) > 0, `server elapsed ${seen.serverMs[0]}`);

      const count = await connection.prepare({ type: "query", sql: "SELECT count(*), count(DISTINCT commodity) FROM prices_test" }, "s");
      assert.deepEqual(await count.run(op(1)), { records: 1 });
      // The same count through the protocol directly: the exact number of rows that went in.
      const client = new TrinoClient({ url: server.url, connections: 1, session: { user: "test", source: "test", catalog: "memory", schema: "default", properties: {} } });
      const result = await client.execute("SELECT count(*), count(DISTINCT commodity) FROM prices_test", { keepRows: 1 });
      await client.close();
      assert.deepEqual(result.data[0], [ROWS, 10]);
      assert.equal(result.stats.state, "FINISHED");
      for (const k of ["elapsedTimeMillis", "queuedTimeMillis", "cpuTimeMillis", "peakMemoryBytes", "processedRows", "processedBytes"] as const) {
        assert.equal(typeof result.stats[k], "number", k);
      }
      assert.equal(result.stats.processedRows, ROWS);
    } finally {
      await connection.close();
    }
  });

  test("SQL naming a missing table is the suite's mistake (exit 2); a failing query is counted by Trino's error name", { timeout: 30_000 }, async () => {
    const connection = await trino.connect(trino.targetSchema.parse({ kind: "trino", url: server.url, catalog: "memory", schema: "default" }), ctx);
    try {
      await assert.rejects(connection.prepare({ type: "query", sql: "SELECT * FROM no_such_table" }, "s"), (error: unknown) => {
        assert.ok(error instanceof UsageError, String(error));
        assert.match(error.message, /no_such_table/);
        return true;
      });
      const bad = await connection.prepare({ type: "query", sql: "SELECT CAST('x' AS integer)" }, "s");
      await assert.rejects(bad.run(op(0)), (error: unknown) => {
        assert.equal((error as { code?: unknown }).code, "TRINO_INVALID_CAST_ARGUMENT");
        return true;
      });
    } finally {
      await connection.close();
    }
  });

  test("the trino-stats probe reads nodes, queries by state and the memory pool", { timeout: 30_000 }, async () => {
    const probe = trinoStatsProbe({ url: server.url, user: "test" });
    try {
      const before = await probe.read();
      const after = await probe.read();
      const reading = probe.summarize(before, after);
      const m = reading.metrics;
      assert.equal(m.trino_active_nodes, 1);
      assert.equal(m.trino_workers, 0);
      assert.ok((m.trino_memory_pool_bytes ?? 0) > 100 * 1024 * 1024, `pool ${m.trino_memory_pool_bytes}`);
      for (const k of ["trino_queued_queries", "trino_running_queries", "trino_memory_reserved_bytes", "trino_memory_usage"]) {
        assert.equal(typeof m[k], "number", k);
      }
      assert.match(reading.notes.join("\n"), /one node does all the work/);
    } finally {
      await probe.close();
    }
  });

  test("an unreachable server: TargetUnreachable naming host:port, and the CLI exits 3 with one line", { timeout: 60_000 }, async () => {
    const port = await freePort();
    await assert.rejects(trino.connect(trino.targetSchema.parse({ kind: "trino", url: `http://127.0.0.1:${port}` }), ctx), (error: unknown) => {
      assert.ok(error instanceof TargetUnreachable, String(error));
      assert.match(error.message, new RegExp(`^cannot reach Trino at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
    store = await mkdtemp(join(tmpdir(), "pipebench-trino-cli-"));
    const r = await pipebench(["run", SUITE, "--store", join(store, "unreachable.db")], { TRINO_URL: `http://127.0.0.1:${port}` }, 50_000);
    assert.equal(r.code, 3, r.stderr);
    const errors = r.stderr.split("\n").filter((l) => /^error:/.test(l));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0] ?? "", new RegExp(`127\\.0\\.0\\.1:${port}`));
  });

  test("pipebench run suites/trino-baseline.yaml prints seed 000's three queries with ✓/✗ and Trino's time beside the client's", { timeout: 120_000 }, async () => {
    store ??= await mkdtemp(join(tmpdir(), "pipebench-trino-cli-"));
    // Fewer runs than the suite's 10 and a smaller table: the self-join is quadratic (20,000 rows
    // take 3–5 s a run on 2 cores), and this test shows the output, not the numbers.
    const set = ["trino-count", "trino-daily-aggregate", "trino-self-join"].flatMap((s) => ["--set", `scenarios.${s}.load.iterations=3`]);
    const r = await pipebench(["run", SUITE, "--store", join(store, "baseline.db"), ...set, "--set", "targets.trino.datasets.0.rows=5000", "--allow-invalid"], { TRINO_URL: server.url }, 110_000);
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}\n${r.stderr}\n${r.stdout}`);
    for (const [scenario, threshold] of [["trino-count", "max < 1s"], ["trino-daily-aggregate", "max < 3s"], ["trino-self-join", "max < 5s"]] as const) {
      assert.match(r.stdout, new RegExp(`^${scenario} `, "m"), r.stdout);
      assert.match(r.stdout, new RegExp(`[✓✗] ${threshold.replace(/[<]/g, "\\$&")}`), r.stdout);
    }
    const serverLines = r.stdout.split("\n").filter((l) => /^\s+server {2}p50 \S+/.test(l));
    assert.equal(serverLines.length, 3, r.stdout);
    assert.match(r.stdout, /server_cpu_ms [\d,]+ · server_queued_ms [\d,]+ · processed_rows [\d,]+/);
  });

  test("diagnose: a query over query.max-memory-per-node gives the trino.memory-near-limit finding with Trino's limit", { timeout: 60_000 }, async () => {
    store ??= await mkdtemp(join(tmpdir(), "pipebench-trino-cli-"));
    // ~10 GB of strings aggregated per node: Trino stops it at the per-node limit (half of
    // trino-local's heap) within a few seconds, with EXCEEDED_LOCAL_MEMORY_LIMIT.
    const suite = join(store, "memory-hog.yaml");
    await writeFile(
      suite,
      [
        "name: trino-memory-hog",
        "targets:",
        "  trino: { kind: trino, url: '${TRINO_URL}' }",
        "probes:",
        "  - { kind: trino-stats, target: trino }",
        "scenarios:",
        "  hog:",
        "    target: trino",
        "    workload:",
        "      type: query",
        "      sql: SELECT k, cardinality(array_agg(repeat('abcdefghij', 100))) FROM UNNEST(sequence(1, 1000)) a(k) CROSS JOIN UNNEST(sequence(1, 10000)) b(j) GROUP BY k",
        "    load: { executor: closed, workers: 1, iterations: 1 }",
        "",
      ].join("\n"),
    );
    const r = await pipebench(["run", suite, "--store", join(store, "hog.db"), "--allow-invalid"], { TRINO_URL: server.url }, 55_000);
    assert.match(r.stdout, /errors: 1 \(1 server trino EXCEEDED_LOCAL_MEMORY_LIMIT\)/, r.stdout + r.stderr);
    assert.match(r.stdout, /Trino queries failed on their memory limit · hog · trino\.memory-near-limit/, r.stdout);
    assert.match(r.stdout, /1 queries failed with EXCEEDED_\*_MEMORY_LIMIT \(limit \d+MB\)/, r.stdout);
    assert.match(r.stdout, /→ raise query\.max-memory-per-node .* spill-enabled=true/, r.stdout);
  });

  test("diagnose: more queries than the cluster runs at once give the trino.queued finding", { timeout: 60_000 }, async () => {
    store ??= await mkdtemp(join(tmpdir(), "pipebench-trino-cli-"));
    const suite = join(store, "queued.yaml");
    await writeFile(
      suite,
      [
        "name: trino-queued",
        "targets:",
        "  trino: { kind: trino, url: '${TRINO_URL}' }",
        "probes:",
        "  - { kind: trino-stats, target: trino, every: 1s }",
        "scenarios:",
        "  busy:",
        "    target: trino",
        "    workload: { type: query, sql: SELECT count(*) FROM tpch.tiny.orders }",
        // A count of queries, not a duration: in a CI run on a busy machine no query of a 4 s
        // window finished (Trino's first plans are slow there), and there was nothing to judge.
        "    load: { executor: closed, workers: 6, iterations: 48, warmup: 1s }",
        "",
      ].join("\n"),
    );
    const r = await pipebench(["run", suite, "--store", join(store, "queued.db"), "--allow-invalid"], { TRINO_URL: server.url }, 55_000);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Trino queries wait in the queue before they run · busy · trino\.queued/, r.stdout);
    assert.match(r.stdout, /queued \S+ per query on average, of \S+ Trino elapsed \(\d+(\.\d)? ?%\)/, r.stdout);
    assert.match(r.stdout, /trino-stats: up to [1-9]\d* queries queued at once/, r.stdout);
  });

  test("diagnose: a failed target on the single-node Trino gives the trino.single-worker finding", { timeout: 60_000 }, async () => {
    store ??= await mkdtemp(join(tmpdir(), "pipebench-trino-cli-"));
    const suite = join(store, "single-worker.yaml");
    await writeFile(
      suite,
      [
        "name: trino-single-worker",
        "targets:",
        "  trino: { kind: trino, url: '${TRINO_URL}' }",
        "probes:",
        "  - { kind: trino-stats, target: trino }",
        "scenarios:",
        "  orders:",
        "    target: trino",
        "    workload: { type: query, sql: 'SELECT orderpriority, count(*) FROM tpch.tiny.orders GROUP BY orderpriority' }",
        "    load: { executor: closed, workers: 1, iterations: 5 }",
        // No Trino query answers in a microsecond: the target fails on any machine.
        "    thresholds: ['max < 1us']",
        "",
      ].join("\n"),
    );
    const r = await pipebench(["run", suite, "--store", join(store, "single-worker.db"), "--allow-invalid"], { TRINO_URL: server.url }, 55_000);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /One Trino node does all the work · orders · trino\.single-worker/, r.stdout);
    assert.match(r.stdout, /trino-stats: 1 active node \(the coordinator schedules work on itself/, r.stdout);
    assert.match(r.stdout, /failed: max < 1us/, r.stdout);
    assert.match(r.stdout, /→ add worker nodes \(coordinator=false/, r.stdout);
  });

  // Last: it kills this file's server.
  test("init trino: the starter runs as written against a server, and says how to start one", { timeout: 150_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "pipebench-trino-init-"));
    try {
      await initAndRunStarter("trino", dir, join(dir, "starter.db"), { TRINO_URL: server.url });
      const text = await readFile(join(dir, "trino", "trino-suite.yaml"), "utf8");
      assert.match(text, /^#\s+\S*trino-local fetch$/m);
      assert.match(text, /^#\s+export TRINO_URL=\$\(\S*trino-local start \| sed -n 's\/\^url=/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("scripts/trino-local's watchdog runs in a session of its own: a signal to the process group that ran start leaves it watching", { timeout: 30_000 }, async () => {
    await assertWatchdogOwnSession(server, TRINO_LOCAL);
  });

  // Last: it kills the file's server.
  test("a server killed mid-run: exit 3, the errors counted by kind, the run stored with its partial results", { timeout: 60_000 }, async () => {
    store ??= await mkdtemp(join(tmpdir(), "pipebench-trino-cli-"));
    const suite = join(store, "killed.yaml");
    await writeFile(
      suite,
      [
        "name: trino-killed",
        "targets:",
        "  trino: { kind: trino, url: '${TRINO_URL}' }",
        "scenarios:",
        "  count:",
        "    target: trino",
        "    workload: { type: query, sql: SELECT count(*) FROM tpch.tiny.nation }",
        "    load: { executor: constant-rate, rate: 4, duration: 40s }",
        "",
      ].join("\n"),
    );
    const db = join(store, "killed.db");
    const run = await runAndKillServer({ suite, store: db, env: { TRINO_URL: server.url }, pid: server.pid, scenario: "count", afterMs: 4_000 });
    const context = `exit ${run.code}\n${run.output}`;
    assert.equal(run.code, 3, context);
    assert.match(run.output, /scenario count failed: every operation failed for \d+ s in a row/, context);
    const shown = await pipebench(["show", "latest", "--store", db, "--format", "json"]);
    const stored = JSON.parse(shown.stdout) as { status: string; scenarioResults: { result: { status: string; ops: number; errors: number; errorsByClass: Record<string, number> } }[] };
    assert.equal(stored.status, "error");
    const result = stored.scenarioResults[0]!.result;
    assert.equal(result.status, "failed");
    assert.ok(result.ops >= 5, `ops before the kill: ${result.ops}`);
    const classes = Object.entries(result.errorsByClass);
    assert.ok(classes.length > 0 && result.errors > 0, JSON.stringify(result.errorsByClass));
    assert.equal(classes.reduce((n, [, k]) => n + k, 0), result.errors);
    assert.ok(classes.some(([c]) => c === "ECONNREFUSED"), `refused once the server is gone: ${JSON.stringify(result.errorsByClass)}`);
  });
});
