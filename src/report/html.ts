// report.html: one self-contained file (uPlot's JS and CSS inlined, the data as JSON in the page,
// no external URL anywhere) that opens from disk with no network. Tables are rendered here; the
// charts are drawn in the browser from the embedded data (html-script.ts); the sweep heat map is
// a colour-scaled table, which needs no script at all.
import type { StoredRun } from "../store/results-store.js";
import { findingWhere } from "../diagnose/diagnose.js";
import { recordsRate } from "./format.js";
import { chartData, type ChartData, type HeatMap } from "./chart-data.js";
import { REPORT_SCRIPT } from "./html-script.js";
import {
  checkValueText,
  errorLines,
  timingLines,
  changeOf,
  comparedValues,
  formatValue,
  headline,
  percentileText,
  runLabel,
  scenarioGroups,
  thresholdChecks,
  validityOf,
  validityText,
  REPORTED_PROBE_METRICS,
  type ReportInput,
  type ScenarioGroup,
} from "./report-model.js";
import { planSectionHtml } from "./plan-html.js";
import { scalabilityHtml } from "./scalability.js";
import { anyThinTail, THIN_TAIL_NOTE } from "./thin-tail.js";
import { escapeHtml, htmlPage } from "./html-page.js";

export { escapeHtml };

const e = escapeHtml;

function badge(run: StoredRun): string {
  const cls = run.status === "passed" ? "ok" : run.status === "running" || run.status === "invalid" ? "warn" : "bad";
  return `<span class="badge ${cls}">${e(run.status)}</span>`;
}

/** Short in the table (the reason codes), the full reasons on hover and in the criteria list. */
function validityCell(g: ScenarioGroup): string {
  const invalid = g.trials.map(validityOf).filter((v) => !v.valid);
  if (invalid.length === 0) return `<td class="text"><span class="badge ok">valid</span></td>`;
  const codes = [...new Set(invalid.flatMap((v) => v.reasons.map((r) => r.code)))].join(", ");
  const reasons = [...new Set(invalid.flatMap((v) => v.reasons.map((r) => r.message)))].join("\n");
  return `<td class="text" title="${e(reasons)}"><span class="badge bad">invalid</span> ${e(codes)}</td>`;
}

function probesTable(run: StoredRun): string {
  const rows = run.runProbes.flatMap((p) =>
    Object.entries(p.reading.metrics)
      .filter(([k]) => REPORTED_PROBE_METRICS[k] !== undefined)
      .map(([k, v]) => `<tr><td>${e(p.target ?? "host")}</td><td class="text">${e(p.probe)}</td><td class="text">${e(k)}</td><td>${e(formatValue(REPORTED_PROBE_METRICS[k] ?? "", v))}</td></tr>`),
  );
  if (rows.length === 0) return "";
  return `<table><thead><tr><th>target</th><th class="text">probe</th><th class="text">reading (whole run)</th><th>value</th></tr></thead><tbody>${rows.join("\n")}</tbody></table>`;
}

function metricsTable(run: StoredRun): string {
  const groups = scenarioGroups(run);
  const heads = groups.map(headline);
  const rows = groups.map((g, i) => {
    const h = heads[i]!;
    return `<tr><td>${e(g.key)}</td><td class="text">${e(g.target)}</td><td>${h.trials}</td><td>${e(formatValue("count", h.ops))}</td><td>${e(recordsRate(g.trials[0]?.workload, h.throughput))}</td>` +
      `<td>${e(formatValue("1/s", h.opsPerSec))}</td><td>${e(percentileText(h, "p50"))}</td><td>${e(percentileText(h, "p95"))}</td>` +
      `<td>${e(percentileText(h, "p99"))}</td><td>${e(formatValue("ms", h.max))}</td><td>${e(formatValue("ratio", h.errorRate))}</td>${validityCell(g)}</tr>`;
  });
  const note = anyThinTail(heads.map((h) => h.latencyCount)) ? `<p class="muted">* ${e(THIN_TAIL_NOTE)}</p>\n` : "";
  // What the errors were and when, by kind and the server's code (the table has only their rate).
  const errors = [...errorLines(groups), ...timingLines(groups)].map(({ scenario, line }) => `<li><strong>${e(scenario)}</strong>: ${e(line)}</li>`);
  return `<table><thead><tr><th>scenario</th><th class="text">target</th><th>trials</th><th>ops</th><th>throughput</th><th>ops/s</th><th>p50</th><th>p95</th><th>p99</th><th>max</th><th>error rate</th><th class="text">validity</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table>
${note}${errors.length === 0 ? "" : `<ul class="errors">${errors.join("\n")}</ul>\n`}${probesTable(run)}`;
}

