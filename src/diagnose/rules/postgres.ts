// PostgreSQL: connection usage, slow statements, cache hit ratio and temporary files, from the
// postgres-stats probe, with the server's current values quoted and advice a user can paste: the
// suite's own SQL for EXPLAIN, an index only where none with those leading columns exists, and
// ALTER SYSTEM (or the embedded target's settings) for a setting. The runbooks are
// docs/runbooks/postgres-*.md.
import type { JsonValue, ProbeReading } from "../../probes/probe.js";
import { formatBytes, formatCount, formatMs, formatPercent } from "../../format/numbers.js";
import type { StoredScenario } from "../../store/results-store.js";
import { formatThresholdValue } from "../../thresholds/format.js";
import { bareName, identKey, inlineParams, maxParam, oneLine, splitStatements, statementShape, writesData } from "../../probes/postgres-sql-text.js";
import { arrayAt, hostOf, isObject, numberAt, objectAt, onThisMachine, stringAt, targetConfig, workloadField } from "../readings.js";
import { defineRule, type Subject } from "../rule.js";

const PROBE = "postgres-stats";
/** The targets: cache hit > 99 %, connection usage < 50 %, mean query time < 10 ms. */
export const CACHE_HIT_TARGET = 0.99;
export const CONNECTION_USAGE_MAX = 0.5;
export const SLOW_STATEMENT_MS = 10;
/** Below this many blocks touched in the interval the ratio is about the catalog, not the data. */
const MIN_BLOCKS = 1000;
const BLOCK_BYTES = 8192;
const MB = 1024 * 1024;

interface PgContext {
  scenario: StoredScenario;
  /** The PostgreSQL target the reading is of: the scenario's own, or one its service wrote to. */
  target: string;
  reading: ProbeReading;
  settings: Record<string, string>;
  settingsBytes: Record<string, number>;
  databaseBytes: number | undefined;
  /** The memory of the server's machine: known when it is the one pipebench ran on. */
  serverMemory: number | undefined;
  embedded: boolean;
}

/**
 * The scenario's postgres-stats reading with the settings it quoted: of the scenario's own target,
 * or else of a PostgreSQL the scenario drove through something else (an HTTP service writing to
 * it), recognised by the blocks it touched during the scenario.
 */
function pgContext({ run, scenario }: Subject): PgContext | undefined {
  if (scenario === null) return undefined;
  const candidates = scenario.probes.filter((p) => p.phase === "interval" && p.probe === PROBE && p.target !== null);
  const own = scenario.targetKind === "postgres" ? candidates.find((p) => p.target === scenario.target) : undefined;
  const chosen =
    own ??
    candidates.find((p) => (p.reading.metrics.blocks_read ?? 0) + (p.reading.metrics.blocks_hit ?? 0) >= MIN_BLOCKS);
  if (chosen === undefined || chosen.target === null) return undefined;
  const { reading, target: targetName } = chosen;
  const details = reading.details;
  const settings: Record<string, string> = {};
  const settingsBytes: Record<string, number> = {};
  for (const [k, v] of Object.entries(objectAt(details, "settings") ?? {})) if (typeof v === "string") settings[k] = v;
  for (const [k, v] of Object.entries(objectAt(details, "settings_bytes") ?? {})) if (typeof v === "number") settingsBytes[k] = v;
  const target = targetConfig(run, targetName);
  const embedded = target !== undefined && target.embedded !== undefined && target.embedded !== false;
  const url = stringAt(target, "url");
  return {
    scenario,
    target: targetName,
    reading,
    settings,
    settingsBytes,
    databaseBytes: numberAt(details, "database_size_bytes"),
    serverMemory: embedded || (url !== undefined && onThisMachine(url)) ? hostOf(run).memoryBytes : undefined,
    embedded,
  };
}

export { onThisMachine } from "../readings.js";

/** The advice when neither the server's memory nor the database's size is known. */
function raiseOnServer(c: PgContext): string {
  return (
    `raise shared_buffers${now(c, "shared_buffers")} toward a quarter of the server's memory and effective_cache_size${now(c, "effective_cache_size")} ` +
    "to about three quarters of it (pipebench does not know the server's memory, nor the database's size); shared_buffers needs a restart"
  );
}

