// The summary a person reads after a run (and with `pipebench show`): one row per scenario, each
// threshold ✓/✗ with the measured value beside the target, then the generator's own warnings and
// what the probes had to say. Reads a stored run only.
import { ExitCode } from "../errors.js";
import type { StoredRun, StoredScenario, StoredThreshold } from "../store/results-store.js";
import { errorsLine } from "./errors-line.js";
import { formatCount, formatMs, formatPercent, formatRate, recordsRate, table } from "./format.js";
import { formatThresholdValue } from "../thresholds/format.js";
import { validityLines } from "../engine/validity.js";
import { headline, scenarioGroups } from "./report-model.js";
import { droppedLine, timingLine } from "./timing-line.js";
import { promqlLine, serverLatencyLine } from "./server-side.js";
import { kafkaTopicLines } from "./kafka-topics.js";
import { anyThinTail, THIN_TAIL_NOTE, thinTail } from "./thin-tail.js";
import { scenarioLabel } from "../format/scenario-label.js";
import { executorLabel } from "./executor-label.js";

export interface ConsoleOptions {
  color: boolean;
}

const STATUS_WORD: Record<string, string> = {
  passed: "passed",
  failed: "FAILED (thresholds)",
  invalid: "INVALID (thresholds passed on results that cannot be trusted)",
  error: "ERROR (target failed)",
  interrupted: "INTERRUPTED (partial results kept)",
  incomplete: "INCOMPLETE (its process died mid-run; partial results kept)",
  running: "RUNNING (or ended without a verdict)",
};

function paint(on: boolean, code: number, text: string): string {
  return on ? `\x1b[${code}m${text}\x1b[0m` : text;
}

function thresholdLine(t: StoredThreshold, color: boolean): string {
  const mark = t.passed ? paint(color, 32, "✓") : paint(color, 31, "✗");
  const actual = t.actual === null ? "no value" : formatThresholdValue(t.kind, t.actual, t.target);
  return `${mark} ${t.expr.padEnd(34)} ${actual}${t.note ? `  (${t.note})` : ""}`;
}

/** Integrity counts whose every non-zero value is a problem. */
const INTEGRITY = new Set(["lost", "duplicated", "out_of_order"]);

/**
 * The lines under a scenario's row for what its workload observed: the observed latency
 * (`end_to_end  p50 20.1ms  p95 …`) and the integrity counts (`lost 0 · duplicated 0 · …`).
 */
function observedLines(s: StoredScenario, color: boolean): string[] {
  const out: string[] = [];
  const o = s.result.observed;
  if (o !== undefined) {
    const l = o.latency;
    out.push(
      l.count > 0
        ? `${o.name}  p50 ${formatMs(l.p50)}  p95 ${formatMs(l.p95)}  p99 ${formatMs(l.p99)}  max ${formatMs(l.max)}  (${formatCount(l.count)} arrived)`
        : `${o.name}  ${paint(color, 31, "nothing arrived")}`,
    );
  }
  const counters = Object.entries(s.result.counters ?? {});
  if (counters.length > 0) {
    out.push(
      counters
        .map(([name, n]) => {
          const text = `${name} ${formatCount(n)}`;
          return INTEGRITY.has(name) && n > 0 ? paint(color, 31, text) : text;
        })
        .join(" · "),
    );
  }
  return out;
}

/** Seconds a scenario must run for its best second to be worth showing beside the average. */
const PEAK_MIN_S = 5;

/** `throughput  average 61,210/s · peak 66,874/s (best second)`, for scenarios that ran long enough. */
function peakLine(s: StoredScenario): string | undefined {
  const r = s.result;
  if (r.peakThroughput === undefined || r.durationS < PEAK_MIN_S || r.records === 0) return undefined;
  return `throughput  average ${formatRate(r.throughput)} · peak ${formatRate(r.peakThroughput)} (best second)`;
}

/** One row per scenario of a run with trials: the median of each column over its trials (the report's headline). */
function trialMedianRows(run: StoredRun): string[][] {
  return scenarioGroups(run).map((g) => {
    const first = g.trials[0] as StoredScenario;
    const h = headline(g);
    const errors = g.trials.reduce((n, t) => n + t.result.errors, 0);
    return [
      `${g.name} median`,
      first.target,
      executorLabel(first.load, first.result.workers),
      formatCount(h.ops),
      formatRate(h.opsPerSec),
      recordsRate(first.workload, h.throughput),
      h.mbps >= 0.01 ? h.mbps.toFixed(2) : "–",
      formatMs(h.p50),
      formatMs(h.p95),
      formatMs(h.p99),
      formatMs(h.max),
      errors === 0 ? "0" : `${formatCount(errors)} in all`,
    ];
  });
}

function scenarioRow(s: StoredScenario, trials: number): string[] {
  const r = s.result;
  const hasLatency = r.latency.count > 0;
  return [
    scenarioLabel(s, trials),
    s.target,
    executorLabel(s.load, r.workers),
    formatCount(r.ops),
    formatRate(r.opsPerSec),
    recordsRate(s.workload, r.throughput),
    r.mbps >= 0.01 ? r.mbps.toFixed(2) : "–",
    hasLatency ? `${formatMs(r.latency.p50)}${thinTail(r.latency.count, 0.5)}` : "–",
    hasLatency ? `${formatMs(r.latency.p95)}${thinTail(r.latency.count, 0.95)}` : "–",
    hasLatency ? `${formatMs(r.latency.p99)}${thinTail(r.latency.count, 0.99)}` : "–",
    hasLatency ? formatMs(r.latency.max) : "–",
    r.errors === 0 ? "0" : `${formatCount(r.errors)} (${formatPercent(r.errorRate, 2)})`,
  ];
}

