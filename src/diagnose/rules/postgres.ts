// PostgreSQL: seed 000's three database checks (Day 6 Task 4: connection pool utilisation, query
// performance, cache hit ratio) with Day 7 Task 2.3's settings as the remedy, quoting the server's
// current values from the postgres-stats probe.
import type { JsonValue, ProbeReading } from "../../probes/probe.js";
import { formatBytes, formatCount, formatMs, formatPercent } from "../../report/format.js";
import type { StoredScenario } from "../../store/results-store.js";
import { formatThresholdValue } from "../../thresholds/format.js";
import { arrayAt, hostOf, numberAt, objectAt, stringAt, targetConfig } from "../readings.js";
import { defineRule, type Subject } from "../rule.js";

const PROBE = "postgres-stats";
/** Seed 000's targets: cache hit > 99 %, connection usage < 50 %, mean query time < 10 ms. */
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

/**
 * Whether a PostgreSQL url names a server on the machine pipebench ran on: loopback, or a Unix
 * socket (no host, or a `host=/dir` parameter). Any other host may be another machine, whose memory
 * pipebench does not know.
 */
export function onThisMachine(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const socketDir = parsed.searchParams.get("host");
  const host = socketDir ?? decodeURIComponent(parsed.hostname);
  return host === "" || host.startsWith("/") || host === "localhost" || host === "[::1]" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

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
  slow: Statement[];
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
    runbook: "seed 000 · Day 6 Task 4.3 Cache Hit Ratio → Day 7 Task 2.3 PostgreSQL Optimization",
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
    runbook: "seed 000 · Day 6 Task 4.1 Connection Pool Utilization · seed 001 · 3. Database Optimization · Connection Pooling",
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
    impact: (m) => ((m.slow[0]?.meanMs ?? 0) >= 100 ? "high" : "medium"),
    rank: (m) => m.slow[0]?.meanMs ?? 0,
    runbook: "seed 000 · Day 6 Task 4.2 Query Performance Analysis · seed 001 · 3. Database Optimization · Indexing Strategy",
    when: (subject) => {
      const c = pgContext(subject);
      if (c === undefined) return undefined;
      // Reads only: a COPY or a multi-row INSERT is slow because it is big, and EXPLAIN has nothing to say.
      const slow = statements(c.reading)
        .filter((s) => s.meanMs > SLOW_STATEMENT_MS && /^\s*(select|with|update|delete)\b/i.test(s.query))
        .sort((a, b) => b.meanMs - a.meanMs);
      return slow.length === 0 ? undefined : { ...c, slow };
    },
    evidence: (m) => [
      ...m.slow.slice(0, 3).map((s) => `${formatMs(s.meanMs)} mean over ${formatCount(s.calls)} calls (target < ${SLOW_STATEMENT_MS} ms): ${shorten(s.query)}`),
      ...via(m),
    ],
    recommendation: (m) => {
      const worst = m.slow[0];
      if (worst === undefined) return "";
      const hint = indexHint(worst.query);
      const explain = `EXPLAIN (ANALYZE, BUFFERS) ${shorten(worst.query, 200)};`;
      const index =
        hint === undefined || hint.columns.length === 0
          ? "look for a Seq Scan over many rows and index the columns it filters on"
          : `if it shows a Seq Scan on ${hint.table}, CREATE INDEX CONCURRENTLY ON ${hint.table} (${hint.columns.join(", ")});`;
      return `${explain} ${index}`;
    },
  }),
  defineRule<TempMatch>({
    id: "postgres.temp-files",
    culprit: "target",
    area: "postgres",
    scope: "scenario",
    title: "Queries spilled to temporary files: work_mem too small",
    impact: "medium",
    runbook: "seed 000 · Day 7 Task 2.3 PostgreSQL Optimization (work_mem)",
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

