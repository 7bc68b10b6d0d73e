// Connecting a postgres target: start the embedded server when asked, open and fill the workload
// pool, prove the server answers (`select version()`), run the target's setup SQL. Anything that
// stops us from talking to the server becomes one TargetUnreachable line naming host:port and
// what to check; later failures of single operations are the engine's to count.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import pg from "pg";
import type { ConnectContext, Connection, PreparedWorkload } from "../driver.js";
import { firstLine, TargetUnreachable, UsageError } from "../../errors.js";
import { postgresStatsProbe } from "../../probes/postgres-stats.js";
import { rememberSecret } from "../../store/redact.js";
import type { Probe } from "../../probes/probe.js";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded.js";
import { prepareInsert, type RowCounter } from "./insert.js";
import { unknownQueryProblem } from "../named-query.js";
import { runSetup } from "../setup-sql.js";
import { Unreachable } from "../unreachable.js";
import { prepareQuery } from "./query.js";
import type { PostgresTarget, PostgresWorkload } from "./schema.js";

/** How long one connection attempt may take before the target counts as unreachable. */
const CONNECT_TIMEOUT_MS = 10_000;

export async function connectPostgres(target: PostgresTarget, ctx: ConnectContext): Promise<Connection<PostgresWorkload>> {
  let server: EmbeddedPostgres | undefined;
  if (target.embedded !== undefined && target.embedded !== false) {
    const embedded = target.embedded === true ? {} : target.embedded;
    server = await startEmbeddedPostgres({
      target: ctx.name,
      log: (line) => ctx.log(`${ctx.name}: ${line}`),
      ...(embedded.version === undefined ? {} : { version: embedded.version }),
      ...(embedded.settings === undefined ? {} : { settings: embedded.settings }),
    });
  }
  const url = server?.url ?? withPassword(target.url ?? "", await passwordOf(target, ctx.name, ctx.suiteDir));
  try {
    const { pool, version } = await openPool(url, target.pool, ctx.name);
    try {
      await runSetup(target.setup, { target: ctx.name, run: (sql) => pool.query(sql) });
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return postgresConnection({ target, name: ctx.name, url, version, pool, server });
  } catch (error) {
    await server?.stop();
    throw error;
  }
}

/** `password:` or the contents of `passwordFile:` (one trailing newline dropped), if either is given. */
async function passwordOf(target: PostgresTarget, name: string, suiteDir: string): Promise<string | undefined> {
  if (target.password !== undefined) return target.password;
  if (target.passwordFile === undefined) return undefined;
  const path = resolve(suiteDir, target.passwordFile);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`targets.${name}.passwordFile: cannot read ${path}${typeof code === "string" ? ` (${code})` : ""}`, {
      hint: "check the path (a relative path is relative to the suite file) and that this user may read the file",
    });
  }
  const password = text.replace(/\r?\n$/, "");
  rememberSecret(password);
  if (password === "") {
    throw new UsageError(`targets.${name}.passwordFile: ${path} is empty`, { hint: "write the password into the file, on one line" });
  }
  return password;
}

/** The URL with the password set (percent-encoded, as pg decodes it); unchanged without one. */
function withPassword(url: string, password: string | undefined): string {
  if (password === undefined || url === "") return url;
  try {
    const u = new URL(url);
    u.password = encodeURIComponent(password);
    return u.toString();
  } catch {
    return url; // not a URL after all: connecting says so, naming the field
  }
}

interface ConnectionParts {
  target: PostgresTarget;
  name: string;
  url: string;
  version: string;
  pool: pg.Pool;
  server: EmbeddedPostgres | undefined;
}

function postgresConnection(parts: ConnectionParts): Connection<PostgresWorkload> {
  const { target, name, url, version, pool, server } = parts;
  // Row counters outlive one scenario: a later scenario (or trial) writing the same table with the
  // same generator and seed continues where the last stopped instead of repeating its rows.
  const counters = new Map<string, RowCounter>();
  const probes: (Probe & { close(): Promise<void> })[] = [];
  let closing: Promise<void> | undefined;

  return {
    info: { version, url },
    async prepare(workload: PostgresWorkload, scenario: string): Promise<PreparedWorkload> {
      if (workload.type === "insert") {
        const key = `${workload.table}\u0000${workload.generator}\u0000${workload.seed}`;
        let counter = counters.get(key);
        if (!counter) counters.set(key, (counter = { next: 0 }));
        return prepareInsert(pool, workload, counter, target.pool);
      }
      const problem = unknownQueryProblem(workload, target.queries, name);
      if (problem) throw new UsageError(`scenario ${scenario}: ${problem.message}`, { hint: problem.fix });
      return prepareQuery(pool, workload, target.queries, target.pool);
    },
    probe(kind: string): Probe | undefined {
      if (kind !== "postgres-stats") return undefined;
      const probe = postgresStatsProbe({ url });
      probes.push(probe);
      return probe;
    },
    close(): Promise<void> {
      closing ??= (async () => {
        await Promise.all(probes.map((p) => p.close()));
        await pool.end().catch(() => undefined);
        await server?.stop();
      })();
      return closing;
    },
  };
}

