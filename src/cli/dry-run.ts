// `pipebench run --dry-run`: the plan of a validated suite — where each target is, what each
// scenario runs, how fast and for how long, how many operations — without connecting to or starting
// anything and without storing a run. The plan is data (planSuite); printing it is separate.
import { displayPath } from "../suite/format-error.js";
import type { LoadProfile } from "../engine/load.js";
import { ExitCode } from "../errors.js";
import { planOf } from "../engine/executors/index.js";
import { formatCount, formatRate, table } from "../report/format.js";
import { redactText } from "../store/redact.js";
import type { Suite, SuiteScenario, SuiteTarget } from "../suite/types.js";
import { formatDuration } from "../suite/units.js";
import { isRecord } from "../suite/values.js";
import { endpointOf, usedTargets } from "./target-endpoints.js";

export interface TargetPlan {
  readonly name: string;
  readonly kind: string;
  /** host:port, "embedded …", "in-process …" or "started by command …". */
  readonly place: string;
}

export interface ScenarioPlan {
  /** The scenario's name; a sweep's combination is named as it will be stored, e.g. copy[batchSize=100]. */
  readonly name: string;
  readonly target: string;
  /** The workload's type and what it works on, e.g. "request POST /ingest". */
  readonly workload: string;
  readonly executor: LoadProfile["executor"];
  /** Rate(s), workers or concurrency, e.g. "200/s", "10 workers". */
  readonly load: string;
  readonly warmupMs?: number;
  readonly durationMs?: number;
  /** Operations measured: scheduled (open loop) or iterations; absent when the pace decides. */
  readonly operations?: number;
  /** With both duration and iterations, a closed loop stops at whichever comes first. */
  readonly atMost?: boolean;
  /** Open loop only: operations in the warm-up, at its starting rate. */
  readonly warmupOperations?: number;
}

export interface SuitePlan {
  readonly suite: string;
  readonly file: string;
  readonly targets: readonly TargetPlan[];
  /** Targets no chosen scenario or probe uses: not connected. */
  readonly unused: readonly string[];
  readonly probes: readonly string[];
  readonly scenarios: readonly ScenarioPlan[];
  /** Thresholds in all, and those judged on the whole run. */
  readonly thresholds: number;
  readonly suiteThresholds: number;
  readonly trials: number;
  /** `--find-max`: the scenario whose rate is searched. */
  readonly findMax?: string;
}

/** `findMax`: the scenario `--find-max` searches, the only one that runs. */
export function planSuite(suite: Suite, options: { trials: number; findMax?: string }): SuitePlan {
  const used = usedTargets(suite);
  const targets = Object.entries(suite.targets);
  // A sweep runs once per combination, each stored under its own name.
  const chosen = options.findMax === undefined ? suite.scenarios : suite.scenarios.filter((s) => s.name === options.findMax);
  const runs = chosen.flatMap((s) => (s.sweep === undefined ? [s] : s.sweep.variants.map((v) => ({ ...v.scenario, name: v.name }))));
  const findMax = options.findMax;
  return {
    suite: suite.name,
    file: suite.file,
    targets: targets.filter(([name]) => used.has(name)).map(([name, target]) => ({ name, kind: target.kind, place: placeOf(target) })),
    unused: targets.filter(([name]) => !used.has(name)).map(([name]) => name),
    probes: suite.probes.map((p) => `${p.kind}${p.target === undefined ? "" : ` on ${p.target}`}${p.everyMs === undefined ? " (before and after)" : ` every ${formatDuration(p.everyMs)}`}`),
    scenarios: runs.map(planScenario),
    thresholds: suite.thresholds.length + runs.reduce((n, s) => n + s.thresholds.length, 0),
    suiteThresholds: suite.thresholds.length,
    trials: options.trials,
    ...(findMax === undefined ? {} : { findMax }),
  };
}

function placeOf(target: SuiteTarget): string {
  const config = isRecord(target.config) ? target.config : {};
  const start = isRecord(config.start) ? config.start : undefined;
  if (start !== undefined && Array.isArray(start.command)) {
    // A script given inline (node -e '…') is shown by its place, not its text.
    const words = start.command.map((w) => (typeof w === "string" && (w.includes("\n") || w.length > 60) ? "'…'" : String(w)));
    return `started by command: ${redactText(words.join(" "))}`;
  }
  return endpointOf(target);
}

function workloadOf(workload: unknown): string {
  if (!isRecord(workload)) return "?";
  const type = typeof workload.type === "string" ? workload.type : "?";
  const text = (key: string): string | undefined => (typeof workload[key] === "string" ? workload[key] : undefined);
  const method = text("method");
  const path = text("path");
  const on = text("query") ?? (text("sql") === undefined ? undefined : "(sql)") ?? text("table") ?? text("topic") ?? (path === undefined ? undefined : `${method ?? ""} ${path}`.trim());
  return on === undefined ? type : `${type} ${on}`;
}

function rate(perSec: number): string {
  return Number.isInteger(perSec) ? `${formatCount(perSec)}/s` : formatRate(perSec);
}

