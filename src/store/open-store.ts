// Opening the results store where --store says: an SQLite file (the default) or a PostgreSQL
// database (postgres://…), migrated either way, then marking `incomplete` the runs whose process
// died mid-run. Nothing here reads or writes a run.
import { openPostgres, isPostgresUrl } from "./postgres-store.js";
import { ownerGone } from "./run-owner.js";
import type { OpenedSql, Sql } from "./sql.js";
import { openSqlite } from "./sqlite-store.js";

export async function openStore(location: string, options: { create?: boolean } = {}): Promise<OpenedSql> {
  const opened = isPostgresUrl(location) ? await openPostgres(location, options) : openSqlite(location, options);
  try {
    await markAbandoned(opened.sql);
  } catch (error) {
    await opened.close();
    throw error;
  }
  return opened;
}

/**
 * Marks `incomplete` the runs still `running` whose process is gone (killed mid-run), and returns
 * their ids. Runs of live processes, of other hosts, and of stores older than schema 4 (no owner
 * recorded) are left as they are.
 */
export async function markAbandoned(sql: Sql): Promise<number[]> {
  const rows = await sql.all(`select id, owner_pid, owner_host, owner_start from runs where status = 'running' and owner_pid is not null`);
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
    for (const r of gone) await sql.run(`update runs set status = 'incomplete' where id = ? and status = 'running'`, [Number(r.id)]);
  } catch {
    // A store this process may only read (read-only file or medium): reading it must still work.
    return [];
  }
  return gone.map((r) => Number(r.id));
}
