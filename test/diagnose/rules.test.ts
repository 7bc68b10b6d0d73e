// Every diagnosis rule on hand-built stored runs: it fires on the symptom with the numbers in its
// evidence and the exact setting in its advice, and stays quiet just on the healthy side of it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { diagnose, type Finding } from "../../src/diagnose/diagnose.js";
import { indexHint, matchStatement, onThisMachine, pgSize, suiteStatements } from "../../src/diagnose/rules/postgres.js";
import { renderFindings } from "../../src/report/findings.js";
import { health, latency, reading, result, run, scenario } from "./fixtures.js";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const only = (findings: Finding[], id: string): Finding[] => findings.filter((f) => f.id === id);
const one = (findings: Finding[], id: string): Finding => {
  const found = only(findings, id);
  assert.equal(found.length, 1, `${id} in ${JSON.stringify(findings.map((f) => f.id))}`);
  return found[0] as Finding;
};

// ---- postgres --------------------------------------------------------------------------------

const pgSettings = {
  settings: { shared_buffers: "128MB", effective_cache_size: "4GB", work_mem: "4MB", max_connections: "100" },
  settings_bytes: { shared_buffers: 128 * MiB, effective_cache_size: 4 * GiB, work_mem: 4 * MiB },
  database_size_bytes: 3 * GiB,
  max_connections: 100,
};
// A server on the machine pipebench ran on (loopback), so the run's host memory is the server's.
const pgScenario = (metrics: Record<string, number>, details: Record<string, unknown> = {}, embedded = false, url = "postgres://localhost/db") =>
  run([scenario({ probes: [reading("postgres-stats", "pg", metrics, { ...pgSettings, ...details } as never)] })], {
    suite: { targets: { pg: embedded ? { kind: "postgres", embedded: true, pool: 40 } : { kind: "postgres", url, pool: 40 } } },
  });

