// A computed plan as a Markdown section ("## Capacity Plan"), laid out as capacity plans are
// (research §2.5): where each capacity came from, the month-by-month table with the bottleneck,
// storage by tier, the months limits are crossed, the assumptions. `pipebench plan -o DIR` writes
// it as plan.md; a report can append the same section.
import type { PlanResult } from "../plan/model.js";
import { capacityTable, limitText, monthTable, tierTable, type TextTable } from "./plan-format.js";

/** A table cell: pipes would end the cell. */
const cell = (s: string): string => s.replaceAll("|", "\\|");

function mdTable(t: TextTable): string[] {
  return [
    `| ${t.header.map(cell).join(" | ")} |`,
    `|${t.header.map((_, i) => (t.right.has(i) ? " ---: " : " --- ")).join("|")}|`,
    ...t.rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ];
}

export function planMarkdown(plan: PlanResult, heading = "## Capacity Plan"): string {
  const first = plan.months[0];
  const last = plan.months.at(-1);
  const out = [heading, ""];
  if (first === undefined || last === undefined) return [...out, "No months planned.", ""].join("\n");
  out.push(`Plan **${plan.name}**, months ${first.month}–${last.month}.`, "");
  out.push("### Capacity per node", "", ...mdTable(capacityTable(plan)), "");
  out.push("### Month by month", "", ...mdTable(monthTable(plan)), "");
  const tiers = tierTable(plan);
  if (tiers.rows.length > 0) out.push("### Storage by tier", "", ...mdTable(tiers), "");
  if (plan.limits.length > 0) {
    out.push("### Limits", "");
    for (const l of plan.limits) out.push(`- ${l.subject}: ${l.limit}: ${limitText(l.month, last.month)}`);
    out.push("");
  }
  out.push("### Assumptions", "", ...plan.assumptions.map((a) => `- ${a}`), "");
  return out.join("\n");
}
