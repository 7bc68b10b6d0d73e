// The `postgres-stats` probe: seed 000's three PostgreSQL checks (connection pool utilisation,
// cache hit ratio, slow queries from pg_stat_statements) as readings over a scenario. Snapshots
// hold cumulative counters from pg_stat_database and pg_stat_statements for the current database;
// `summarize` turns two of them into the interval's metrics. Reads go over the probe's own
// connection, so they neither queue behind the workload's pool nor occupy one of its slots.
//
// Counters in pg_stat_database lag: since PostgreSQL 15 a busy backend flushes its statistics at
// most once a second (an idle one within ten), so an interval's last second may land in the next.
import pg from "pg";
import { tablesOf } from "./postgres-sql-text.js";
import type { JsonValue, Probe, ProbeReading, ProbeSnapshot } from "./probe.js";

export interface PostgresStatsOptions {
  /** postgres:// URL of the database to read (the target's). */
  url: string;
  /** Sample period during a scenario (the suite's `every`); undefined: before and after only. */
  sampleEveryMs?: number;
}

type StatementsState = "ok" | "not-installed" | "not-loaded" | "unreadable";

interface Statement {
  key: string;
  query: string;
  calls: number;
  total_ms: number;
  mean_ms: number;
  max_ms: number;
}

/** Counters read from pg_stat_database, in snapshot `values` under the same names. */
const DATABASE_COUNTERS = [
  "numbackends",
  "xact_commit",
  "xact_rollback",
  "blks_read",
  "blks_hit",
  "tup_returned",
  "tup_fetched",
  "tup_inserted",
  "tup_updated",
  "tup_deleted",
  "deadlocks",
  "temp_files",
  "temp_bytes",
] as const;

/** Statements per snapshot: the costliest by total time (to diff them) plus the slowest by mean. */
const TRACKED_BY_TOTAL = 50;
const TOP_BY_MEAN = 10;
/** Tables whose indexes a snapshot reads: those the statements it tracks name, at most this many. */
const MAX_INDEXED_TABLES = 30;
/** Backend counts kept for "max seen"; at one sample a second this is over a day. */
const MAX_HISTORY = 100_000;

/**
 * Server settings the diagnosis quotes back when it advises a change (seed 000 Day 7 Task 2.3): read
 * with every snapshot, as the server reports them ("128MB") and, for sizes, in bytes.
 */
export const TUNING_SETTINGS = [
  "shared_buffers",
  "effective_cache_size",
  "work_mem",
  "maintenance_work_mem",
  "max_connections",
  "random_page_cost",
  "effective_io_concurrency",
  "max_parallel_workers_per_gather",
] as const;
/** Those of TUNING_SETTINGS that are sizes (pg_size_bytes understands them). */
const SIZE_SETTINGS = new Set(["shared_buffers", "effective_cache_size", "work_mem", "maintenance_work_mem"]);

const ENABLE_STATEMENTS =
  "add shared_preload_libraries = 'pg_stat_statements' to postgresql.conf, restart PostgreSQL, then run CREATE EXTENSION pg_stat_statements; in this database";

export function postgresStatsProbe(options: PostgresStatsOptions): Probe & { close(): Promise<void> } {
  let client: Promise<pg.Client> | undefined;
  const backends: { at: number; n: number }[] = [];

  const connection = (): Promise<pg.Client> => {
    client ??= (async () => {
      const c = new pg.Client({ connectionString: options.url, application_name: "pipebench-probe" });
      // A dropped connection must not crash the run: forget it and reconnect on the next read.
      c.on("error", () => {
        client = undefined;
      });
      try {
        await c.connect();
      } catch (error) {
        client = undefined;
        throw error;
      }
      return c;
    })();
    return client;
  };

  return {
    kind: "postgres-stats",
    ...(options.sampleEveryMs === undefined ? {} : { sampleEveryMs: options.sampleEveryMs }),
    async read(): Promise<ProbeSnapshot> {
      const c = await connection();
      const snapshot = await readSnapshot(c);
      backends.push({ at: snapshot.at, n: snapshot.values.backends ?? 0 });
      if (backends.length > MAX_HISTORY) backends.splice(0, backends.length - MAX_HISTORY);
      return snapshot;
    },
    summarize(before, after) {
      let maxBackends = after.values.backends ?? 0;
      for (const b of backends) if (b.at > before.at && b.at <= after.at && b.n > maxBackends) maxBackends = b.n;
      return summarizePostgresStats(before, after, maxBackends);
    },
    async close() {
      const pending = client;
      client = undefined;
      if (pending) await (await pending.catch(() => undefined))?.end().catch(() => undefined);
    },
  };
}

