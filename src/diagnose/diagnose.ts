// Diagnosis: the seeds' runbooks as rules over a stored run. Each rule reads what the run kept
// (scenario results, validity verdicts, probe readings, the resolved suite) and, when its symptom
// is there, says so with the numbers, the exact setting or command to change, and the runbook
// section it follows. Reads stored results only; nothing here touches a target.
import type { StoredRun, StoredScenario } from "../store/results-store.js";
import { trialOf } from "./readings.js";
import type { Rule } from "./rule.js";
import { GENERATOR_RULES } from "./rules/generator.js";
import { HOST_RULES } from "./rules/host.js";
import { HTTP_RULES } from "./rules/http.js";
import { KAFKA_RULES } from "./rules/kafka.js";
import { POSTGRES_RULES } from "./rules/postgres.js";
import { TARGET_RULES } from "./rules/target.js";

export type Impact = "high" | "medium" | "low";

export interface Finding {
  /** Rule id, e.g. "postgres.cache-hit-low". */
  id: string;
  area: "postgres" | "kafka" | "host" | "generator" | "http" | "target";
  /** null: the whole run. */
  scenario: string | null;
  title: string;
  impact: Impact;
  /** The numbers, e.g. "cache hit 91.2 % over the scenario (target ≥ 99 %)". */
  evidence: string[];
  /** The exact setting or command. */
  recommendation: string;
  /** The runbook section it follows, e.g. "seed 000 · Day 7 Task 2.3 PostgreSQL Optimization". */
  runbook: string;
}

/** Every rule, by area; the order within an area is the order findings of equal impact print in. */
export const RULES: readonly Rule[] = [
  ...GENERATOR_RULES,
  ...TARGET_RULES,
  ...POSTGRES_RULES,
  ...KAFKA_RULES,
  ...HTTP_RULES,
  ...HOST_RULES,
];

const IMPACT_ORDER: Record<Impact, number> = { high: 0, medium: 1, low: 2 };

export function diagnose(run: StoredRun): Finding[] {
  return diagnoseWith(run, RULES);
}

/** diagnose with a given rule list (tests, and callers that want one area). */
export function diagnoseWith(run: StoredRun, rules: readonly Rule[]): Finding[] {
  const groupOf = new Map(run.scenarioResults.map((s) => [s.name, groupName(s)]));
  const found: { finding: Finding; order: number; trials: number }[] = [];
  const byKey = new Map<string, { finding: Finding; order: number; trials: number }>();
  const add = (finding: Finding, order: number): void => {
    // A scenario run with --trials N is stored N times, and a --find-max search once per step: one
    // finding per rule and scenario, the first trial's (step's) numbers, and how many showed it.
    const key = `${finding.id}\u0000${finding.scenario === null ? "" : (groupOf.get(finding.scenario) ?? finding.scenario)}`;
    const seen = byKey.get(key);
    if (seen !== undefined) {
      seen.trials++;
      return;
    }
    const entry = { finding, order, trials: 1 };
    byKey.set(key, entry);
    found.push(entry);
  };

  rules.forEach((rule, ruleIndex) => {
    if (rule.scope === "run") {
      const body = rule.evaluate({ run, scenario: null });
      if (body !== undefined) add({ ...body, scenario: null }, ruleIndex * 1e6);
      return;
    }
    run.scenarioResults.forEach((scenario, i) => {
      const body = rule.evaluate({ run, scenario });
      if (body !== undefined) add({ ...body, scenario: scenario.name }, ruleIndex * 1e6 + scenario.ordinal * 100 + i / 1e3);
    });
  });

  const trialsOf = trialCounts(run.scenarioResults);
  for (const entry of found) {
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
  return found
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