test("postgres.cache-hit-low: the ratio, the blocks, the server's values, and ALTER SYSTEM with sizes from RAM", () => {
  const f = one(diagnose(pgScenario({ cache_hit_ratio: 0.912, blocks_read: 88_000, blocks_hit: 912_000 })), "postgres.cache-hit-low");
  assert.equal(f.scenario, "s");
  assert.equal(f.impact, "medium");
  assert.equal(f.evidence[0], "cache hit 91.2% over the scenario (target ≥ 99%)");
  assert.equal(f.evidence[1], "88,000 blocks (687.5 MiB) read from outside shared_buffers, 912,000 found in it");
  assert.equal(f.evidence[2], "database 3.0 GiB, shared_buffers 128MB, effective_cache_size 4GB, host memory 16.0 GiB");
  // 3 GiB × 1.25 → 4 GiB (a power of two), within a quarter of 16 GiB; effective_cache_size 75 % of RAM.
  assert.equal(
    f.recommendation,
    "shared_buffers = '4GB' (now 128MB), effective_cache_size = '12GB' (now 4GB): " +
      "ALTER SYSTEM SET shared_buffers = '4GB'; ALTER SYSTEM SET effective_cache_size = '12GB'; then restart PostgreSQL (shared_buffers needs a restart)",
  );
  assert.match(f.runbook, /^docs\/runbooks\/postgres-cache-hit\.md · shared_buffers https:\/\/www\.postgresql\.org\/docs\/current\/runtime-config-resource\.html#GUC-SHARED-BUFFERS/);
  assert.equal(one(diagnose(pgScenario({ cache_hit_ratio: 0.5, blocks_read: 5000, blocks_hit: 5000 })), "postgres.cache-hit-low").impact, "high");
  // An embedded target is changed in the suite.
  const embedded = one(diagnose(pgScenario({ cache_hit_ratio: 0.9 }, {}, true)), "postgres.cache-hit-low");
  assert.match(embedded.recommendation, /embedded: \{ settings: \{ shared_buffers: "4GB", effective_cache_size: "12GB" \} \} on target pg$/);
  assert.deepEqual(only(diagnose(pgScenario({ cache_hit_ratio: 0.995, blocks_read: 100, blocks_hit: 19_900 })), "postgres.cache-hit-low"), []);
  assert.deepEqual(only(diagnose(pgScenario({ cache_hit_ratio: 0.5, blocks_read: 300, blocks_hit: 300 })), "postgres.cache-hit-low"), [], "too few blocks to judge");
});

test("postgres.cache-hit-low on a server elsewhere: sized from the database alone, the memory ceilings said, not computed from this machine's", () => {
  const f = one(diagnose(pgScenario({ cache_hit_ratio: 0.912, blocks_read: 88_000, blocks_hit: 912_000 }, {}, false, "postgres://bench:***@db.internal:5432/metrics")), "postgres.cache-hit-low");
  // The 16 GiB pipebench's host has is not the server's: not shown, not used.
  assert.equal(f.evidence[2], "database 3.0 GiB, shared_buffers 128MB, effective_cache_size 4GB");
  assert.equal(
    f.recommendation,
    "shared_buffers = '4GB' (now 128MB): ALTER SYSTEM SET shared_buffers = '4GB'; then restart PostgreSQL (shared_buffers needs a restart); " +
      "keep shared_buffers within a quarter of the server's memory, which pipebench does not know, and set effective_cache_size to about three quarters of it",
  );
  // Neither the memory nor the database's size: the rule, with no number.
  const blind = one(diagnose(pgScenario({ cache_hit_ratio: 0.9 }, { database_size_bytes: undefined }, false, "postgres://db.internal/metrics")), "postgres.cache-hit-low");
  assert.match(blind.recommendation, /^raise shared_buffers \(now 128MB\) toward a quarter of the server's memory and effective_cache_size \(now 4GB\) to about three quarters of it/);
});

test("onThisMachine: loopback and Unix sockets are this machine; any other host may not be", () => {
  for (const url of ["postgres://localhost/db", "postgresql://u:p@127.0.0.1:5433/db", "postgres://[::1]/db", "postgres:///db", "postgres://%2Fvar%2Frun%2Fpostgresql/db", "postgres://x/db?host=/tmp"]) {
    assert.equal(onThisMachine(url), true, url);
  }
  for (const url of ["postgres://db.internal/db", "postgres://10.0.0.5/db", "postgres://h1,h2/db", "not a url"]) assert.equal(onThisMachine(url), false, url);
});

test("postgres.cache-hit-low: shared_buffers already a quarter of RAM → the working set is larger than memory", () => {
  const f = one(
    diagnose(pgScenario({ cache_hit_ratio: 0.95 }, {
      settings: { shared_buffers: "4GB", effective_cache_size: "12GB" },
      settings_bytes: { shared_buffers: 4 * GiB, effective_cache_size: 12 * GiB },
      database_size_bytes: 100 * GiB,
    })),
    "postgres.cache-hit-low",
  );
  assert.match(f.recommendation, /^shared_buffers \(now 4GB\) is already a quarter of memory/);
});

test("postgres.cache-hit-low: no advice to shrink or keep what is there; a cold cache is called one", () => {
  const on = (memoryBytes: number, details: Record<string, unknown>, metrics = { cache_hit_ratio: 0.9896, blocks_read: 1040, blocks_hit: 98_960 }) =>
    one(
      diagnose(run([scenario({ probes: [reading("postgres-stats", "pg", metrics, { ...pgSettings, ...details } as never)] })], {
        suite: { targets: { pg: { kind: "postgres", url: "postgres://127.0.0.1:5432/db" } } },
        memoryBytes,
      })),
      "postgres.cache-hit-low",
    );
  // Shown with the digits that keep it under the target, not rounded up to it.
  assert.match(on(16 * GiB, {}).evidence[0] ?? "", /^cache hit 98\.96% over the scenario/);
  // A 16 GB host reports 15.52 GiB: a quarter is 3.88 GiB, written '3GB', below the 3584MB there is.
  const rounded = on(15.52 * GiB, {
    settings: { shared_buffers: "3584MB", effective_cache_size: "12GB" },
    settings_bytes: { shared_buffers: 3584 * MiB, effective_cache_size: 12 * GiB },
    database_size_bytes: 100 * GiB,
  });
  assert.doesNotMatch(rounded.recommendation, /shared_buffers = '3GB'/);
  assert.match(rounded.recommendation, /^shared_buffers \(now 3584MB\) is already a quarter of memory/);
  // The whole database fits in shared_buffers: the misses are a cold cache.
  const cold = on(64 * GiB, {
    settings: { shared_buffers: "1GB", effective_cache_size: "48GB" },
    settings_bytes: { shared_buffers: 1 * GiB, effective_cache_size: 48 * GiB },
    database_size_bytes: 100 * MiB,
  });
  assert.match(cold.recommendation, /already holds the whole database \(100\.0 MiB\): the misses are a cold cache/);
});

test("postgres.connections-high: the usage is shown on its side of the limit", () => {
  const f = one(diagnose(pgScenario({ connection_usage: 0.504, backends: 504 }, { max_connections: 1000 })), "postgres.connections-high");
  assert.match(f.evidence[0] ?? "", /\(50\.4%, target < 50%\)/);
});

test("postgres rules read the database a scenario drove through a service, not one it left idle", () => {
  const metrics = { cache_hit_ratio: 0.8, blocks_read: 2000, blocks_hit: 8000, connection_usage: 0.7, backends: 70 };
  const viaService = run(
    [
      scenario({ name: "ingest", target: "svc", targetKind: "http", probes: [reading("postgres-stats", "pg", metrics, pgSettings as never)] }, 0),
      scenario({ name: "duck", target: "duck", targetKind: "duckdb", probes: [reading("postgres-stats", "pg", { ...metrics, blocks_read: 2, blocks_hit: 10 }, pgSettings as never)] }, 1),
    ],
    { suite: { targets: { pg: { kind: "postgres", embedded: true } } } },
  );
  const findings = diagnose(viaService);
  const cache = one(findings, "postgres.cache-hit-low");
  assert.equal(cache.scenario, "ingest");
  assert.equal(cache.evidence.at(-1), "on PostgreSQL target pg, which this scenario's svc wrote to or read from");
  assert.match(cache.recommendation, /on target pg$/);
  assert.deepEqual(only(findings, "postgres.connections-high").map((f) => f.scenario), ["ingest"]);
});

test("postgres.connections-high: over 50 % of max_connections → PgBouncer, with the pool as configured", () => {
  const f = one(diagnose(pgScenario({ connection_usage: 0.62, backends: 62 })), "postgres.connections-high");
  assert.equal(f.impact, "medium");
  assert.deepEqual(f.evidence, ["peak 62 of max_connections 100 in use (62%, target < 50%)", "pipebench's own pool for target pg: 40 connections"]);
  assert.match(f.recommendation, /^put PgBouncer in front \(pool_mode = transaction, default_pool_size = 20, max_client_conn = 100\)/);
  assert.match(f.recommendation, /lower the target's pool \(pool: 20, now 40\)/);
  assert.match(f.recommendation, /raise max_connections \(now 100\)/);
  assert.equal(one(diagnose(pgScenario({ connection_usage: 0.85, backends: 85 })), "postgres.connections-high").impact, "high");
  assert.deepEqual(only(diagnose(pgScenario({ connection_usage: 0.5, backends: 50 })), "postgres.connections-high"), []);
});

const slowTop = [
  // As pg_stat_statements shows it: the suite's literal 'cpu' is $2 (numbered after the driver's $1).
  { query: "select time, value from metrics_hot where metric_name = $2 and host = $1 order by time desc", calls: 120, mean_ms: 42.5, max_ms: 90, total_ms: 5100 },
  { query: "copy metrics_hot (time, value) from stdin", calls: 20, mean_ms: 300, max_ms: 400, total_ms: 6000 },
  { query: "select 1", calls: 1000, mean_ms: 0.01, max_ms: 1, total_ms: 10 },
];
const slowRun = (details: Record<string, unknown>, workload: unknown, queries: Record<string, string> = {}) =>
  run([scenario({ workload, probes: [reading("postgres-stats", "pg", { mean_query_time: 30 }, { ...pgSettings, ...details } as never)] })], {
    suite: { targets: { pg: { kind: "postgres", url: "postgres://localhost/db", queries } } },
  });
const hotQuery = { hot: "select time, value\n  from metrics_hot -- the newest first\n  where metric_name = 'cpu' and host = $1\n  order by time desc" };

test("postgres.slow-statements: the suite's SQL with its params inlined as literals → EXPLAIN to paste, and the index to add; writes are left alone", () => {
  const f = one(diagnose(slowRun({ top_statements: slowTop }, { type: "query", query: "hot", params: ["server-1's"] }, hotQuery)), "postgres.slow-statements");
  assert.equal(f.impact, "medium");
  assert.deepEqual(f.evidence, ["42.5ms mean over 120 calls (target < 10 ms), query hot: select time, value from metrics_hot where metric_name = $2 and host = $1 order by time desc"]);
  // The comment is gone (on one line it would swallow the rest), the quote is doubled, no $n is left.
  assert.equal(
    f.recommendation,
    "EXPLAIN (ANALYZE, BUFFERS) select time, value from metrics_hot where metric_name = 'cpu' and host = 'server-1''s' order by time desc; " +
      "if it shows a Seq Scan on metrics_hot and \\d metrics_hot lists no index leading with (metric_name, host), CREATE INDEX CONCURRENTLY ON metrics_hot (metric_name, host);",
  );
  assert.match(f.runbook, /^docs\/runbooks\/postgres-slow-statements\.md · EXPLAIN https:\/\/www\.postgresql\.org\/docs\/current\/sql-explain\.html/);
  assert.deepEqual(only(diagnose(slowRun({ top_statements: slowTop.slice(1) }, { type: "query", query: "hot" }, hotQuery)), "postgres.slow-statements"), []);
  assert.deepEqual(indexHint("select count(*) from big where id % $1 = $2"), { table: "big", columns: [] });
});

test("postgres.slow-statements: an index with those leading columns is named, not advised again; one that leads otherwise does not count", () => {
  const index = (name: string, columns: string[]) => ({ table: "metrics_hot", relation: "public.metrics_hot", name, columns, definition: "", partial: false, valid: true });
  const advice = (indexes: unknown[]) =>
    one(diagnose(slowRun({ top_statements: slowTop, indexes }, { type: "query", query: "hot", params: ["h"] }, hotQuery)), "postgres.slow-statements").recommendation;
  const has = advice([index("metrics_hot_host_metric", ["host", "metric_name", '"time"'])]);
  assert.doesNotMatch(has, /CREATE INDEX/);
  assert.match(has, /; metrics_hot already has index metrics_hot_host_metric \(host, metric_name, "time"\): another is not the answer; read the plan/);
  const lacks = advice([index("metrics_hot_time", ['"time"']), index("metrics_hot_metric_time", ["metric_name", '"time"'])]);
  assert.match(lacks, /if it shows a Seq Scan on metrics_hot, CREATE INDEX CONCURRENTLY ON metrics_hot \(metric_name, host\); \(no index on it leads with those columns\)$/);
});

test("postgres.slow-statements: a statement not in the suite, or without its params, is shown as a comment, never as a command", () => {
  // Another client's statement (a service writing to the database).
  const other = one(diagnose(slowRun({ top_statements: slowTop }, { type: "query", sql: "select 2" })), "postgres.slow-statements");
  assert.match(other.evidence[0] ?? "", /\), not the suite's SQL: select time/);
  assert.doesNotMatch(other.recommendation, /EXPLAIN/);
  assert.match(other.recommendation, /it is not among the suite's statements .*; pg_stat_statements' text: -- select time, value from metrics_hot where metric_name = \$2 and host = \$1 order by time desc$/);
  // The suite's named query, run by no scenario with params.
  const unbound = one(diagnose(slowRun({ top_statements: slowTop }, { type: "query", sql: "select 2" }, hotQuery)), "postgres.slow-statements");
  assert.doesNotMatch(unbound.recommendation, /EXPLAIN/);
  assert.match(unbound.recommendation, /it is the suite's query hot, whose \$n no scenario gave values for \(params\): explain it with real ones; -- select time/);
});

test("postgres.slow-statements: several slow statements are numbered, each with its own advice; a write is explained in a transaction rolled back", () => {
  const top = [
    { query: "update metrics_hot set value = $1 where host = $2", calls: 10, mean_ms: 80, max_ms: 90, total_ms: 800 },
    { query: "SELECT count(*) FROM metrics_hot WHERE value > $1 AND labels ->> $2 = $3", calls: 10, mean_ms: 20, max_ms: 30, total_ms: 200 },
  ];
  const r = run(
    [
      scenario({ name: "bump", workload: { type: "query", sql: "update metrics_hot set value = -1 where host = $1", params: ["h1"] }, probes: [reading("postgres-stats", "pg", {}, { ...pgSettings, top_statements: top } as never)] }),
      scenario({ name: "count", workload: { type: "query", sql: "select count(*) from metrics_hot where value > 0.5 and labels->>'dc' = $1;", params: [null] } }, 1),
    ],
    { suite: { targets: { pg: { kind: "postgres", url: "postgres://localhost/db" } } } },
  );
  const f = one(diagnose(r), "postgres.slow-statements");
  assert.match(f.evidence[0] ?? "", /^\(1\) 80\.0ms mean over 10 calls \(target < 10 ms\), scenario bump's sql: update/);
  assert.match(f.evidence[1] ?? "", /^\(2\) 20\.0ms mean .*, scenario count's sql: SELECT count/);
  assert.match(f.recommendation, /^\(1\) BEGIN; EXPLAIN \(ANALYZE, BUFFERS\) update metrics_hot set value = -1 where host = 'h1'; ROLLBACK; /);
  assert.match(f.recommendation, / \(2\) EXPLAIN \(ANALYZE, BUFFERS\) select count\(\*\) from metrics_hot where value > 0\.5 and labels->>'dc' = NULL; /);
});

test("suiteStatements and matchStatement: this scenario's params first, statements split, shapes compared", () => {
  const r = run(
    [
      scenario({ name: "a", workload: { type: "query", query: "q", params: ["A"] } }),
      scenario({ name: "b", workload: { type: "query", query: "q", params: ["B"] } }, 1),
      scenario({ name: "elsewhere", target: "other", workload: { type: "query", sql: "select 3" } }, 2),
    ],
    { suite: { targets: { pg: { kind: "postgres", queries: { q: "select * from t where x = $1", two: "select 1; select 'two' from t" } } } } },
  );
  const b = r.scenarioResults[1] ?? null;
  const all = suiteStatements(r, "pg", b);
  assert.deepEqual(all.map((s) => [s.where, s.sql, s.params, s.scenario]), [
    ["query q", "select * from t where x = $1", ["B"], "b"],
    ["query q", "select * from t where x = $1", ["A"], "a"],
    ["query two", "select 1", undefined, undefined],
    ["query two", "select 'two' from t", undefined, undefined],
  ]);
  assert.equal(matchStatement("select * from t where x = $1", all)?.params?.[0], "B");
  assert.equal(matchStatement("select $1 from t", all)?.sql, "select 'two' from t");
  assert.equal(matchStatement("select * from u where x = $1", all), undefined);
});

test("postgres.temp-files: spills → work_mem from the current value", () => {
  const f = one(diagnose(pgScenario({ temp_bytes: 50 * MiB })), "postgres.temp-files");
  assert.deepEqual(f.evidence, ["50.0 MiB written to temporary files during the scenario; work_mem (now 4MB)"]);
  assert.match(f.recommendation, /^work_mem = '64MB' \(now 4MB\): ALTER SYSTEM SET work_mem = '64MB'; SELECT pg_reload_conf\(\);/);
  assert.deepEqual(only(diagnose(pgScenario({ temp_bytes: 0 })), "postgres.temp-files"), []);
  // Already past what a server-wide setting should be: never advice to lower it.
  const large = one(
    diagnose(pgScenario({ temp_bytes: 50 * MiB }, { settings: { work_mem: "512MB" }, settings_bytes: { work_mem: 512 * MiB } })),
    "postgres.temp-files",
  );
  assert.match(large.recommendation, /^work_mem \(now 512MB\) is already large: EXPLAIN/);
  assert.equal(pgSize(18_079 * MiB), "17GB");
  assert.equal(pgSize(128 * 1024), "128kB");
});

// ---- kafka -----------------------------------------------------------------------------------

const kafkaSuite = (producer: Record<string, unknown> = {}) => ({ targets: { kafka: { kind: "kafka", brokers: "127.0.0.1:9092", producer } } });
const topicDetails = (partitions: number) => ({
  topics: [{ topic: "events", partitions: Array.from({ length: partitions }, (_, partition) => ({ partition, leader: 1, replicas: [1], isr: [1] })) }],
});
const lagRun = (lags: number[], consumers = 2, partitions = 6) => {
  const samples = lags.slice(0, -1).map((lag, i) => reading("kafka-admin", "kafka", { consumer_lag: lag }, undefined, "sample", 1000 * (i + 1)));
  const end = reading("kafka-admin", "kafka", { consumer_lag: lags[lags.length - 1] ?? 0 }, topicDetails(partitions));
  return run(
    [scenario({ name: "consume", target: "kafka", targetKind: "kafka", workload: { type: "consume", topic: "events", consumers }, probes: [...samples, end] })],
    { suite: kafkaSuite() },
  );
};

test("kafka.consumer-lag-growing: lag up through the scenario → more consumers, or partitions when each has one", () => {
  const f = one(diagnose(lagRun([1000, 5000, 12_000, 20_000])), "kafka.consumer-lag-growing");
  assert.equal(f.impact, "high");
  assert.deepEqual(f.evidence, ["consumer lag grew from 1,000 to 20,000 records over 20 s (+950 records/s)", "topic events: 6 partitions, 2 consumers in the group"]);
  assert.equal(f.recommendation, "add consumers: consumers: 4 (now 2; the group uses at most one per partition, 6)");
  const full = one(diagnose(lagRun([1000, 5000, 12_000, 20_000], 6, 6)), "kafka.consumer-lag-growing");
  assert.match(full.recommendation, /^add partitions, then consumers to match: kafka-topics\.sh --bootstrap-server 127\.0\.0\.1:9092 --alter --topic events --partitions 12/);
  assert.deepEqual(only(diagnose(lagRun([20_000, 12_000, 5000, 100])), "kafka.consumer-lag-growing"), [], "draining");
  assert.deepEqual(only(diagnose(lagRun([1000, 1200, 900, 1500])), "kafka.consumer-lag-growing"), [], "noise");
});

test("kafka.under-replicated: any reading with replicas out of the ISR, once for the run, naming the brokers", () => {
  const details = {
    topics: [{ topic: "events", partitions: [
      { partition: 0, leader: 1, replicas: [1, 2, 3], isr: [1, 3] },
      { partition: 1, leader: 3, replicas: [3, 1, 2], isr: [3, 1] },
      { partition: 2, leader: 1, replicas: [1, 3, 2], isr: [1, 3, 2] },
    ] }],
    brokerSettings: { "1": { "num.replica.fetchers": "1", "num.io.threads": "8" } },
  };
  const bad = reading("kafka-admin", "kafka", { under_replicated_partitions: 2, offline_partitions: 0 }, details);
  const r = run(
    [scenario({ name: "produce", target: "kafka", targetKind: "kafka", workload: { type: "produce", topic: "events" }, probes: [bad] })],
    { suite: kafkaSuite(), runProbes: [reading("kafka-admin", "kafka", { under_replicated_partitions: 1, offline_partitions: 0 })] },
  );
  const f = one(diagnose(r), "kafka.under-replicated");
  assert.equal(f.scenario, null);
  assert.equal(f.title, "Under-replicated partitions: replicas out of the ISR");
  assert.deepEqual(f.evidence, [
    "2 under-replicated and 0 offline partition(s) at the end of scenario produce",
    "events-0: replicas [1,2,3], in sync [1,3]",
    "events-1: replicas [3,1,2], in sync [3,1]",
  ]);
  assert.match(f.recommendation, /^kafka-topics\.sh --bootstrap-server 127\.0\.0\.1:9092 --describe --under-replicated-partitions; bring broker\(s\) 2 back into the ISR/);
  assert.match(f.recommendation, /raise num\.replica\.fetchers \(now 1\) and num\.io\.threads \(now 8\)/);
  const healthy = run([scenario({ target: "kafka", targetKind: "kafka", probes: [reading("kafka-admin", "kafka", { under_replicated_partitions: 0, offline_partitions: 0 })] })]);
  assert.deepEqual(only(diagnose(healthy), "kafka.under-replicated"), []);
});

test("kafka.producer-small-batches: a fast producer with batch.size < 64 KiB or linger.ms 0 → the settings to change", () => {
  const produce = (producer: Record<string, unknown>, throughput: number) =>
    run(
      [scenario({
        name: "produce", target: "kafka", targetKind: "kafka", workload: { type: "produce", topic: "events", recordSize: 1024 },
        result: result({ throughput, records: throughput * 20, bytes: throughput * 20 * 1024, mbps: (throughput * 1024) / 1e6 }),
      })],
      { suite: kafkaSuite(producer) },
    );
  const f = one(diagnose(produce({ "batch.size": 16384, "linger.ms": 0 }, 20_000)), "kafka.producer-small-batches");
  assert.deepEqual(f.evidence, ["20,000 records/s (20.5 MB/s, 1,024 B per record)", "batch.size 16384, linger.ms 0, compression.type none: at most 16 records per batch"]);
  assert.match(f.recommendation, /^producer: \{ batch\.size: 65536, linger\.ms: 10, compression\.type: snappy \} on target kafka \(now batch\.size 16384, linger\.ms 0, compression\.type none\)/);
  assert.equal(f.runbook, "docs/runbooks/kafka-producer-batching.md · https://kafka.apache.org/documentation/#producerconfigs_linger.ms");
  // Written as strings, as a properties file has them.
  assert.equal(only(diagnose(produce({ "linger.ms": "0" }, 20_000)), "kafka.producer-small-batches").length, 1);
  assert.deepEqual(only(diagnose(produce({}, 20_000)), "kafka.producer-small-batches"), [], "the driver's defaults batch well");
  assert.deepEqual(only(diagnose(produce({ "linger.ms": 0 }, 500)), "kafka.producer-small-batches"), [], "not a high rate");
  // Asked for 20,000/s, managed 2,777/s: high by intent.
  const asked = run(
    [scenario({
      name: "produce", target: "kafka", targetKind: "kafka", workload: { type: "produce", topic: "events", recordSize: 200 },
      result: result({ ops: 16_662, records: 16_662, bytes: 16_662 * 200, throughput: 2777, mbps: 0.56, executor: "constant-rate", generator: health({ askedRate: 20_000, achievedRate: 2777 }) }),
    })],
    { suite: kafkaSuite({ "batch.size": 16384, "linger.ms": 0 }) },
  );
  assert.equal(one(diagnose(asked), "kafka.producer-small-batches").evidence[0], "2,777 records/s of 20,000 records/s asked (0.6 MB/s, 200 B per record)");
});

// ---- host ------------------------------------------------------------------------------------

const hostRun = (metrics: Record<string, number>, l = latency({ p50: 3, p99: 45 })) =>
  run([scenario({ name: "ingest", target: "svc", targetKind: "http", result: result({ latency: l, service: l }), probes: [reading("host", null, metrics)] })]);

test("host.cpu-saturated: CPU over 70 % with p99 ≫ p50", () => {
  const f = one(diagnose(hostRun({ cpu_usage: 0.86, cpu_user: 0.7, cpu_system: 0.16, cpu_steal: 0, load1: 3.6, load1_per_core: 1.8 })), "host.cpu-saturated");
  assert.equal(f.impact, "high");
  assert.deepEqual(f.evidence, [
    "host CPU 86% over the scenario (limit 70%): user 70%, system 16%, steal 0%",
    "p99 45.0ms is 15.0 × p50 3.00ms",
    "load average 3.60 on 2 cores (1.80 per core)",
  ]);
  assert.match(f.recommendation, /run the load generator on another machine than the target \(both shared 2 cores here\)/);
  assert.match(f.runbook, /^docs\/runbooks\/host-cpu\.md · https:\/\/docs\.kernel\.org\/filesystems\/proc\.html#/);
  assert.deepEqual(only(diagnose(hostRun({ cpu_usage: 0.86 }, latency({ p50: 3, p99: 6 }))), "host.cpu-saturated"), [], "a flat tail");
  assert.deepEqual(only(diagnose(hostRun({ cpu_usage: 0.6 })), "host.cpu-saturated"), [], "CPU to spare");
});

test("host.memory-high and host.cpu-steal", () => {
  assert.deepEqual(one(diagnose(hostRun({ memory_usage: 0.95 })), "host.memory-high").evidence, ["host memory 95% in use at the end of the scenario (limit 90%)"]);
  assert.deepEqual(only(diagnose(hostRun({ memory_usage: 0.8 })), "host.memory-high"), []);
  assert.equal(one(diagnose(hostRun({ cpu_steal: 0.12 })), "host.cpu-steal").impact, "low");
  assert.deepEqual(only(diagnose(hostRun({ cpu_steal: 0.01 })), "host.cpu-steal"), []);
});

// ---- generator -------------------------------------------------------------------------------

/** An open-loop run whose seconds each answered what it achieved (no drain after the interval). */
const openRun = (g: Partial<Parameters<typeof health>[0]>, extra: Parameters<typeof result>[0] = {}, context = {}) => {
  const achieved = g?.achievedRate ?? 1000;
  const series = Array.from({ length: 20 }, (_, t) => ({ t, ops: achieved, errors: 0, records: achieved, bytes: 0, p50: 2, p99: 4 }));
  return run([scenario({
    name: "flood", target: "svc", targetKind: "http", load: { executor: "constant-rate", rate: g?.askedRate ?? 1000 },
    result: result({ executor: "constant-rate", series, generator: health({ askedRate: 1000, achievedRate: 1000, ...g }), ...extra }, context),
  })]);
};

test("culprit.process: pipebench's CPU, not valid, with the split that would carry the asked rate", () => {
  const f = one(diagnose(openRun({ cpuPercent: 99, askedRate: 50_000, achievedRate: 12_000 })), "culprit.process");
  assert.equal(f.impact, "high");
  assert.equal(f.culprit, "process");
  assert.match(f.title, /^pipebench's process was saturated: it set the pace, not the target, so this result is not valid$/);
  assert.deepEqual(f.evidence.slice(0, 2), ["pipebench's CPU 99 % of one core busy (limit 90 %)", "asked 50,000/s, achieved 12,000/s (24 %)"]);
  // 50,000 / (12,000 × 0.8) → 6 processes of 8,333/s each.
  assert.match(f.recommendation, /^split the 50,000\/s over 6 pipebench processes on separate cores or machines, each with --rate 8,333/);
  assert.deepEqual(only(diagnose(openRun({ cpuPercent: 99, askedRate: 50_000, achievedRate: 12_000 })), "culprit.target"), [], "said once, of pipebench");
  // A closed loop has no rate to lower: it has workers.
  const closed = run([scenario({ load: { executor: "max", concurrency: 64 }, result: result({ generator: health({ cpuPercent: 98 }) }) })]);
  assert.match(one(diagnose(closed), "culprit.process").recommendation, /each with half the workers \(32 instead of 64\)/);
  assert.deepEqual(only(diagnose(openRun({ cpuPercent: 50 })), "culprit.process"), []);
});

test("culprit.target: short of the rate with the client's slots free → the target, run below what it sustained", () => {
  const f = one(diagnose(openRun({ askedRate: 5000, achievedRate: 3120, lateStarts: 3000 }, { dropped: 1880, droppedBy: { "max-in-flight": 1880 } }, { capWaits: 3000 })), "culprit.target");
  assert.equal(f.culprit, "target");
  assert.match(f.evidence[0] ?? "", /^asked 5,000\/s, achieved 3,120\/s \(62 %\); 1,880 operations dropped: 1,880 never started/);
  assert.match(f.recommendation, /--rate 2,808 \(90 % of it\)/);
});

const bucket = (from: number, meanAtTarget: number, meanServiceMs: number, ops = 1000) => ({ from, to: from * 2 - 1, ops, meanAtTarget, meanServiceMs });

test("culprit.client: pinned at the connections, waiting for them, service time flat → the connections cap the rate", () => {
  const capped = openRun({ askedRate: 20_000, achievedRate: 4500 }, {
    clientSlots: { count: 2, setting: "connections" },
    clientWait: latency({ p50: 1500, mean: 1400, p99: 2400 }),
    service: latency({ p50: 0.42, mean: 0.44, p99: 1.2 }),
    serviceByConcurrency: [bucket(1, 1, 0.4, 200), bucket(2, 2.6, 0.44, 13_000)],
    dropped: 46_469,
    droppedBy: { "max-in-flight": 46_469 },
  });
  const f = one(diagnose(capped), "culprit.client");
  assert.equal(f.title, "pipebench's connections (2) were the bottleneck: operations queued for them, not at the target");
  assert.ok(f.evidence.includes("connections (2) cap the rate at ≈ 2 ÷ 440µs (mean service time) = 4,545/s"), f.evidence.join("\n"));
  assert.ok(f.evidence.some((e) => /flat: the target took more at once without slowing down/.test(e)), f.evidence.join("\n"));
  // 20,000/s × 0.44 ms × 1.5 = 13.2 → 14 connections.
  assert.match(f.recommendation, /^raise connections on target svc to 14 \(asked 20,000\/s × service time 440µs × 1\.5\)/);
  assert.deepEqual(only(diagnose(capped), "culprit.target"), [], "the target is not blamed");

  // The same queue, but service time grew with the operations at the target: it queues the work.
  const queued = openRun({ askedRate: 100, achievedRate: 20 }, {
    clientSlots: { count: 10, setting: "connections" },
    clientWait: latency({ p50: 900, mean: 1000 }),
    service: latency({ p50: 480, mean: 450 }),
    serviceByConcurrency: [bucket(1, 1, 50, 20), bucket(8, 10.5, 520, 500)],
  });
  assert.deepEqual(only(diagnose(queued), "culprit.client"), []);
  const evidence = one(diagnose(queued), "culprit.target").evidence.join("\n");
  assert.match(evidence, /service time 50\.0ms with 1\.0 at the target, 520ms with 11: the target queues the work: each operation added at it added 99 % of one's service time/);
  assert.match(evidence, /pipebench's connections were all in use \(on average 10\.1 of connections \(10\) in use when one was sent\), but more would only queue at the target/);

  // A product of settings (a Kafka producer's in-flight requests × batch size) is raised by a factor, not set to a count.
  const kafka = openRun({ askedRate: 200_000, achievedRate: 50_000 }, {
    clientSlots: { count: 957, setting: "max.in.flight.requests.per.connection × batch.size" },
    clientWait: latency({ p50: 103, mean: 120 }),
    service: latency({ p50: 16.2, mean: 18.3 }),
    serviceByConcurrency: [bucket(1024, 1431, 18.3, 200_000)],
  });
  assert.match(
    one(diagnose(kafka), "culprit.client").recommendation,
    /^raise the producer's max\.in\.flight\.requests\.per\.connection \(or batch\.size\) on target svc about 6-fold \(957 → 5,490 operations at once\)/,
  );

  // A closed loop of 10 workers on a pool of 2: raise the pool to the workers.
  const closed = run([scenario({
    load: { executor: "closed", workers: 10 },
    result: result({ clientSlots: { count: 2, setting: "pool" }, clientWait: latency({ p50: 8, mean: 8 }), service: latency({ p50: 2, mean: 2 }), serviceByConcurrency: [bucket(2, 2.9, 2)] }),
  })]);
  assert.equal(one(diagnose(closed), "culprit.client").recommendation, "raise pool on target pg to at least the workers (10): each worker now waits for one of 2");
});

test("culprit.target on a paced run: a queue that lasted is the target slowing down; one stall that piled requests up is not", () => {
  const paced = (buckets: ReturnType<typeof bucket>[]) =>
    openRun({ askedRate: 200, achievedRate: 200 }, { clientSlots: { count: 20, setting: "connections" }, clientWait: latency({ p50: 0.1, mean: 0.2 }), serviceByConcurrency: buckets });
  const lasting = one(diagnose(paced([bucket(1, 1, 50, 600), bucket(32, 45, 2300, 400)])), "culprit.target");
  assert.equal(lasting.impact, "medium");
  assert.equal(lasting.title, "The target slowed down under this load: its service time grew with the operations at it");
  // The quickstart's ingest service on a loaded machine: one pause piled 21 requests up, 1 % of them.
  assert.deepEqual(only(diagnose(paced([bucket(1, 1, 1.29, 2900), bucket(16, 21, 33.5, 40)])), "culprit.target"), []);
});

test("culprit.machine: the kernel says pipebench waited for a CPU; no finding blames the target or pipebench's code", () => {
  const starved = openRun({ cpuPercent: 30, askedRate: 1_000_000, achievedRate: 66_000, eventLoopLagP99Ms: 60, eventLoopLagMaxMs: 80, machine: { runPercent: 14, waitPercent: 31, waitShare: 0.69, meanWaitMs: 4.2, othersCpuPercent: 190, cores: 2, starved: true } }, {
    latency: latency({ p95: 13_100 }),
    service: latency({ p95: 13_100 }),
    errors: 0,
  });
  const findings = diagnose(starved);
  const f = one(findings, "culprit.machine");
  assert.match(f.evidence[0] ?? "", /^pipebench waited for a CPU 31 % of the time \(69 % of the time it wanted one\); other processes used 190 % of a core/);
  assert.deepEqual([...new Set(findings.flatMap((x) => (x.culprit === undefined ? [] : [x.culprit])))], ["machine"], findings.map((x) => x.id).join(", "));
  assert.match(f.recommendation, /^run again when the machine is quiet/);

  // The target on this machine (started by pipebench): its CPU is among the others', and the advice is to separate them.
  const local = { ...starved, suite: { targets: { svc: { kind: "http", start: { command: ["node", "svc.js"] } } } } };
  const shared = one(diagnose(local), "culprit.machine");
  assert.ok(shared.evidence.some((e) => /target svc runs on this machine too: its CPU counts among the other processes'/.test(e)), shared.evidence.join("\n"));
  assert.match(shared.recommendation, /^give pipebench cores of its own, apart from target svc: another machine, or taskset\/cpuset/);
  const embedded = { ...starved, suite: { targets: { svc: { kind: "postgres", embedded: { settings: { shared_buffers: "256MB" } } } } } };
  assert.match(one(diagnose(embedded), "culprit.machine").recommendation, /^give pipebench cores of its own, apart from target svc/);
});

test("generator.schedule-lag, not-steady and too-few-samples follow the verdict", () => {
  assert.equal(one(diagnose(openRun({ eventLoopLagP99Ms: 45, eventLoopLagMaxMs: 90 })), "generator.schedule-lag").impact, "medium");
  const series = Array.from({ length: 12 }, (_, t) => ({ t, ops: t < 4 ? 1000 : 600, errors: 0, records: 0, bytes: 0, p50: 2, p99: 4 }));
  const unsteady = one(diagnose(openRun({}, { series, durationS: 12, warmupS: 0 })), "generator.not-steady");
  assert.match(unsteady.recommendation, /^load: \{ warmup: 10s, duration: 60s \} \(now warmup 0 s, duration 12 s\)/);
  const few = run([scenario({ load: { executor: "closed", workers: 1, iterations: 10 }, result: result({ latency: latency({ count: 10 }) }) })]);
  const fewFinding = one(diagnose(few), "generator.too-few-samples");
  assert.equal(fewFinding.scenario, null);
  assert.deepEqual(fewFinding.evidence, ["s: p99 from 10 latencies (needs ≥ 1,000, 10 beyond it)"]);
  assert.match(fewFinding.recommendation, /^load: \{ iterations: 1000 \} \(now 10\), or a duration long enough for 1,000 operations/);
  assert.deepEqual(diagnose(run([scenario()])), [], "a healthy run has nothing to say");
});

// ---- http ------------------------------------------------------------------------------------

const httpRun = (errorsByClass: Record<string, number>, errorSamples: string[] = [], l = latency()) => {
  const errors = Object.values(errorsByClass).reduce((a, b) => a + b, 0);
  return run([scenario({
    name: "ingest", target: "svc", targetKind: "http",
    result: result({ ops: 2000 - errors, errors, errorsByClass, errorSamples, errorRate: errors / 2000, latency: l, service: l }),
  })]);
};

test("http.server-errors: 5xx answers, by status, with a sample", () => {
  const f = one(diagnose(httpRun({ HTTP_503: 120, HTTP_500: 4 }, ["HTTP 503 from POST /ingest: pool exhausted"])), "http.server-errors");
  assert.equal(f.impact, "high");
  assert.deepEqual(f.evidence, ["HTTP_503 ×120, HTTP_500 ×4 of 2,000 requests (6.20%)", "e.g. HTTP 503 from POST /ingest: pool exhausted"]);
  assert.match(f.recommendation, /^read the service's log for these HTTP_503 answers/);
  assert.equal(one(diagnose(httpRun({ HTTP_502: 2 })), "http.server-errors").impact, "medium");
  assert.deepEqual(only(diagnose(httpRun({ HTTP_404: 500 })), "http.server-errors"), []);
});

test("http.request-errors: timeouts, refused connections and 4xx over 1 %, each with its own advice", () => {
  assert.match(one(diagnose(httpRun({ TIMEOUT: 100 })), "http.request-errors").recommendation, /^requests timed out/);
  assert.match(one(diagnose(httpRun({ ECONNREFUSED: 100 })), "http.request-errors").recommendation, /somaxconn/);
  assert.match(one(diagnose(httpRun({ HTTP_404: 100 })), "http.request-errors").recommendation, /method, path, headers and body/);
  assert.deepEqual(only(diagnose(httpRun({ TIMEOUT: 10 })), "http.request-errors"), [], "0.5 %");
});

test("http.latency-high: p95 over 100 ms, telling queueing from a slow service", () => {
  const queued = run([scenario({
    target: "svc", targetKind: "http",
    result: result({ latency: latency({ p50: 80, p95: 240, p99: 400 }), service: latency({ p50: 5, p95: 9, p99: 12 }) }),
  })]);
  const f = one(diagnose(queued), "http.latency-high");
  assert.deepEqual(f.evidence, [
    "p95 240ms (alert above 100 ms), p50 80.0ms, p99 400ms",
    "service time p95 9.00ms: most of the latency is waiting to be sent while earlier requests held the service (it could not keep up with the rate)",
  ]);
  assert.deepEqual(only(diagnose(httpRun({})), "http.latency-high"), []);
  const flooded = run([scenario({
    target: "svc", targetKind: "http",
    result: result({ latency: latency({ p95: 3000 }), generator: health({ cpuPercent: 99 }) }),
  })]);
  assert.deepEqual(only(diagnose(flooded), "http.latency-high"), [], "a saturated generator's queue is not the service's latency");
});

// ---- the whole -------------------------------------------------------------------------------

test("findings come highest impact first; a scenario's trials give one finding, saying how many showed it", () => {
  const slow = (trial: number, cpu: number) =>
    scenario({
      name: "flood", trial, target: "svc", targetKind: "http", load: { executor: "constant-rate", rate: 1000 },
      result: result({ executor: "constant-rate", latency: latency({ count: 50 }), generator: health({ askedRate: 1000, achievedRate: 1000, cpuPercent: cpu }) }),
    }, 0);
  const r = run([slow(0, 99), slow(1, 99), slow(2, 10)]);
  const findings = diagnose(r);
  assert.deepEqual(findings.map((f) => [f.id, f.impact]), [["culprit.process", "high"], ["generator.too-few-samples", "low"]]);
  assert.equal(findings[0]?.evidence.at(-1), "seen in 2 of 3 trials (numbers above: the first)");
  assert.deepEqual(findings[1]?.evidence, ["flood: p99 from 50 latencies (needs ≥ 1,000, 10 beyond it)"], "a run finding, once");

  const text = renderFindings(findings, { color: false });
  assert.match(text, /^Findings\n\[high\] pipebench's process was saturated: it set the pace, not the target, so this result is not valid · flood · culprit\.process\n    - /);
  assert.match(text, /\n    → split the 1,000\/s over 2 pipebench processes/);
  assert.match(text, /\n    runbook: docs\/runbooks/);
  assert.equal(renderFindings([], { color: false }), "Findings\n    none: no rule found a bottleneck or a reason to distrust these numbers");
});

test("a --find-max search's steps give one finding per rule, saying in how many steps it was seen", () => {
  const step = (rate: number, cpu: number, ordinal: number) => ({
    ...scenario({
      name: `flood[rate=${rate}]`, target: "svc", targetKind: "http", load: { executor: "constant-rate", rate },
      result: result({ executor: "constant-rate", latency: latency({ count: 5000 }), generator: health({ askedRate: rate, achievedRate: rate, cpuPercent: cpu }) }),
    }, ordinal),
    variant: { "load.rate": rate, "find-max": ordinal === 0 ? "ramp" : "confirm" },
  });
  const findings = diagnose(run([step(1000, 99, 0), step(1500, 99, 1), step(1500, 10, 2), step(1200, 10, 3)]));
  const saturated = findings.filter((f) => f.id === "culprit.process");
  assert.equal(saturated.length, 1, findings.map((f) => `${f.id} ${f.scenario}`).join("; "));
  assert.equal(saturated[0]?.scenario, "flood[rate=1000]");
  assert.equal(saturated[0]?.evidence.at(-1), "seen in 2 of 4 steps of the search (numbers above: the first, flood[rate=1000])");
});
