// A RunComparison as benchstat prints one: each side's median with its interval ("± x%", "± ∞"
// with a footnote when there are too few trials for one), then the change "vs base" with its
// p-value and sample sizes, or "~" when there is no significant change. pipebench adds the
// interval of the change and the verdict in words.
import { table } from "../format/columns.js";
import { formatCount, formatFineMs, formatMs, formatPercent, formatRate } from "../format/numbers.js";
import type { MetricComparison, RunComparison } from "./compare.js";
import { gatesRegression } from "./compare.js";
import { medianInterval, medianIntervalMinimumN } from "./stats.js";
import { formatPerOp, PER_RECORD } from "./trial-metrics.js";

const CONFIDENCE = 0.95;

function formatValue(value: number, unit: string, metric: string): string {
  switch (unit) {
    case "ms":
      return metric.endsWith(PER_RECORD) ? formatFineMs(value) : formatMs(value);
    case "records/s":
    case "ops/s":
      return formatRate(value);
    case "ratio":
      return formatPercent(value, value !== 0 && Math.abs(value) < 0.001 ? 3 : 2);
    case "count":
      return formatCount(value);
    default:
      return String(value);
  }
}

function signedPct(pct: number): string {
  const digits = Math.abs(pct) >= 100 ? 1 : 2;
  return `${pct >= 0 ? "+" : ""}${pct.toFixed(digits)}%`;
}

function formatP(p: number): string {
  return `p=${p.toFixed(3)}`;
}

function sizes(m: MetricComparison): string {
  return m.before.n === m.after.n ? `n=${m.before.n}` : `n=${m.before.n}+${m.after.n}`;
}

/** "30,816/s ± 3%"; "± ∞ ¹" when too few values for a median interval (the footnote explains). */
function sideCell(side: MetricComparison["before"], m: MetricComparison, footnotes: Set<string>): string {
  if (side.median === null) return "–";
  const value = formatValue(side.median, m.unit, m.metric);
  if (side.n < 2) return value;
  const ci = medianInterval(side.values, CONFIDENCE);
  if (!Number.isFinite(ci.low)) {
    footnotes.add(`¹ need >= ${medianIntervalMinimumN(CONFIDENCE)} samples for confidence interval at level ${CONFIDENCE}`);
    return `${value} ± ∞ ¹`;
  }
  const spread = side.median === 0 ? 0 : (Math.max(ci.high - side.median, side.median - ci.low) / Math.abs(side.median)) * 100;
  return `${value} ± ${spread < 1 ? spread.toFixed(1) : spread.toFixed(0)}%`;
}

function vsBase(m: MetricComparison, footnotes: Set<string>): string {
  // Of different operations: a change would be read as a verdict, so none is shown.
  if (m.verdict === "not comparable") return "";
  if (m.verdict === "insufficient") {
    if (m.test === "none" && (m.before.n <= 1 || m.after.n <= 1)) {
      footnotes.add("² one trial on a side and no histogram or ≥ 3 s series to resample: run with --trials 5 or more");
      return m.changePct === null ? "? ²" : `${signedPct(m.changePct)} ?²`;
    }
    footnotes.add("³ too few trials for the test to ever be significant: run with --trials 5 or more");
    return `~ ${m.pValue === null ? "" : `(${formatP(m.pValue)} ${sizes(m)}) `}³`.trimEnd();
  }
  if (m.test === "bootstrap") {
    footnotes.add(
      "⁴ bootstrap: resampled within each run, so the interval holds the noise inside a run but not the drift between runs (other load on the machine): confirm a verdict with --trials 5",
    );
  }
  const label = m.test === "bootstrap" ? (m.before.n > 1 || m.after.n > 1 ? " bootstrap of pooled trials ⁴" : " bootstrap ⁴") : "";
  const test = m.pValue === null ? `(${sizes(m)})` : `(${formatP(m.pValue)} ${sizes(m)}${label})`;
  if (m.verdict === "no change") return `~ ${test}`;
  // A significant change from 0 (errors where there were none) has no percentage.
  if (m.changePct === null) return `from 0 ${test}`;
  return `${signedPct(m.changePct)} ${test}`;
}

function intervalCell(m: MetricComparison): string {
  if (m.ci95 === null || m.verdict === "not comparable") return "";
  return `[${signedPct(m.ci95[0])}, ${signedPct(m.ci95[1])}]`;
}