export function renderRunSummary(run: StoredRun, options: ConsoleOptions): string {
  const { color } = options;
  const out: string[] = [];
  const when = new Date(run.startedAt).toISOString().replace("T", " ").slice(0, 19);
  const took = run.finishedAt === null ? "" : ` · ${((run.finishedAt - run.startedAt) / 1000).toFixed(1)} s`;
  // A run that ended in error with exit 2 ended on a mistake in the suite, found as a scenario was prepared.
  const word = run.status === "error" && run.exitCode === ExitCode.badInput ? "ERROR (a mistake in the suite)" : (STATUS_WORD[run.status] ?? run.status);
  const statusText = run.status === "passed" ? paint(color, 32, word) : paint(color, 31, word);
  out.push(`pipebench run ${run.id} · ${run.suiteName} · ${statusText} · ${when} UTC${took}`);
  const env = run.environment;
  const targets = Object.entries(env.targets).map(([name, t]) => `${name}: ${t.version ?? t.kind}`);
  const host = env.host as Record<string, unknown>;
  out.push(
    `${targets.join(" · ")} · node ${env.node} · ${String(host.cpuModel ?? "?")}, ${String(host.cores ?? "?")} cores`,
  );
  out.push("");

  const header = ["scenario", "target", "load", "ops", "ops/s", "records/s", "MB/s", "p50", "p95", "p99", "max", "errors"];
  const medians = run.trials > 1 ? trialMedianRows(run) : [];
  const rows = [header, ...run.scenarioResults.map((s) => scenarioRow(s, run.trials)), ...medians];
  const lines = table(rows, new Set([3, 4, 5, 6, 7, 8, 9, 10, 11]));
  out.push(paint(color, 1, lines[0] ?? ""));
  run.scenarioResults.forEach((s, i) => {
    out.push(lines[i + 1] ?? "");
    if (s.result.validity !== undefined) for (const line of validityLines(s.result.validity)) out.push(`    ${paint(color, 31, line)}`);
    for (const line of observedLines(s, color)) out.push(`    ${line}`);
    const peak = peakLine(s);
    if (peak !== undefined) out.push(`    ${peak}`);
    for (const line of [timingLine(s.result), droppedLine(s.result), serverLatencyLine(s), promqlLine(s), segmentsLine(s.result)]) if (line !== undefined) out.push(`    ${line}`);
    for (const t of s.thresholds) out.push(`    ${thresholdLine(t, color)}`);
    if (s.result.status !== "completed") {
      out.push(`    ${paint(color, 31, `${s.result.status}`)}${s.result.failure ? `: ${s.result.failure}` : ""}`);
    }
    const errors = errorsLine(s.result);
    if (errors !== undefined) {
      out.push(`    ${errors}${s.result.errorSamples[0] ? ` — e.g. ${s.result.errorSamples[0]}` : ""}`);
    }
    for (const w of s.result.generator.warnings) out.push(`    ${paint(color, 33, "!")} generator: ${w}`);
  });
  if (medians.length > 0) {
    out.push(paint(color, 1, `median of the ${run.trials} trials (what compare compares)`));
    out.push(...lines.slice(run.scenarioResults.length + 1));
  }
  if (anyThinTail(run.scenarioResults.map((s) => s.result.latency.count))) out.push(`* ${THIN_TAIL_NOTE}`);

  if (run.status === "incomplete") {
    out.push(
      paint(color, 31, "the process running it died (killed, crashed or the machine stopped) before it finished:") +
        " above are the scenarios stored until then; the one running at the time is kept up to its last checkpoint (all but its last second), marked incomplete",
    );
  }

  if (run.thresholds.length > 0) {
    out.push("");
    out.push(paint(color, 1, "suite thresholds"));
    for (const t of run.thresholds) out.push(`    ${thresholdLine(t, color)}`);
  }

  // Seed 000's "describe topic": the topics a Kafka target's scenarios used, as the kafka-admin probe saw them.
  const topicLines = kafkaTopicLines(run);
  if (topicLines.length > 0) out.push("", ...topicLines);

  // Notes from the whole-run readings only: per-scenario ones repeat them, or describe scenarios
  // that did not touch the probed target at all.
  const notes = new Set<string>();
  for (const p of run.runProbes) {
    for (const n of p.reading.notes) notes.add(`${p.target ?? "host"} ${p.probe}: ${n}`);
  }
  if (notes.size > 0) {
    out.push("");
    for (const n of notes) out.push(`${paint(color, 33, "note")} ${n}`);
  }
  return out.join("\n");
}

/** A scenario run by several generators: each worker's share, its start skew, and any it lost. */
function segmentsLine(r: StoredScenario["result"]): string | undefined {
  const segments = r.segments;
  if (segments === undefined || segments.length < 2) return undefined;
  const parts = segments.map((w) => {
    const skew = w.startSkewMs === null ? "" : ` start ${w.startSkewMs >= 0 ? "+" : ""}${Math.round(w.startSkewMs)} ms`;
    const state = w.status === "lost" ? ` LOST (${w.failure ?? "stopped"})` : w.validity?.valid === false ? " INVALID" : "";
    return `${w.worker} ${formatCount(w.ops)} ops${skew}${state}`;
  });
  return `${segments.length} workers, merged: ${parts.join(" · ")}`;
}
