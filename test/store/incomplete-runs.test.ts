// Runs left `running` by a process that died (issue 5, item 2): schema 4 records each run's owner
// (pid, host, start token); opening the store marks `incomplete` exactly the runs whose owner is
// certainly gone — never a live process's, never another host's, never one with no owner recorded.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { ResultsStore } from "../../src/store/results-store.js";
import { currentOwner, ownerGone, processStartToken, type RunOwner } from "../../src/store/run-owner.js";
import { SQLITE_MIGRATIONS } from "../../src/store/schema.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-incomplete-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const env = { pipebench: "0.0.0", node: process.version, host: {}, targets: {} };

/** The pid of a process that has exited (and been reaped): no process has it now, barring reuse. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

test("a schema-3 store with rows migrates to the current schema: rows kept, its unowned running run left alone", async () => {
  const path = join(dir, "schema3.db");
  const old = new Database(path);
  for (const m of SQLITE_MIGRATIONS.slice(0, 3)) old.exec(m);
  old.pragma("user_version = 3");
  old.exec(`insert into runs (id, suite_name, suite_file, started_at, finished_at, status, exit_code, environment, suite, tag, trials)
            values (1, 's', '/s.yaml', 1, 2, 'passed', 0, '${JSON.stringify(env)}', '{}', 'before', 1),
                   (2, 's', '/s.yaml', 3, null, 'running', null, '${JSON.stringify(env)}', '{}', null, 1)`);
  old.exec(`insert into scenarios (id, run_id, ordinal, name, trial, target, target_kind, workload, load, status, started_at, duration_s, result)
            values (1, 1, 0, 'copy', 0, 'pg', 'postgres', '{}', '{}', 'completed', 1, 2, '{}')`);
  old.exec(`insert into metrics (scenario_id, name, value, unit) values (1, 'throughput', 500, 'records/s')`);
  old.exec(`insert into series (scenario_id, t, ops, errors, records, bytes) values (1, 0, 5, 0, 500, 2500)`);
  old.close();

  const store = await ResultsStore.open(path);
  const runs = await store.listRuns();
  await store.close();
  assert.deepEqual(runs.map((r) => [r.id, r.status, r.tag, r.scenarios]), [[2, "running", null, 0], [1, "passed", "before", 1]]);

  const db = new Database(path, { readonly: true });
  assert.equal(db.pragma("user_version", { simple: true }), SQLITE_MIGRATIONS.length);
  assert.deepEqual(db.prepare(`select owner_pid, owner_host, owner_start from runs order by id`).all(), [
    { owner_pid: null, owner_host: null, owner_start: null },
    { owner_pid: null, owner_host: null, owner_start: null },
  ]);
  assert.deepEqual(db.prepare(`select value from metrics where scenario_id = 1`).all(), [{ value: 500 }]);
  assert.deepEqual(db.prepare(`select t, ops from series where scenario_id = 1`).all(), [{ t: 0, ops: 5 }]);
  assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
  db.close();
});

test("opening the store marks incomplete exactly the running runs whose owner is gone", async () => {
  const path = join(dir, "owners.db");
  const me = currentOwner();
  assert.equal(me.pid, process.pid);
  assert.ok(me.start !== undefined && /^[0-9a-f-]{36}:\d+@\d+$/.test(me.start), `a Linux start token and pid namespace: ${me.start}`);
  const dead = deadPid();
  const cases: [string, RunOwner, "running" | "incomplete"][] = [
    ["its pid is gone", { pid: dead, host: hostname() }, "incomplete"],
    ["its pid is gone, with a start token", { pid: dead, host: hostname(), start: `${me.start?.split(":")[0]}:1` }, "incomplete"],
    ["its pid now belongs to a process started at another time", { pid: process.pid, host: hostname(), start: `${me.start?.split(":")[0]}:1` }, "incomplete"],
    ["its pid now belongs to a process of another boot", { pid: process.pid, host: hostname(), start: `00000000-0000-0000-0000-000000000000:${me.start?.split(":")[1]}` }, "incomplete"],
    ["its owner is alive (this process)", me, "running"],
    ["its owner is alive, start unknown", { pid: process.pid, host: hostname() }, "running"],
    ["another host's run", { pid: dead, host: `not-${hostname()}` }, "running"],
    ["a run of another pid namespace (a container sharing the store)", { pid: dead, host: hostname(), start: `${me.start?.split(":")[0]}:1@1` }, "running"],
  ];
  const store = await ResultsStore.open(path);
  const ids: number[] = [];
  for (const [, owner] of cases) ids.push(await store.beginRun({ suiteName: "s", suiteFile: "/s.yaml", startedAt: 1, environment: env, suite: {}, owner }));
  // A finished run of a dead owner is history, not a run to mark.
  const finished = await store.beginRun({ suiteName: "s", suiteFile: "/s.yaml", startedAt: 1, environment: env, suite: {}, owner: { pid: dead, host: hostname() } });
  await store.finishRun(finished, "passed", 0, []);
  await store.close();

  const reopened = await ResultsStore.open(path);
  const status = new Map((await reopened.listRuns({ limit: 100 })).map((r) => [r.id, r.status]));
  assert.deepEqual(await reopened.markAbandoned(), [], "marked once, on the first open");
  await reopened.close();
  assert.deepEqual(
    cases.map(([why], i) => [why, status.get(ids[i] ?? -1)]),
    cases.map(([why, , expected]) => [why, expected]),
  );
  assert.equal(status.get(finished), "passed");
});

test("a zombie owner is gone; a live child is not; its token matches only itself", async () => {
  assert.equal(`${processStartToken(process.pid)}@`, currentOwner().start?.replace(/@.*/, "@"));
  assert.equal(processStartToken(deadPid()), undefined);
  const { spawn } = await import("node:child_process");
  const child = spawn("sleep", ["30"], { stdio: "ignore" });
  try {
    const pid = child.pid ?? -1;
    const start = processStartToken(pid);
    assert.ok(start !== undefined && start !== currentOwner().start);
    assert.equal(ownerGone({ pid, host: hostname(), ...(start === undefined ? {} : { start }) }), false);
    // Killed but not yet reaped: a zombie still has its pid, and is gone all the same. Node reaps on
    // SIGCHLD, so block the event loop briefly while the kernel delivers the kill.
    process.kill(pid, "SIGKILL");
    const until = Date.now() + 200;
    while (Date.now() < until) {
      // busy-wait: no reaping while we look
    }
    assert.equal(ownerGone({ pid, host: hostname(), ...(start === undefined ? {} : { start }) }), true);
  } finally {
    child.kill("SIGKILL");
  }
});
