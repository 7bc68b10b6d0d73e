// The capacity model's rules, by value: Python's rounding, node sizing (headroom, N+1, minimums,
// the seed's floor-plus-one), tiers, the bottleneck, limits; and plan files' problems located.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SuiteError } from "../../src/errors.js";
import { computePlan, nodesFor, partitionsFor, pythonRound2, tierMonth, type ComponentRules } from "../../src/plan/model.js";
import { parsePlanText, planComponents } from "../../src/plan/load-plan.js";

const noStore = (): never => assert.fail("the store is not opened when no capacity is measured");

test("pythonRound2 is Python's round(x, 2): exact halves go to the even cent", () => {
  // Cases from python3 -c 'print(round(x, 2))'.
  for (const [x, want] of [[0.125, 0.12], [0.375, 0.38], [2.675, 2.67], [9382.375, 9382.38], [9382.125, 9382.12], [1.005, 1], [5364.4174, 5364.42], [-0.125, -0.12]] as const) {
    assert.equal(pythonRound2(x), want, String(x));
  }
});

test("nodesFor: usable capacity, rounding, N+1, minimum", () => {
  const rules = (r: Partial<ComponentRules>): ComponentRules => ({ targetUtilization: 1, minNodes: 1, nPlusOne: false, rounding: "ceil", zones: 1, oneZoneDown: false, ...r });
  const cases: [number, number, Partial<ComponentRules>, number][] = [
    [300_000, 150_000, {}, 2],
    [300_000, 150_000, { rounding: "floor-plus-one" }, 3], // the seed's rule adds one at an exact multiple
    [300_001, 150_000, { rounding: "floor-plus-one" }, 3],
    [210_000, 300_000, { targetUtilization: 0.7 }, 1], // 1.0000000000000002 in binary is still one node
    [210_001, 300_000, { targetUtilization: 0.7 }, 2],
    [100_000, 150_000, { minNodes: 3 }, 3],
    [400_000, 150_000, { nPlusOne: true }, 4],
    [0, 150_000, { minNodes: 0 }, 0],
    [400_000, 100_000, { zones: 3 }, 6], // 4 nodes spread evenly over 3 zones
    [400_000, 100_000, { zones: 3, oneZoneDown: true }, 6], // 4 × 3/2 = 6 left 4 with a zone down
    [500_000, 100_000, { zones: 3, oneZoneDown: true }, 9], // 5 × 3/2 = 7.5 → 8 → 9
    [100_000, 100_000, { zones: 3, minNodes: 3 }, 3],
  ];
  for (const [load, cap, r, want] of cases) assert.equal(nodesFor(load, cap, rules(r)), want, `${load}/${cap} ${JSON.stringify(r)}`);
});

test("partitionsFor: the larger of the producers' and the consumers' need, at least one", () => {
  assert.equal(partitionsFor(100_000, { produce: 1_000, consume: 2_000 }), 100); // seed 003's example
  assert.equal(partitionsFor(100_001, { produce: 1_000, consume: 2_000 }), 101);
  assert.equal(partitionsFor(100_000, { produce: 5_000, consume: 2_000 }), 50);
  assert.equal(partitionsFor(0, { produce: 5_000, consume: 2_000 }), 1);
});

test("tierMonth: rollup, compression, replication, fill target and price", () => {
  const t = tierMonth(100, { retentionDays: 30, rollupFactor: 4, compressionRatio: 5, replication: 3, fillTarget: 0.75, costPerGbMonth: 0.1 });
  assert.equal(t.gbPerDay, 15);
  assert.equal(t.storedGb, 450);
  assert.equal(t.provisionedGb, 600);
  assert.ok(Math.abs(t.cost - 60) < 1e-9);
});

const ratePlan = `
name: rates
demand:
  base: { recordsPerSecond: 100k }
  recordSize: 1KB
  growthPerMonth: 0.1
  horizonMonths: 3
  peakToAverage: 2
rules: { targetUtilization: 50%, minNodes: 2 }
components:
  kafka: { capacityPerNode: 100k, costPerNodeMonth: 1000, nPlusOne: true, maxNodes: 6, partitions: { produce: 10k, consume: 20k, maxPerNode: 4 } }
  rollups: { capacityPerNode: 20k, demandFactor: 0.05, costPerNodeMonth: 500 }
storage:
  hot: { retentionDays: 1, replication: 3, fillTarget: 75%, costPerGbMonth: 0.1, maxGb: 100000 }
`;

