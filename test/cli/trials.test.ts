// `--trials` and `--tag` through the CLI, on DuckDB in-process: every trial is stored and shown,
// and the tag finds the run again.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import type { StoredRun } from "../../src/store/results-store.js";
import { pipebench } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-cli-trials-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, "results.db");
const suite = join(dir, "duck.yaml");
writeFileSync(
  suite,
  `name: duck-trials
targets:
  duck: { kind: duckdb }
scenarios:
  count:
    target: duck
    workload: { type: query, sql: "select count(*) from range(1000)" }
    load: { executor: closed, workers: 1, iterations: 20 }
`,
);

test("--trials 3 stores three trials of each scenario; --tag finds the run again", async () => {
  const r = await pipebench(["run", "--allow-invalid", suite, "--store", store, "--trials", "3", "--tag", "first-try"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /count · trial 3\/3/);
  assert.match(r.stdout, /count #1[\s\S]*count #2[\s\S]*count #3/);
  // What compare compares, printed: each column's median over the trials. A query's records are rows.
  assert.match(r.stdout, /\nmedian of the 3 trials \(what compare compares\)\ncount median +duck +closed ×1 +20 +[\d,.]+\/s +[\d,.]+ rows\/s /);

  const shown = await pipebench(["show", "first-try", "--store", store, "--format", "json"]);
  assert.equal(shown.code, 0, shown.stderr);
  const run = JSON.parse(shown.stdout) as StoredRun;
  assert.equal(run.tag, "first-try");
  assert.equal(run.trials, 3);
  assert.deepEqual(run.scenarioResults.map((s) => [s.name, s.trial, s.result.ops]), [["count", 0, 20], ["count", 1, 20], ["count", 2, 20]]);
  // The JSON names its schema and the unit of its numbers.
  const doc = JSON.parse(shown.stdout) as { schema: string; units: Record<string, string> };
  assert.equal(doc.schema, "pipebench.run/1");
  assert.match(doc.units["scenarioResults[].result.mbps"] ?? "", /10\^6 bytes/);

  // One scenario run three times is said so, with the tag it was given.
  const runs = await pipebench(["runs", "--store", store]);
  assert.match(runs.stdout, /^run +started \(UTC\) +suite +tag +status +exit +scenarios +took$/m);
  assert.match(runs.stdout, /duck-trials +first-try +passed +0 +1 × 3 trials /);
});

test("a bad --trials or --tag is refused before anything runs (exit 2)", async () => {
  for (const args of [["--trials", "0"], ["--trials", "two"], ["--tag", "has space"], ["--tag", "latest"], ["--tag", "baseline"]]) {
    const r = await pipebench(["run", suite, "--store", join(dir, "never.db"), ...args]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /hint:/);
  }
  assert.equal(existsSync(join(dir, "never.db")), false);
  const missing = await pipebench(["show", "no-such-tag", "--store", store]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no run "no-such-tag"/);
});

test("reading commands refuse a store that is not there or not pipebench's, and leave it as it was", async () => {
  const mistyped = join(dir, "resluts.db");
  for (const args of [["runs"], ["show", "latest"], ["compare", "latest~1", "latest"], ["diagnose", "latest"], ["baseline", "show"]]) {
    const r = await pipebench([...args, "--store", mistyped]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /there is no results store at .*resluts\.db/);
  }
  assert.equal(existsSync(mistyped), false, "no empty store made at a mistyped path");

  const other = join(dir, "other-app.db");
  const db = new Database(other);
  db.exec("create table notes (body text); insert into notes values ('keep me')");
  db.close();
  const before = readFileSync(other);
  for (const args of [["runs"], ["run", suite]]) {
    const r = await pipebench([...args, "--store", other]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /is an SQLite database, but not a pipebench results store/);
  }
  assert.deepEqual(readFileSync(other), before, "another program's database is not touched");

  const limit = await pipebench(["runs", "--limit", "abc", "--store", store]);
  assert.equal(limit.code, 2);
  assert.match(limit.stderr, /--limit abc is not a number of runs/);
});
