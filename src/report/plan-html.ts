// plan.html: a computed plan (plan/model.ts) as one self-contained page, as report.html is (the
// same shell, stylesheet and escaping, html-page.ts): the month-by-month table, charts of the nodes
// each component needs by month and of the monthly cost (plan-script.ts), where each capacity came
// from, the storage tiers, the months limits are crossed and the assumptions.
import { isFloor, type PlanResult } from "../plan/model.js";
import { escapeHtml as e, htmlPage } from "./html-page.js";
import { capacityTable, limitText, monthTable, tierTable, type TextTable } from "./plan-format.js";
import { PLAN_SCRIPT } from "./plan-script.js";

/** What plan-script.ts draws, embedded in the page as JSON. */
export interface PlanChartData {
  plan: string;
  months: number[];
  /**
   * Nodes by month per component; `safe`: at the low end of a find-max capacity's interval (drawn
   * dashed beside); `atMost`: the capacity is a floor, so the counts are upper bounds.
   */
  nodes: { component: string; values: number[]; safe?: number[]; atMost?: boolean }[];
  cost: { compute: number[]; storage: number[]; total: number[] };
}

export function planChartData(plan: PlanResult): PlanChartData {
  return {
    plan: plan.name,
    months: plan.months.map((m) => m.month),
    nodes: plan.components.map((c) => {
      const safe = plan.months.map((m) => m.safeNodes[c.name]);
      const values = plan.months.map((m) => m.nodes[c.name] ?? 0);
      return {
        component: c.name,
        values,
        ...(safe.every((n) => n === undefined) ? {} : { safe: safe.map((n, i) => n ?? values[i] ?? 0) }),
        ...(isFloor(c) ? { atMost: true } : {}),
      };
    }),
    cost: {
      compute: plan.months.map((m) => m.computeCost),
      storage: plan.months.map((m) => m.storageCost),
      total: plan.months.map((m) => m.monthlyCost),
    },
  };
}

/** `text` columns wrap (sources, bottlenecks); the rest are numbers, right-aligned by the stylesheet. */
function htmlTable(t: TextTable, id: string, text: ReadonlySet<number> = new Set()): string {
  const cls = (i: number): string => (i > 0 && (text.has(i) || !t.right.has(i)) ? ` class="text"` : "");
  const head = t.header.map((h, i) => `<th${cls(i)}>${e(h)}</th>`).join("");
  const rows = t.rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${e(c)}</td>`).join("")}</tr>`);
  return `<table id="${id}"><thead><tr>${head}</tr></thead><tbody>${rows.join("\n")}</tbody></table>`;
}

function invalidSources(plan: PlanResult): string {
  const items = plan.components.flatMap((c) =>
    c.source.kind === "measured" && !c.source.valid ? [`<li><span class="badge bad">invalid</span> ${e(c.name)}: taken with allowInvalid: ${e(c.source.reasons.join("; "))}</li>`] : [],
  );
  return items.length === 0 ? "" : `<ul>${items.join("")}</ul>`;
}

/**
 * The plan's tables, chart cards (#plan-charts, drawn by plan-script.ts) and assumptions, with
 * headings at `level` and below: plan.html's body, and report.html's "Capacity plan" section.
 */
export function planSectionHtml(plan: PlanResult, level = 2): string {
  const last = plan.months.at(-1);
  const horizon = last?.month ?? 0;
  const tiers = tierTable(plan);
  const h = `h${level}`;
  const limits = plan.limits.map((l) => `<li><strong>${e(l.subject)}</strong>: ${e(l.limit)}: ${e(limitText(l.month, horizon))}</li>`);
  return `<${h}>Month by month</${h}>
${htmlTable(monthTable(plan), "plan-months")}
<div class="charts" id="plan-charts"></div>
<${h}>Capacity per node</${h}>
${htmlTable(capacityTable(plan), "plan-capacity", new Set([5]))}
${invalidSources(plan)}
<${h}>Storage by tier</${h}>
${tiers.rows.length === 0 ? `<p class="muted">The plan has no storage tiers.</p>` : htmlTable(tiers, "plan-tiers")}
<${h}>Limits</${h}>
${limits.length === 0 ? `<p class="muted">No limit is set.</p>` : `<ul>${limits.join("")}</ul>`}
<${h}>Assumptions</${h}>
<ul>${plan.assumptions.map((a) => `<li>${e(a)}</li>`).join("")}</ul>`;
}

export function renderPlanHtml(plan: PlanResult, file?: string): string {
  const first = plan.months[0];
  const horizon = plan.months.at(-1)?.month ?? 0;
  const body = `<h1>Capacity plan: ${e(plan.name)}</h1>
<p class="meta">${first === undefined ? "no months" : `months ${first.month}–${horizon}`} · ${plan.components.length} component(s)${file === undefined ? "" : ` · ${e(file)}`}</p>
${planSectionHtml(plan)}`;
  return htmlPage({ title: `${plan.name} — pipebench capacity plan`, body, data: planChartData(plan), script: PLAN_SCRIPT });
}