/** An evidence line naming the database when it is not the scenario's own target. */
function via(c: PgContext): string[] {
  return c.target === c.scenario.target ? [] : [`on PostgreSQL target ${c.target}, which this scenario's ${c.scenario.target} wrote to or read from`];
}

/** A size as PostgreSQL settings are written: '64MB', '4GB'. */
export function pgSize(bytes: number): string {
  const rounded = pgRound(bytes);
  if (rounded >= 1024 * MB) return `${rounded / (1024 * MB)}GB`;
  if (rounded >= MB) return `${rounded / MB}MB`;
  return `${rounded / 1024}kB`;
}

/** The bytes pgSize writes: advice is compared with the current value after this rounding. */
function pgRound(bytes: number): number {
  // Whole gigabytes, rounded down, read better than 18079MB and stay within the memory they came from.
  if (bytes >= 1024 * MB) return Math.floor(bytes / (1024 * MB)) * 1024 * MB;
  if (bytes >= MB) return Math.ceil(bytes / MB) * MB;
  return Math.ceil(bytes / 1024) * 1024;
}

function nextPowerOfTwo(x: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, x)));
}

function now(c: PgContext, name: string): string {
  return c.settings[name] === undefined ? "" : ` (now ${c.settings[name]})`;
}

/** How to apply settings: ALTER SYSTEM for a server, the target's embedded settings for ours. */
function apply(c: PgContext, changes: Record<string, string>, restart: boolean): string {
  const names = Object.keys(changes);
  if (names.length === 0) return "";
  if (c.embedded) {
    const inline = names.map((n) => `${n}: "${changes[n]}"`).join(", ");
    return `embedded: { settings: { ${inline} } } on target ${c.target}`;
  }
  const sql = names.map((n) => `ALTER SYSTEM SET ${n} = '${changes[n]}';`).join(" ");
  return `${sql} ${restart ? "then restart PostgreSQL (shared_buffers needs a restart)" : "SELECT pg_reload_conf();"}`;
}

interface CacheMatch extends PgContext {
  ratio: number;
  read: number | undefined;
  hit: number | undefined;
}

interface ConnectionMatch extends PgContext {
  usage: number;
  backends: number;
  maxConnections: number;
  pool: number | undefined;
}

interface Statement {
  query: string;
  calls: number;
  meanMs: number;
}

interface SlowMatch extends PgContext {
  /** The slow statements shown (the worst first), each with the suite's SQL it is, when it is. */
  slow: { statement: Statement; source: SuiteStatement | undefined }[];
  /** The indexes of the tables the statements name; undefined when the reading has none (older probe). */
  indexes: ExistingIndex[] | undefined;
}

/** One statement of the suite's SQL for a PostgreSQL target, with the parameters a scenario gave it. */
export interface SuiteStatement {
  sql: string;
  /** Where it is written: `query top-hosts` (the target's queries) or `scenario s's sql`. */
  where: string;
  /** The scenario's `params`; undefined when no scenario gave it any. */
  params: readonly JsonValue[] | undefined;
  /** The scenario whose params these are. */
  scenario: string | undefined;
}

interface ExistingIndex {
  table: string;
  name: string;
  columns: string[];
  partial: boolean;
}

/**
 * Every statement of the suite that runs on PostgreSQL target `target`: the query workloads of the
 * run's scenarios on it (this scenario's first, with its params), then the target's named queries
 * no scenario ran. A text of several statements is split as the server runs it.
 */
export function suiteStatements(run: Subject["run"], target: string, first: StoredScenario | null): SuiteStatement[] {
  const queries = objectAt(targetConfig(run, target), "queries") ?? {};
  const out: SuiteStatement[] = [];
  const used = new Set<string>();
  const scenarios = [...(first === null ? [] : [first]), ...run.scenarioResults.filter((s) => s !== first)];
  const seen = new Set<string>();
  for (const scenario of scenarios) {
    if (scenario.target !== target || seen.has(scenario.name) || workloadField(scenario, "type") !== "query") continue;
    seen.add(scenario.name);
    const name = workloadField(scenario, "query");
    const inline = workloadField(scenario, "sql");
    const text = typeof inline === "string" ? inline : typeof name === "string" ? stringAt(queries, name) : undefined;
    if (text === undefined) continue;
    if (typeof name === "string") used.add(name);
    const params = workloadField(scenario, "params");
    const where = typeof inline === "string" ? `scenario ${scenario.name}'s sql` : `query ${String(name)}`;
    for (const sql of splitStatements(text)) {
      out.push({ sql, where, params: Array.isArray(params) ? params : undefined, scenario: scenario.name });
    }
  }
  for (const [name, text] of Object.entries(queries)) {
    if (used.has(name) || typeof text !== "string") continue;
    for (const sql of splitStatements(text)) out.push({ sql, where: `query ${name}`, params: undefined, scenario: undefined });
  }
  return out;
}

