// A computed plan as a Markdown section ("## Capacity Plan"), laid out as capacity plans are
// (research §2.5): where each capacity came from, the month-by-month table with the bottleneck,
// storage by tier, the months limits are crossed, the assumptions. `pipebench plan -o DIR` writes
// it as plan.md; a report can append the same section.
import type { PlanResult } from "./model.js";

const n0 = (n: number): string => Math.round(n).toLocaleString("en-US");
const n2 = (n: number): string => n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
// Whole dollars as the seed prints them; cents only when storage prices make some.
const money = (n: number): string => `$${n.toLocaleString("en-US", Number.isInteger(n) ? {} : { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const pct = (f: number): string => `${+(f * 100).toFixed(1)} %`;
/** A table cell: pipes would end the cell. */
const cell = (s: string): string => s.replaceAll("|", "\\|");

function mdTable(header: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number>): string[] {
  return [
    `| ${header.map(cell).join(" | ")} |`,
    `|${header.map((_, i) => (right.has(i) ? " ---: " : " --- ")).join("|")}|`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ];
}

export function planMarkdown(plan: PlanResult, heading = "## Capacity Plan"): string {
  const first = plan.months[0];
  const last = plan.months.at(-1);
  const out = [heading, ""];
  if (first === undefined || last === undefined) return [...out, "No months planned.", ""].join("\n");
  out.push(`Plan **${plan.name}**, months ${first.month}–${last.month}.`, "");

  out.push("### Capacity per node", "");
  out.push(
    ...mdTable(
      ["component", "records/s per node", "used to", "minimum", "cost per node-month", "source"],
      plan.components.map((c) => [
        c.name,
        n0(c.capacityPerNode),
        pct(c.rules.targetUtilization),
        `${c.rules.minNodes}${c.rules.nPlusOne ? ", N+1" : ""}${c.rules.zones > 1 ? `, ${c.rules.zones} zones${c.rules.oneZoneDown ? " (one down)" : ""}` : ""}`,
        money(c.costPerNodeMonth),
        c.source.kind === "measured" ? `${c.source.summary}; ${c.source.detail}` : c.source.summary,
      ]),
      new Set([1, 3, 4]),
    ),
    "",
  );

  out.push("### Month by month", "");
  const fleet = first.servers !== undefined;
  const names = plan.components.map((c) => c.name);
  const partitioned = names.filter((c) => first.partitions[c] !== undefined);
  const header = ["month", ...(fleet ? ["servers"] : []), "records/s", "storage GB/day", ...names.map((c) => `${c} nodes`), ...partitioned.map((c) => `${c} partitions`), "bottleneck", "monthly cost"];
  const rows = plan.months.map((m) => [
    String(m.month),
    ...(fleet ? [n0(m.servers ?? 0)] : []),
    n0(m.demand),
    n2(m.storageGbPerDay),
    ...names.map((c) => String(m.nodes[c] ?? 0)),
    ...partitioned.map((c) => String(m.partitions[c] ?? 0)),
    `${m.bottleneck} (${pct(m.utilization[m.bottleneck] ?? 0)})`,
    money(m.monthlyCost),
  ]);
  out.push(...mdTable(header, rows, new Set(header.map((_, i) => i).filter((i) => i !== header.length - 2))), "");

  const tiers = Object.keys(first.tiers);
  if (tiers.length > 0) {
    out.push("### Storage by tier", "");
    out.push(
      ...mdTable(
        ["tier", `GB/day, month ${first.month}`, `GB, month ${first.month}`, `GB/day, month ${last.month}`, `GB, month ${last.month}`, `cost, month ${last.month}`],
        tiers.map((t) => {
          const a = first.tiers[t];
          const b = last.tiers[t];
          return [t, n2(a?.gbPerDay ?? 0), n2(a?.provisionedGb ?? 0), n2(b?.gbPerDay ?? 0), n2(b?.provisionedGb ?? 0), money(b?.cost ?? 0)];
        }),
        new Set([1, 2, 3, 4, 5]),
      ),
      "",
    );
  }

  if (plan.limits.length > 0) {
    out.push("### Limits", "");
    for (const l of plan.limits) out.push(`- ${l.subject}: ${l.limit}: ${l.month === null ? `not within ${last.month} months` : `from month ${l.month}`}`);
    out.push("");
  }

  out.push("### Assumptions", "", ...plan.assumptions.map((a) => `- ${a}`), "");
  return out.join("\n");
}
