// A computed plan's tables as rows of text, shared by plan.md (plan-markdown.ts) and plan.html
// (plan-html.ts) so the two print the same numbers: capacity per node with its source, month by
// month, storage by tier at the first and last month.
import { isFloor, type PlanMonth, type PlanResult } from "../plan/model.js";

export const n0 = (n: number): string => Math.round(n).toLocaleString("en-US");
export const n2 = (n: number): string => n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
// Whole dollars as the seed prints them; cents only when storage prices make some.
export const money = (n: number): string => `$${n.toLocaleString("en-US", Number.isInteger(n) ? {} : { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
export const pct = (f: number): string => `${+(f * 100).toFixed(1)} %`;

/**
 * A component's nodes in a month: `5`, or `5 (6 safe)` when its capacity is a find-max answer whose
 * interval's low end needs more (the safe count to size from).
 */
export function nodesCell(m: PlanMonth, component: string, floor = false): string {
  const nodes = m.nodes[component] ?? 0;
  const safe = m.safeNodes[component];
  // From a capacity that is a floor (a pipebench-bound search) the count is an upper bound.
  const shown = floor ? `≤ ${nodes}` : String(nodes);
  return safe === undefined || safe === nodes ? shown : `${shown} (${safe} safe)`;
}

/** "41,700/s", or "≥ 41,700/s, pipebench-bound" for a floor. */
export function capacityCell(c: PlanResult["components"][number]): string {
  const n = `${n0(c.capacityPerNode)}/s`;
  return isFloor(c) ? `≥ ${n}, pipebench-bound` : n;
}

export interface TextTable {
  header: string[];
  rows: string[][];
  /** Columns of numbers, aligned right. */
  right: Set<number>;
}

export function capacityTable(plan: PlanResult): TextTable {
  return {
    header: ["component", "records/s per node", "used to", "minimum", "cost per node-month", "source"],
    rows: plan.components.map((c) => [
      c.name,
      capacityCell(c),
      pct(c.rules.targetUtilization),
      `${c.rules.minNodes}${c.rules.nPlusOne ? ", N+1" : ""}${c.rules.zones > 1 ? `, ${c.rules.zones} zones${c.rules.oneZoneDown ? " (one down)" : ""}` : ""}`,
      money(c.costPerNodeMonth),
      c.source.kind === "measured" ? `${c.source.summary}; ${c.source.detail}` : c.source.summary,
    ]),
    right: new Set([1, 3, 4]),
  };
}

export function monthTable(plan: PlanResult): TextTable {
  const first = plan.months[0];
  const fleet = first?.servers !== undefined;
  const names = plan.components.map((c) => c.name);
  const floors = new Set(plan.components.filter(isFloor).map((c) => c.name));
  const partitioned = names.filter((c) => first?.partitions[c] !== undefined);
  const header = ["month", ...(fleet ? ["servers"] : []), "records/s", "storage GB/day", ...names.map((c) => `${c} nodes`), ...partitioned.map((c) => `${c} partitions`), "bottleneck", "monthly cost"];
  const rows = plan.months.map((m) => [
    String(m.month),
    ...(fleet ? [n0(m.servers ?? 0)] : []),
    n0(m.demand),
    n2(m.storageGbPerDay),
    ...names.map((c) => nodesCell(m, c, floors.has(c))),
    ...partitioned.map((c) => String(m.partitions[c] ?? 0)),
    `${m.bottleneck} (${pct(m.utilization[m.bottleneck] ?? 0)})`,
    money(m.monthlyCost),
  ]);
  return { header, rows, right: new Set(header.map((_, i) => i).filter((i) => i !== header.length - 2)) };
}

/** Empty when the plan has no storage tiers. */
export function tierTable(plan: PlanResult): TextTable {
  const first = plan.months[0];
  const last = plan.months.at(-1);
  const tiers = first === undefined ? [] : Object.keys(first.tiers);
  return {
    header: ["tier", `GB/day, month ${first?.month ?? 0}`, `GB, month ${first?.month ?? 0}`, `GB/day, month ${last?.month ?? 0}`, `GB, month ${last?.month ?? 0}`, `cost, month ${last?.month ?? 0}`],
    rows: tiers.map((t) => {
      const a = first?.tiers[t];
      const b = last?.tiers[t];
      return [t, n2(a?.gbPerDay ?? 0), n2(a?.provisionedGb ?? 0), n2(b?.gbPerDay ?? 0), n2(b?.provisionedGb ?? 0), money(b?.cost ?? 0)];
    }),
    right: new Set([1, 2, 3, 4, 5]),
  };
}

/** "from month 3", or "not within 12 months". */
export function limitText(month: number | null, horizon: number): string {
  return month === null ? `not within ${horizon} months` : `from month ${month}`;
}
