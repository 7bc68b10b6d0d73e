// ClickHouse: parts that pile up because inserts are small (docs/runbooks/clickhouse-too-many-parts.md,
// seed 002 §4 and seed 004's batch sizes), and slow queries from system.query_log
// (docs/runbooks/clickhouse-slow-queries.md, seed 002 §1), from the clickhouse-stats probe and the
// scenario's workload as the suite wrote it.
import type { ProbeReading } from "../../probes/probe.js";
import { formatBytes, formatCount, formatMs, formatRate } from "../../format/numbers.js";
import type { StoredScenario } from "../../store/results-store.js";
import { arrayAt, intervalReading, numberAt, objectAt, stringAt, workloadField } from "../readings.js";
import { defineRule, type Subject } from "../rule.js";

const PROBE = "clickhouse-stats";
/** ClickHouse's advice: at least 1,000 rows per INSERT, and about one INSERT per second per table. */
export const MIN_ROWS_PER_INSERT = 1000;
export const MAX_INSERTS_PER_SECOND = 1;
/** Parts in one partition that are worth a word before the server starts delaying (150 by default). */
export const PARTS_WORTH_A_WORD = 50;
/** Seed 004: p95 < 500 ms; seed 002 lists queries over 1,000 ms. */
export const SLOW_QUERY_MEAN_MS = 500;
export const SLOW_QUERY_MAX_MS = 1000;

interface ChContext {
  scenario: StoredScenario;
  reading: ProbeReading;
  seconds: number;
}

function chContext({ scenario }: Subject): ChContext | undefined {
  if (scenario === null || scenario.targetKind !== "clickhouse") return undefined;
  const reading = intervalReading(scenario, PROBE, scenario.target);
  if (reading === undefined) return undefined;
  const r = scenario.result as { durationS?: unknown };
  return { scenario, reading, seconds: typeof r.durationS === "number" && r.durationS > 0 ? r.durationS : 1 };
}

interface PartsMatch extends ChContext {
  inserts: number;
  perSecond: number;
  rowsPerInsert: number;
  maxParts: number;
  delayed: number;
  rejected: number;
  delayAt: string | undefined;
  throwAt: string | undefined;
  table: string | undefined;
  partition: string | undefined;
  batchSize: number | undefined;
  insertedRows: number;
}

function partsMatch(subject: Subject): PartsMatch | undefined {
  const c = chContext(subject);
  if (c === undefined) return undefined;
  const m = c.reading.metrics;
  // The scenario's own INSERTs when it made them (the server's counters also hold its system
  // logs' flushes and other clients' rows); the server's counters for a scenario that drove a
  // service writing to ClickHouse.
  const own = workloadField(c.scenario, "type") === "insert";
  const result = c.scenario.result as { records?: unknown; ops?: unknown };
  const inserts = own && typeof result.ops === "number" ? result.ops : (m.insert_queries ?? 0);
  const insertedRows = own && typeof result.records === "number" ? result.records : (m.inserted_rows ?? 0);
  const perSecond = inserts / c.seconds;
  const rowsPerInsert = inserts > 0 ? insertedRows / inserts : 0;
  const maxParts = m.max_parts_per_partition ?? 0;
  const delayed = m.delayed_inserts ?? 0;
  const rejected = m.rejected_inserts ?? 0;
  const small = inserts >= 10 && perSecond > MAX_INSERTS_PER_SECOND && rowsPerInsert < MIN_ROWS_PER_INSERT;
  if (!small && maxParts < PARTS_WORTH_A_WORD && delayed === 0 && rejected === 0) return undefined;
  const worst = arrayAt(c.reading.details, "partitions")[0];
  const settings = objectAt(c.reading.details, "settings");
  const batch = workloadField(c.scenario, "batchSize");
  return {
    ...c,
    inserts,
    perSecond,
    rowsPerInsert,
    maxParts,
    delayed,
    rejected,
    delayAt: stringAt(settings, "parts_to_delay_insert"),
    throwAt: stringAt(settings, "parts_to_throw_insert"),
    table: stringAt(worst, "table") ?? (typeof workloadField(c.scenario, "table") === "string" ? String(workloadField(c.scenario, "table")) : undefined),
    partition: stringAt(worst, "partition"),
    batchSize: typeof batch === "number" ? batch : undefined,
    insertedRows,
  };
}

