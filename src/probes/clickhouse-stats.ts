// The `clickhouse-stats` probe: seed 002's and seed 004's ClickHouse checks as readings over a
// scenario. Each snapshot reads, over the probe's own HTTP connection (so it never queues behind
// the workload's):
//   system.events          cumulative counters (queries, inserted rows, merges, delayed/rejected inserts)
//   system.metrics         gauges at that moment (queries and merges running, memory tracked)
//   system.parts           active parts per partition: "too many parts" (seed 002 §4, seed 004's batches)
//   system.merges          the merges running
//   system.columns         compressed vs uncompressed bytes per table (seed 004's compression ratio)
//   system.query_log       seed 002's slowest queries, with duration and memory, since the probe
//                          started, grouped by statement text so two snapshots diff like
//                          pg_stat_statements (after SYSTEM FLUSH LOGS: the log is written every 500 ms)
// and the server's parts_to_delay_insert / parts_to_throw_insert, which the diagnosis quotes.
// Every statement carries the comment /* pipebench-probe */, so the probe never reports itself.
import type { ClickHouseClient } from "@clickhouse/client";
import type { ServerFeatures } from "../drivers/clickhouse/server-features.js";
import type { JsonValue, Probe, ProbeReading, ProbeSnapshot } from "./probe.js";

export interface ClickHouseStatsOptions {
  /** A client of its own (one connection); closed with the probe. */
  client: ClickHouseClient;
  features: ServerFeatures;
  /** The target's database: whose tables' parts and compression are read (system is never). */
  database: string;
  sampleEveryMs?: number;
}

/** Counters of system.events kept in snapshot values, as `event_<Name>`. */
const EVENTS = [
  "Query",
  "SelectQuery",
  "InsertQuery",
  "FailedQuery",
  "InsertedRows",
  "InsertedBytes",
  "MergedRows",
  "Merge",
  "DelayedInserts",
  "RejectedInserts",
] as const;
/** Gauges of system.metrics kept as `metric_<Name>`. */
const METRICS = ["Query", "Merge", "MemoryTracking", "DelayedInserts", "HTTPConnection"] as const;
/** Statements kept per snapshot (by total time since the probe started) and shown per reading. */
const TRACKED = 50;
const TOP_SLOW = 10;
const TOP_PARTITIONS = 10;
/** Samples remembered for the interval's peaks; at one a second this is over a day. */
const MAX_HISTORY = 100_000;

const TAG = "/* pipebench-probe */";

interface Peak {
  at: number;
  parts: number;
  merges: number;
}

export function clickHouseStatsProbe(options: ClickHouseStatsOptions): Probe & { close(): Promise<void> } {
  const { client, features } = options;
  // query_log rows from before the probe started are other runs': seconds, as event_time has.
  const since = Math.floor(Date.now() / 1000) - 1;
  const peaks: Peak[] = [];
  return {
    kind: "clickhouse-stats",
    ...(options.sampleEveryMs === undefined ? {} : { sampleEveryMs: options.sampleEveryMs }),
    async read(): Promise<ProbeSnapshot> {
      const snapshot = await readSnapshot(client, features, options.database, since);
      peaks.push({ at: snapshot.at, parts: snapshot.values.max_parts_per_partition ?? 0, merges: snapshot.values.merges_running ?? 0 });
      if (peaks.length > MAX_HISTORY) peaks.splice(0, peaks.length - MAX_HISTORY);
      return snapshot;
    },
    summarize(before, after) {
      let parts = after.values.max_parts_per_partition ?? 0;
      let merges = after.values.merges_running ?? 0;
      for (const p of peaks) {
        if (p.at <= before.at || p.at > after.at) continue;
        parts = Math.max(parts, p.parts);
        merges = Math.max(merges, p.merges);
      }
      return summarizeClickHouseStats(before, after, { parts, merges });
    },
    async close() {
      await client.close().catch(() => undefined);
    },
  };
}

async function rows(client: ClickHouseClient, sql: string): Promise<Record<string, unknown>[]> {
  const result = await client.query({ query: `${TAG} ${sql}`, format: "JSONEachRow" });
  return result.json<Record<string, unknown>>();
}