test("a records/s base, the peak, headroom, N+1, a demand share, tiers and their cost", async () => {
  const loaded = parsePlanText(ratePlan, "rates.yaml");
  const plan = computePlan(loaded.plan, await planComponents(loaded, noStore), loaded.name);
  assert.deepEqual(plan.months.map((m) => m.demand), [100_000, 110_000, 121_000, 133_100]);
  const m0 = plan.months[0]!;
  // Peak 200k at 50 % of 100k per node: 4 nodes, N+1: 5. Rollups: 5 % of 200k = 10k at 50 % of 20k: 1, minimum 2.
  assert.deepEqual(m0.nodes, { kafka: 5, rollups: 2 });
  assert.equal(m0.peakDemand, 200_000);
  const hot = m0.tiers.hot!;
  const rawGb = (100_000 * 86_400 * 1024) / 1024 ** 3;
  assert.ok(Math.abs(hot.provisionedGb - (rawGb * 3) / 0.75) < 1e-6);
  assert.equal(m0.monthlyCost, Math.round((5 * 1000 + 2 * 500 + hot.provisionedGb * 0.1) * 100) / 100);
  // Kafka's 5 nodes carry 200k of their usable 250k (80 %); rollups 10k of 20k (50 %).
  assert.equal(m0.bottleneck, "kafka");
  assert.ok(Math.abs((m0.utilization.kafka ?? 0) - 0.8) < 1e-12);
  // Month 2: peak 242k → 5 nodes + 1 = 6; month 3: 266.2k → 6 + 1 = 7 > maxNodes 6.
  assert.deepEqual(plan.months.map((m) => m.nodes.kafka), [5, 6, 6, 7]);
  const max = plan.limits.find((l) => l.subject === "kafka" && l.limit.startsWith("more than maxNodes"));
  assert.equal(max?.month, 3);
  // Partitions (seed 003): max(peak ÷ 10k produced, peak ÷ 20k consumed) per partition.
  assert.deepEqual(plan.months.map((m) => m.partitions.kafka), [20, 22, 25, 27]);
  const perNode = plan.limits.find((l) => l.limit === "more than 4 partitions per node");
  assert.equal(perNode?.month, 2, "25 partitions on 6 nodes is more than 4 each");
  const disk = plan.limits.find((l) => l.subject === "hot");
  assert.equal(disk?.month, null, "the hot tier stays under 100,000 GB");
  assert.ok(plan.assumptions.some((a) => /peak: the average × 2/.test(a)));
});

function problems(text: string): string[] {
  try {
    parsePlanText(text, "bad.yaml");
  } catch (error) {
    assert.ok(error instanceof SuiteError);
    return error.issues.map((i) => `${i.line}:${i.path}: ${i.message}${i.fix === undefined ? "" : ` | ${i.fix}`}`);
  }
  return assert.fail("the plan was accepted");
}

test("a bad plan file: every problem with its line, field and a fix", () => {
  const found = problems(`demand:
  base: { servers: 100000, metricsPerServer: 50, interval: 15s }
  recordSize: 200B
  growthPerMonth: 15
  horizonMonth: 12
components:
  kafka: { capacityPerNode: lots, costPerNodeMonth: 800 }
`);
  // A missing key points at its map's key (line 1, demand:), as in suites.
  assert.deepEqual(found, [
    "1:demand.horizonMonths: required, but missing (expected a number) | add horizonMonths: 1",
    '4:demand.growthPerMonth: 15 is not a monthly growth (0 to 1000%) | write a percentage with its sign, e.g. "15%", or a fraction, e.g. 0.15',
    '5:demand.horizonMonth: unknown key | did you mean "horizonMonths"?',
    '7:components.kafka.capacityPerNode: "lots" is not a capacity in records per second | write a positive number, e.g. 150000 or "150k"',
  ]);
});

test("every plan in suites/plans is a valid plan file", async () => {
  const { readdirSync, readFileSync } = await import("node:fs");
  const dir = new URL("../../suites/plans/", import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
  assert.ok(files.includes("seed-004.yaml") && files.includes("seed-004-measured.yaml"), files.join(", "));
  for (const f of files) assert.ok(parsePlanText(readFileSync(new URL(f, dir), "utf8"), f).plan.demand.horizonMonths >= 0, f);
});

test("fractions: a percentage or a fraction; a bare number above 1 is refused, whatever the range", () => {
  const plan = (growth: string): string => `demand:\n  base: { recordsPerSecond: 1000 }\n  recordSize: 100\n  growthPerMonth: ${growth}\n  horizonMonths: 1\ncomponents:\n  a: { capacityPerNode: 100 }\n`;
  for (const [written, want] of [["15%", 0.15], ["0.15", 0.15], ["0", 0], ["150%", 1.5]] as const) {
    assert.equal(parsePlanText(plan(written), "g.yaml").plan.demand.growthPerMonth, want, written);
  }
  for (const written of ["5", "15", "1001%", "-1%", "lots"]) {
    assert.throws(() => parsePlanText(plan(written), "g.yaml"), SuiteError, written);
  }
});