async function readSnapshot(c: pg.Client): Promise<ProbeSnapshot> {
  const at = Date.now();
  // One statement, naming pg_stat_database, so pg_stat_statements readers (ours, seed 000's) skip it.
  // With the counters: the settings and the database's size that the diagnosis quotes.
  const db = await c.query<Record<string, unknown>>(
    `select current_database() as database, ${DATABASE_COUNTERS.join(", ")},
            current_setting('max_connections')::int as max_connections,
            -- max_connections is the server's: every database's client connections count against it.
            (select count(*) from pg_stat_activity where backend_type = 'client backend')::int as backends,
            current_setting('server_version_num')::int as version_num,
            pg_database_size(current_database())::text as database_size,
            (select json_agg(json_build_array(n, current_setting(n),
                      case when n = any($2) then pg_size_bytes(current_setting(n))::text end))
               from unnest($1::text[]) as n) as settings
       from pg_stat_database where datname = current_database()`,
    [[...TUNING_SETTINGS], [...SIZE_SETTINGS]],
  );
  const row = db.rows[0] ?? {};
  const values: Record<string, number> = { max_connections: Number(row.max_connections ?? 0), backends: Number(row.backends ?? 0) };
  // bigint columns arrive as strings; these counters stay far below 2^53.
  for (const name of DATABASE_COUNTERS) values[name] = Number(row[name] ?? 0);
  values.database_size_bytes = Number(row.database_size ?? 0);
  const settings: { [key: string]: JsonValue } = {};
  const settingsBytes: { [key: string]: JsonValue } = {};
  for (const entry of Array.isArray(row.settings) ? (row.settings as unknown[]) : []) {
    if (!Array.isArray(entry)) continue;
    const [name, value, bytes] = entry as [unknown, unknown, unknown];
    if (typeof name !== "string" || typeof value !== "string") continue;
    settings[name] = value;
    if (typeof bytes === "string") settingsBytes[name] = Number(bytes);
  }

  const statements = await readStatements(c, Number(row.version_num ?? 0));
  if (statements.state === "ok") {
    values.statements_calls = statements.calls;
    values.statements_total_ms = statements.totalMs;
  }
  const details: { [key: string]: JsonValue } = {
    database: String(row.database ?? ""),
    statements: statements.state,
    top: statements.top.map((s) => ({ ...s })),
    settings,
    settings_bytes: settingsBytes,
  };
  if (statements.error !== undefined) details.statements_error = statements.error;
  if (statements.state === "ok") details.indexes = (await readIndexes(c, statements.top)).map((i) => ({ ...i, columns: [...i.columns] }));
  return { at, values, details };
}

interface StatementsReading {
  state: StatementsState;
  error?: string;
  calls: number;
  totalMs: number;
  top: Statement[];
}

async function readStatements(c: pg.Client, versionNum: number): Promise<StatementsReading> {
  const none = (state: StatementsState, error?: string): StatementsReading => ({
    state,
    ...(error === undefined ? {} : { error }),
    calls: 0,
    totalMs: 0,
    top: [],
  });
  // Named pg_stat_statements in a comment, as our other reads are, so that it is not a statement of the workload's.
  const ext = await c.query<{ schema: string }>(
    `select /* pg_stat_statements' schema */ n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace
      where e.extname = 'pg_stat_statements'`,
  );
  const schema = ext.rows[0]?.schema;
  if (schema === undefined) return none("not-installed");

  // PostgreSQL 13 renamed total_time/mean_time/max_time to *_exec_time.
  const [total, mean, max] = versionNum >= 130000 ? ["total_exec_time", "mean_exec_time", "max_exec_time"] : ["total_time", "mean_time", "max_time"];
  const view = `${c.escapeIdentifier(schema)}.pg_stat_statements`;
  // As seed 000 does: leave out statements about the statistics views (ours among them).
  const where = `dbid = (select oid from pg_database where datname = current_database()) and query not like '%pg_stat%'`;
  const columns = `userid::text || ':' || queryid::text as key, query, calls::float8 as calls,
                   ${total}::float8 as total_ms, ${mean}::float8 as mean_ms, ${max}::float8 as max_ms`;
  try {
    const totals = await c.query<{ calls: number; total_ms: number }>(
      `select coalesce(sum(calls), 0)::float8 as calls, coalesce(sum(${total}), 0)::float8 as total_ms from ${view} where ${where}`,
    );
    const tracked = await c.query<Statement>(
      `(select ${columns} from ${view} where ${where} order by ${total} desc limit ${TRACKED_BY_TOTAL})
       union all
       (select ${columns} from ${view} where ${where} order by ${mean} desc limit ${TOP_BY_MEAN})`,
    );
    // The two halves can both hold a statement (and, read a moment apart, disagree): keep the first.
    const byKey = new Map<string, Statement>();
    for (const s of tracked.rows) if (!byKey.has(s.key)) byKey.set(s.key, s);
    const top = [...byKey.values()];
    return { state: "ok", calls: totals.rows[0]?.calls ?? 0, totalMs: totals.rows[0]?.total_ms ?? 0, top };
  } catch (error) {
    // 55000: the extension exists in this database but the library was not preloaded.
    const code = (error as { code?: unknown }).code;
    return none(code === "55000" ? "not-loaded" : "unreadable", (error as Error).message);
  }
}