interface SlowQuery {
  query: string;
  calls: number;
  meanMs: number;
  maxMs: number;
  maxMemory: number;
  readRowsPerCall: number;
}

interface SlowMatch extends ChContext {
  slow: SlowQuery[];
}

function slowMatch(subject: Subject): SlowMatch | undefined {
  const c = chContext(subject);
  if (c === undefined) return undefined;
  const slow: SlowQuery[] = [];
  for (const q of arrayAt(c.reading.details, "slow_queries")) {
    const query = stringAt(q, "query");
    const meanMs = numberAt(q, "mean_ms") ?? 0;
    const maxMs = numberAt(q, "max_ms") ?? 0;
    // INSERTs are slow because they are big; the parts rule speaks for them.
    if (query === undefined || /^\s*insert\b/i.test(query)) continue;
    if (meanMs < SLOW_QUERY_MEAN_MS && maxMs < SLOW_QUERY_MAX_MS) continue;
    slow.push({
      query,
      calls: numberAt(q, "calls") ?? 0,
      meanMs,
      maxMs,
      maxMemory: numberAt(q, "max_memory") ?? 0,
      readRowsPerCall: numberAt(q, "read_rows_per_call") ?? 0,
    });
  }
  return slow.length === 0 ? undefined : { ...c, slow: slow.slice(0, 3) };
}

/** The statement as the user wrote it: without the FORMAT clause the driver added, on one line. */
function statementText(query: string): string {
  const text = query.replace(/\s*FORMAT\s+TabSeparated\s*$/i, "").replace(/\s+/g, " ").trim();
  return text.length > 300 ? `${text.slice(0, 297)}…` : text;
}

