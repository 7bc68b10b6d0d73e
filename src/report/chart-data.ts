// The numbers report.html plots, prepared on the server side so the page only draws: throughput
// over time (throughput-chart.ts), latency percentile spectra decoded from the stored HDR
// histograms, before / after values from the comparison, and sweep grids. Plain JSON, embedded in
// the page.
import { planChartData, type PlanChartData } from "./plan-html.js";
import { decodeHistogram, mergeHistograms, type LatencyHistogram } from "../metrics/histogram.js";
import { sweepTables, type BestRule } from "./sweep-table.js";
import type { StoredRun, StoredScenario, Variant } from "../store/results-store.js";
import { scalabilityCharts, type ScalabilityChart } from "./scalability.js";
import { throughputCharts, type ThroughputChart } from "./throughput-chart.js";
import {
  scenarioGroups,
  type ReportInput,
  type ScenarioGroup,
  type VariantValue,
} from "./report-model.js";
import { recordsUnit } from "./format.js";

export type { ThroughputChart } from "./throughput-chart.js";

export interface SpectrumChart {
  scenario: string;
  series: {
    label: string;
    before: boolean;
    /** 1 / (1 − percentile/100): HdrHistogram's "nines" axis (10 = 90 %, 100 = 99 %, …). */
    x: number[];
    /** Latency in ms at that percentile. */
    y: number[];
    count: number;
  }[];
}

export interface BarsChart {
  metric: string;
  unit: string;
  higherIsBetter: boolean;
  scenarios: string[];
  before: (number | null)[];
  after: (number | null)[];
  verdicts: string[];
  /**
   * Drawn as each scenario's after in % of its own before (before = 100), so scenarios of very
   * different size (100 rows/s beside 136,400) each show their change; null where before is 0 or
   * missing. Absent for error_rate, a ratio every scenario shares the scale of.
   */
  relative?: { before: (number | null)[]; after: (number | null)[] };
}

export interface HeatMap {
  title: string;
  rowKeys: string[];
  colKey: string;
  rows: string[];
  cols: string[];
  /** [row][col]; null where the combination was not run. */
  cells: ({ throughput: number; p99: number | null; passed: boolean; valid: boolean; label: string } | null)[][];
  /** How the sweep picks its best combination; the colour scale follows it. */
  rule: BestRule;
  /** The best combination that met its thresholds, as "row|col". */
  best: string | null;
}

export interface ChartData {
  /** Which runs these are, for anyone reading the data out of the page. */
  suite: string;
  run: number;
  baseline: number | null;
  throughput: ThroughputChart[];
  spectrum: SpectrumChart[];
  bars: BarsChart[];
  heatmaps: HeatMap[];
  scalability: ScalabilityChart[];
  /** The capacity plan's charts, with `report --plan`. */
  plan?: PlanChartData;
}

function decodeOrUndefined(encoded: string): LatencyHistogram | undefined {
  if (encoded === "") return undefined;
  try {
    return decodeHistogram(encoded);
  } catch {
    return undefined; // A damaged histogram loses its chart, not the report.
  }
}

function histogramOf(s: StoredScenario): LatencyHistogram | undefined {
  return s.result.latency.count === 0 ? undefined : decodeOrUndefined(s.result.latencyHistogram);
}

/** Percentiles to plot: 10 per decade of the nines axis, up to what the sample count supports. */
function spectrumOf(h: LatencyHistogram): { x: number[]; y: number[] } {
  const ticksPerDecade = 10;
  const percentiles: number[] = [];
  for (let j = 0; 10 ** (j / ticksPerDecade) <= h.count && j <= 7 * ticksPerDecade; j++) {
    percentiles.push(100 * (1 - 10 ** (-j / ticksPerDecade)));
  }
  const values = h.valuesAtPercentiles(percentiles);
  // 1 / (1 − p/100) = 10^(j/10), written so that 90 % is exactly 10 (the axis ends on a decade).
  const x = percentiles.map((_, j) => 10 ** (j / ticksPerDecade));
  const y = values.map((us) => us / 1000);
  // The maximum, drawn where HdrHistogram's plots end: at the last sample's percentile.
  // With few samples the last tick can fall on that very percentile (10 samples: 90 %): it is then
  // the maximum's point, or the worst operation would be left off the chart.
  const lastX = h.count;
  const max = h.valueAtPercentile(100) / 1000;
  const tail = x[x.length - 1] ?? 0;
  if (Math.abs(lastX - tail) <= tail * 1e-9) {
    y[y.length - 1] = max;
  } else if (lastX > tail) {
    x.push(lastX);
    y.push(max);
  }
  return { x, y };
}

function sameGroup(groups: readonly ScenarioGroup[], key: string): ScenarioGroup | undefined {
  return groups.find((g) => g.key === key);
}

