// Diagnosis: the seeds' runbooks as rules over a stored run. Each rule reads what the run kept
// (scenario results, validity verdicts, probe readings, the resolved suite) and, when its symptom
// is there, says so with the numbers, the exact setting or command to change, and the runbook
// section it follows. Reads stored results only; nothing here touches a target.
import type { StoredRun, StoredScenario } from "../store/results-store.js";
import { trialOf } from "./readings.js";
import type { Finding, Impact } from "./finding.js";
import type { Rule } from "./rule.js";
import { CLICKHOUSE_RULES } from "./rules/clickhouse.js";
import { CULPRIT_RULES } from "./rules/culprit.js";
import { GENERATOR_RULES } from "./rules/generator.js";
import { HOST_RULES } from "./rules/host.js";
import { HTTP_RULES } from "./rules/http.js";
import { KAFKA_RULES } from "./rules/kafka.js";
import { POSTGRES_RULES } from "./rules/postgres.js";
import { RAY_RULES } from "./rules/ray.js";
import { SERVER_METRICS_RULES } from "./rules/server-metrics.js";
import { TARGET_RULES } from "./rules/target.js";
import { TRINO_RULES } from "./rules/trino.js";

export { findingWhere, type Area, type Finding, type Impact } from "./finding.js";

/** Every rule, by area; the order within an area is the order findings of equal impact print in. */
export const RULES: readonly Rule[] = [
  ...CULPRIT_RULES,
  ...GENERATOR_RULES,
  ...TARGET_RULES,
  ...POSTGRES_RULES,
  ...KAFKA_RULES,
  ...CLICKHOUSE_RULES,
  ...HTTP_RULES,
  ...TRINO_RULES,
  ...RAY_RULES,
  ...SERVER_METRICS_RULES,
  ...HOST_RULES,
];

const IMPACT_ORDER: Record<Impact, number> = { high: 0, medium: 1, low: 2 };

export function diagnose(run: StoredRun): Finding[] {
  return diagnoseWith(run, RULES);
}

interface Found {
  finding: Finding;
  order: number;
  rank: number;
  /** Trials (or find-max steps) of its scenario that showed it. */
  trials: number;
  /** Scenario groups (a scenario with its trials or steps) it fired on. */
  groups: string[];
}

/** diagnose with a given rule list (tests, and callers that want one area). */
export function diagnoseWith(run: StoredRun, rules: readonly Rule[]): Finding[] {
  const groupOf = new Map(run.scenarioResults.map((s) => [s.name, groupName(s)]));
  // A scenario run with --trials N is stored N times, and a --find-max search once per step: one
  // entry per rule and scenario, the first trial's (step's) numbers, and how many showed it.
  const perScenario = new Map<string, Found>();
  const entries: Found[] = [];
  rules.forEach((rule, ruleIndex) => {
    const subjects = rule.scope === "run" ? [null] : run.scenarioResults;
    subjects.forEach((scenario, i) => {
      const evaluated = rule.evaluate({ run, scenario });
      if (evaluated === undefined) return;
      const group = scenario === null ? "" : (groupOf.get(scenario.name) ?? scenario.name);
      const key = `${rule.id}\u0000${group}`;
      const seen = perScenario.get(key);
      if (seen !== undefined) {
        seen.trials++;
        return;
      }
      const order = ruleIndex * 1e6 + (scenario === null ? 0 : scenario.ordinal * 100 + i / 1e3);
      const entry = { finding: { ...evaluated.body, scenario: scenario?.name ?? null }, order, rank: evaluated.rank, trials: 1, groups: [group] };
      perScenario.set(key, entry);
      entries.push(entry);
    });
  });

  const trialsOf = trialCounts(run.scenarioResults);
  for (const entry of entries) {
    const name = entry.finding.scenario;
    const group = name === null ? undefined : groupOf.get(name);
    const total = name === null ? 1 : (trialsOf.get(group ?? name) ?? 1);
    const search = group !== undefined && group !== name;
    if (total > 1) {
      entry.finding.evidence.push(
        search
          ? `seen in ${entry.trials} of ${total} steps of the search (numbers above: the first, ${name})`
          : `seen in ${entry.trials} of ${total} trials (numbers above: the first)`,
      );
    }
  }

  // A rule that fired on several scenarios prints once: the worst one's numbers, the others named.
  const byRule = new Map<string, Found>();
  const merged: Found[] = [];
  for (const entry of entries) {
    const seen = byRule.get(entry.finding.id);
    if (seen === undefined || entry.finding.scenario === null) {
      byRule.set(entry.finding.id, entry);
      merged.push(entry);
      continue;
    }
    const worst = entry.rank > seen.rank ? entry : seen;
    const groups = [...seen.groups, ...entry.groups];
    Object.assign(seen, { finding: worst.finding, rank: worst.rank, groups, order: Math.min(seen.order, entry.order) });
  }
  for (const entry of merged) {
    if (entry.groups.length < 2) continue;
    entry.finding = {
      ...entry.finding,
      scenarios: entry.groups,
      evidence: [...entry.finding.evidence, `seen in ${entry.groups.length} scenarios: ${entry.groups.join(", ")} (numbers above: the worst, ${entry.finding.scenario ?? ""})`],
    };
  }
  return merged
    .sort((a, b) => IMPACT_ORDER[a.finding.impact] - IMPACT_ORDER[b.finding.impact] || a.order - b.order)
    .map((e) => e.finding);
}

/** A --find-max step (`ingest[rate=2030]`) belongs to its scenario's search; anything else is itself. */
function groupName(s: StoredScenario): string {
  const searched = s.variant?.["find-max"] !== undefined;
  const bracket = s.name.indexOf("[");
  return searched && bracket > 0 ? s.name.slice(0, bracket) : s.name;
}

/** Trials per scenario, or steps per find-max search. */
function trialCounts(scenarios: readonly StoredScenario[]): Map<string, number> {
  const out = new Map<string, Set<string>>();
  for (const s of scenarios) {
    const group = groupName(s);
    const set = out.get(group) ?? new Set<string>();
    set.add(group === s.name ? `trial ${trialOf(s)}` : `step ${s.ordinal}`);
    out.set(group, set);
  }
  return new Map([...out].map(([name, set]) => [name, set.size]));
}
