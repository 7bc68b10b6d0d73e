// "Scalability (USL fit)" in report.md and report.html: for a run swept over a concurrency-like key
// at 3 or more distinct N (fit/run-fits.ts decides and fits), σ, κ, λ with their intervals, R², the
// peak N* and X(N*), the points beside the curve, and, in the HTML, the data of a chart of the points,
// the fitted curve and its confidence band (drawn by scalability-script.ts). Rendering only.
import type { RunFit } from "../fit/run-fits.js";
import { sig } from "../fit/render-fit.js";
import { uslThroughput } from "../fit/usl-model.js";
import type { CurvePoint, Estimate, FitPoint, UslFit } from "../fit/usl-fit.js";
import { escapeHtml as e } from "./html-page.js";
import { cell, inline } from "./markdown-escape.js";

export const SCALABILITY_HEADING = "Scalability (USL fit)";

export interface ScalabilityChart {
  /** The id of the element the chart is drawn in. */
  section: string;
  title: string;
  key: string;
  points: FitPoint[];
  /** N = 1 … 2× the largest N measured, with the band (null without standard errors). */
  curve: CurvePoint[];
  peakN: number | null;
  maxMeasuredN: number;
}

type Fitted = Extract<RunFit, { ok: true }>;

const title = (f: RunFit): string => `${f.scenario} over ${f.key}`;

/** The command that prints the same fit, for a reader who wants more (predictions, another level). */
const command = (f: RunFit, runId: number): string => `pipebench fit ${runId} --key ${f.key} --scenario ${f.scenario}`;

interface Row {
  name: "sigma" | "kappa" | "lambda";
  label: string;
  unit: string;
}

const ROWS: readonly Row[] = [
  { name: "sigma", label: "σ contention", unit: "" },
  { name: "kappa", label: "κ coherency", unit: "" },
  { name: "lambda", label: "λ throughput of one unit", unit: " records/s" },
];

function interval(x: Estimate): string {
  return x.low === null || x.high === null ? "–" : `[${sig(x.low)}, ${sig(x.high)}]`;
}

/** The lines under the coefficients: R², the peak or the Amdahl ceiling. */
function summary(fit: UslFit): { label: string; name: string; text: string }[] {
  const out = [{ label: "R²", name: "r2", text: fit.r2.toFixed(4) }];
  if (fit.peakN !== null && fit.peakThroughput !== null) {
    const guess = fit.peakExtrapolated ? ` (beyond ${sig(fit.extrapolationLimitN)}, 2× the largest N measured: a guess)` : "";
    out.push({ label: "N*", name: "peakN", text: `${sig(fit.peakN)}${guess}` });
    out.push({ label: "X(N*)", name: "peakThroughput", text: `${sig(fit.peakThroughput)} records/s` });
  } else {
    out.push({ label: "N*", name: "peakN", text: "none: κ = 0, throughput never peaks" });
  }
  if (fit.amdahl) {
    const ceiling = fit.amdahlLimit === null ? "no ceiling in sight (σ = 0)" : `throughput tends to λ/σ ≈ ${sig(fit.amdahlLimit)} records/s`;
    out.push({ label: "Amdahl", name: "amdahl", text: `κ ≈ 0 (its interval reaches 0): ${ceiling}` });
  }
  return out;
}

function pointRows(fit: UslFit): string[][] {
  const c = { sigma: fit.sigma.value, kappa: fit.kappa.value, lambda: fit.lambda.value };
  return fit.points.map((p) => {
    const fitted = uslThroughput(c, p.n);
    const residual = ((p.throughput - fitted) / fitted) * 100;
    return [sig(p.n, 4), sig(p.throughput, 4), sig(fitted, 4), `${residual >= 0 ? "+" : ""}${residual.toFixed(1)}%`];
  });
}

function intro(f: Fitted): string {
  const fit = f.fit;
  return `X(N) = λN / (1 + σ(N−1) + κN(N−1)) fitted to the median throughput of each value's trials: ${fit.points.length} points at ${fit.distinctN} distinct N (1…${sig(fit.maxMeasuredN)}), ${Math.round(fit.confidence * 100)} % intervals.`;
}

