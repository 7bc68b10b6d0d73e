// `pipebench fit` as a user runs it: on a CSV (the R usl package's specsdm91 data, see
// test/fit/usl.test.ts for where it comes from), as a table and as JSON; its refusals (exit 2); and
// on a real sweep stored here: DuckDB in-process swept over load.workers = 1…6, two trials each.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { FitReport } from "../../src/cli/fit.js";
import { sig } from "../../src/fit/render-fit.js";
import { pipebench } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pipebench-cli-fit-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const csv = join(dir, "specsdm91.csv");
writeFileSync(csv, "load,throughput\n1,64.9\n18,995.9\n36,1652.4\n72,1853.2\n108,1828.9\n144,1775.0\n216,1702.2\n");

test("fit --csv prints σ, κ, λ with their intervals, R² and the peak", async () => {
  const r = await pipebench(["fit", "--csv", csv]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /USL fit of .*specsdm91\.csv: 7 points at 7 distinct N \(1…216\)/);
  assert.match(r.stdout, /σ {2}contention {3}0\.0277 +± 0\.00912 +95% \[0\.0024, 0\.0531\]/);
  assert.match(r.stdout, /κ {2}coherency {4}1\.04e-4/);
  assert.match(r.stdout, /λ {2}X per unit {3}90\/s/);
  assert.match(r.stdout, /R² {14}0\.9896/);
  assert.match(r.stdout, /peak {12}N\* ≈ 96\.5, X\(N\*\) ≈ 1,884\/s/);
});

test("fit --format json gives sigma, kappa, lambda with intervals, peakN, peakThroughput and r2", async () => {
  const r = await pipebench(["fit", "--csv", csv, "--format", "json", "--predict", "300"]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as FitReport;
  for (const key of ["sigma", "kappa", "lambda"] as const) {
    const e = report[key];
    for (const field of ["value", "stdError", "low", "high"] as const) assert.equal(typeof e[field], "number", `${key}.${field}`);
    assert.ok((e.low ?? 0) <= e.value && e.value <= (e.high ?? 0), key);
  }
  assert.equal(Number(report.sigma.value.toPrecision(3)), 0.0277);
  assert.equal(Number(report.peakN?.toPrecision(3)), 96.5);
  assert.equal(Math.round(report.peakThroughput ?? 0), 1884);
  assert.ok(report.r2 > 0.98 && report.r2 < 1);
  assert.equal(report.confidence, 0.95);
  assert.deepEqual(report.source, { kind: "csv", file: csv });
  assert.equal(report.predictions[0]?.n, 300);
  assert.equal(report.points.length, 7);
  assert.equal(report.curve.length, 51, "the curve for a chart, N = 1 … 432");
  assert.equal(report.curve.at(-1)?.n, 432);
  assert.ok(report.curve.every((p) => p.low !== null && p.high !== null && p.low <= p.throughput && p.throughput <= p.high));
});

test("a prediction past 2× the largest N is refused with exit 2 and a hint, and made with --force", async () => {
  const refused = await pipebench(["fit", "--csv", csv, "--predict", "500"]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /error: N = 500 is beyond 2× the largest N measured \(216\)/);
  assert.match(refused.stderr, /hint: .*--force/);
  assert.equal(refused.stdout, "", "nothing half-printed");
  const forced = await pipebench(["fit", "--csv", csv, "--predict", "500", "--force"]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, /X\(500\) ≈ 1,101\/s {3}\(forced: beyond 2× the largest N measured\)/);
});

test("flag mistakes are reported together, exit 2", async () => {
  const none = await pipebench(["fit"]);
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /nothing to fit: give a stored run with --key, or --csv FILE; --key is missing/);
  const both = await pipebench(["fit", "latest", "--csv", csv, "--key", "load.workers"]);
  assert.equal(both.code, 2, both.stderr);
  assert.match(both.stderr, /both a run \(latest\) and --csv .*; --key and --scenario pick from a stored sweep/);
  const few = join(dir, "few.csv");
  writeFileSync(few, "1,10\n2,19\n4,30\n");
  const r = await pipebench(["fit", "--csv", few]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /3 point\(s\) at 3 distinct N: the USL has 3 coefficients/);
});

