// The capacity model: month by month, the demand, the storage it writes, the nodes each component
// needs, the one that runs out first and what it all costs. Pure functions of a checked plan and
// its resolved capacities; no file, store or clock, so every number here is testable by value.
//
// The rounding follows seed 004's capacity_planning.py, so its example comes out the same:
// growth compounds by repeated multiplication (not a power, which differs in the last bits),
// records/s are truncated to whole numbers and nodes are sized from them, and storage GB/day
// (GB = 1024³ bytes, as pipebench's sizes) is rounded to 0.01 with Python's round().
import { formatCount as count } from "../format/numbers.js";
import type { CapacitySource } from "./capacity-source.js";
import type { ComponentSpec, PlanFile, TierSpec } from "./schema.js";

const SECONDS_PER_DAY = 86_400;
const GB = 1024 ** 3;

export interface PlanComponent {
  name: string;
  spec: ComponentSpec;
  /** Records per second one node carries at 100 %. */
  capacityPerNode: number;
  source: CapacitySource;
}

/** What sizing uses for one component, after the plan's rules and the component's own. */
export interface ComponentRules {
  targetUtilization: number;
  minNodes: number;
  nPlusOne: boolean;
  rounding: "ceil" | "floor-plus-one";
  zones: number;
  oneZoneDown: boolean;
}

export interface TierMonth {
  gbPerDay: number;
  storedGb: number;
  provisionedGb: number;
  cost: number;
}

export interface PlanMonth {
  month: number;
  /** Servers, truncated as the seed prints them; only for a servers × metrics base. */
  servers?: number;
  /** Average records per second, truncated to a whole number. */
  demand: number;
  /** What nodes are sized for: demand × peak-to-average. */
  peakDemand: number;
  /** Raw bytes written per day, in GB (1024³), rounded to 0.01. */
  storageGbPerDay: number;
  tiers: Record<string, TierMonth>;
  nodes: Record<string, number>;
  /**
   * Nodes at the low end of a find-max capacity's interval (the safe count), for the components
   * whose capacity has one; beside `nodes`, which are sized at the answer itself.
   */
  safeNodes: Record<string, number>;
  /** Partitions of the components that have a partitions rule. */
  partitions: Record<string, number>;
  /** Each component's planned load ÷ its nodes' usable capacity. */
  utilization: Record<string, number>;
  /** The component whose nodes are fullest: the one that runs out first. */
  bottleneck: string;
  computeCost: number;
  storageCost: number;
  monthlyCost: number;
}

export interface PlanLimit {
  subject: string;
  kind: "component" | "tier";
  limit: string;
  /** The first month past the limit, or null when no month of the horizon is. */
  month: number | null;
}

export interface PlanResult {
  name: string;
  months: PlanMonth[];
  components: { name: string; capacityPerNode: number; rules: ComponentRules; costPerNodeMonth: number; demandFactor: number; source: CapacitySource }[];
  limits: PlanLimit[];
  assumptions: string[];
}

/** Python's round(x, 2): correctly rounded, and an exact tie goes to the even last digit. */
export function pythonRound2(x: number): number {
  const eighths = x * 8;
  // Only a multiple of 1/8 that is not of 1/4 lies exactly halfway between two cents in binary.
  if (Number.isInteger(eighths) && Math.abs(eighths % 2) === 1) {
    const low = Math.floor(x * 100);
    return (low % 2 === 0 ? low : low + 1) / 100;
  }
  return Number(x.toFixed(2));
}

export function rulesFor(plan: Pick<PlanFile, "rules">, spec: ComponentSpec): ComponentRules {
  return {
    targetUtilization: spec.targetUtilization ?? plan.rules.targetUtilization ?? 1,
    minNodes: spec.minNodes ?? plan.rules.minNodes ?? 1,
    nPlusOne: spec.nPlusOne ?? plan.rules.nPlusOne ?? false,
    rounding: spec.rounding ?? plan.rules.rounding ?? "ceil",
    zones: spec.zones ?? plan.rules.zones ?? 1,
    oneZoneDown: spec.oneZoneDown ?? plan.rules.oneZoneDown ?? false,
  };
}