/**
 * Opens the pool with all its connections (so the first operations do not pay for connecting, and
 * a pool larger than the server allows fails now, not mid-run) and reads the server version.
 */
export async function openPool(url: string, size: number, target: string): Promise<{ pool: pg.Pool; version: string }> {
  const pool = new pg.Pool({
    connectionString: url,
    max: size,
    // Never close idle connections: the pool stays the size the suite asked for.
    idleTimeoutMillis: 0,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: "pipebench",
  });
  // An idle connection dropped by the server emits here; without a listener the process would
  // crash. The next operation on the pool fails (and is counted) or reconnects.
  pool.on("error", () => undefined);
  try {
    const attempts = await Promise.allSettled(Array.from({ length: size }, () => pool.connect()));
    const clients = attempts.flatMap((a) => (a.status === "fulfilled" ? [a.value] : []));
    let version = "";
    try {
      const failed = attempts.find((a) => a.status === "rejected");
      if (failed) throw failed.reason;
      const result = await clients[0]?.query<{ version: string }>("select version()");
      version = result?.rows[0]?.version ?? "";
    } finally {
      // Checked-out clients would keep pool.end() waiting forever.
      for (const client of clients) client.release();
    }
    return { pool, version: /^PostgreSQL\s+[^\s,]+/.exec(version)?.[0] ?? version };
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw unreachable(error, url, target);
  }
}

interface Endpoint {
  host: string;
  port: string;
  user: string;
  database: string;
}

/** Where a URL points, for messages; never includes the password. */
export function endpointOf(url: string): Endpoint {
  try {
    const u = new URL(url);
    const host = u.searchParams.get("host") ?? (u.hostname.replace(/^\[|\]$/g, "") || "localhost");
    const user = decodeURIComponent(u.username) || process.env.PGUSER || "postgres";
    return {
      host,
      port: u.searchParams.get("port") ?? (u.port || "5432"),
      user,
      database: decodeURIComponent(u.pathname.replace(/^\//, "")) || user,
    };
  } catch {
    return { host: "?", port: "?", user: "?", database: "?" };
  }
}

/** One line naming host:port, what went wrong and what to check. */
export function unreachable(error: unknown, url: string, target: string): TargetUnreachable {
  const { host, port, user, database } = endpointOf(url);
  const at = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  const u = new Unreachable(error, {
    product: "PostgreSQL",
    at,
    target,
    refused: { hint: "start the server, or set embedded: true on the target to have pipebench start a throwaway one" },
    reset: "is this PostgreSQL's port?",
  });
  const network = u.network();
  if (network) return network;
  const detail = firstLine(error);
  switch (u.code) {
    case "28P01":
      return u.fail(
        `PostgreSQL at ${at} rejected the password of user "${user}" (28P01): check the user and password in ${u.where}`,
        "percent-encode special characters in the password (@ as %40, / as %2F)",
      );
    case "28000":
      return u.fail(
        `PostgreSQL at ${at} refused user "${user}" for database "${database}" (28000: ${detail}): check pg_hba.conf on the server and the user in ${u.where}`,
        "pg_hba.conf must allow this client's address, user and database",
      );
    case "3D000":
      return u.fail(`PostgreSQL at ${at} has no database "${database}" (3D000): create it, or fix the database name in ${u.where}`, `e.g. createdb -h ${host} -p ${port} -U ${user} ${database}`);
    case "53300":
      return u.fail(
        `PostgreSQL at ${at} has no free connection slots (53300): lower pool in targets.${target}, or raise max_connections on the server`,
        "the pool opens all its connections at start; max_connections bounds them together with every other client",
      );
    default:
      return u.timedOut(CONNECT_TIMEOUT_MS) ?? u.other(detail);
  }
}
