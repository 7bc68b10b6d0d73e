// Opening the results store where --store says: an SQLite file (the default) or a PostgreSQL
// database (postgres://…), migrated either way, then marking `incomplete` the runs whose process
// died mid-run. Nothing here reads or writes a run.
import { ownerGone } from "./run-owner.js";
import type { OpenedSql, Sql } from "./sql.js";
import { openSqlite } from "./sqlite-store.js";

export async function openStore(location: string, options: { create?: boolean } = {}): Promise<OpenedSql> {
  // pg is loaded only for a store on PostgreSQL: the SQLite file, the default, does not pay for it.
  const opened = isPostgresUrl(location) ? await (await import("./postgres-store.js")).openPostgres(location, options) : openSqlite(location, options);
  try {
    await markAbandoned(opened.sql);
  } catch (error) {
    await opened.close();
    throw error;
  }
  return opened;
}

/** How often a running run's process says it is still there. */
export const HEARTBEAT_MS = 30_000;
/**
 * A run whose heartbeat is older than this is gone, wherever its process was: ten beats missed,
 * room for a few minutes' clock difference between the machines sharing a store.
 */
export const HEARTBEAT_STALE_MS = 10 * HEARTBEAT_MS;

/**
 * Marks `incomplete` the runs still `running` whose process is gone (killed mid-run), and returns
 * their ids: on this host, its pid is gone (or taken by another process); on any host (a pod, a CI
 * runner sharing a PostgreSQL store), it has not written its heartbeat for HEARTBEAT_STALE_MS.
 * Runs of live processes, and of stores older than schema 4 (no owner recorded), are left as they are.
 */
export async function markAbandoned(sql: Sql, now = Date.now()): Promise<number[]> {
  const rows = await sql.all(`select id, owner_pid, owner_host, owner_start, heartbeat_at from runs where status = 'running' and owner_pid is not null`);
  const gone = rows.filter(
    (r) =>
      (r.heartbeat_at !== null && now - Number(r.heartbeat_at) > HEARTBEAT_STALE_MS) ||
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

/** Whether `--store` names a PostgreSQL database rather than an SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}
