// A computed plan as the console shows it: where each capacity came from, the month-by-month
// table, the storage tiers at the first and last month, the months limits are crossed, and the
// assumptions. Printing only; every number comes from plan/model.ts.
import { formatCount, table } from "./format.js";
import { isFloor, type PlanMonth, type PlanResult } from "../plan/model.js";
import { capacityCell, nodesCell } from "./plan-format.js";

// Whole dollars as the seed prints them; cents only when storage prices make some.
const money = (n: number): string => `$${n.toLocaleString("en-US", Number.isInteger(n) ? {} : { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const gb = (n: number): string => n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const pct = (f: number): string => `${+(f * 100).toFixed(1)}%`;

export function renderPlan(plan: PlanResult): string {
  const first = plan.months[0];
  const last = plan.months.at(-1);
  if (first === undefined || last === undefined) return `plan ${plan.name}: no months`;
  const lines = [`plan ${plan.name}: months ${first.month}–${last.month}, ${plan.components.length} component(s)`, ""];

  lines.push("capacity per node");
  lines.push(
    ...table(
      plan.components.map((c) => [
        `  ${c.name}`,
        capacityCell(c),
        `to ${pct(c.rules.targetUtilization)}`,
        `min ${c.rules.minNodes}${c.rules.nPlusOne ? ", N+1" : ""}${c.rules.zones > 1 ? `, ${c.rules.zones} zones${c.rules.oneZoneDown ? " (one down)" : ""}` : ""}`,
        c.costPerNodeMonth === 0 ? "" : `${money(c.costPerNodeMonth)}/node-month`,
        c.source.summary,
      ]),
      new Set([1]),
    ),
  );
  for (const c of plan.components) {
    if (c.source.kind === "measured" && c.source.fit !== undefined) lines.push(`  ${c.name}: ${c.source.detail}`);
    if (c.source.kind === "measured" && c.source.floor !== undefined) lines.push(`  ${c.name}: ${c.source.detail}`);
    if (c.source.kind === "measured" && !c.source.valid) lines.push(`  ${c.name}: INVALID run taken (allowInvalid): ${c.source.reasons.join("; ")}`);
  }
  lines.push("");

  const fleet = first.servers !== undefined;
  const names = plan.components.map((c) => c.name);
  const floors = new Set(plan.components.filter(isFloor).map((c) => c.name));
  const partitioned = names.filter((n) => first.partitions[n] !== undefined);
  const header = ["month", ...(fleet ? ["servers"] : []), "records/s", "storage GB/day", ...names, ...partitioned.map((n) => `${n} partitions`), "bottleneck", "monthly cost"];
  const row = (m: PlanMonth): string[] => [
    String(m.month),
    ...(fleet ? [formatCount(m.servers ?? 0)] : []),
    formatCount(m.demand),
    gb(m.storageGbPerDay),
    ...names.map((n) => nodesCell(m, n, floors.has(n))),
    ...partitioned.map((n) => String(m.partitions[n] ?? 0)),
    `${m.bottleneck} ${pct(m.utilization[m.bottleneck] ?? 0)}`,
    money(m.monthlyCost),
  ];
  const numeric = new Set(header.map((_, i) => i).filter((i) => i !== header.length - 2));
  lines.push(...table([header, ...plan.months.map(row)], numeric));

  const tiers = Object.keys(first.tiers);
  if (tiers.length > 0) {
    lines.push("", `storage tiers (month ${first.month} → month ${last.month})`);
    const tierRows = tiers.map((t) => {
      const a = first.tiers[t];
      const b = last.tiers[t];
      return [`  ${t}`, `${gb(a?.gbPerDay ?? 0)} → ${gb(b?.gbPerDay ?? 0)} GB/day`, `${gb(a?.provisionedGb ?? 0)} → ${gb(b?.provisionedGb ?? 0)} GB`, b?.cost ? `${money(b.cost)}/month at month ${last.month}` : ""];
    });
    lines.push(...table(tierRows, new Set([1, 2])));
  }

  if (plan.limits.length > 0) {
    lines.push("", "limits");
    lines.push(
      ...table(
        plan.limits.map((l) => [`  ${l.subject}`, l.limit, l.month === null ? `not within ${last.month} months` : `from month ${l.month}`]),
        new Set(),
      ),
    );
  }

  lines.push("", "assumptions", ...plan.assumptions.map((a) => `  - ${a}`));
  return lines.join("\n");
}