/** `ratio`, or the whole number it misses by binary rounding only (210,000 ÷ (300,000 × 0.7) is 1.0000000000000002). */
function snapped(ratio: number): number {
  const whole = Math.round(ratio);
  return Math.abs(ratio - whole) <= 1e-9 * Math.max(1, ratio) ? whole : ratio;
}

/**
 * Nodes for `load` records/s: whole nodes at the target utilization; with one zone down, enough
 * that the other zones' nodes carry it; N+1; the minimum; then a multiple of the zones.
 */
export function nodesFor(load: number, capacityPerNode: number, rules: ComponentRules): number {
  const ratio = snapped(load / (capacityPerNode * rules.targetUtilization));
  let n = rules.rounding === "ceil" ? Math.ceil(ratio) : Math.floor(ratio) + 1;
  const z = rules.zones;
  if (rules.oneZoneDown && z > 1) n = Math.ceil(snapped((n * z) / (z - 1)));
  n = Math.max(rules.minNodes, n + (rules.nPlusOne ? 1 : 0));
  return z > 1 ? Math.ceil(n / z) * z : n;
}

/** Seed 003's rule: enough partitions for both the producers' and the consumers' per-partition rate. */
export function partitionsFor(load: number, perPartition: { produce: number; consume: number }): number {
  return Math.max(1, Math.ceil(Math.max(load / perPartition.produce, load / perPartition.consume) - 1e-9));
}

export function tierMonth(rawGbPerDay: number, tier: TierSpec): TierMonth {
  const gbPerDay = (rawGbPerDay / tier.rollupFactor / tier.compressionRatio) * tier.replication;
  const storedGb = gbPerDay * tier.retentionDays;
  const provisionedGb = storedGb / tier.fillTarget;
  return { gbPerDay, storedGb, provisionedGb, cost: provisionedGb * tier.costPerGbMonth };
}