function comparisonSection(input: ReportInput): string {
  if (input.baseline === undefined) return "";
  const c = input.comparison;
  const settings = c?.settings ?? [];
  const settingRows = settings.map(
    (s) => `<tr><td><code>${e(s.path)}</code></td><td class="text"><code>${e(JSON.stringify(s.before) ?? "(not set)")}</code></td><td class="text"><code>${e(JSON.stringify(s.after) ?? "(not set)")}</code></td></tr>`,
  );
  const metricRows = (c?.metrics ?? []).map((m) => {
    const change = changeOf(m);
    const cls = m.verdict === "better" ? "ok" : m.verdict === "worse" ? "bad" : "warn";
    const v = comparedValues(m);
    return `<tr><td>${e(m.scenario)}</td><td class="text">${e(m.metric)}</td><td>${e(v.before)}</td><td>${e(v.after)}</td>` +
      `<td>${e(change.pct)}</td><td>${e(change.ci)}</td><td>${m.pValue === null ? "–" : m.pValue < 0.001 ? "&lt;0.001" : m.pValue.toFixed(3)}</td>` +
      `<td class="text"><span class="badge ${cls}">${e(m.verdict === "no change" ? "~ no change" : m.verdict)}</span></td></tr>`;
  });
  const caveats = [...(c?.environment ?? []).map((x) => `environment differs: ${x}`), ...(c?.notes ?? [])];
  return `<h2>Optimizations applied</h2>
${settingRows.length === 0 ? `<p class="muted">No setting differs between the two runs' suites.</p>` : `<table><thead><tr><th>setting</th><th class="text">before</th><th class="text">after</th></tr></thead><tbody>${settingRows.join("\n")}</tbody></table>`}
<h2>Before (${e(runLabel(input.baseline))})</h2>
${metricsTable(input.baseline)}
<h2>Improvement</h2>
${metricRows.length === 0 ? `<p class="muted">No comparison available.</p>` : `<table><thead><tr><th>scenario</th><th class="text">metric</th><th>before</th><th>after</th><th title="after against before, as pipebench compare prints it: latency up is worse, throughput up is better">change</th><th>95% CI of change</th><th>p</th><th class="text">verdict</th></tr></thead><tbody>${metricRows.join("\n")}</tbody></table>`}
${caveats.length === 0 ? "" : `<ul>${caveats.map((x) => `<li class="muted">${e(x)}</li>`).join("")}</ul>`}
<div class="charts" id="bars-charts"></div>`;
}

function findingsSection(input: ReportInput): string {
  if (input.findings.length === 0) return `<h2>Bottlenecks and recommendations</h2><p class="muted">None found: no diagnosis rule matched this run's evidence.</p>`;
  const items = input.findings.map((f) => {
    const cls = f.impact === "high" ? "bad" : f.impact === "medium" ? "warn" : "ok";
    return `<div class="finding"><span class="badge ${cls}">${e(f.impact)}</span> <strong>${e(f.title)}</strong>${f.scenario ? ` <span class="muted">(${e(findingWhere(f))})</span>` : ""}
<ul>${f.evidence.map((x) => `<li>${e(x)}</li>`).join("")}<li><strong>Recommendation:</strong> ${e(f.recommendation)}</li><li class="muted">Runbook: ${e(f.runbook)}</li></ul></div>`;
  });
  return `<h2>Bottlenecks and recommendations</h2>\n${items.join("\n")}`;
}

function criteriaSection(run: StoredRun): string {
  const checks = thresholdChecks(run).map(
    (c) => `<li>${c.passed ? `<span class="pass">✓</span>` : `<span class="fail">✗</span>`} <code>${e(c.expr)}</code> (${e(checkValueText(c))}) <span class="muted">— ${e(c.scenario ?? "suite")}</span></li>`,
  );
  if (checks.length === 0) checks.push(`<li class="muted">No thresholds are set in this suite.</li>`);
  for (const g of scenarioGroups(run)) {
    const text = validityText(g);
    checks.push(
      text === "valid"
        ? `<li><span class="pass">✓</span> results valid <span class="muted">— ${e(g.key)}</span></li>`
        : `<li><span class="fail">✗</span> results not valid: ${e(text.replace(/^INVALID: /, ""))} <span class="muted">— ${e(g.key)}</span></li>`,
    );
  }
  return `<h2>Success criteria</h2><ul class="checks">${checks.join("\n")}</ul>`;
}

