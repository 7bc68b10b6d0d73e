// One results store in PostgreSQL (real, embedded), shared the way a team's generators, CI runners
// and laptops share it: runs started at once from two processes both land in a store neither had
// created; `runs`, `show`, `baseline`, `compare baseline latest` and `report` read it with --store
// or PIPEBENCH_STORE; its password is never printed; a store that does not answer is exit 2.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { useEmbeddedPostgres } from "../helpers/postgres.js";
import { pipebench } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-shared-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const pg = useEmbeddedPostgres();

/** DuckDB in-process: the store is the only thing the runs share. */
function suite(name: string, sql: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      "targets:",
      "  duck: { kind: duckdb }",
      "scenarios:",
      "  count:",
      "    target: duck",
      `    workload: { type: query, sql: "${sql}" }`,
      "    load: { executor: constant-rate, rate: 100, duration: 1s }",
      '    thresholds: ["error_rate == 0"]',
      "",
    ].join("\n"),
  );
  return file;
}

test("two machines' runs land in one new PostgreSQL store; runs, show, baseline, compare and report read it", async () => {
  await pg.sql("create database team_results");
  const url = pg.urlFor("team_results");
  const password = decodeURIComponent(new URL(url).password);
  const left = suite("ingest", "select 1");
  const runs = await Promise.all(
    ["laptop", "ci"].map((tag) => pipebench(["run", left, "--allow-invalid", "--tag", tag, "--store", url, "--format", "json"])),
  );
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  for (const r of runs) assert.ok(!`${r.stdout}${r.stderr}`.includes(password), "the store's password is not printed");
  const ids = runs.map((r) => (JSON.parse(r.stdout) as { id: number }).id).sort();
  assert.equal(new Set(ids).size, 2);

  // The URL from the environment, as a pod or a CI job would keep it out of the command line.
  const env = { PIPEBENCH_STORE: url };
  const listed = await pipebench(["runs", "--format", "json"], env);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual((JSON.parse(listed.stdout) as { tag: string }[]).map((r) => r.tag).sort(), ["ci", "laptop"]);

  const set = await pipebench(["baseline", "set", "laptop"], env);
  assert.equal(set.code, 0, set.stderr);
  const after = await pipebench(["run", left, "--allow-invalid", "--tag", "after"], env);
  assert.equal(after.code, 0, after.stderr);
  assert.match(after.stdout, /stored as run 3 in postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/team_results/);
  const compare = await pipebench(["compare", "baseline", "latest"], env);
  assert.equal(compare.code, 0, compare.stderr);
  assert.match(compare.stdout, /laptop/);
  assert.match(compare.stdout, /after/);

  const show = await pipebench(["show", "after", "--format", "json"], env);
  assert.equal(show.code, 0, show.stderr);
  assert.equal((JSON.parse(show.stdout) as { tag: string; scenarioResults: unknown[] }).scenarioResults.length, 1);
  const out = join(dir, "report");
  const report = await pipebench(["report", "latest", "--vs", "baseline", "--out", out], env);
  assert.equal(report.code, 0, report.stderr);
  assert.ok(existsSync(join(out, "report.html")) && existsSync(join(out, "report.md")));
});

test("a store that does not answer, or a database without one, is exit 2 with a hint and no password", async () => {
  const url = new URL(pg.urlFor("postgres"));
  const password = decodeURIComponent(url.password);
  url.port = "1";
  const down = await pipebench(["runs", "--store", url.toString()]);
  assert.equal(down.code, 2, down.stderr);
  assert.match(down.stderr, /cannot open the results store postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/postgres/);
  assert.match(down.stderr, /hint: check the URL/);
  assert.ok(!down.stderr.includes(password));

  await pg.sql("create database empty_results");
  const empty = await pipebench(["runs", "--store", pg.urlFor("empty_results")]);
  assert.equal(empty.code, 2, empty.stderr);
  assert.match(empty.stderr, /there is no results store in postgres:/);
});