test("fit on a real stored sweep: DuckDB over load.workers = 1…6, the median of 2 trials per N", async () => {
  const store = join(dir, "results.db");
  const suite = join(dir, "duck-fit.yaml");
  // A CPU-bound query on a one-thread DuckDB: more workers contend for the machine's cores.
  writeFileSync(
    suite,
    `name: duck-fit
targets:
  duck: { kind: duckdb, threads: 1 }
scenarios:
  q:
    target: duck
    workload: { type: query, sql: "select sum(hash(range)) from range(200000)" }
    load: { executor: closed, workers: 1, duration: 1s, warmup: 0.3s }
    sweep:
      load.workers: [1, 2, 3, 4, 5, 6]
`,
  );
  const run = await pipebench(["run", suite, "--store", store, "--trials", "2", "--allow-invalid", "--tag", "workers-sweep"]);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);

  const table = await pipebench(["fit", "workers-sweep", "--key", "load.workers", "--store", store]);
  assert.equal(table.code, 0, table.stderr);
  console.log(table.stdout);
  assert.match(table.stdout, /USL fit of run \d+ scenario q over load\.workers \(median of each value's trials\): 6 points at 6 distinct N \(1…6\)/);
  assert.match(table.stdout, /σ {2}contention .*95% \[/);
  assert.doesNotMatch(table.stdout, /distinct N \(fewer than 6\)/);

  const json = await pipebench(["fit", "latest", "--key", "workers", "--store", store, "--format", "json"]);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as FitReport;
  assert.deepEqual(report.points.map((p) => p.n), [1, 2, 3, 4, 5, 6]);
  assert.equal(report.source.kind, "run");
  if (report.source.kind === "run") {
    assert.equal(report.source.key, "load.workers");
    assert.equal(report.source.scenario, "q");
    assert.deepEqual(report.source.trials, { 1: 2, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2 });
  }
  for (const e of [report.sigma, report.kappa, report.lambda]) {
    assert.ok(e.value >= 0 && e.low !== null && e.high !== null && e.low >= 0 && e.high >= e.value, JSON.stringify(e));
  }
  assert.ok(report.lambda.value > 0);
  assert.ok(report.r2 > 0 && report.r2 <= 1, `R² ${report.r2}`);

  const wrongKey = await pipebench(["fit", "latest", "--key", "load.rate", "--store", store]);
  assert.equal(wrongKey.code, 2);
  assert.match(wrongKey.stderr, /run \d+ \(workers-sweep\) has no sweep over load\.rate\n {2}hint: its swept keys: load\.workers/);
});

test("fit --bootstrap 100: percentile intervals beside the t ones, in the table and as bootstrap in --format json, the same for the same --seed", async () => {
  const json = await pipebench(["fit", "--csv", csv, "--format", "json", "--bootstrap", "100", "--seed", "3"]);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as FitReport;
  assert.equal(report.bootstrap?.replicates, 100);
  assert.equal(report.bootstrap?.seed, 3);
  for (const key of ["sigma", "kappa", "lambda"] as const) {
    const i = report.bootstrap?.[key];
    assert.ok(i !== undefined && i.low <= report[key].value && report[key].value <= i.high, `${key}: ${JSON.stringify(i)}`);
  }
  const table = await pipebench(["fit", "--csv", csv, "--bootstrap", "100", "--seed", "3"]);
  assert.equal(table.code, 0, table.stderr);
  const b = report.bootstrap;
  assert.ok(b !== undefined);
  assert.ok(table.stdout.includes(`bootstrap       95% percentile intervals of 100 residual-bootstrap refits (seed 3):`), table.stdout);
  assert.ok(table.stdout.includes(`σ [${sig(b.sigma.low)}, ${sig(b.sigma.high)}]`), table.stdout);
  const bad = await pipebench(["fit", "--csv", csv, "--bootstrap", "5"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--bootstrap 5 is not a number of replicates/);
});