/**
 * Colour by what the sweep optimises (throughput, or p99 for an open loop at a fixed rate): the
 * better, the deeper the green; a cell that failed a threshold or is invalid is red-tinted.
 */
function heatTable(h: HeatMap): string {
  const byP99 = h.rule === "lowest p99";
  const score = (c: NonNullable<HeatMap["cells"][number][number]>): number => (byP99 ? -(c.p99 ?? Number.POSITIVE_INFINITY) : c.throughput);
  const scores = h.cells.flat().filter((c) => c !== null).map(score).filter(Number.isFinite);
  const lo = Math.min(...scores);
  const hi = Math.max(...scores);
  const head = `<tr><th>${e(h.rowKeys.join(", "))} \\ ${e(h.colKey)}</th>${h.cols.map((c) => `<th>${e(c)}</th>`).join("")}</tr>`;
  const body = h.rows.map((row, r) => {
    const cells = h.cols.map((col, c) => {
      const cell = h.cells[r]?.[c] ?? null;
      if (cell === null) return `<td class="heat muted">not run</td>`;
      const x = score(cell);
      const f = hi > lo && Number.isFinite(x) ? (x - lo) / (hi - lo) : 1;
      const bg = cell.passed && cell.valid ? `hsl(140, 60%, ${Math.round(95 - f * 45)}%)` : `hsl(0, 70%, ${Math.round(92 - f * 20)}%)`;
      const best = h.best === `${row}|${col}` ? " best" : "";
      const mark = `${cell.passed ? "" : " ✗"}${cell.valid ? "" : " (invalid)"}`;
      return `<td class="heat${best}" style="background:${bg}" title="${e(cell.label)}">${e(formatValue("records/s", cell.throughput))}${e(mark)}<small>p99 ${e(formatValue("ms", cell.p99))}</small></td>`;
    });
    return `<tr><th class="text">${e(row || "—")}</th>${cells.join("")}</tr>`;
  });
  return `<div class="chart heatmap"><h3>${e(h.title)}</h3><table>${head}${body.join("")}</table>
<p class="muted">Cells: throughput (records/s), p99 below; green deepens with ${byP99 ? "lower p99" : "higher throughput"}; red: a threshold failed or the result is invalid; outlined: the best combination that met its thresholds.</p></div>`;
}

export function renderHtml(input: ReportInput): string {
  const { run } = input;
  const data: ChartData = chartData(input);
  const env = run.environment;
  const host = env.host as Record<string, unknown>;
  const targets = Object.entries(env.targets).map(([name, t]) => `${name}: ${t.version ?? t.kind}`);
  const title = `${run.suiteName} — pipebench report, run ${run.id}${input.baseline ? ` vs run ${input.baseline.id}` : ""}`;
  return htmlPage({
    title,
    body: `<h1>${e(run.suiteName)} ${badge(run)}</h1>
<p class="meta">${e(runLabel(run))}${input.baseline ? ` compared with ${e(runLabel(input.baseline))}` : ""}</p>
<p class="meta">${e([...targets, `node ${env.node}`, `pipebench ${env.pipebench}`, `${String(host.cpuModel ?? "?")}, ${String(host.cores ?? "?")} cores`].join(" · "))}</p>
<p class="meta muted">Written ${e(new Date(input.generatedAt).toISOString().replace("T", " ").slice(0, 19))} UTC</p>
${comparisonSection(input)}
<h2>${input.baseline ? "After" : "Metrics"} (${e(runLabel(run))})</h2>
${metricsTable(run)}
${data.heatmaps.length === 0 ? "" : `<h2>Sweep</h2>\n<div id="sweep-heatmaps">${data.heatmaps.map(heatTable).join("\n")}</div>`}
${scalabilityHtml(input.scalability ?? [], run.id)}
${input.plan === undefined ? "" : `<h2 id="capacity-plan">Capacity plan: ${e(input.plan.result.name)}</h2>\n<p class="meta">${e(input.plan.file)}: its measured capacities read from the same results store</p>\n${planSectionHtml(input.plan.result, 3)}`}
${criteriaSection(run)}
${findingsSection(input)}
<h2>Throughput over time</h2>
<div class="charts" id="throughput-charts"></div>
${data.throughput.length === 0 ? `<p class="muted">No per-second series was stored.</p>` : ""}
<h2>Latency percentile spectrum</h2>
<div class="charts" id="spectrum-charts"></div>
${data.spectrum.length === 0 ? `<p class="muted">No latency histogram was stored.</p>` : ""}`,
    data,
    script: REPORT_SCRIPT,
  });
}

