// The results store in PostgreSQL (`--store postgres://…`), so generators, CI runners and
// laptops share one history: the same tables and migrations as the SQLite file, in a schema of
// their own (`pipebench`) so a team's database can hold them beside its own tables. Two processes
// opening a new or older store at once migrate it once (an advisory lock).
import pg from "pg";
import { StoreError } from "../errors.js";
import { redactText } from "./redact.js";
import { POSTGRES_MIGRATIONS } from "./schema.js";
import type { OpenedSql, Row, Sql } from "./sql.js";

const SCHEMA = "pipebench";
/** Any constant: the advisory lock two pipebench processes migrating one database take. */
const MIGRATION_LOCK = 7_318_004;

/** `?` placeholders, as the store's statements are written, to PostgreSQL's `$1 …`. */
function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

type Queryable = pg.Pool | pg.PoolClient;

class PostgresSql implements Sql {
  readonly dialect = "postgres";
  constructor(
    private readonly on: Queryable,
    private readonly pool: pg.Pool,
  ) {}

  async all(text: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.on.query<Row>(numbered(text), [...params])).rows;
  }

  async get(text: string, params: readonly unknown[] = []): Promise<Row | undefined> {
    return (await this.all(text, params))[0];
  }

  async run(text: string, params: readonly unknown[] = []): Promise<void> {
    await this.on.query(numbered(text), [...params]);
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    if (this.on !== this.pool) return work(this);
    const client = await this.pool.connect();
    try {
      await client.query("begin");
      const result = await work(new PostgresSql(client, this.pool));
      await client.query("commit");
      return result;
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/**
 * The PostgreSQL store at `url`, connected and migrated. `create: false` for commands that only
 * read: a database without pipebench's tables is an error, and nothing is created in it.
 */
export async function openPostgres(url: string, options: { create?: boolean } = {}): Promise<OpenedSql> {
  const location = redactText(url);
  const pool = new pg.Pool({ connectionString: url, max: 4, options: `-c search_path=${SCHEMA}` });
  // An idle connection the server drops (a restart) must not crash the process.
  pool.on("error", () => undefined);
  try {
    await migrate(pool, location, options.create !== false);
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (error instanceof StoreError) throw error;
    throw new StoreError(`cannot open the results store ${location}: ${(error as Error).message}`, {
      hint: "check the URL (user, password or $PGPASSWORD, host, port, database) and that the server answers; pipebench keeps its tables in the database's schema pipebench",
      cause: error,
    });
  }
  return { location, sql: new PostgresSql(pool, pool), close: () => pool.end() };
}

async function migrate(pool: pg.Pool, location: string, create: boolean): Promise<void> {
  const client = await pool.connect();
  try {
    const ours = await client.query(
      `select count(*)::int as tables, count(*) filter (where table_name = 'store_schema')::int as marked
       from information_schema.tables where table_schema = $1`,
      [SCHEMA],
    );
    const { tables, marked } = ours.rows[0] as { tables: number; marked: number };
    if (marked === 0 && tables > 0) {
      throw new StoreError(`the schema ${SCHEMA} in ${location} holds tables, but not a pipebench results store`, {
        hint: "give pipebench a database whose schema pipebench is its own (or empty)",
      });
    }
    if (marked === 0 && !create) {
      throw new StoreError(`there is no results store in ${location}`, {
        hint: "`pipebench run --store URL` writes one there; or point --store at the one you have",
      });
    }
    await client.query("begin");
    try {
      await client.query("select pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      await client.query(`create schema if not exists ${SCHEMA}`);
      await client.query(`create table if not exists ${SCHEMA}.store_schema (version integer not null)`);
      const row = (await client.query(`select version from ${SCHEMA}.store_schema`)).rows[0] as { version: number } | undefined;
      const version = row?.version ?? 0;
      if (row === undefined) await client.query(`insert into ${SCHEMA}.store_schema (version) values (0)`);
      if (version > POSTGRES_MIGRATIONS.length) {
        throw new StoreError(`the results store ${location} was written by a newer pipebench (schema ${version})`, {
          hint: "upgrade pipebench, or use another store with --store",
        });
      }
      for (let i = version; i < POSTGRES_MIGRATIONS.length; i++) await client.query(POSTGRES_MIGRATIONS[i] ?? "");
      await client.query(`update ${SCHEMA}.store_schema set version = $1`, [POSTGRES_MIGRATIONS.length]);
      await client.query("commit");
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    }
  } finally {
    client.release();
  }
}