/** The suite's statement that pg_stat_statements' normalised `query` is, if one is. */
export function matchStatement(query: string, candidates: readonly SuiteStatement[]): SuiteStatement | undefined {
  const shape = statementShape(query);
  return candidates.find((c) => statementShape(c.sql) === shape);
}

function existingIndexes(reading: ProbeReading): ExistingIndex[] | undefined {
  if (!isObject(reading.details) || !Array.isArray(reading.details.indexes)) return undefined;
  return reading.details.indexes.flatMap((i: JsonValue) => {
    const table = stringAt(i, "table");
    const name = stringAt(i, "name");
    const columns = arrayAt(i, "columns").filter((c): c is string => typeof c === "string");
    if (table === undefined || name === undefined) return [];
    return [{ table, name, columns, partial: isObject(i) && i.partial === true }];
  });
}

/** A column as an index definition or a statement writes it, for comparing: unquoted, folded. */
const columnKey = identKey;

/** The existing index whose leading columns are `columns` (in any order), if there is one. */
function indexWithLeading(indexes: readonly ExistingIndex[], table: string, columns: readonly string[]): ExistingIndex | undefined {
  const want = new Set(columns.map(columnKey));
  return indexes.find((i) => {
    if (bareName(i.table) !== bareName(table) || i.columns.length < want.size) return false;
    const leading = new Set(i.columns.slice(0, want.size).map(columnKey));
    return [...want].every((c) => leading.has(c));
  });
}

/** The EXPLAIN to paste for a slow statement, or why there is none (its text then as a comment). */
function explainAdvice(statement: Statement, source: SuiteStatement | undefined): { command: string | undefined; why: string } {
  const normalised = `-- ${oneLine(statement.query)}`;
  if (source === undefined) {
    return {
      command: undefined,
      why: "it is not among the suite's statements (another client sent it), so pipebench has no values for its parameters: explain it where it is sent, with real ones",
    };
  }
  const sql = source.params === undefined && maxParam(source.sql) === 0 ? source.sql : inlineParams(source.sql, source.params ?? []);
  if (sql === undefined) {
    return {
      command: undefined,
      why: `it is the suite's ${source.where}, whose $n no scenario gave values for (params): explain it with real ones; ${normalised}`,
    };
  }
  const explain = `EXPLAIN (ANALYZE, BUFFERS) ${oneLine(sql)};`;
  // EXPLAIN ANALYZE runs the statement: one that writes is explained in a transaction rolled back.
  return { command: writesData(sql) ? `BEGIN; ${explain} ROLLBACK;` : explain, why: "" };
}

/** What to do about indexes for a slow statement: one to create, or the one there is. */
function indexAdvice(statement: Statement, indexes: readonly ExistingIndex[] | undefined): string {
  const hint = indexHint(statement.query);
  if (hint === undefined || hint.columns.length === 0) return "look for a Seq Scan over many rows and index the columns it filters on";
  const columns = hint.columns.join(", ");
  if (indexes === undefined) {
    return `if it shows a Seq Scan on ${hint.table} and \\d ${hint.table} lists no index leading with (${columns}), CREATE INDEX CONCURRENTLY ON ${hint.table} (${columns});`;
  }
  const existing = indexWithLeading(indexes, hint.table, hint.columns);
  if (existing !== undefined) {
    return (
      `${hint.table} already has ${existing.partial ? "the partial index" : "index"} ${existing.name} (${existing.columns.join(", ")}): ` +
      "another is not the answer; read the plan for whether it uses that index, and if not, why (estimated against actual rows, the share of the table the filter keeps)"
    );
  }
  return `if it shows a Seq Scan on ${hint.table}, CREATE INDEX CONCURRENTLY ON ${hint.table} (${columns}); (no index on it leads with those columns)`;
}

interface TempMatch extends PgContext {
  tempBytes: number;
}

