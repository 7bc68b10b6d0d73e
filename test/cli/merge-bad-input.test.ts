// `pipebench merge SUITE DIR` with recordings of another suite: exit 2 naming the scenario, a hint,
// and nothing stored (before: a run was begun and left unfinished in the store).
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { pipebench } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-merge-bad-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("merge refuses recordings whose scenario is not the suite's at that place, storing nothing", async () => {
  const suite = join(dir, "suite.yaml");
  writeFileSync(
    suite,
    [
      "name: merged",
      "targets:",
      "  duck: { kind: duckdb }",
      "scenarios:",
      "  q:",
      "    target: duck",
      '    workload: { type: query, sql: "select 1" }',
      "    load: { executor: constant-rate, rate: 10, duration: 1s }",
      "",
    ].join("\n"),
  );
  const recordings = join(dir, "recordings");
  mkdirSync(recordings);
  const recording = { version: 1, segment: { index: 0, count: 1 }, startedAt: 0 };
  writeFileSync(join(recordings, "0-0-0of1.json"), JSON.stringify({ scenario: "writes", ordinal: 0, trial: 0, recording }));
  const store = join(dir, "merged.db");
  const r = await pipebench(["merge", suite, recordings, "--store", store]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /the recordings' scenario 0 is writes, not in .*suite\.yaml at that place/);
  assert.match(r.stderr, /hint: merge with the suite the generators ran/);
  if (existsSync(store)) {
    const db = new Database(store, { readonly: true });
    try {
      assert.deepEqual(db.prepare("select id from runs").all(), [], "no run begun");
    } finally {
      db.close();
    }
  }
});