/** An index of a table a tracked statement names, with its key columns in order. */
export interface TableIndex {
  /** The table as the statements name it (looked up with to_regclass, so as they resolve it). */
  table: string;
  /** schema.table as the catalog has it. */
  relation: string;
  name: string;
  /** Key columns (or expressions) in index order, without ASC/DESC or operator classes. */
  columns: string[];
  /** CREATE INDEX … as pg_get_indexdef writes it. */
  definition: string;
  partial: boolean;
  valid: boolean;
}

/**
 * The indexes of the tables the tracked statements name, so that an index is advised only where
 * none with those leading columns exists. Catalog reads only; a name that does not resolve (an
 * alias, a CTE, a function's column) is skipped by to_regclass.
 */
async function readIndexes(c: pg.Client, top: readonly Statement[]): Promise<TableIndex[]> {
  const tables = [...new Set(top.flatMap((s) => tablesOf(s.query)))].slice(0, MAX_INDEXED_TABLES);
  if (tables.length === 0) return [];
  try {
    const r = await c.query<TableIndex>(
      // The comment names pg_stat so that pg_stat_statements readers (ours, seed 000's) skip this.
      `select /* pipebench probe, skipped as pg_stat_* reads are */ t.name as "table", n.nspname || '.' || c.relname as relation, i.relname as name,
              array(select pg_get_indexdef(x.indexrelid, k, true) from generate_series(1, x.indnkeyatts) k order by k) as columns,
              pg_get_indexdef(x.indexrelid) as definition, x.indpred is not null as partial, x.indisvalid as valid
         from unnest($1::text[]) as t(name)
         join pg_index x on x.indrelid = to_regclass(t.name)
         join pg_class i on i.oid = x.indexrelid
         join pg_class c on c.oid = x.indrelid
         join pg_namespace n on n.oid = c.relnamespace
        order by t.name, i.relname`,
      [tables],
    );
    return r.rows;
  } catch {
    // A name to_regclass cannot parse ("a.b.c.d") fails the whole read: no indexes, no advice on them.
    return [];
  }
}

function indexesOf(snapshot: ProbeSnapshot): JsonValue | undefined {
  const d = snapshot.details;
  if (d === null || typeof d !== "object" || Array.isArray(d)) return undefined;
  return d.indexes;
}

function settingsOf(snapshot: ProbeSnapshot): { settings: JsonValue; bytes: JsonValue } | undefined {
  const d = snapshot.details;
  if (d === null || typeof d !== "object" || Array.isArray(d) || d.settings === undefined) return undefined;
  return { settings: d.settings, bytes: d.settings_bytes ?? {} };
}

function statementsOf(snapshot: ProbeSnapshot): { state: StatementsState; top: Statement[]; error?: string } {
  const d = snapshot.details;
  if (d === null || typeof d !== "object" || Array.isArray(d)) return { state: "unreadable", top: [] };
  const state = typeof d.statements === "string" ? (d.statements as StatementsState) : "unreadable";
  const top = Array.isArray(d.top) ? (d.top as unknown as Statement[]) : [];
  return typeof d.statements_error === "string" ? { state, top, error: d.statements_error } : { state, top };
}