function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? "" : "s"}`;
}

function planScenario(s: SuiteScenario): ScenarioPlan {
  const load = s.load;
  const base = {
    name: s.name,
    target: s.target,
    workload: workloadOf(s.workload),
    executor: load.executor,
    ...(load.warmup === undefined || load.warmup === 0 ? {} : { warmupMs: load.warmup }),
  };
  switch (load.executor) {
    case "constant-rate":
    case "ramp":
    case "steps": {
      const plan = planOf(load);
      const schedule = plan.schedule;
      if (schedule === undefined) throw new TypeError(`${load.executor}: an open loop has a schedule`);
      const warmup = plan.warmup?.count ?? 0;
      const shown =
        load.executor === "constant-rate" ? rate(load.rate)
        : load.executor === "ramp" ? `${rate(load.from)} → ${rate(load.to)}`
        : stepRates(load.steps.map((step) => step.rate));
      return {
        ...base,
        load: shown,
        durationMs: schedule.durationMs,
        operations: schedule.count,
        ...(warmup > 0 ? { warmupOperations: warmup } : {}),
      };
    }
    case "closed":
    case "max": {
      const shown =
        load.executor === "closed" ? plural(load.workers, "worker")
        : load.concurrency === undefined ? "the target's concurrency"
        : `${formatCount(load.concurrency)} in flight`;
      return {
        ...base,
        load: shown,
        ...(load.duration === undefined ? {} : { durationMs: load.duration }),
        ...(load.iterations === undefined ? {} : { operations: load.iterations, atMost: load.duration !== undefined }),
      };
    }
  }
}

function stepRates(rates: readonly number[]): string {
  const shown = rates.slice(0, 4).map(rate).join(", ");
  return rates.length > 4 ? `${shown}, … (${rates.length} steps)` : shown;
}

function operationsCell(s: ScenarioPlan): string {
  if (s.operations === undefined) return "unknown";
  const count = `${s.atMost === true ? "≤ " : ""}${formatCount(s.operations)}`;
  if (s.warmupOperations !== undefined) return `${count} (+${formatCount(s.warmupOperations)} warm-up)`;
  return s.executor === "closed" || s.executor === "max" ? `${count} iterations` : count;
}

export function renderPlan(plan: SuitePlan): string {
  const lines = [`plan · ${plan.suite} · ${plural(plan.scenarios.length, "scenario")} · ${displayPath(plan.file)}`, "", "targets"];
  lines.push(...table(plan.targets.map((t) => ["", t.name, t.kind, t.place]), new Set()));
  if (plan.unused.length > 0) lines.push(`  not used by the chosen scenarios, not connected: ${plan.unused.join(", ")}`);
  if (plan.probes.length > 0) lines.push("", `probes: ${plan.probes.join(" · ")}`);

  const header = ["scenario", "target", "workload", "load", "warm-up", "duration", "operations"];
  const rows = plan.scenarios.map((s) => [
    s.name,
    s.target,
    s.workload,
    s.executor === "closed" || s.executor === "max" ? `${s.executor}, ${s.load}` : `${s.executor} ${s.load}`,
    s.warmupMs === undefined ? "–" : formatDuration(s.warmupMs),
    s.durationMs === undefined ? "–" : formatDuration(s.durationMs),
    operationsCell(s),
  ]);
  lines.push("", ...table([header, ...rows], new Set([4, 5])));

  lines.push("", ...totals(plan));
  lines.push("", "valid: nothing was started, connected to or stored; run it without --dry-run");
  return lines.join("\n");
}

function totals(plan: SuitePlan): string[] {
  if (plan.findMax !== undefined) {
    return [`--find-max: only ${plan.findMax} runs, in steps from its rate upward until it stops keeping up; the operations and time depend on the search`];
  }
  const closedLoop = (s: ScenarioPlan): boolean => s.executor === "closed" || s.executor === "max";
  const sum = (list: readonly ScenarioPlan[], f: (s: ScenarioPlan) => number | undefined): number => list.reduce((n, s) => n + (f(s) ?? 0), 0);
  const paced = plan.scenarios.filter((s) => !closedLoop(s));
  const counted = plan.scenarios.filter((s) => closedLoop(s) && s.operations !== undefined);
  const timedLoops = plan.scenarios.filter((s) => closedLoop(s) && s.operations === undefined).length;
  const parts = [
    ...(paced.length > 0 ? [`${formatCount(sum(paced, (s) => s.operations))} scheduled (open loop)`] : []),
    ...(counted.length > 0 ? [`${formatCount(sum(counted, (s) => s.operations))} iterations (closed loops)`] : []),
  ];
  const paceNote = timedLoops > 0 ? `${plural(timedLoops, "closed loop")} run${timedLoops === 1 ? "s" : ""} for a time, as fast as the target allows: unknown in advance` : "";
  // Scenarios run one after another; one that stops after its iterations takes as long as it takes.
  const known = sum(plan.scenarios, (s) => (s.durationMs ?? 0) + (s.warmupMs ?? 0));
  const untimed = plan.scenarios.filter((s) => s.durationMs === undefined).length;
  const scenarioThresholds = plan.thresholds - plan.suiteThresholds;
  const out = [
    parts.length === 0 ? `operations: ${paceNote}` : `operations: ${parts.join(" + ")}, warm-up excluded${paceNote === "" ? "" : `; ${paceNote}`}`,
    `time under load: ${untimed === 0 ? formatDuration(known) : `${known > 0 ? `at least ${formatDuration(known)}` : "unknown"} (${plural(untimed, "scenario")} run${untimed === 1 ? "s" : ""} until ${untimed === 1 ? "its" : "their"} iterations are done)`}, targets' start-up excluded`,
  ];
  if (plan.thresholds > 0) out.push(`thresholds: ${scenarioThresholds} on scenarios, ${plan.suiteThresholds} on the whole run`);
  if (plan.trials > 1) out.push(`trials: each scenario runs ${plan.trials} times (the counts above are per trial)`);
  return out;
}

/** Prints the plan (`--format json`: as data) and returns the exit code: the suite is valid. */
export function printPlan(suite: Suite, options: { trials: number; format: string; findMax?: string }): number {
  const plan = planSuite(suite, { trials: options.trials, ...(options.findMax === undefined ? {} : { findMax: options.findMax }) });
  process.stdout.write(`${options.format === "json" ? JSON.stringify(plan, null, 2) : renderPlan(plan)}\n`);
  return ExitCode.ok;
}
