// Two `pipebench run`s writing into one store at once (issue 5): both land, complete, with all their
// scenarios and trials, and SQLite's integrity check passes. Both start on a store that does not
// exist yet, so they also race to create it and migrate its schema.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { pipebench } from "../cli/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-concurrent-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const SCENARIOS = 6;
const TRIALS = 2;

/** DuckDB in-process: no server to share, so the store is the only thing the two runs share. */
function suite(name: string): string {
  const lines = [`name: ${name}`, "targets:", "  duck: { kind: duckdb }", "scenarios:"];
  for (let i = 0; i < SCENARIOS; i++) {
    lines.push(
      `  ${name}-${i}:`,
      "    target: duck",
      `    workload: { type: query, sql: "select ${i} + 1" }`,
      // Short, so that the two runs' scenario writes interleave over a few seconds.
      "    load: { executor: constant-rate, rate: 200, duration: 300ms }",
      '    thresholds: ["error_rate == 0"]',
    );
  }
  return `${lines.join("\n")}\n`;
}

test("two runs into one new store at once both land, every scenario and trial, and the store is intact", async () => {
  const store = join(dir, "results.db");
  const files = ["left", "right"].map((name) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, suite(name));
    return file;
  });
  const results = await Promise.all(files.map((f) => pipebench(["run", "--allow-invalid", f, "--store", store, "--trials", String(TRIALS), "--format", "json"])));
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  const ids = results.map((r) => (JSON.parse(r.stdout) as { id: number }).id);
  assert.notEqual(ids[0], ids[1]);

  // The two really overlapped: each started before the other finished.
  const db = new Database(store, { readonly: true });
  try {
    const runs = db.prepare("select id, suite_name, status, started_at, finished_at from runs order by id").all() as {
      id: number;
      suite_name: string;
      status: string;
      started_at: number;
      finished_at: number;
    }[];
    assert.deepEqual(runs.map((r) => r.status), ["passed", "passed"]);
    assert.deepEqual(runs.map((r) => r.suite_name).sort(), ["left", "right"]);
    const [a, b] = runs;
    assert.ok(a && b && a.started_at < b.finished_at && b.started_at < a.finished_at, `runs overlapped: ${JSON.stringify(runs)}`);

    for (const run of runs) {
      const rows = db.prepare("select name, trial, status from scenarios where run_id = ? order by name, trial").all(run.id) as {
        name: string;
        trial: number;
        status: string;
      }[];
      const expected = Array.from({ length: SCENARIOS }, (_, i) => Array.from({ length: TRIALS }, (_, t) => `${run.suite_name}-${i}#${t}`)).flat();
      assert.deepEqual(rows.map((r) => `${r.name}#${r.trial}`), expected);
      assert.ok(rows.every((r) => r.status === "completed"), JSON.stringify(rows));
      const metrics = db.prepare("select count(*) as n from metrics m join scenarios s on s.id = m.scenario_id where s.run_id = ?").get(run.id) as { n: number };
      assert.ok(metrics.n >= SCENARIOS * TRIALS * 5, `${metrics.n} metric rows for run ${run.id}`);
    }
    assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
    assert.deepEqual(db.pragma("foreign_key_check"), []);
  } finally {
    db.close();
  }

  // And each reads back whole through the CLI.
  for (const id of ids) {
    const show = await pipebench(["show", String(id), "--store", store, "--format", "json"]);
    assert.equal(show.code, 0, show.stderr);
    assert.equal((JSON.parse(show.stdout) as { scenarioResults: unknown[] }).scenarioResults.length, SCENARIOS * TRIALS);
  }
});
