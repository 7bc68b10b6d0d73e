// A diagnosis rule is data: which area it belongs to, when it fires (a function over the run's
// stored readings that returns the numbers it fired on), and templates that turn those numbers
// into evidence and a recommendation. `defineRule` hides each rule's own match type, so rules of
// every shape sit in one list.
import type { StoredRun, StoredScenario } from "../store/results-store.js";
import type { Culprit } from "./culprit.js";
import type { Area, Finding, Impact } from "./finding.js";

export type { Area } from "./finding.js";

/** What a rule looks at: one scenario of a run, or (scope "run") the run as a whole. */
export interface Subject {
  readonly run: StoredRun;
  /** Set for scenario rules; null for run rules. */
  readonly scenario: StoredScenario | null;
}

export interface RuleSpec<M> {
  readonly id: string;
  readonly area: Area;
  /** "scenario": judged once per stored scenario; "run": once per run. */
  readonly scope: "scenario" | "run";
  readonly title: string | ((match: M) => string);
  readonly impact: Impact | ((match: M) => Impact);
  /** Who the finding blames, when it blames anyone (src/diagnose/culprit.ts). */
  readonly culprit?: Culprit;
  /**
   * How bad this match is, to pick the worst when the rule fires on several scenarios and prints
   * once (higher is worse); without it, the first scenario's numbers stand.
   */
  rank?(match: M): number;
  /** The runbook section the advice follows: "seed 000 · Day 7 Task 2.3 PostgreSQL Optimization". */
  readonly runbook: string;
  /** The numbers the rule fired on, or undefined when it does not apply. */
  when(subject: Subject): M | undefined;
  evidence(match: M): string[];
  recommendation(match: M): string;
}

/** A rule with its match type erased: evaluate gives the finding's body or nothing. */
export interface Rule {
  readonly id: string;
  readonly area: Area;
  readonly scope: "scenario" | "run";
  readonly runbook: string;
  evaluate(subject: Subject): { body: Omit<Finding, "scenario" | "scenarios">; rank: number } | undefined;
}

export function defineRule<M>(spec: RuleSpec<M>): Rule {
  return {
    id: spec.id,
    area: spec.area,
    scope: spec.scope,
    runbook: spec.runbook,
    evaluate(subject) {
      const match = spec.when(subject);
      if (match === undefined) return undefined;
      return {
        body: {
          id: spec.id,
          area: spec.area,
          title: typeof spec.title === "function" ? spec.title(match) : spec.title,
          impact: typeof spec.impact === "function" ? spec.impact(match) : spec.impact,
          ...(spec.culprit === undefined ? {} : { culprit: spec.culprit }),
          evidence: spec.evidence(match),
          recommendation: spec.recommendation(match),
          runbook: spec.runbook,
        },
        rank: spec.rank?.(match) ?? 0,
      };
    },
  };
}
