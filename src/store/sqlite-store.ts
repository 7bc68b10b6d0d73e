// The results store in an SQLite file (the default, .pipebench/results.db): refusing another
// program's database, WAL and foreign keys, migrating an older schema once (two processes opening
// it at once included). better-sqlite3 answers synchronously; `Sql` wraps it in promises so the
// store's statements are written once for SQLite and PostgreSQL.
import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { StoreError } from "../errors.js";
import { SQLITE_MIGRATIONS } from "./schema.js";
import type { OpenedSql, Row, Sql } from "./sql.js";

class SqliteSql implements Sql {
  readonly dialect = "sqlite";
  constructor(private readonly db: Database.Database) {}

  all(text: string, params: readonly unknown[] = []): Promise<Row[]> {
    return this.attempt(() => this.db.prepare(text).all(...params) as Row[]);
  }

  get(text: string, params: readonly unknown[] = []): Promise<Row | undefined> {
    return this.attempt(() => this.db.prepare(text).get(...params) as Row | undefined);
  }

  run(text: string, params: readonly unknown[] = []): Promise<void> {
    return this.attempt(() => void this.db.prepare(text).run(...params));
  }

  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    // Inside one already (replacing a scenario is a delete and an insert), the work joins it.
    if (this.db.inTransaction) return work(this);
    // The store runs one call at a time (results-store.ts), so no other statement lands inside.
    this.db.exec("begin immediate");
    try {
      const result = await work(this);
      this.db.exec("commit");
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec("rollback");
      throw error;
    }
  }

  /** The statement runs now, synchronously; its result or error comes back as a promise. */
  private attempt<T>(statement: () => T): Promise<T> {
    try {
      return Promise.resolve(statement());
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

/**
 * The SQLite store at `path`, opened and migrated. `create: false` for commands that only read: a
 * mistyped --store is an error, not a new empty database.
 */
export function openSqlite(path: string, options: { create?: boolean } = {}): OpenedSql {
  const full = resolve(path);
  if (options.create === false && !existsSync(full)) {
    throw new StoreError(`there is no results store at ${full}`, {
      hint: "`pipebench run` writes one there; or point --store at the one you have",
    });
  }
  let db: Database.Database;
  try {
    mkdirSync(dirname(full), { recursive: true });
    db = new Database(full);
    // Another program's SQLite file is left as it is: no journal mode, no tables of ours.
    const version = db.pragma("user_version", { simple: true }) as number;
    const tables = (db.prepare("select count(*) as n from sqlite_master").get() as { n: number }).n;
    if (version === 0 && tables > 0) {
      db.close();
      throw new StoreError(`${full} is an SQLite database, but not a pipebench results store`, {
        hint: "pass --store with the path of a results store, or of a new file",
      });
    }
    db.pragma("journal_mode = WAL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
  } catch (cause) {
    if (cause instanceof StoreError) throw cause;
    throw new StoreError(`cannot open the results store at ${full}: ${(cause as Error).message}`, {
      hint: "check that the directory is writable, or pass --store PATH",
      cause,
    });
  }
  migrate(db, full);
  const sql = new SqliteSql(db);
  return {
    location: full,
    sql,
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}

function migrate(db: Database.Database, path: string): void {
  const version = (): number => db.pragma("user_version", { simple: true }) as number;
  if (version() > SQLITE_MIGRATIONS.length) {
    throw new StoreError(
      `the results store ${path} was written by a newer pipebench (schema ${version()})`,
      { hint: "upgrade pipebench, or use another store with --store PATH" },
    );
  }
  if (version() === SQLITE_MIGRATIONS.length) return;
  // Foreign keys off while migrating: a migration that rebuilds a table must not cascade-delete
  // the rows referencing it. The pragma is ignored inside a transaction, so it is set around.
  db.pragma("foreign_keys = OFF");
  try {
    // `immediate`: two pipebench processes opening an old store at once migrate it once.
    db.transaction(() => {
      for (let i = version(); i < SQLITE_MIGRATIONS.length; i++) {
        db.exec(SQLITE_MIGRATIONS[i] ?? "");
        db.pragma(`user_version = ${i + 1}`);
      }
      const broken = db.pragma("foreign_key_check") as unknown[];
      if (broken.length > 0) throw new StoreError(`migrating ${path} left ${broken.length} dangling rows`);
    }).immediate();
  } finally {
    db.pragma("foreign_keys = ON");
  }
}