/** The interval's metrics from two snapshots; `maxBackends` is the most backends seen within it. */
export function summarizePostgresStats(before: ProbeSnapshot, after: ProbeSnapshot, maxBackends?: number): ProbeReading {
  const a = after.values;
  const b = before.values;
  const metrics: Record<string, number> = {};
  const notes: string[] = [];
  // A counter that went down was reset within the interval (pg_stat_reset, a crash restart): what
  // it counted since the reset is the part of the interval there is, where a difference would be
  // negative.
  const wentDown = (names: readonly string[]): boolean => names.some((n) => (a[n] ?? 0) < (b[n] ?? 0));
  const databaseReset = wentDown(["blks_hit", "blks_read", "xact_commit", "xact_rollback", "deadlocks", "temp_bytes"]);
  const statementsReset = wentDown(["statements_calls", "statements_total_ms"]);
  if (databaseReset) notes.push("the database statistics were reset during the interval (pg_stat_reset or a restart): its counts start at the reset");
  if (statementsReset) notes.push("pg_stat_statements was reset during the interval: mean_query_time and the top statements start at the reset");
  const delta = (name: string) => {
    const reset = name.startsWith("statements_") ? statementsReset : databaseReset;
    return (a[name] ?? 0) - (reset ? 0 : (b[name] ?? 0));
  };
  const details: { [key: string]: JsonValue } = {};

  const maxConnections = a.max_connections ?? 0;
  // Server-wide (pg_stat_activity), as max_connections is; older snapshots had this database's only.
  const peak = Math.max(maxBackends ?? 0, a.backends ?? a.numbackends ?? 0);
  if (maxConnections > 0) metrics.connection_usage = peak / maxConnections;
  metrics.backends = peak;
  details.backends_at_end = a.backends ?? a.numbackends ?? 0;
  details.max_connections = maxConnections;
  const settings = settingsOf(after);
  if (settings !== undefined) {
    details.settings = settings.settings;
    details.settings_bytes = settings.bytes;
  }
  if (a.database_size_bytes !== undefined) details.database_size_bytes = a.database_size_bytes;
  // The indexes as they were at the end of the interval, of the tables its statements name.
  const indexes = indexesOf(after);
  if (indexes !== undefined) details.indexes = indexes;
  // Blocks over the interval: with the ratio, how much was read from outside shared_buffers.
  metrics.blocks_read = delta("blks_read");
  metrics.blocks_hit = delta("blks_hit");

  const hit = delta("blks_hit");
  const read = delta("blks_read");
  if (hit + read > 0) {
    metrics.cache_hit_ratio = hit / (hit + read);
  } else {
    const totalHit = a.blks_hit ?? 0;
    const totalRead = a.blks_read ?? 0;
    if (totalHit + totalRead > 0) {
      metrics.cache_hit_ratio = totalHit / (totalHit + totalRead);
      notes.push("no blocks were read or hit during the interval; cache_hit_ratio is cumulative since the statistics were last reset");
    }
  }

  const seconds = (after.at - before.at) / 1000;
  if (seconds > 0) metrics.tps = (delta("xact_commit") + delta("xact_rollback")) / seconds;
  metrics.deadlocks = delta("deadlocks");
  metrics.temp_bytes = delta("temp_bytes");

  const statements = statementsOf(after);
  if (statements.state === "ok" && statementsOf(before).state === "ok") {
    const calls = delta("statements_calls");
    if (calls > 0) metrics.mean_query_time = delta("statements_total_ms") / calls;
    else notes.push("no statements completed during the interval, so there is no mean_query_time");
    details.top_statements = topStatements(statementsReset ? [] : statementsOf(before).top, statements.top).map((s) => ({ ...s }));
  } else if (statements.state === "ok") {
    notes.push("pg_stat_statements became readable during the interval; mean_query_time starts with the next one");
  } else if (statements.state === "not-installed" || statements.state === "not-loaded") {
    const why = statements.state === "not-installed" ? "is not installed in this database" : "is installed but not loaded";
    notes.push(`pg_stat_statements ${why}, so there is no mean_query_time or slow-query list; to enable it, ${ENABLE_STATEMENTS}`);
  } else {
    notes.push(`pg_stat_statements could not be read (${statements.error ?? "unknown error"}), so there is no mean_query_time`);
  }
  return { metrics, details, notes };
}

interface IntervalStatement {
  query: string;
  calls: number;
  mean_ms: number;
  max_ms: number;
  total_ms: number;
}

/**
 * The interval's slowest statements by mean time: each statement of `after` less its counters in
 * `before` (zero when it was not tracked then). `max_ms` cannot be split by interval: it is the
 * maximum since the statistics were last reset.
 */
function topStatements(before: readonly Statement[], after: readonly Statement[]): IntervalStatement[] {
  const previous = new Map(before.map((s) => [s.key, s]));
  const out: IntervalStatement[] = [];
  for (const s of after) {
    const p = previous.get(s.key);
    const calls = s.calls - (p?.calls ?? 0);
    if (calls <= 0) continue;
    const total = s.total_ms - (p?.total_ms ?? 0);
    out.push({ query: s.query, calls, mean_ms: total / calls, max_ms: s.max_ms, total_ms: total });
  }
  return out.sort((x, y) => y.mean_ms - x.mean_ms).slice(0, TOP_BY_MEAN);
}
