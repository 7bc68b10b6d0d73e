// The sweep table: one row per combination (median over its trials), its throughput, p50/p99,
// errors and thresholds ✓/✗, and the best combination that met the thresholds. Built from a stored
// run only, so `run`, `show` and a report print the same thing.
import { validityOf } from "../engine/validity.js";
import { findMaxAnswer, renderFindMax } from "./find-max-answer.js";
import { formatCount, formatMs, formatRate, table } from "./format.js";
import type { StoredRun, StoredScenario, Variant } from "../store/results-store.js";

/** How the best combination is chosen. */
export type BestRule = "highest throughput" | "lowest p99";

export interface SweepRow {
  name: string;
  variant: Variant;
  trials: number;
  /** Medians over the trials. */
  throughput: number;
  p50: number | null;
  p99: number | null;
  /** Summed over the trials. */
  errors: number;
  /** Every trial completed and met every threshold. */
  passed: boolean;
  /** Every trial's numbers can be trusted (src/engine/validity.ts). */
  valid: boolean;
  /** A trial's generator was saturated or short of its asked rate: not a measure of the target. */
  generatorBound: boolean;
}

export interface SweepTable {
  /** The swept scenario's name as written. */
  scenario: string;
  /** The swept keys, in the order written. */
  keys: string[];
  rows: SweepRow[];
  rule: BestRule;
  /** Highest throughput (or lowest p99) among rows that passed, those the generator did not limit first. */
  best?: SweepRow;
}

const OPEN_LOOP = new Set(["constant-rate", "ramp", "steps"]);
/** Validity reasons that disqualify a combination from "best" (too few samples or lag only mark it). */
const GENERATOR_BOUND: ReadonlySet<string> = new Set(["generator-saturated", "rate-not-reached"]);
const RATE_KEYS = new Set(["load.rate", "load.to", "load.from", "load.steps"]);

/** A scenario stored by a sweep (not a find-max step): it has a variant and a `name[…]` name. */
function isSweepStep(s: StoredScenario): boolean {
  return s.variant !== undefined && !("find-max" in s.variant) && s.name.includes("[");
}

export function sweepTables(run: StoredRun): SweepTable[] {
  const byScenario = new Map<string, Map<string, StoredScenario[]>>();
  for (const s of run.scenarioResults) {
    if (!isSweepStep(s)) continue;
    const base = s.name.slice(0, s.name.indexOf("["));
    const rows = byScenario.get(base) ?? new Map<string, StoredScenario[]>();
    rows.set(s.name, [...(rows.get(s.name) ?? []), s]);
    byScenario.set(base, rows);
  }
  return [...byScenario].map(([scenario, groups]) => {
    const rows = [...groups.values()].map(rowOf);
    const keys = Object.keys(rows[0]?.variant ?? {});
    const first = [...groups.values()][0]?.[0];
    const executor = isExecutor(first?.load) ? first.load.executor : "";
    // An open loop's throughput is the asked rate: combinations differ in latency, unless the
    // sweep changes the rate itself.
    const rule: BestRule = OPEN_LOOP.has(executor) && !keys.some((k) => RATE_KEYS.has(k)) ? "lowest p99" : "highest throughput";
    const best = pickBest(rows, rule);
    return { scenario, keys, rows, rule, ...(best === undefined ? {} : { best }) };
  });
}

function isExecutor(load: unknown): load is { executor: string } {
  return typeof load === "object" && load !== null && typeof (load as { executor?: unknown }).executor === "string";
}

function rowOf(trials: readonly StoredScenario[]): SweepRow {
  const first = trials[0];
  const withLatency = trials.filter((t) => t.result.latency.count > 0);
  return {
    name: first?.name ?? "",
    variant: first?.variant ?? {},
    trials: trials.length,
    throughput: median(trials.map((t) => t.result.throughput)) ?? 0,
    p50: median(withLatency.map((t) => t.result.latency.p50)) ?? null,
    p99: median(withLatency.map((t) => t.result.latency.p99)) ?? null,
    errors: trials.reduce((sum, t) => sum + t.result.errors, 0),
    passed: trials.every((t) => t.result.status === "completed" && t.thresholds.every((x) => x.passed)),
    valid: trials.every((t) => validityOf(t.result).valid),
    generatorBound: trials.some((t) => validityOf(t.result).reasons.some((x) => GENERATOR_BOUND.has(x.code))),
  };
}

function pickBest(rows: readonly SweepRow[], rule: BestRule): SweepRow | undefined {
  // A combination whose generator, not its target, set the pace measured nothing of the target.
  const passed = rows.filter((r) => r.passed);
  const pool = passed.some((r) => !r.generatorBound) ? passed.filter((r) => !r.generatorBound) : passed;
  const score = (r: SweepRow): number => (rule === "highest throughput" ? r.throughput : -(r.p99 ?? Number.POSITIVE_INFINITY));
  return pool.reduce<SweepRow | undefined>((best, r) => (best === undefined || score(r) > score(best) ? r : best), undefined);
}

function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function valueText(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** The combination as `batchSize=5000 workers=4`, from the stored name. */
export function combinationLabel(row: Pick<SweepRow, "name">): string {
  const open = row.name.indexOf("[");
  return open < 0 ? row.name : row.name.slice(open + 1, -1);
}

export function renderSweepTable(t: SweepTable): string {
  const trials = Math.max(...t.rows.map((r) => r.trials));
  const lines = [
    `sweep ${t.scenario}: ${t.rows.length} combinations of ${t.keys.join(" × ")}${trials > 1 ? `, ${trials} trials each (medians)` : ""}`,
  ];
  const header = [...t.keys, "records/s", "p50", "p99", "errors", "thresholds"];
  const body = t.rows.map((r) => [
    ...t.keys.map((k) => valueText(r.variant[k])),
    formatRate(r.throughput),
    formatMs(r.p50),
    formatMs(r.p99),
    formatCount(r.errors),
    `${r.passed ? "✓" : "✗"}${r.valid ? "" : " (invalid)"}${r === t.best ? "  ← best" : ""}`,
  ]);
  const right = new Set([t.keys.length, t.keys.length + 1, t.keys.length + 2, t.keys.length + 3]);
  lines.push(...table([header, ...body], right).map((l) => `  ${l}`));
  if (t.best === undefined) {
    lines.push(`no combination met the thresholds (rule: ${t.rule})`);
  } else {
    const by = t.rule === "highest throughput" ? formatRate(t.best.throughput) : `p99 ${formatMs(t.best.p99)}`;
    const why =
      t.rule === "highest throughput"
        ? "highest throughput among the combinations that met the thresholds"
        : "lowest p99 among the combinations that met the thresholds (an open loop's throughput is its asked rate)";
    lines.push(`best: ${combinationLabel(t.best)} — ${by} (rule: ${why}${t.best.valid ? "" : "; its numbers are marked invalid"})`);
  }
  return lines.join("\n");
}

/** Every sweep of the run and its find-max answer, rendered; empty when the run did neither. */
export function renderSearches(run: StoredRun): string {
  const answer = findMaxAnswer(run);
  return [...sweepTables(run).map(renderSweepTable), ...(answer === undefined ? [] : [renderFindMax(answer)])].join("\n\n");
}