function verdictCell(m: MetricComparison): string {
  switch (m.verdict) {
    case "better":
      return "better";
    case "worse":
      return gatesRegression(m.metric) ? "WORSE" : "worse (resource)";
    case "no change":
      return "~";
    case "insufficient":
      return "?";
    case "not comparable":
      return "not comparable";
  }
}

/** "run 3", or "run 3 (batch-100)" for a tagged run. */
export function runLabel(side: { readonly id: number; readonly tag: string | null }): string {
  return side.tag === null ? `run ${side.id}` : `run ${side.id} (${side.tag})`;
}

export function renderComparison(c: RunComparison, options: { color?: boolean } = {}): string {
  const paint = (code: string, text: string): string => (options.color === true ? `\u001b[${code}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  const suites = c.before.suiteName === c.after.suiteName ? c.before.suiteName : `${c.before.suiteName} / ${c.after.suiteName}`;
  lines.push(`pipebench compare · ${runLabel(c.before)} → ${runLabel(c.after)} · ${suites}`);
  lines.push(`alpha ${c.alpha} · noise floor ${c.noiseFloorPct}% · medians of the trials, Mann–Whitney U (bootstrap for single trials)`);
  if (c.environment.length > 0) {
    lines.push("", paint("33", "! the environments differ, so part of any change may be the machine's:"));
    for (const e of c.environment) lines.push(`    ${e}`);
  }
  if (c.settings.length > 0) {
    lines.push("", "settings that differ (optimizations applied):");
    const rows = c.settings.map((s) => [`  ${s.path}`, JSON.stringify(s.before) ?? "–", "→", JSON.stringify(s.after) ?? "–"]);
    lines.push(...table(rows, new Set([1])));
  }
  for (const note of c.notes) lines.push(`note: ${note}`);

  const footnotes = new Set<string>();
  const rows: string[][] = [["", runLabel(c.before), runLabel(c.after), "vs base", "95% CI", ""]];
  let scenario: string | undefined;
  let perOperation = false;
  for (const m of c.metrics) {
    if (m.scenario !== scenario) {
      scenario = m.scenario;
      perOperation = false;
      rows.push([m.scenario, "", "", "", "", ""]);
    }
    const change = c.operationChanges.find((o) => o.scenario === m.scenario);
    if (m.verdict === "not comparable" && !perOperation && change !== undefined) {
      perOperation = true;
      const [b, a] = change.recordsPerOp;
      rows.push([`  per operation (${formatPerOp(b)} → ${formatPerOp(a)} records):`, "", "", "", "", ""]);
    }
    rows.push([
      `  ${perOperation ? "  " : ""}${m.metric}`,
      sideCell(m.before, m, footnotes),
      sideCell(m.after, m, footnotes),
      vsBase(m, footnotes),
      intervalCell(m),
      verdictCell(m),
    ]);
  }
  lines.push("");
  if (c.metrics.length === 0) lines.push("no scenario is in both runs: nothing to compare");
  else {
    const body = table(rows, new Set([1, 2, 3, 4]));
    lines.push(
      ...body.map((line, i) => {
        if (i === 0) return line;
        if (line.endsWith("WORSE")) return paint("31", line);
        if (line.endsWith("better")) return paint("32", line);
        return line;
      }),
    );
  }
  const order = (note: string): number => "¹²³⁴".indexOf(note[0] ?? "");
  if (footnotes.size > 0) lines.push("", ...[...footnotes].sort((x, y) => order(x) - order(y)));
  const better = c.metrics.filter((m) => m.verdict === "better").length;
  const worse = c.metrics.filter((m) => m.verdict === "worse").length;
  const same = c.metrics.filter((m) => m.verdict === "no change").length;
  const unknown = c.metrics.filter((m) => m.verdict === "insufficient").length;
  const apart = c.metrics.filter((m) => m.verdict === "not comparable").length;
  lines.push(
    "",
    `${better} better, ${worse} worse, ${same} unchanged${unknown > 0 ? `, ${unknown} undecided` : ""}` +
      `${apart > 0 ? `; ${apart} not comparable (of another operation), not counted` : ""}`,
  );
  return lines.join("\n");
}
