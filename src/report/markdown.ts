// report.md: seed 000's "Performance Report Template", filled from stored runs instead of by
// hand. Sections in the template's order: baseline metrics, optimizations applied (the settings
// that differ between the two runs' suites), post-optimization metrics with the change per
// metric, bottlenecks (findings) with impact and status, recommendations, success criteria (the
// thresholds, each scenario's validity, the template's own checklist).
import { ExitCode } from "../errors.js";
import type { StoredRun } from "../store/results-store.js";
import { findingWhere } from "../diagnose/diagnose.js";
import { recordsRate } from "./format.js";
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
  validitySummary,
  validityText,
  REPORTED_PROBE_METRICS,
  type Finding,
  type ReportInput,
  type ScenarioGroup,
} from "./report-model.js";
import { anyThinTail, THIN_TAIL_NOTE } from "./thin-tail.js";
import { promqlLine, serverLatencyLine } from "./server-side.js";
import { cell, inline, noHtml } from "./markdown-escape.js";
import { planMarkdown } from "./plan-markdown.js";
import { scalabilityMarkdown } from "./scalability.js";

// Findings' own text (titles, evidence, recommendations) is written as Markdown on purpose
// (`top`, `shared_buffers`): only HTML is kept out of it.

function code(text: string): string {
  const t = text.replace(/\r?\n/g, " ");
  const fence = t.includes("`") ? "``" : "`";
  return `${fence}${fence.length > 1 ? " " : ""}${t}${fence.length > 1 ? " " : ""}${fence}`;
}