/** A SQL string literal. */
function literal(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

async function readSnapshot(client: ClickHouseClient, features: ServerFeatures, database: string, since: number): Promise<ProbeSnapshot> {
  const at = Date.now();
  const db = literal(database);
  const values: Record<string, number> = {};
  const notes: string[] = [];

  for (const r of await rows(client, `SELECT event AS name, value FROM system.events WHERE event IN (${EVENTS.map(literal).join(", ")})`)) {
    values[`event_${String(r.name)}`] = Number(r.value);
  }
  for (const r of await rows(client, `SELECT metric AS name, value FROM system.metrics WHERE metric IN (${METRICS.map(literal).join(", ")})`)) {
    values[`metric_${String(r.name)}`] = Number(r.value);
  }

  const partitions = await rows(
    client,
    `SELECT database, table, partition, count() AS parts, sum(rows) AS rows, sum(bytes_on_disk) AS bytes
       FROM system.parts WHERE active AND database = ${db}
      GROUP BY database, table, partition ORDER BY parts DESC LIMIT ${TOP_PARTITIONS}`,
  );
  const totals = await rows(client, `SELECT count() AS parts, uniqExact(database, table, partition) AS partitions FROM system.parts WHERE active AND database = ${db}`);
  values.active_parts = Number(totals[0]?.parts ?? 0);
  values.partitions = Number(totals[0]?.partitions ?? 0);
  values.max_parts_per_partition = Number(partitions[0]?.parts ?? 0);

  const merges = await rows(client, `SELECT database, table, elapsed, progress, num_parts, total_size_bytes_compressed AS bytes FROM system.merges`);
  values.merges_running = merges.length;

  const compression = await rows(
    client,
    `SELECT table, sum(data_compressed_bytes) AS compressed, sum(data_uncompressed_bytes) AS uncompressed
       FROM system.columns WHERE database = ${db} GROUP BY table HAVING compressed > 0 ORDER BY uncompressed DESC LIMIT 20`,
  );
  let compressed = 0;
  let uncompressed = 0;
  for (const t of compression) {
    compressed += Number(t.compressed);
    uncompressed += Number(t.uncompressed);
  }
  values.compressed_bytes = compressed;
  values.uncompressed_bytes = uncompressed;

  const settings: { [key: string]: JsonValue } = {};
  for (const r of await rows(client, `SELECT name, value FROM system.merge_tree_settings WHERE name IN ('parts_to_delay_insert', 'parts_to_throw_insert', 'max_parts_in_total')`)) {
    settings[String(r.name)] = String(r.value);
  }

  const statements = await readQueryLog(client, features, since).catch((error: unknown) => {
    notes.push(`system.query_log could not be read (${error instanceof Error ? error.message.split("\n")[0] : String(error)}): is <query_log> in the server's config, and log_queries = 1 in the user's profile?`);
    return [];
  });

  const details: { [key: string]: JsonValue } = {
    server: features.version.text,
    database,
    partitions: partitions.map((p) => ({ table: `${String(p.database)}.${String(p.table)}`, partition: String(p.partition), parts: Number(p.parts), rows: Number(p.rows), bytes: Number(p.bytes) })),
    merges: merges.map((m) => ({ table: `${String(m.database)}.${String(m.table)}`, elapsed_s: Number(m.elapsed), progress: Number(m.progress), parts: Number(m.num_parts), bytes: Number(m.bytes) })),
    compression: compression.map((t) => ({ table: String(t.table), compressed: Number(t.compressed), uncompressed: Number(t.uncompressed) })),
    settings,
    statements: statements.map((s) => ({ ...s })),
    notes,
  };
  return { at, values, details };
}

interface LoggedStatement {
  query: string;
  calls: number;
  total_ms: number;
  max_ms: number;
  max_memory: number;
  read_rows: number;
}

/** seed 002's "slowest queries with duration and memory", grouped by statement, since `since`. */
async function readQueryLog(client: ClickHouseClient, features: ServerFeatures, since: number): Promise<LoggedStatement[]> {
  await client.command({ query: `${TAG} SYSTEM FLUSH LOGS` });
  // 18.16's type is a UInt8 (2 = QueryFinish); newer servers' an Enum8 that refuses a number.
  const finished = features.queryLogTypeEnum ? "type = 'QueryFinish'" : "type = 2";
  const r = await rows(
    client,
    `SELECT query, count() AS calls, sum(query_duration_ms) AS total_ms, max(query_duration_ms) AS max_ms,
            max(memory_usage) AS max_memory, sum(read_rows) AS read_rows
       FROM system.query_log
      WHERE ${finished} AND event_date >= toDate(toDateTime(${since})) AND event_time >= toDateTime(${since})
        AND is_initial_query AND query NOT LIKE '%pipebench-probe%'
      GROUP BY query ORDER BY total_ms DESC LIMIT ${TRACKED}`,
  );
  return r.map((s) => ({
    query: String(s.query),
    calls: Number(s.calls),
    total_ms: Number(s.total_ms),
    max_ms: Number(s.max_ms),
    max_memory: Number(s.max_memory),
    read_rows: Number(s.read_rows),
  }));
}

function detailsOf(s: ProbeSnapshot): { [key: string]: JsonValue } {
  const d = s.details;
  return d !== null && typeof d === "object" && !Array.isArray(d) ? d : {};
}

function statementsOf(s: ProbeSnapshot): LoggedStatement[] {
  const list = detailsOf(s).statements;
  return Array.isArray(list) ? (list as unknown as LoggedStatement[]) : [];
}

/** The interval's metrics from two snapshots, with the peaks seen by the samples between them. */
export function summarizeClickHouseStats(before: ProbeSnapshot, after: ProbeSnapshot, peak?: { parts: number; merges: number }): ProbeReading {
  const a = after.values;
  const b = before.values;
  const notes: string[] = [];
  // A counter that went down: the server restarted within the interval; count from zero.
  const restarted = (a.event_Query ?? 0) < (b.event_Query ?? 0);
  if (restarted) notes.push("the server restarted during the interval: its counters start at the restart");
  const delta = (name: string): number => (a[name] ?? 0) - (restarted ? 0 : (b[name] ?? 0));
  const metrics: Record<string, number> = {
    max_parts_per_partition: Math.max(peak?.parts ?? 0, a.max_parts_per_partition ?? 0),
    active_parts: a.active_parts ?? 0,
    merges_running: Math.max(peak?.merges ?? 0, a.merges_running ?? 0),
    queries: delta("event_Query"),
    failed_queries: delta("event_FailedQuery"),
    inserted_rows: delta("event_InsertedRows"),
    inserted_bytes: delta("event_InsertedBytes"),
    insert_queries: delta("event_InsertQuery"),
    merged_rows: delta("event_MergedRows"),
    delayed_inserts: delta("event_DelayedInserts"),
    rejected_inserts: delta("event_RejectedInserts"),
    memory_tracked_bytes: a.metric_MemoryTracking ?? 0,
  };
  const seconds = (after.at - before.at) / 1000;
  if (seconds > 0) metrics.inserted_rows_per_second = metrics.inserted_rows! / seconds;
  if ((a.compressed_bytes ?? 0) > 0) metrics.compression_ratio = (a.uncompressed_bytes ?? 0) / (a.compressed_bytes ?? 1);
  if ((metrics.insert_queries ?? 0) > 0) metrics.rows_per_insert = metrics.inserted_rows! / metrics.insert_queries!;

  // The interval's statements: each of `after` less its counts in `before` (0 when not tracked then).
  const previous = new Map(statementsOf(before).map((s) => [s.query, s]));
  const slow = statementsOf(after)
    .map((s) => {
      const p = restarted ? undefined : previous.get(s.query);
      const calls = s.calls - (p?.calls ?? 0);
      const total = s.total_ms - (p?.total_ms ?? 0);
      const read = s.read_rows - (p?.read_rows ?? 0);
      return { query: s.query, calls, mean_ms: calls > 0 ? total / calls : 0, max_ms: s.max_ms, max_memory: s.max_memory, total_ms: total, read_rows_per_call: calls > 0 ? read / calls : 0 };
    })
    .filter((s) => s.calls > 0)
    .sort((x, y) => y.mean_ms - x.mean_ms)
    .slice(0, TOP_SLOW);
  if (slow.length > 0) metrics.slowest_query_mean_ms = slow[0]!.mean_ms;

  const d = detailsOf(after);
  for (const n of Array.isArray(d.notes) ? d.notes : []) if (typeof n === "string") notes.push(n);
  const details: { [key: string]: JsonValue } = {
    server: d.server ?? null,
    partitions: d.partitions ?? [],
    merges: d.merges ?? [],
    compression: d.compression ?? [],
    settings: d.settings ?? {},
    slow_queries: slow,
  };
  return { metrics, details, notes };
}
