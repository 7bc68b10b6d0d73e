// The check every scripts/*-local watchdog gets (their `start --owner-pid` leaves one): it runs as
// `SCRIPT _watchdog` in a session of its own, outside the process group that ran `start` (where the
// server stays), so a signal to that group (Ctrl-C, a CI job's cancel, a timeout's kill) does not
// take it along and leave the server running. The group is then signalled for real with SIGPIPE,
// which the servers ignore (the JVM, ClickHouse, Go's runtime) and a shell dies of.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";

/** A process's group and session, from /proc/PID/stat (the fields after the command's ")"). */
export async function procStat(pid: number): Promise<{ pgrp: number; sid: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { pgrp: Number(fields[2]), sid: Number(fields[3]) };
}

/** Alive and not a zombie. */
export async function alive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !/^\d+ \(.*\) Z/.test(await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "0 (gone) Z"));
}

/** The watchdog of the server `pid` that `script` started in `dir`: checked, then its start's group signalled. */
export async function assertWatchdogOwnSession(server: { dir: string; pid: number }, script: string): Promise<void> {
  const watchdog = Number((await readFile(join(server.dir, "watchdog.pid"), "utf8")).trim());
  const [wd, srv] = await Promise.all([procStat(watchdog), procStat(server.pid)]);
  const cmdline = await readFile(`/proc/${watchdog}/cmdline`, "utf8");
  assert.ok(cmdline.includes(`${basename(script)}\0_watchdog\0`), `the watchdog (pid ${watchdog}) is not ${basename(script)} _watchdog: ${cmdline.replaceAll("\0", " ")}`);
  assert.equal(wd.sid, watchdog, "the watchdog leads a session of its own");
  assert.notEqual(wd.pgrp, srv.pgrp, "the watchdog is in the process group that ran start");
  process.kill(-srv.pgrp, "SIGPIPE");
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  assert.ok(await alive(server.pid), "the server survived SIGPIPE");
  assert.ok(await alive(watchdog), "the watchdog survived a signal to the group that ran start");
}