export const CLICKHOUSE_RULES = [
  defineRule<PartsMatch>({
    id: "clickhouse.too-many-parts",
    culprit: "target",
    area: "clickhouse",
    scope: "scenario",
    title: (m) =>
      m.rejected > 0
        ? "ClickHouse rejected inserts: too many parts"
        : m.delayed > 0
          ? "ClickHouse delayed inserts: too many parts in a partition"
          : "ClickHouse inserts are too small: every INSERT makes a part the server must merge",
    impact: (m) => (m.rejected > 0 || m.delayed > 0 || m.maxParts >= PARTS_WORTH_A_WORD * 2 ? "high" : "medium"),
    rank: (m) => m.rejected * 1e6 + m.delayed * 1e3 + m.perSecond,
    runbook:
      "docs/runbooks/clickhouse-too-many-parts.md · " +
      "https://clickhouse.com/docs/operations/settings/merge-tree-settings#parts_to_throw_insert · " +
      "https://clickhouse.com/docs/optimize/bulk-inserts",
    when: partsMatch,
    evidence: (m) => {
      const out = [
        `${formatCount(m.inserts)} INSERTs in ${m.seconds.toFixed(1)} s (${formatRate(m.perSecond)}), ${formatCount(Math.round(m.rowsPerInsert))} row${Math.round(m.rowsPerInsert) === 1 ? "" : "s"} each on average: ` +
          `each INSERT writes at least one new part (ClickHouse advises ≥ ${formatCount(MIN_ROWS_PER_INSERT)} rows per INSERT, about ${MAX_INSERTS_PER_SECOND} INSERT a second)`,
        `${formatCount(m.maxParts)} active parts in one partition at the peak${m.table === undefined ? "" : ` (${m.table}${m.partition === undefined ? "" : ` partition ${m.partition}`})`}` +
          `${m.delayAt === undefined ? "" : `; the server delays inserts from parts_to_delay_insert = ${m.delayAt} and refuses them from parts_to_throw_insert = ${m.throwAt ?? "?"}`}`,
      ];
      if (m.delayed > 0 || m.rejected > 0) out.push(`${formatCount(m.delayed)} inserts delayed, ${formatCount(m.rejected)} rejected (Code: 252 TOO_MANY_PARTS) by the server`);
      return out;
    },
    recommendation: (m) => {
      // At least 1,000 rows, and enough that the scenario's rows/s need about one INSERT a second.
      const rowsPerSecond = m.insertedRows / m.seconds;
      const want = Math.max(MIN_ROWS_PER_INSERT, Math.min(1_000_000, 10 ** Math.ceil(Math.log10(Math.max(1, rowsPerSecond)))));
      const batch = m.batchSize === undefined ? `batches of ${formatCount(want)} rows or more` : `workload.batchSize: ${want} (now ${formatCount(m.batchSize)})`;
      const table = m.table ?? "events";
      const dot = table.indexOf(".");
      const database = dot < 0 ? "currentDatabase()" : table.slice(0, dot);
      const bare = dot < 0 ? table : table.slice(dot + 1);
      const check =
        `SELECT table, partition, count() AS parts FROM system.parts WHERE active AND database = currentDatabase() ` +
        "GROUP BY table, partition ORDER BY parts DESC LIMIT 10";
      return (
        `send fewer, larger INSERTs: ${batch}, at least ${formatCount(MIN_ROWS_PER_INSERT)} rows each and about ${MAX_INSERTS_PER_SECOND} INSERT a second at most ` +
        `(${formatCount(Math.round(rowsPerSecond))} rows/s here; suites/clickhouse-warm.yaml sweeps 1,000 / 10,000 / 100,000); ` +
        `where writers cannot batch, buffer on the server: a Buffer table in front (CREATE TABLE ${table}_buffer AS ${table} ENGINE = Buffer(${database}, ${bare}, 16, 1, 10, 10000, 1000000, 10000000, 100000000), and INSERT into it), ` +
        "or on ClickHouse 21.11+ SET async_insert = 1, wait_for_async_insert = 1. " +
        "Raising parts_to_throw_insert only postpones the error. Watch the parts with: " +
        check
      );
    },
  }),
  defineRule<SlowMatch>({
    id: "clickhouse.slow-query",
    culprit: "target",
    area: "clickhouse",
    scope: "scenario",
    title: `Slow ClickHouse queries: over ${SLOW_QUERY_MEAN_MS} ms on average (system.query_log)`,
    impact: (m) => ((m.slow[0]?.meanMs ?? 0) >= SLOW_QUERY_MAX_MS ? "high" : "medium"),
    rank: (m) => m.slow[0]?.meanMs ?? 0,
    runbook:
      "docs/runbooks/clickhouse-slow-queries.md · https://clickhouse.com/docs/operations/system-tables/query_log · " +
      "https://clickhouse.com/docs/optimize/skipping-indexes",
    when: slowMatch,
    evidence: (m) =>
      m.slow.map(
        (q) =>
          `${statementText(q.query)} — ${formatCount(q.calls)} calls, mean ${formatMs(q.meanMs)}, max ${formatMs(q.maxMs)}, ` +
          `memory up to ${formatBytes(q.maxMemory)}, ${formatCount(Math.round(q.readRowsPerCall))} rows read per call`,
      ),
    recommendation: (m) => {
      const q = m.slow[0];
      const text = q === undefined ? "" : statementText(q.query);
      return (
        `find what it reads: SELECT query_duration_ms, read_rows, read_bytes, memory_usage FROM system.query_log ` +
        `WHERE query LIKE '${text.slice(0, 60).replace(/'/g, "\\'")}%' ORDER BY event_time DESC LIMIT 10; ` +
        "rows read far above the rows it needs mean its filter misses the table's ORDER BY key: put the filtered columns first in the sorting key " +
        "(a new table and INSERT … SELECT), or add a data skipping index, e.g. ALTER TABLE market_ticks ADD INDEX idx_instrument_timestamp (instrument_id, timestamp) " +
        "TYPE minmax GRANULARITY 4 (then ALTER TABLE … MATERIALIZE INDEX on 19.x+, and SET allow_experimental_data_skipping_indices = 1 on 18.16); " +
        "memory near max_memory_usage: lower max_threads for it or pre-aggregate (a materialized view)"
      );
    },
  }),
];
