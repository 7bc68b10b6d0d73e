// Sweeps through the CLI on DuckDB in-process: a 2×2 grid stores four scenarios with their
// combinations, prints the table and names the best that met the thresholds; a sweep of a target
// setting reconnects the target per combination; bad keys and values exit 2 before anything runs.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { StoredRun } from "../../src/store/results-store.js";
import { pipebench } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-cli-sweep-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, "results.db");
const suite = join(dir, "duck-sweep.yaml");
// A light query (under 3 ms, loaded machine included) and a heavy one (80 ms on an idle core, more
// when busy) under a p50 threshold between them: the best must be a light combination.
writeFileSync(
  suite,
  `name: duck-sweep
targets:
  duck: { kind: duckdb, threads: 1 }
scenarios:
  q:
    target: duck
    workload: { type: query, sql: "select 1" }
    load: { executor: closed, workers: 1, iterations: 12 }
    thresholds: ["p50 < 20ms"]
    sweep:
      workload.sql:
        - "select count(*) from range(1000)"
        - "select sum(hash(a.range * b.range)) from range(2000) a, range(2000) b"
      load.workers: [1, 2]
`,
);

test("a 2×2 sweep stores four scenarios with their variants, prints the table and names the best", async () => {
  const r = await pipebench(["run", suite, "--store", store]);
  assert.equal(r.code, 1, `the heavy query fails its threshold, so the run does\n${r.stdout}\n${r.stderr}`);
  console.log(r.stdout.slice(r.stdout.indexOf("sweep q:")).split("\n\n")[0]);
  assert.match(r.stdout, /sweep q: 4 combinations of workload\.sql × load\.workers/);
  const best = /best: (.*) — ([\d,.]+)\/s \(rule: highest throughput/.exec(r.stdout);
  assert.ok(best, r.stdout);
  assert.match(best[1] ?? "", /^sql=select count\(\*\) from range\(1000\) workers=[12]$/);

  const shown = await pipebench(["show", "latest", "--store", store, "--format", "json"]);
  const run = JSON.parse(shown.stdout) as StoredRun;
  assert.equal(run.scenarioResults.length, 4);
  assert.deepEqual(
    run.scenarioResults.map((s) => [s.variant?.["load.workers"], String(s.variant?.["workload.sql"]).includes("2000) b"), s.thresholds.every((t) => t.passed)]),
    [[1, false, true], [2, false, true], [1, true, false], [2, true, false]],
  );
  const light = run.scenarioResults.slice(0, 2).map((s) => s.result.throughput);
  assert.equal(Number((best[2] ?? "").replaceAll(",", "")), Math.round(Math.max(...light)), "best = the highest throughput that passed");

  // `show` prints the same table from the store.
  const table = await pipebench(["show", "latest", "--store", store]);
  assert.match(table.stdout, /sweep q: 4 combinations/);
});

test("--sweep of a target setting reconnects the target with each combination", async () => {
  const r = await pipebench(["run", "--allow-invalid", suite, "--store", store, "--sweep", "target.threads=1,2", "--sweep", "workload.sql=select 42", "--sweep", "load.workers=1"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /duck: connecting with q\[sql=select 42 workers=1 threads=2\]'s settings/);
  assert.match(r.stdout, /sweep q: 2 combinations of workload\.sql × load\.workers × target\.threads/);
});

test("a bad sweep key or value is refused with exit 2 before anything runs", async () => {
  const never = join(dir, "never.db");
  const cases: [string[], RegExp][] = [
    [["--sweep", "load.wrokers=1,2"], /sweep load\.wrokers: unknown key.*\(from --sweep load\.wrokers=1,2\)[\s\S]*did you mean "workers"/],
    [["--sweep", "load.workers=1,0"], /sweep load\.workers = 0: .*\(from --sweep load\.workers=1,0\)/],
    [["--sweep", "workers=1,2"], /does not start with workload\., load\. or target\./],
    [["--sweep", "load.workers"], /expected key=value1,value2/],
  ];
  for (const [args, expected] of cases) {
    const r = await pipebench(["run", suite, "--store", never, ...args]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, expected);
    assert.doesNotMatch(r.stderr, /▸|\[1\/\d\]/, "nothing ran");
  }
  assert.equal(existsSync(never), false, "no store was even opened");
});
