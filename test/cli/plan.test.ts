// `pipebench plan` as a user runs it: seed 004's plan as a table and as JSON, a bad plan file
// (file:line, a fix, exit 2), and capacities measured by small DuckDB runs made here, with an
// INVALID run's number refused until the plan allows it.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import type { PlanResult } from "../../src/plan/model.js";
import type { StoredRun } from "../../src/store/results-store.js";
import { pipebench } from "./helpers.js";

const SEED_PLAN = fileURLToPath(new URL("../../suites/plans/seed-004.yaml", import.meta.url));
const SCRIPT_OUT = fileURLToPath(new URL("../fixtures/plan/seed-004-capacity_planning.out", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "pipebench-cli-plan-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, "results.db");

test("plan suites/plans/seed-004.yaml prints the seed's table: servers, records/s, GB/day, nodes, bottleneck, cost", async () => {
  const r = await pipebench(["plan", SEED_PLAN]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^month +servers +records\/s +storage GB\/day +kafka +timescaledb +clickhouse +bottleneck +monthly cost$/m);
  assert.match(r.stdout, /^ +0 +100,000 +333,333 +5,364\.42 +3 +2 +7 +clickhouse 95\.2% +\$18,800$/m);
  assert.match(r.stdout, /^ +12 +535,025 +1,783,416 +28,700\.98 +12 +9 +36 +kafka 99\.1% +\$92,400$/m);
  // Every month's cost as the script printed it.
  for (const cost of readFileSync(SCRIPT_OUT, "utf8").matchAll(/\$([\d,]+)/g)) assert.ok(r.stdout.includes(`$${cost[1]}`), cost[0]);
  assert.match(r.stdout, /\nassumptions\n/);
  assert.match(r.stdout, /kafka: 150,000 records\/s per node \(given\)/);
  assert.match(r.stdout, /\nstorage tiers \(month 0 → month 12\)\n +hot /);
});

test("plan --format json: months with demand, storageGbPerDay, nodes, bottleneck, monthlyCost", async () => {
  const r = await pipebench(["plan", SEED_PLAN, "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as PlanResult & { schema: string };
  assert.equal(plan.schema, "pipebench.plan/1");
  assert.equal(plan.months.length, 13);
  const m6 = plan.months[6]!;
  assert.deepEqual(
    { month: m6.month, demand: m6.demand, storageGbPerDay: m6.storageGbPerDay, nodes: m6.nodes, bottleneck: m6.bottleneck, monthlyCost: m6.monthlyCost },
    { month: 6, demand: 771_020, storageGbPerDay: 12408.22, nodes: { kafka: 6, timescaledb: 4, clickhouse: 16 }, bottleneck: "timescaledb", monthlyCost: 41_600 },
  );
  assert.ok(plan.assumptions.length > 0);
});

test("plan -o DIR writes plan.md (the plan as a report section) and plan.json", async () => {
  const out = join(dir, "plan-out");
  const r = await pipebench(["plan", SEED_PLAN, "-o", out]);
  assert.equal(r.code, 0, r.stderr);
  const md = readFileSync(join(out, "plan.md"), "utf8");
  assert.match(md, /^## Capacity Plan$/m);
  assert.match(md, /^\| 12 \| 535,025 \| 1,783,416 \| 28,700\.98 \| 12 \| 9 \| 36 \| kafka \(99\.1 %\) \| \$92,400 \|$/m);
  assert.match(md, /^### Assumptions$/m);
  const json = JSON.parse(readFileSync(join(out, "plan.json"), "utf8")) as PlanResult;
  assert.equal(json.months[12]?.monthlyCost, 92_400);
});

test("a bad plan file: file:line, the field, a fix, exit 2", async () => {
  const bad = join(dir, "bad-plan.yaml");
  writeFileSync(bad, "demand:\n  base: { recordsPerSecond: 1000 }\n  recordSize: 100\n  growthPerMonth: 15\n  horizonMonths: 12\ncomponents:\n  kafka: { capacityPerNode: 150k, costPerNode: 800 }\n");
  const r = await pipebench(["plan", bad], {}, 60_000);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /bad-plan\.yaml:4:\d+ +demand\.growthPerMonth: 15 is not a monthly growth \(0 to 1000%\)\n +write a percentage with its sign, e.g\. "15%"/);
  assert.match(r.stderr, /bad-plan\.yaml:7:\d+ +components\.kafka\.costPerNode: unknown key\n +did you mean "costPerNodeMonth"\?/);
  assert.match(r.stderr, /2 problems in .*bad-plan\.yaml/);
  assert.equal(r.stdout, "");
});

before(async () => {
  const suite = (name: string, load: string): string => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, `name: ${name}\ntargets:\n  duck: { kind: duckdb }\nscenarios:\n  select:\n    target: duck\n    workload: { type: query, sql: "select 1" }\n    load: ${load}\n`);
    return file;
  };
  // A short closed-loop run, and one whose asked rate is out of reach (INVALID: rate not reached).
  const ok = await pipebench(["run", suite("duck-cap", "{ executor: closed, workers: 1, iterations: 2000 }"), "--store", store, "--tag", "duck-cap", "--allow-invalid"]);
  assert.equal(ok.code, 0, ok.stderr);
  const over = await pipebench(["run", suite("duck-over", "{ executor: constant-rate, rate: 200000, duration: 1s, maxInFlight: 1 }"), "--store", store, "--tag", "duck-over", "--allow-invalid"]);
  assert.equal(over.code, 0, over.stderr);
});

const planFile = (name: string, measured: string): string => {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}\ndemand:\n  base: { recordsPerSecond: 10k }\n  recordSize: 100\n  growthPerMonth: 10%\n  horizonMonths: 2\ncomponents:\n  duckdb:\n    capacityPerNode:\n      measured: ${measured}\n    costPerNodeMonth: 100\n`,
  );
  return file;
};

test("a measured capacity: the stored run's throughput, with its run, date, host and validity", async () => {
  const shown = await pipebench(["show", "duck-cap", "--store", store, "--format", "json"]);
  const run = JSON.parse(shown.stdout) as StoredRun;
  const result = run.scenarioResults[0]!.result;
  // A busy machine can make even this run INVALID; the plan must then say so, and takes it only as allowed.
  const valid = result.validity?.valid !== false;
  const file = planFile("measured", "{ run: duck-cap, scenario: select, metric: throughput, allowInvalid: true }");
  const r = await pipebench(["plan", file, "--store", store, "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as PlanResult;
  const c = plan.components[0]!;
  assert.equal(c.capacityPerNode, result.throughput);
  assert.equal(c.source.kind, "measured");
  if (c.source.kind !== "measured") return;
  assert.equal(c.source.run, run.id);
  assert.equal(c.source.tag, "duck-cap");
  assert.equal(c.source.startedAt, new Date(run.startedAt).toISOString());
  assert.equal(c.source.valid, valid);
  assert.equal(plan.months[0]?.nodes.duckdb, Math.ceil(10_000 / result.throughput));
  const table = await pipebench(["plan", file, "--store", store]);
  assert.match(table.stdout, new RegExp(`measured: run ${run.id} \\(duck-cap\\) select throughput, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC on \\S+, ${valid ? "valid" : "INVALID, allowed"}`));
});

test("an INVALID run's number is refused (file:line, a fix, exit 2) unless allowInvalid: true", async () => {
  const refused = await pipebench(["plan", planFile("invalid", "{ run: duck-over, scenario: select, metric: throughput }"), "--store", store]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /invalid\.yaml:10:\d+ +components\.duckdb\.capacityPerNode\.measured\.run: run \d+'s select is INVALID, so its throughput is not a capacity: .*\[rate-not-reached\]/);
  assert.match(refused.stderr, /add allowInvalid: true under measured:/);
  assert.equal(refused.stdout, "");

  const allowed = await pipebench(["plan", planFile("allowed", "{ run: duck-over, scenario: select, metric: throughput, allowInvalid: true }"), "--store", store]);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /INVALID, allowed/);
  assert.match(allowed.stdout, /duckdb: INVALID run taken \(allowInvalid\): .*rate-not-reached/);
});

test("a measured capacity naming no run, no scenario or no find-max search: each said at its line", async () => {
  const noRun = await pipebench(["plan", planFile("no-run", "{ run: no-such-tag, scenario: select, metric: throughput }"), "--store", store]);
  assert.equal(noRun.code, 2);
  assert.match(noRun.stderr, /no-run\.yaml:10:\d+ +components\.duckdb\.capacityPerNode\.measured\.run: there is no run "no-such-tag"/);
  const noScenario = await pipebench(["plan", planFile("no-scenario", "{ run: duck-cap, scenario: insert, metric: throughput }"), "--store", store]);
  assert.equal(noScenario.code, 2);
  assert.match(noScenario.stderr, /measured\.scenario: run \d+ has no scenario "insert"\n +its scenarios are: select/);
  const noSearch = await pipebench(["plan", planFile("no-search", "{ run: duck-cap, scenario: select, metric: find-max }"), "--store", store]);
  assert.equal(noSearch.code, 2);
  assert.match(noSearch.stderr, /measured\.metric: run \d+ holds no find-max search of select/);
  const noStore = await pipebench(["plan", planFile("no-store", "{ run: 1, scenario: select, metric: throughput }"), "--store", join(dir, "missing.db")]);
  assert.equal(noStore.code, 2);
  assert.match(noStore.stderr, /there is no results store at/);
});
