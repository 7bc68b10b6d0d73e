// Seed 004's capacity plan reproduced by suites/plans/seed-004.yaml, months 0–12, number for number.
//
// The expected numbers are the seed's own script's output, not ours. How the fixtures were made:
//   awk '/^# capacity_planning.py/{f=1} f&&/^```/{exit} f' ../shared/seeds/004_36fe083ec8095de5.txt \
//     > test/fixtures/plan/seed-004-capacity_planning.py        (the script, verbatim)
//   python3 test/fixtures/plan/seed-004-capacity_planning.py \
//     > test/fixtures/plan/seed-004-capacity_planning.out       (Python 3.11.7, its printed table)
// The script prints servers, metrics/s, storage GB/day and the monthly cost; its node counts are in
// the cost (800 × kafka + 1,200 × timescaledb + 2,000 × clickhouse), recomputed below by its rule.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { computePlan } from "../../src/plan/model.js";
import { loadPlan, planComponents } from "../../src/plan/load-plan.js";

const root = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));

interface ScriptRow {
  month: number;
  servers: number;
  metricsPerSecond: number;
  storageGbPerDay: number;
  monthlyCost: number;
}

function scriptRows(): ScriptRow[] {
  const text = readFileSync(root("test/fixtures/plan/seed-004-capacity_planning.out"), "utf8");
  const num = (s: string): number => Number(s.replaceAll(",", ""));
  return text.split("\n").flatMap((line) => {
    const m = /^(\d+)\s+([\d,]+)\s+([\d,]+)\s+([\d.]+)\s+\$([\d,]+)\s*$/.exec(line);
    return m === null ? [] : [{ month: num(m[1]!), servers: num(m[2]!), metricsPerSecond: num(m[3]!), storageGbPerDay: num(m[4]!), monthlyCost: num(m[5]!) }];
  });
}

test("the seed's script output is all there: months 0–12", () => {
  assert.deepEqual(scriptRows().map((r) => r.month), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
});

test("pipebench plan suites/plans/seed-004.yaml gives the script's servers, metrics/s, storage GB/day and cost, months 0–12", async () => {
  const loaded = await loadPlan(root("suites/plans/seed-004.yaml"));
  const plan = computePlan(loaded.plan, await planComponents(loaded, () => assert.fail("no capacity is measured: the store is not opened")), loaded.name);
  const ours = plan.months.map((m) => ({ month: m.month, servers: m.servers, metricsPerSecond: m.demand, storageGbPerDay: m.storageGbPerDay, monthlyCost: m.monthlyCost }));
  assert.deepEqual(ours, scriptRows());
});

test("node counts follow the script's rule: max(minimum, int(metrics/s ÷ capacity) + 1)", async () => {
  const loaded = await loadPlan(root("suites/plans/seed-004.yaml"));
  const plan = computePlan(loaded.plan, await planComponents(loaded, () => assert.fail("not opened")), loaded.name);
  const rule = (mps: number, cap: number, min: number): number => Math.max(min, Math.trunc(mps / cap) + 1);
  for (const [m, row] of plan.months.entries()) {
    const want = { kafka: rule(row.demand, 150_000, 3), timescaledb: rule(row.demand, 200_000, 2), clickhouse: rule(row.demand, 50_000, 3) };
    assert.deepEqual(row.nodes, want, `month ${m}`);
    assert.equal(row.monthlyCost, 800 * want.kafka + 1200 * want.timescaledb + 2000 * want.clickhouse);
  }
  // Month 0 and month 12, as the seed's cost implies them.
  assert.deepEqual(plan.months[0]?.nodes, { kafka: 3, timescaledb: 2, clickhouse: 7 });
  assert.deepEqual(plan.months[12]?.nodes, { kafka: 12, timescaledb: 9, clickhouse: 36 });
});

test("the seed's storage tiers: 7 days raw, 30 days at 1/5, a year at 1/20 of the daily volume", async () => {
  const loaded = await loadPlan(root("suites/plans/seed-004.yaml"));
  const plan = computePlan(loaded.plan, await planComponents(loaded, () => assert.fail("not opened")), loaded.name);
  const m0 = plan.months[0]!;
  const raw = (333_333.3333333333 * 86_400 * 200) / 1024 ** 3;
  assert.ok(Math.abs(m0.tiers.hot!.storedGb - raw * 7) < 1e-6);
  assert.ok(Math.abs(m0.tiers.warm!.storedGb - (raw * 30) / 5) < 1e-6);
  assert.ok(Math.abs(m0.tiers.cold!.storedGb - (raw * 365) / 20) < 1e-6);
  // In decimal TB, the seed's 40.32 / 34.56 / 105.12 (its 5.76 TB/day is 28.8 B × 200 B, 10^12 B a TB).
  const tb = (gib: number): number => Math.round((gib * 1024 ** 3) / 1e10) / 100;
  assert.deepEqual([tb(m0.tiers.hot!.storedGb), tb(m0.tiers.warm!.storedGb), tb(m0.tiers.cold!.storedGb)], [40.32, 34.56, 105.12]);
});