function statements(reading: ProbeReading): Statement[] {
  return arrayAt(reading.details, "top_statements").flatMap((s: JsonValue) => {
    const query = stringAt(s, "query");
    const calls = numberAt(s, "calls");
    const meanMs = numberAt(s, "mean_ms");
    return query === undefined || calls === undefined || meanMs === undefined ? [] : [{ query, calls, meanMs }];
  });
}

/** The table and the filtered columns of a simple query, for an example index. */
export function indexHint(query: string): { table: string; columns: string[] } | undefined {
  const from = /\bfrom\s+([A-Za-z_][\w.]*)/i.exec(query);
  if (from?.[1] === undefined) return undefined;
  const where = /\bwhere\b([\s\S]*?)(\bgroup\s+by\b|\border\s+by\b|\blimit\b|$)/i.exec(query)?.[1] ?? "";
  const columns: string[] = [];
  for (const m of where.matchAll(/([A-Za-z_][\w]*)\s*(=|<=|>=|<|>|\blike\b|\bin\b|\bbetween\b)/gi)) {
    const col = m[1]?.toLowerCase();
    if (col !== undefined && !["and", "or", "not"].includes(col) && !columns.includes(col)) columns.push(col);
  }
  return { table: from[1], columns };
}

/** Slow statements a finding shows and advises on, the worst first. */
const SHOWN_STATEMENTS = 3;