function demandAt(plan: PlanFile): { servers?: number; rate: number }[] {
  const base = plan.demand.base;
  const out: { servers?: number; rate: number }[] = [];
  const g = 1 + plan.demand.growthPerMonth;
  if ("servers" in base) {
    let servers = base.servers;
    const interval = base.interval / 1000;
    for (let month = 0; month <= plan.demand.horizonMonths; month++) {
      if (month > 0) servers *= g;
      // The seed's order of operations: servers × metrics ÷ interval.
      out.push({ servers, rate: (servers * base.metricsPerServer) / interval });
    }
  } else {
    let rate = base.recordsPerSecond;
    for (let month = 0; month <= plan.demand.horizonMonths; month++) {
      if (month > 0) rate *= g;
      out.push({ rate });
    }
  }
  return out;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export function computePlan(plan: PlanFile, components: readonly PlanComponent[], name: string): PlanResult {
  const sized = components.map((c) => ({ ...c, rules: rulesFor(plan, c.spec) }));
  const tiers = Object.entries(plan.storage);
  const months = demandAt(plan).map(({ servers, rate }, month): PlanMonth => {
    const demand = Math.trunc(rate);
    const peakDemand = demand * plan.demand.peakToAverage;
    // As the seed: storage from the rate before truncation, multiplied in its order.
    const rawGbPerDay = (rate * SECONDS_PER_DAY * plan.demand.recordSize) / GB;
    const nodes: Record<string, number> = {};
    const safeNodes: Record<string, number> = {};
    const partitions: Record<string, number> = {};
    const utilization: Record<string, number> = {};
    let bottleneck = "";
    let fullest = -1;
    let computeCost = 0;
    for (const c of sized) {
      const load = peakDemand * c.spec.demandFactor;
      const n = nodesFor(load, c.capacityPerNode, c.rules);
      nodes[c.name] = n;
      const low = safeCapacity(c);
      if (low !== undefined) safeNodes[c.name] = nodesFor(load, low, c.rules);
      const used = n === 0 ? (load > 0 ? Number.POSITIVE_INFINITY : 0) : load / (n * c.capacityPerNode * c.rules.targetUtilization);
      utilization[c.name] = used;
      if (used > fullest) [fullest, bottleneck] = [used, c.name];
      computeCost += n * c.spec.costPerNodeMonth;
      if (c.spec.partitions !== undefined) partitions[c.name] = partitionsFor(load, c.spec.partitions);
    }
    const tierMonths = Object.fromEntries(tiers.map(([t, spec]) => [t, tierMonth(rawGbPerDay, spec)]));
    const storageCost = Object.values(tierMonths).reduce((sum, t) => sum + t.cost, 0);
    return {
      month,
      ...(servers === undefined ? {} : { servers: Math.trunc(servers) }),
      demand,
      peakDemand,
      storageGbPerDay: pythonRound2(rawGbPerDay),
      tiers: tierMonths,
      nodes,
      safeNodes,
      partitions,
      utilization,
      bottleneck,
      computeCost,
      storageCost: round2(storageCost),
      monthlyCost: round2(computeCost + storageCost),
    };
  });
  return {
    name,
    months,
    components: sized.map((c) => ({
      name: c.name,
      capacityPerNode: c.capacityPerNode,
      rules: c.rules,
      costPerNodeMonth: c.spec.costPerNodeMonth,
      demandFactor: c.spec.demandFactor,
      source: c.source,
    })),
    limits: limitsOf(plan, sized, months),
    // The interval lines follow the component lines; the cost line stays last.
    assumptions: withBeforeLast(assumptionsOf(plan, sized), intervalAssumptions(sized, months)),
  };
}

function withBeforeLast(lines: readonly string[], extra: readonly string[]): string[] {
  return [...lines.slice(0, -1), ...extra, ...lines.slice(-1)];
}

/** A component whose capacity is a floor: its node counts are upper bounds. */
export function isFloor(c: { source: CapacitySource }): boolean {
  return c.source.kind === "measured" && c.source.floor !== undefined;
}

/** Records/s per node at the low end of a measured capacity's interval, when it has a usable one. */
function safeCapacity(c: PlanComponent): number | undefined {
  const low = c.source.kind === "measured" ? c.source.interval?.low : undefined;
  return low !== undefined && low > 0 ? low : undefined;
}

/**
 * A find-max capacity is one sample of a capacity that moves: the interval's low end is what the
 * node counts must survive, so each such component's counts at both are listed side by side.
 */
function intervalAssumptions(components: readonly (PlanComponent & { rules: ComponentRules })[], months: readonly PlanMonth[]): string[] {
  const lines: string[] = [];
  for (const c of components) {
    const i = c.source.kind === "measured" ? c.source.interval : undefined;
    const low = safeCapacity(c);
    if (i === undefined || low === undefined) continue;
    const at = (pick: (m: PlanMonth) => number | undefined): string => months.map((m) => String(pick(m) ?? 0)).join(" ");
    const high = i.high === undefined ? "open above" : `${count(i.high)}`;
    lines.push(
      `${c.name}: its find-max capacity has the interval ${count(low)}–${high} records/s per node (${i.detail}); ` +
        `nodes by month at the low end, the safe count: ${at((m) => m.safeNodes[c.name])}; at the answer ${count(c.capacityPerNode)}/s: ${at((m) => m.nodes[c.name])}`,
    );
  }
  return lines;
}

function limitsOf(plan: PlanFile, components: readonly (PlanComponent & { rules: ComponentRules })[], months: readonly PlanMonth[]): PlanLimit[] {
  const first = (past: (m: PlanMonth) => boolean): number | null => months.find(past)?.month ?? null;
  const limits: PlanLimit[] = [];
  for (const c of components) {
    // When the minimum stops deciding: from then on the node count follows the demand.
    limits.push({ subject: c.name, kind: "component", limit: `more than its minimum of ${c.rules.minNodes} node(s)`, month: first((m) => (m.nodes[c.name] ?? 0) > c.rules.minNodes) });
    if (c.spec.maxNodes !== undefined) {
      const max = c.spec.maxNodes;
      limits.push({ subject: c.name, kind: "component", limit: `more than maxNodes ${max}`, month: first((m) => (m.nodes[c.name] ?? 0) > max) });
    }
  }
  for (const c of components) {
    const p = c.spec.partitions;
    if (p?.maxPerNode === undefined) continue;
    const max = p.maxPerNode;
    // Too many partitions per node slows leader elections and recovery; the node count must follow.
    limits.push({ subject: c.name, kind: "component", limit: `more than ${max} partitions per node`, month: first((m) => (m.partitions[c.name] ?? 0) > max * (m.nodes[c.name] ?? 0)) });
  }
  for (const [t, spec] of Object.entries(plan.storage)) {
    if (spec.maxGb === undefined) continue;
    const max = spec.maxGb;
    limits.push({ subject: t, kind: "tier", limit: `more than maxGb ${max}`, month: first((m) => (m.tiers[t]?.provisionedGb ?? 0) > max) });
  }
  return limits;
}

const pct = (f: number): string => `${+(f * 100).toFixed(2)} %`;

function assumptionsOf(plan: PlanFile, components: readonly (PlanComponent & { rules: ComponentRules })[]): string[] {
  const d = plan.demand;
  const base = d.base;
  const start =
    "servers" in base
      ? `${count(base.servers)} servers × ${count(base.metricsPerServer)} records each every ${base.interval / 1000} s`
      : `${count(base.recordsPerSecond)} records/s`;
  const lines = [
    `demand: ${start} at month 0, growing ${pct(d.growthPerMonth)} a month, compounded, for ${d.horizonMonths} months`,
    `records/s are whole numbers (truncated, as seed 004's script prints them); nodes are sized from them`,
    d.peakToAverage === 1
      ? "nodes are sized for the average rate: the peak-to-average factor is 1"
      : `nodes are sized for the peak: the average × ${d.peakToAverage}; storage fills at the average`,
    `storage: records/s × 86,400 s × ${count(d.recordSize)} B a day; GB = 1024³ bytes; GB/day rounded to 0.01 as Python's round()`,
  ];
  for (const c of components) {
    const r = c.rules;
    const floor = c.source.kind === "measured" ? c.source.floor : undefined;
    const rule = r.rounding === "ceil" ? "⌈load ÷ usable capacity⌉" : "int(load ÷ usable capacity) + 1 (seed 004's rule)";
    const share = c.spec.demandFactor === 1 ? "" : `, carrying ${c.spec.demandFactor} × the demand`;
    const p = c.spec.partitions;
    if (p !== undefined) lines.push(`${c.name} partitions: ⌈max(load ÷ ${count(p.produce)}/s produced, load ÷ ${count(p.consume)}/s consumed per partition)⌉`);
    lines.push(
      `${c.name}: ${floor === undefined ? "" : "at least "}${count(c.capacityPerNode)} records/s per node (${c.source.summary}) used to ${pct(r.targetUtilization)}${share}; nodes = max(${r.minNodes}, ${rule}${r.oneZoneDown && r.zones > 1 ? ` × ${r.zones}/${r.zones - 1} (one zone of ${r.zones} down)` : ""}${r.nPlusOne ? " + 1 (N+1)" : ""})${r.zones > 1 ? `, rounded up to a multiple of ${r.zones} zones` : ""}`,
    );
  }
  for (const c of components) {
    const floor = c.source.kind === "measured" ? c.source.floor : undefined;
    if (floor === undefined) continue;
    lines.push(
      `${c.name}: its capacity is a floor, not an answer: the find-max search kept up with ${count(c.capacityPerNode)} records/s and stopped at pipebench's own limit ` +
        `at ${count(floor.limitRate)} records/s (${floor.why}); the target may sustain more, so its node counts (≤ n) are upper bounds, and measuring with more pipebench processes can only lower them`,
    );
  }
  for (const [t, spec] of Object.entries(plan.storage)) {
    lines.push(
      `tier ${t}: ${spec.retentionDays} days of the raw volume ÷ rollup ${spec.rollupFactor} ÷ compression ${spec.compressionRatio} × replication ${spec.replication}, filled to ${pct(spec.fillTarget)}; the full retention at each month's daily volume`,
    );
  }
  lines.push("cost: node-months and provisioned GB-months only (no network, licences, support or discounts)");
  return lines;
}