function spectrumCharts(run: StoredRun, baseline: StoredRun | undefined): SpectrumChart[] {
  const groups = scenarioGroups(run);
  const baseGroups = baseline === undefined ? [] : scenarioGroups(baseline);
  const charts: SpectrumChart[] = [];
  for (const g of groups) {
    const series: SpectrumChart["series"] = [];
    const add = (src: ScenarioGroup, r: StoredRun, before: boolean): void => {
      const who = before ? `before (run ${r.id})` : `run ${r.id}`;
      const trials = src.trials.length > 1 ? `, ${src.trials.length} trials` : "";
      // Trials merge into one histogram: the spectrum of every operation measured. An observed
      // latency (end-to-end, freshness) is a second line of its own.
      const push = (what: string, hs: (LatencyHistogram | undefined)[]): void => {
        const present = hs.filter((h): h is LatencyHistogram => h !== undefined);
        if (present.length === 0) return;
        const merged = mergeHistograms(present);
        const { x, y } = spectrumOf(merged);
        series.push({ label: `${what}${who}${trials}`, before, x, y, count: merged.count });
      };
      push("", src.trials.map(histogramOf));
      const observed = src.trials[0]?.result.observed?.name;
      if (observed !== undefined) {
        push(`${observed} · `, src.trials.map((t) => (t.result.observed?.latency.count ? decodeOrUndefined(t.result.observed.histogram) : undefined)));
      }
    };
    const b = sameGroup(baseGroups, g.key);
    if (b !== undefined && baseline !== undefined) add(b, baseline, true);
    add(g, run, false);
    if (series.length > 0) charts.push({ scenario: g.key, series });
  }
  return charts;
}

/** The metrics drawn as bars (the comparison's tables list every metric). */
const BAR_METRICS = ["throughput", "ops", "p50", "p95", "p99", "error_rate"];
/** Bars drawn against each scenario's own before: rates and latencies differ by orders of magnitude between scenarios. */
const RELATIVE_BARS = new Set(["throughput", "ops", "p50", "p95", "p99"]);

function barCharts(input: ReportInput): BarsChart[] {
  const c = input.comparison;
  if (input.baseline === undefined || c === undefined) return [];
  const byMetric = new Map<string, BarsChart>();
  for (const m of c.metrics) {
    if (!BAR_METRICS.includes(m.metric)) continue;
    let chart = byMetric.get(m.metric);
    if (chart === undefined) {
      chart = { metric: m.metric, unit: m.unit, higherIsBetter: m.higherIsBetter, scenarios: [], before: [], after: [], verdicts: [] };
      byMetric.set(m.metric, chart);
    }
    chart.scenarios.push(m.scenario);
    chart.before.push(Number.isFinite(m.before.median) ? m.before.median : null);
    chart.after.push(Number.isFinite(m.after.median) ? m.after.median : null);
    chart.verdicts.push(m.verdict);
  }
  // Throughput in the table's words: rows/s when every scenario drawn is a query, said for the
  // queries when only some are.
  const throughput = byMetric.get("throughput");
  if (throughput !== undefined) {
    const workloads = new Map(scenarioGroups(input.run).map((g) => [g.key, g.trials[0]?.workload]));
    const units = new Set(throughput.scenarios.map((s) => recordsUnit(workloads.get(s))));
    throughput.unit = units.size === 1 ? [...units][0]! : "records/s; a query's: rows/s";
  }
  for (const chart of byMetric.values()) {
    if (!RELATIVE_BARS.has(chart.metric)) continue;
    const ok = (b: number | null): b is number => b !== null && b > 0;
    chart.relative = {
      before: chart.before.map((b) => (ok(b) ? 100 : null)),
      after: chart.after.map((a, i) => {
        const b = chart.before[i] ?? null;
        return ok(b) && a !== null ? (a / b) * 100 : null;
      }),
    };
  }
  return BAR_METRICS.map((name) => byMetric.get(name)).filter((x): x is BarsChart => x !== undefined);
}

function valueText(v: VariantValue | undefined): string {
  return v === undefined ? "–" : typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * One grid per swept scenario, from the same sweep tables `run` and `show` print (so the best
 * combination is the same one): the last swept key across, every other key's combinations down.
 */
function heatMaps(run: StoredRun): HeatMap[] {
  return sweepTables(run).map((t) => {
    const colKey = t.keys[t.keys.length - 1] ?? "";
    const rowKeys = t.keys.slice(0, -1);
    const rowOf = (v: Variant): string => rowKeys.map((k) => `${k}=${valueText(v[k])}`).join(", ");
    const colOf = (v: Variant): string => valueText(v[colKey]);
    const rows = [...new Set(t.rows.map((r) => rowOf(r.variant)))];
    const cols = [...new Set(t.rows.map((r) => colOf(r.variant)))];
    const cells: HeatMap["cells"] = rows.map(() => cols.map(() => null));
    for (const r of t.rows) {
      const row = cells[rows.indexOf(rowOf(r.variant))];
      if (row === undefined) continue;
      row[cols.indexOf(colOf(r.variant))] = { throughput: r.throughput, p99: r.p99, passed: r.passed, valid: r.valid, label: r.name };
    }
    return {
      title: `${t.scenario}: ${t.keys.join(" × ")} (best: ${t.rule})`,
      rule: t.rule,
      rowKeys,
      colKey,
      rows,
      cols,
      cells,
      best: t.best === undefined ? null : `${rowOf(t.best.variant)}|${colOf(t.best.variant)}`,
    };
  });
}

export function chartData(input: ReportInput): ChartData {
  return {
    suite: input.run.suiteName,
    run: input.run.id,
    baseline: input.baseline?.id ?? null,
    throughput: throughputCharts(input.run, input.baseline),
    spectrum: spectrumCharts(input.run, input.baseline),
    bars: barCharts(input),
    heatmaps: heatMaps(input.run),
    scalability: scalabilityCharts(input.scalability ?? []),
    ...(input.plan === undefined ? {} : { plan: planChartData(input.plan.result) }),
  };
}
