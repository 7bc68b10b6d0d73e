// Opening the results store's SQLite file: refusing another program's database, WAL and foreign
// keys, migrating an older schema once (two processes opening it at once included), and marking
// `incomplete` the runs whose process died mid-run. Nothing here reads or writes a run.
import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { StoreError } from "../errors.js";
import { ownerGone } from "./run-owner.js";
import { MIGRATIONS } from "./schema.js";

type Row = Record<string, unknown>;

/**
 * The database at `path`, opened and migrated; its absolute path beside it. `create: false` for
 * commands that only read: a mistyped --store is an error, not a new empty database.
 */
export function openDatabase(path: string, options: { create?: boolean } = {}): { full: string; db: Database.Database } {
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
  markAbandoned(db);
  return { full, db };
}

/**
 * Marks `incomplete` the runs still `running` whose process is gone (killed mid-run), and returns
 * their ids. Runs of live processes, of other hosts, and of stores older than schema 4 (no owner
 * recorded) are left as they are.
 */
export function markAbandoned(db: Database.Database): number[] {
  const rows = db
    .prepare(`select id, owner_pid, owner_host, owner_start from runs where status = 'running' and owner_pid is not null`)
    .all() as Row[];
  const gone = rows.filter((r) =>
    ownerGone({
      pid: Number(r.owner_pid),
      host: String(r.owner_host),
      ...(r.owner_start === null ? {} : { start: String(r.owner_start) }),
    }),
  );
  if (gone.length === 0) return [];
  try {
    // `and status = 'running'`: another process opening the store at the same time may mark it too.
    const mark = db.prepare(`update runs set status = 'incomplete' where id = ? and status = 'running'`);
    for (const r of gone) mark.run(r.id);
  } catch {
    // A store this process may only read (read-only file or medium): reading it must still work.
    return [];
  }
  return gone.map((r) => Number(r.id));
}

function migrate(db: Database.Database, path: string): void {
  const version = (): number => db.pragma("user_version", { simple: true }) as number;
  if (version() > MIGRATIONS.length) {
    throw new StoreError(
      `the results store ${path} was written by a newer pipebench (schema ${version()})`,
      { hint: "upgrade pipebench, or use another store with --store PATH" },
    );
  }
  if (version() === MIGRATIONS.length) return;
  // Foreign keys off while migrating: a migration that rebuilds a table must not cascade-delete
  // the rows referencing it. The pragma is ignored inside a transaction, so it is set around.
  db.pragma("foreign_keys = OFF");
  try {
    // `immediate`: two pipebench processes opening an old store at once migrate it once.
    db.transaction(() => {
      for (let i = version(); i < MIGRATIONS.length; i++) {
        db.exec(MIGRATIONS[i] ?? "");
        db.pragma(`user_version = ${i + 1}`);
      }
      const broken = db.pragma("foreign_key_check") as unknown[];
      if (broken.length > 0) throw new StoreError(`migrating ${path} left ${broken.length} dangling rows`);
    }).immediate();
  } finally {
    db.pragma("foreign_keys = ON");
  }
}