function settingValue(v: unknown): string {
  if (v === undefined) return "(not set)";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** Short in a table (the reason codes); the reasons in full are under Success Criteria. */
function validityCell(g: ScenarioGroup): string {
  const v = validitySummary(g);
  if (v.valid) return "valid";
  const trials = v.trials > 1 ? `${v.invalidTrials}/${v.trials} trials: ` : "";
  return `**INVALID** (${trials}${v.reasons.map((r) => r.code).join(", ")})`;
}

function statusWord(run: StoredRun): string {
  switch (run.status) {
    case "passed":
      return "Passed (every threshold met)";
    case "failed":
      return "Failed (a threshold was not met)";
    case "invalid":
      return "Invalid (every threshold met, on results that cannot be trusted: exit 4)";
    case "error":
      return run.exitCode === ExitCode.badInput ? "Error (a mistake in the suite, not the target's)" : "Error (a target failed)";
    case "interrupted":
      return "Interrupted (partial results)";
    case "incomplete":
      return "Incomplete (its process died mid-run; partial results)";
    default:
      return run.status;
  }
}

/** The template's "### Kafka / ### Trino / …" sections: one per target, a table of its scenarios. */
function metricsSection(run: StoredRun): string[] {
  const out: string[] = [];
  const byTarget = new Map<string, ScenarioGroup[]>();
  for (const g of scenarioGroups(run)) byTarget.set(g.target, [...(byTarget.get(g.target) ?? []), g]);
  if (byTarget.size === 0) return ["No scenario results were stored for this run.", ""];
  const versions = run.environment.targets;
  for (const [target, groups] of byTarget) {
    const first = groups[0];
    const version = versions[target]?.version;
    out.push(`### ${inline(target)} (${inline(version ?? first?.targetKind ?? "?")})`, "");
    out.push("| scenario | trials | ops | throughput | ops/s | p50 | p95 | p99 | max | error rate | validity |");
    out.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    const heads = groups.map(headline);
    groups.forEach((g, i) => {
      const h = heads[i]!;
      out.push(
        `| ${cell(g.key)} | ${h.trials} | ${formatValue("count", h.ops)} | ${recordsRate(g.trials[0]?.workload, h.throughput)} | ${formatValue("1/s", h.opsPerSec)} | ` +
          `${percentileText(h, "p50")} | ${percentileText(h, "p95")} | ${percentileText(h, "p99")} | ${formatValue("ms", h.max)} | ` +
          `${formatValue("ratio", h.errorRate)} | ${cell(validityCell(g))} |`,
      );
    });
    out.push("");
    // Escaped: a line starting "* " would be a list item.
    if (anyThinTail(heads.map((h) => h.latencyCount))) out.push(`\\* ${inline(THIN_TAIL_NOTE)}`, "");
    // What the errors were and when, by kind and the server's code (the table has only their rate).
    const errors = errorLines(groups).map(({ scenario, line }) => `- ${inline(scenario)}: ${inline(line)}`);
    if (errors.length > 0) out.push(...errors, "");
    // Where the time went when pipebench's own queue was part of it, and what was dropped.
    const timings = timingLines(groups).map(({ scenario, line }) => `- ${inline(scenario)}: ${inline(line)}`);
    if (timings.length > 0) out.push(...timings, "");
    // The service's own view (its /metrics, Prometheus) beside pipebench's, per scenario.
    const server = groups.flatMap((g) =>
      g.trials.flatMap((t) => [serverLatencyLine(t), promqlLine(t)].flatMap((line) => (line === undefined ? [] : [`- ${inline(g.key)}: ${inline(line)}`]))),
    );
    if (server.length > 0) out.push(...server, "");
  }
  const readings = run.runProbes.flatMap((p) =>
    Object.entries(p.reading.metrics)
      .filter(([k]) => REPORTED_PROBE_METRICS[k] !== undefined)
      .map(([k, v]) => `| ${cell(p.target ?? "host")} | ${cell(p.probe)} | ${cell(k)} | ${formatValue(REPORTED_PROBE_METRICS[k] ?? "", v)} |`),
  );
  if (readings.length > 0) {
    out.push("### Probes (whole run)", "", "| target | probe | reading | value |", "| --- | --- | --- | ---: |", ...readings, "");
  }
  return out;
}

function optimizationsSection(input: ReportInput): string[] {
  if (input.baseline === undefined) {
    return ["None: no run to compare with was given (`pipebench report <run> --vs <baseline>`), so this report is the baseline.", ""];
  }
  const settings = input.comparison?.settings ?? [];
  if (settings.length === 0) {
    return [`None: the resolved suites of ${runLabel(input.baseline)} and ${runLabel(input.run)} are identical.`, ""];
  }
  // Grouped as the template groups them: by system (target) or by scenario.
  const groups = new Map<string, { path: string; before: unknown; after: unknown }[]>();
  for (const s of settings) {
    const parts = s.path.split(".");
    const head = parts[0] === "targets" || parts[0] === "scenarios" ? parts.slice(0, 2).join(".") : (parts[0] ?? s.path);
    groups.set(head, [...(groups.get(head) ?? []), s]);
  }
  const out: string[] = [];
  let i = 1;
  for (const [head, items] of groups) {
    out.push(`${i++}. ${inline(head)}`);
    for (const s of items) out.push(`   - ${code(s.path)}: ${code(settingValue(s.before))} → ${code(settingValue(s.after))}`);
  }
  out.push("");
  return out;
}

function improvementSection(input: ReportInput): string[] {
  const c = input.comparison;
  if (input.baseline === undefined || c === undefined) return [];
  const out = ["### Performance Improvement", ""];
  if (c.metrics.length === 0) return [...out, "No metric was measured in both runs.", ""];
  out.push(`${runLabel(input.baseline)} → ${runLabel(input.run)}. Change is after against before, as \`pipebench compare\` prints it`);
  out.push("(latency +10 % went up: worse; throughput +10 %: better); the verdict comes from the significance test over trials.", "");
  out.push("| scenario | metric | before | after | change | 95% CI of change | p | verdict |");
  out.push("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |");
  for (const m of c.metrics) {
    const change = changeOf(m);
    const n = m.before.n > 1 || m.after.n > 1 ? ` (n=${m.before.n}/${m.after.n})` : "";
    const v = comparedValues(m);
    out.push(
      `| ${cell(m.scenario)} | ${cell(m.metric)} | ${v.before} | ${v.after} | ` +
        `${change.pct} | ${change.ci} | ${m.pValue === null ? "–" : m.pValue < 0.001 ? "<0.001" : m.pValue.toFixed(3)} | ` +
        `${m.verdict === "no change" ? "~ no change" : m.verdict}${n} |`,
    );
  }
  out.push("");
  const caveats = [...c.environment.map((x) => `environment differs: ${x}`), ...c.notes];
  if (caveats.length > 0) {
    out.push("Caveats:", "");
    for (const x of caveats) out.push(`- ${inline(x)}`);
    out.push("");
  }
  return out;
}

type FindingStatus = "Fixed" | "Open" | "Monitoring";

/**
 * The template's Fixed / Monitoring / Planned, from what we know: a finding of the baseline that
 * the run no longer shows is Fixed; a high or medium one still present is Open (its recommendation
 * is the plan); a low one is Monitoring.
 */
function findingKey(f: Finding): string {
  return `${f.id}\u0000${findingWhere(f)}`;
}

function bottlenecksSection(input: ReportInput, baselineFindings: readonly Finding[]): string[] {
  const current = new Set(input.findings.map(findingKey));
  const rows: { f: Finding; status: FindingStatus }[] = [
    ...input.findings.map((f) => ({ f, status: (f.impact === "low" ? "Monitoring" : "Open") as FindingStatus })),
    ...baselineFindings.filter((f) => !current.has(findingKey(f))).map((f) => ({ f, status: "Fixed" as FindingStatus })),
  ];
  if (rows.length === 0) return ["None found: no diagnosis rule matched this run's evidence.", ""];
  const out: string[] = [];
  rows.forEach(({ f, status }, i) => {
    out.push(`${i + 1}. ${noHtml(f.title)}${f.scenario ? ` (${(f.scenarios ?? [f.scenario]).map(inline).join(", ")})` : ""}`);
    out.push(`   - Impact: ${f.impact[0]?.toUpperCase()}${f.impact.slice(1)}`);
    out.push(`   - Status: ${status}${status === "Fixed" && input.baseline ? ` (seen in run ${input.baseline.id}, not in run ${input.run.id})` : ""}`);
    for (const e of f.evidence) out.push(`   - Evidence: ${noHtml(e)}`);
  });
  out.push("");
  return out;
}

/** One entry per distinct recommendation, naming every finding (scenario) it answers. */
function recommendationsSection(findings: readonly Finding[]): string[] {
  if (findings.length === 0) return ["None: nothing to change on this evidence.", ""];
  const order = { high: 0, medium: 1, low: 2 } as const;
  const sorted = [...findings].sort((a, b) => order[a.impact] - order[b.impact]);
  const byText = new Map<string, Finding[]>();
  for (const f of sorted) byText.set(f.recommendation, [...(byText.get(f.recommendation) ?? []), f]);
  const out: string[] = [];
  let i = 1;
  for (const [text, fs] of byText) {
    const first = fs[0]!;
    const scenarios = fs.flatMap((f) => f.scenarios ?? (f.scenario === null ? [] : [f.scenario]));
    out.push(`${i++}. ${noHtml(text)}`);
    out.push(`   - For: ${noHtml(first.title)}${scenarios.length > 0 ? ` (${scenarios.map(inline).join(", ")})` : ""}`);
    out.push(`   - Expected benefit: ${first.impact} impact`);
    out.push(`   - Runbook: ${noHtml(first.runbook)}`);
  }
  out.push("");
  return out;
}

function box(done: boolean): string {
  return done ? "- [x]" : "- [ ]";
}

function successSection(input: ReportInput): string[] {
  const { run } = input;
  const out: string[] = [];
  const checks = thresholdChecks(run);
  for (const c of checks) {
    const where = c.scenario === null ? "suite" : c.scenario;
    out.push(`${box(c.passed)} ${inline(c.expr)} (${inline(checkValueText(c))}) — ${inline(where)}${c.note ? `: ${inline(c.note)}` : ""}`);
  }
  for (const g of scenarioGroups(run)) {
    const text = validityText(g);
    out.push(`${box(text === "valid")} ${inline(g.key)}: results valid${text === "valid" ? "" : ` — ${inline(text)}`}`);
  }
  if (checks.length === 0) out.push("- No thresholds are set in this suite.");
  const all = scenarioGroups(run);
  const completed = all.length > 0 && all.every((g) => g.trials.every((t) => t.result.status === "completed"));
  const better = input.comparison?.metrics.filter((m) => m.verdict === "better").length ?? 0;
  const worse = input.comparison?.metrics.filter((m) => m.verdict === "worse").length ?? 0;
  out.push(
    "",
    `${box(true)} Baseline metrics established (${input.baseline ? `run ${input.baseline.id}` : `run ${run.id}`})`,
    `${box(completed)} Load tests completed${completed ? "" : " (a scenario did not complete)"}`,
    `${box(input.findings.length > 0)} Bottlenecks identified (${input.findings.length} finding${input.findings.length === 1 ? "" : "s"})`,
    `${box((input.comparison?.settings.length ?? 0) > 0)} Optimizations applied (${input.comparison?.settings.length ?? 0} setting${input.comparison?.settings.length === 1 ? "" : "s"} changed)`,
    `${box(input.comparison !== undefined && better > 0 && worse === 0)} Performance improvement validated` +
      (input.comparison === undefined ? " (no comparison run)" : ` (${better} better, ${worse} worse)`),
    `${box(true)} Report documented`,
    "",
  );
  return out;
}

export interface MarkdownExtras {
  /** Findings of the baseline run, to mark bottlenecks that the run no longer shows as Fixed. */
  baselineFindings?: readonly Finding[];
}

export function renderMarkdown(input: ReportInput, extras: MarkdownExtras = {}): string {
  const { run, baseline } = input;
  const out: string[] = [];
  out.push(`# ${inline(run.suiteName)}: Performance Baseline & Optimization Report`, "");
  out.push(`**Date**: ${new Date(input.generatedAt).toISOString().replace("T", " ").slice(0, 19)} UTC`);
  out.push(`**Run**: ${inline(runLabel(run))}${baseline ? `, compared with ${inline(runLabel(baseline))}` : ""}`);
  out.push(`**Status**: ${statusWord(run)}`);
  const env = run.environment;
  const host = env.host as Record<string, unknown>;
  const targets = Object.entries(env.targets).map(([name, t]) => `${name}: ${t.version ?? t.kind}`);
  out.push(`**Environment**: ${inline([...targets, `node ${env.node}`, `pipebench ${env.pipebench}`, `${String(host.cpuModel ?? "?")}, ${String(host.cores ?? "?")} cores`].join(" · "))}`);
  out.push("");

  out.push(baseline ? "## Baseline Metrics (Before Optimization)" : "## Baseline Metrics", "");
  if (baseline) out.push(`From ${inline(runLabel(baseline))}. Values are medians over trials.`, "");
  out.push(...metricsSection(baseline ?? run));

  out.push("## Optimizations Applied", "");
  out.push(...optimizationsSection(input));

  if (baseline) {
    out.push("## Post-Optimization Metrics", "");
    out.push(`From ${inline(runLabel(run))}.`, "");
    out.push(...metricsSection(run));
    out.push(...improvementSection(input));
  }

  out.push(...scalabilityMarkdown(input.scalability ?? [], run.id));
  if (input.plan !== undefined) out.push(planMarkdown(input.plan.result, "## Capacity Plan"), `(From ${inline(input.plan.file)}; its measured capacities are read from the same results store.)`, "");
  out.push("## Bottlenecks Identified", "");
  out.push(...bottlenecksSection(input, extras.baselineFindings ?? []));
  out.push("## Recommendations", "");
  out.push(...recommendationsSection(input.findings));
  out.push("## Success Criteria", "");
  out.push(...successSection(input));
  out.push(`**Status**: ${statusWord(run)}`, "");
  return out.join("\n");
}