export function scalabilityMarkdown(fits: readonly RunFit[], runId: number): string[] {
  if (fits.length === 0) return [];
  const out = [`## ${SCALABILITY_HEADING}`, ""];
  for (const f of fits) {
    out.push(`### ${inline(title(f))}`, "");
    if (!f.ok) {
      out.push(`No fit: ${inline(f.reason)}.${f.hint === "" ? "" : ` ${inline(f.hint)}.`}`, "");
      continue;
    }
    out.push(`${inline(intro(f))} The same fit: \`${command(f, runId)}\`.`, "");
    out.push("| coefficient | value | std. error | 95 % interval |", "| --- | ---: | ---: | ---: |");
    for (const r of ROWS) {
      const x = f.fit[r.name];
      out.push(`| ${r.label} | ${sig(x.value)}${r.unit} | ${x.stdError === null ? "–" : sig(x.stdError)} | ${interval(x)} |`);
    }
    out.push("");
    for (const s of summary(f.fit)) out.push(`- ${s.label}: ${s.text}`);
    out.push("", "| N | measured records/s | fitted | residual |", "| ---: | ---: | ---: | ---: |");
    for (const row of pointRows(f.fit)) out.push(`| ${row.map(cell).join(" | ")} |`);
    out.push("");
    for (const w of [...f.fit.warnings, ...f.notes]) out.push(`- ⚠ ${inline(w)}`);
    if (f.fit.warnings.length + f.notes.length > 0) out.push("");
  }
  return out;
}

export function scalabilityCharts(fits: readonly RunFit[]): ScalabilityChart[] {
  return fits.flatMap((f, i) =>
    f.ok ? [{ section: `scalability-chart-${i}`, title: title(f), key: f.key, points: f.fit.points, curve: f.curve, peakN: f.fit.peakN, maxMeasuredN: f.fit.maxMeasuredN }] : [],
  );
}

export function scalabilityHtml(fits: readonly RunFit[], runId: number): string {
  if (fits.length === 0) return "";
  const parts = fits.map((f, i) => {
    if (!f.ok) return `<h3>${e(title(f))}</h3><p class="muted">No fit: ${e(f.reason)}.${f.hint === "" ? "" : ` ${e(f.hint)}.`}</p>`;
    const rows = ROWS.map((r) => {
      const x = f.fit[r.name];
      return `<tr><td class="text">${e(r.label)}</td><td data-value="${r.name}">${e(sig(x.value) + r.unit)}</td><td data-value="${r.name}-se">${e(x.stdError === null ? "–" : sig(x.stdError))}</td><td data-value="${r.name}-interval">${e(interval(x))}</td></tr>`;
    });
    const dl = summary(f.fit).map((s) => `<dt>${e(s.label)}</dt><dd data-value="${s.name}">${e(s.text)}</dd>`);
    const points = pointRows(f.fit).map((row) => `<tr>${row.map((c) => `<td>${e(c)}</td>`).join("")}</tr>`);
    const warnings = [...f.fit.warnings, ...f.notes];
    return `<h3>${e(title(f))}</h3>
<p class="muted">${e(intro(f))} The same fit: <code>${e(command(f, runId))}</code></p>
<div class="charts" data-fit="${i}"><div>
<table><thead><tr><th class="text">coefficient</th><th>value</th><th>std. error</th><th>95 % interval</th></tr></thead><tbody>${rows.join("")}</tbody></table>
<dl class="fit">${dl.join("")}</dl>
<table><thead><tr><th>N</th><th>measured records/s</th><th>fitted</th><th>residual</th></tr></thead><tbody>${points.join("")}</tbody></table>
${warnings.length === 0 ? "" : `<ul class="warnings">${warnings.map((w) => `<li>${e(w)}</li>`).join("")}</ul>`}
</div><div id="scalability-chart-${i}"></div></div>`;
  });
  return `<h2>${e(SCALABILITY_HEADING)}</h2>\n${parts.join("\n")}`;
}