const shorten = (q: string, n = 120): string => {
  const one = q.replace(/\s+/g, " ").trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

export const POSTGRES_RULES = [
  defineRule<CacheMatch>({
    id: "postgres.cache-hit-low",
    culprit: "target",
    area: "postgres",
    scope: "scenario",
    title: "PostgreSQL cache hit ratio below 99 %: reads go past shared_buffers",
    impact: (m) => (m.ratio < 0.9 ? "high" : "medium"),
    rank: (m) => 1 - m.ratio,
    runbook:
      "docs/runbooks/postgres-cache-hit.md · shared_buffers https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-SHARED-BUFFERS · " +
      "effective_cache_size https://www.postgresql.org/docs/current/runtime-config-query.html#GUC-EFFECTIVE-CACHE-SIZE · ALTER SYSTEM https://www.postgresql.org/docs/current/sql-altersystem.html · pg_prewarm https://www.postgresql.org/docs/current/pgprewarm.html",
    when: (subject) => {
      const c = pgContext(subject);
      const ratio = c?.reading.metrics.cache_hit_ratio;
      if (c === undefined || ratio === undefined || ratio >= CACHE_HIT_TARGET) return undefined;
      const read = c.reading.metrics.blocks_read;
      const hit = c.reading.metrics.blocks_hit;
      if (read !== undefined && hit !== undefined && read + hit < MIN_BLOCKS) return undefined;
      return { ...c, ratio, read, hit };
    },
    evidence: (m) => {
      const out = [`cache hit ${formatThresholdValue("ratio", m.ratio, CACHE_HIT_TARGET)} over the scenario (target ≥ ${formatPercent(CACHE_HIT_TARGET, 0)})`];
      if (m.read !== undefined && m.hit !== undefined) {
        out.push(`${formatCount(m.read)} blocks (${formatBytes(m.read * BLOCK_BYTES)}) read from outside shared_buffers, ${formatCount(m.hit)} found in it`);
      }
      const sizes = [
        m.databaseBytes === undefined ? undefined : `database ${formatBytes(m.databaseBytes)}`,
        m.settings.shared_buffers === undefined ? undefined : `shared_buffers ${m.settings.shared_buffers}`,
        m.settings.effective_cache_size === undefined ? undefined : `effective_cache_size ${m.settings.effective_cache_size}`,
        m.serverMemory === undefined ? undefined : `host memory ${formatBytes(m.serverMemory)}`,
      ].filter((x): x is string => x !== undefined);
      if (sizes.length > 0) out.push(sizes.join(", "));
      return [...out, ...via(m)];
    },
    recommendation: (m) => {
      const ram = m.serverMemory;
      const current = m.settingsBytes.shared_buffers;
      const quarter = ram === undefined ? undefined : Math.floor(ram / 4 / MB) * MB;
      // Enough for the data (with room to grow), but no more than a quarter of RAM, the usual ceiling.
      const forData = m.databaseBytes === undefined ? undefined : Math.max(128 * MB, nextPowerOfTwo(m.databaseBytes * 1.25));
      if (forData === undefined && quarter === undefined) return raiseOnServer(m);
      const want = Math.min(forData ?? Number.POSITIVE_INFINITY, quarter ?? Number.POSITIVE_INFINITY);
      const changes: Record<string, string> = {};
      if (current === undefined || pgRound(want) > current) changes.shared_buffers = pgSize(want);
      const cache = m.settingsBytes.effective_cache_size;
      const threeQuarters = ram === undefined ? undefined : Math.floor((ram * 0.75) / MB) * MB;
      if (threeQuarters !== undefined && (cache === undefined || cache < threeQuarters / 2)) changes.effective_cache_size = pgSize(threeQuarters);
      if (Object.keys(changes).length === 0) {
        // Nothing to raise: say why, for the reason it is.
        if (current !== undefined && m.databaseBytes !== undefined && current >= m.databaseBytes) {
          return (
            `shared_buffers${now(m, "shared_buffers")} already holds the whole database (${formatBytes(m.databaseBytes)}): the misses are a cold cache; ` +
            "warm it before measuring (a longer warm-up, or pg_prewarm on the tables read)"
          );
        }
        if (current !== undefined && quarter !== undefined && current >= pgRound(quarter)) {
          return (
            `shared_buffers${now(m, "shared_buffers")} is already a quarter of memory: the working set is larger than RAM; ` +
            "add memory, or read fewer blocks (indexes for the slow statements: EXPLAIN (ANALYZE, BUFFERS) them)"
          );
        }
        return "read fewer blocks: EXPLAIN (ANALYZE, BUFFERS) the slow statements and index what they scan";
      }
      const what = Object.keys(changes).map((n) => `${n} = '${changes[n]}'${now(m, n)}`).join(", ");
      const unknownMemory =
        ram === undefined ? "; keep shared_buffers within a quarter of the server's memory, which pipebench does not know, and set effective_cache_size to about three quarters of it" : "";
      return `${what}: ${apply(m, changes, changes.shared_buffers !== undefined)}${unknownMemory}`;
    },
  }),
  defineRule<ConnectionMatch>({
    id: "postgres.connections-high",
    culprit: "target",
    area: "postgres",
    scope: "scenario",
    title: "PostgreSQL connection usage above 50 %: pool the connections",
    impact: (m) => (m.usage >= 0.8 ? "high" : "medium"),
    runbook:
      "docs/runbooks/postgres-connections.md · max_connections https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-MAX-CONNECTIONS · " +
      "work_mem https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-WORK-MEM · PgBouncer https://www.pgbouncer.org/config.html",
    when: (subject) => {
      const c = pgContext(subject);
      const usage = c?.reading.metrics.connection_usage;
      if (c === undefined || usage === undefined || usage <= CONNECTION_USAGE_MAX) return undefined;
      const maxConnections = numberAt(c.reading.details, "max_connections") ?? 0;
      const pool = numberAt(targetConfig(subject.run, c.target), "pool");
      return { ...c, usage, backends: c.reading.metrics.backends ?? Math.round(usage * maxConnections), maxConnections, pool };
    },
    evidence: (m) => [
      `peak ${formatCount(m.backends)} of max_connections ${formatCount(m.maxConnections)} in use (${formatThresholdValue("ratio", m.usage, CONNECTION_USAGE_MAX)}, target < ${formatPercent(CONNECTION_USAGE_MAX, 0)})`,
      ...(m.pool === undefined ? [] : [`pipebench's own pool for target ${m.target}: ${m.pool} connections`]),
      ...via(m),
    ],
    recommendation: (m) =>
      "put PgBouncer in front (pool_mode = transaction, default_pool_size = 20, max_client_conn = " +
      `${Math.max(100, m.maxConnections)}) and point clients at it` +
      (m.pool !== undefined && m.pool > 20 ? `; or lower the target's pool (pool: 20, now ${m.pool})` : "") +
      `; raise max_connections${now(m, "max_connections")} only with the memory for it (each backend costs work_mem${now(m, "work_mem")} per sort)`,
  }),
  defineRule<SlowMatch>({
    id: "postgres.slow-statements",
    culprit: "target",
    area: "postgres",
    scope: "scenario",
    title: "Slow statements: mean time above 10 ms",
    impact: (m) => ((m.slow[0]?.statement.meanMs ?? 0) >= 100 ? "high" : "medium"),
    rank: (m) => m.slow[0]?.statement.meanMs ?? 0,
    runbook:
      "docs/runbooks/postgres-slow-statements.md · EXPLAIN https://www.postgresql.org/docs/current/sql-explain.html · pg_stat_statements https://www.postgresql.org/docs/current/pgstatstatements.html · " +
      "CREATE INDEX CONCURRENTLY https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY · multicolumn indexes https://www.postgresql.org/docs/current/indexes-multicolumn.html",
    when: (subject) => {
      const c = pgContext(subject);
      if (c === undefined) return undefined;
      // Reads only: a COPY or a multi-row INSERT is slow because it is big, and EXPLAIN has nothing to say.
      const slow = statements(c.reading)
        .filter((s) => s.meanMs > SLOW_STATEMENT_MS && /^\s*(select|with|update|delete)\b/i.test(s.query))
        .sort((a, b) => b.meanMs - a.meanMs);
      if (slow.length === 0) return undefined;
      const candidates = suiteStatements(subject.run, c.target, subject.scenario);
      const shown = slow.slice(0, SHOWN_STATEMENTS).map((statement) => ({ statement, source: matchStatement(statement.query, candidates) }));
      return { ...c, slow: shown, indexes: existingIndexes(c.reading) };
    },
    evidence: (m) => [
      ...m.slow.map(({ statement: s, source }, i) => {
        const n = m.slow.length > 1 ? `(${i + 1}) ` : "";
        const what = source === undefined ? "not the suite's SQL" : source.where;
        return `${n}${formatMs(s.meanMs)} mean over ${formatCount(s.calls)} calls (target < ${SLOW_STATEMENT_MS} ms), ${what}: ${shorten(s.query)}`;
      }),
      ...via(m),
    ],
    recommendation: (m) =>
      m.slow
        .map(({ statement, source }, i) => {
          const n = m.slow.length > 1 ? `(${i + 1}) ` : "";
          const explain = explainAdvice(statement, source);
          const index = indexAdvice(statement, m.indexes);
          // The statement's normalised text closes the advice when there is nothing to paste: as a
          // comment, so that pasting it runs nothing.
          return explain.command !== undefined
            ? `${n}${explain.command} ${index}`
            : explain.why.includes("-- ")
              ? `${n}${index}; ${explain.why}`
              : `${n}${index}; ${explain.why}; pg_stat_statements' text: -- ${oneLine(statement.query)}`;
        })
        .join(" "),
  }),
  defineRule<TempMatch>({
    id: "postgres.temp-files",
    culprit: "target",
    area: "postgres",
    scope: "scenario",
    title: "Queries spilled to temporary files: work_mem too small",
    impact: "medium",
    runbook:
      "docs/runbooks/postgres-temp-files.md · work_mem https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-WORK-MEM · " +
      "temp_bytes https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-DATABASE-VIEW · ALTER SYSTEM https://www.postgresql.org/docs/current/sql-altersystem.html",
    when: (subject) => {
      const c = pgContext(subject);
      const tempBytes = c?.reading.metrics.temp_bytes;
      return c === undefined || tempBytes === undefined || tempBytes <= 0 ? undefined : { ...c, tempBytes };
    },
    evidence: (m) => [`${formatBytes(m.tempBytes)} written to temporary files during the scenario; work_mem${now(m, "work_mem")}`, ...via(m)],
    recommendation: (m) => {
      const current = m.settingsBytes.work_mem ?? 4 * MB;
      const want = Math.min(256 * MB, Math.max(64 * MB, nextPowerOfTwo(current * 4)));
      // At 256MB and above a server-wide raise multiplies by every sort of every backend: no more.
      if (pgRound(want) <= current) {
        return (
          `work_mem${now(m, "work_mem")} is already large: EXPLAIN (ANALYZE, BUFFERS) the statements that spill, ` +
          "index or rewrite their sorts and hashes, or SET work_mem higher for their role only"
        );
      }
      return `work_mem = '${pgSize(want)}'${now(m, "work_mem")}: ${apply(m, { work_mem: pgSize(want) }, false)} (or SET work_mem for the heavy queries' role only)`;
    },
  }),
];

