// Issue 5, item 2: SIGKILL in the middle of a run. No handler runs, so: the store stays readable with
// every other run intact; what pipebench started (embedded PostgreSQL, the ingest service) is stopped
// and its temp dir removed by their watchdogs; the next pipebench that opens the store marks the
// dead run `incomplete` — but never the run of a pipebench that is still alive. A second Ctrl-C
// quits at once, and still leaves its run marked interrupted.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { BIN, pipebench } from "./helpers.js";
import { gone, leftInTmp, runAndSignal } from "./interrupt-run.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-killed-"));
// As root the embedded server runs as the OS user postgres, which must reach the temp dirs inside.
chmodSync(dir, 0o755);
after(() => rmSync(dir, { recursive: true, force: true }));

/** The watchdogs poll once a second; give them that, a stop and a removal. */
const CLEANUP_WITHIN_MS = 5_000;

function duckSuite(name: string, duration: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      "targets:",
      "  duck: { kind: duckdb }",
      "scenarios:",
      "  q:",
      "    target: duck",
      '    workload: { type: query, sql: "select 1" }',
      `    load: { executor: constant-rate, rate: 50, duration: ${duration} }`,
      "",
    ].join("\n"),
  );
  return file;
}

async function waitFor(what: string, check: () => boolean, withinMs: number): Promise<number> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > withinMs) assert.fail(`${what}: not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now() - started;
}

test("SIGKILL mid-run: store intact, servers and temp dirs cleaned up, the run marked incomplete on the next start", { timeout: 60_000 }, async (t) => {
  const store = join(dir, "results.db");
  const tmp = join(dir, "tmp");
  mkdirSync(tmp);
  chmodSync(tmp, 0o1777);

  const before = await pipebench(["run", "--allow-invalid", duckSuite("before", "1s"), "--store", store]);
  assert.equal(before.code, 0, before.stderr);

  const run = await runAndSignal(store, tmp, "SIGKILL", 1_500);
  assert.equal(run.signal, "SIGKILL");

  // Nothing has opened the store since: it is readable as the killed process left it.
  let db = new Database(store, { readonly: true });
  try {
    assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
    assert.deepEqual(db.prepare(`select id, status from runs order by id`).all(), [
      { id: 1, status: "passed" },
      { id: 2, status: "running" },
    ]);
    assert.deepEqual(db.prepare(`select name, status from scenarios where run_id = 1`).all(), [{ name: "q", status: "completed" }]);
    // Its series is kept: one second, or two when operations were still finishing at the end (a busy machine).
    const points = (db.prepare(`select count(*) as n from series s join scenarios c on c.id = s.scenario_id where c.run_id = 1`).get() as { n: number }).n;
    assert.ok(points === 1 || points === 2, `${points} seconds stored for a 1 s run`);
    // The scenario killed mid-way is there too once it had closed a measured second (its checkpoint).
    const second = db.prepare(`select name, status from scenarios where run_id = 2 order by ordinal`).all();
    assert.deepEqual(second[0], { name: "pg-query", status: "completed" });
    if (second.length > 1) assert.deepEqual(second.slice(1), [{ name: "http-ingest", status: "interrupted" }]);
  } finally {
    db.close();
  }

  // The watchdogs stop the postmaster and the service, and remove the cluster's temp dir.
  assert.ok(run.started.postgres > 0 && run.started.ingest > 0, `found both when killed: ${JSON.stringify(run.started)}`);
  const pgMs = await waitFor(`postgres ${run.started.postgres} stopped`, () => gone(run.started.postgres), CLEANUP_WITHIN_MS);
  const ingestMs = await waitFor(`ingest service ${run.started.ingest} stopped`, () => gone(run.started.ingest), CLEANUP_WITHIN_MS);
  const tmpMs = await waitFor("temp dirs removed", () => leftInTmp(tmp).length === 0, CLEANUP_WITHIN_MS);
  console.log(`after SIGKILL: postgres gone in ${Math.round(pgMs)} ms, ingest +${Math.round(ingestMs)} ms, temp dirs +${Math.round(tmpMs)} ms`);

  // The next start marks it incomplete; runs and show say so, with the scenario it stored.
  const runs = await pipebench(["runs", "--store", store]);
  assert.equal(runs.code, 0, runs.stderr);
  assert.match(runs.stdout, /^\s*2\s+\S+ \S+\s+interrupt\s+–\s+INCOMPLETE\s+–\s+[12]\s/m);
  assert.match(runs.stdout, /^\s*1\s+\S+ \S+\s+before\s+–\s+passed\s+0\s+1\s/m);
  const show = await pipebench(["show", "2", "--store", store]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /pipebench run 2 · interrupt · INCOMPLETE/);
  assert.match(show.stdout, /^pg-query\s+pg\s+closed ×1\s+50\s/m);
  assert.match(show.stdout, /the one running at the time is kept up to its last checkpoint/);

  // A live run is not marked, though another pipebench opens the store while it runs.
  const live = spawn(process.execPath, [BIN, "run", duckSuite("live", "20s"), "--store", store], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  live.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
  live.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
  const exited = new Promise<number | null>((resolve) => live.on("close", (code) => resolve(code)));
  try {
    await waitFor("the live run's scenario started", () => /▸ \[1\/1\] q/.test(output), 15_000);
    const during = await pipebench(["runs", "--store", store, "--format", "json"]);
    const statuses = (JSON.parse(during.stdout) as { id: number; status: string }[]).map((r) => [r.id, r.status]);
    assert.deepEqual(statuses, [[3, "running"], [2, "incomplete"], [1, "passed"]]);
  } finally {
    // Twice: the second quits at once, and the run it leaves is marked interrupted, not left running.
    // The second goes once the first is acknowledged (a fixed delay could land after the run ended).
    live.kill("SIGINT");
  }
  await waitFor("the first Ctrl-C acknowledged", () => /interrupted: stopping/.test(output), 5_000);
  live.kill("SIGINT");
  assert.equal(await exited, 130, output);
  // The first Ctrl-C ends a DuckDB scenario of `select 1` within milliseconds; when the second one
  // lands after that run's summary (a busy machine delays either), quitting at once was not exercised
  // and only what follows (interrupted, exit 130, the store intact) can be judged. CI saw it once.
  if (/stored as run/.test(output)) t.diagnostic("the second Ctrl-C arrived after the run's summary: quitting at once not exercised this time");

  db = new Database(store, { readonly: true });
  try {
    assert.deepEqual(db.prepare(`select id, status from runs order by id`).all(), [
      { id: 1, status: "passed" },
      { id: 2, status: "incomplete" },
      { id: 3, status: "interrupted" },
    ]);
    assert.deepEqual(db.prepare(`select exit_code from runs where id = 3`).get(), { exit_code: 130 });
    assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
  } finally {
    db.close();
  }
});
