// A run whose thresholds passed on numbers pipebench itself distrusts is not a pass: exit 4, unless
// the caller accepts invalid results (`--allow-invalid`). Only judged results count: a scenario no
// threshold looks at gates nothing, and its INVALID line is there for the reader.
import { scenarioLabel } from "../format/scenario-label.js";
import type { ScenarioResult, ValidityReason } from "../metrics/summary.js";
import type { ThresholdOutcome } from "../thresholds/evaluate.js";

export interface JudgedScenario {
  name: string;
  trial: number;
  result: ScenarioResult;
  thresholds: readonly ThresholdOutcome[];
}

export interface InvalidJudged {
  /** The scenario as the table names it. */
  scenario: string;
  reasons: readonly ValidityReason[];
}

/** The judged scenarios whose stored verdict is invalid: by their own thresholds or the suite's. */
export function invalidJudged(scenarios: readonly JudgedScenario[], suiteThresholds: number, trials: number): InvalidJudged[] {
  return scenarios
    .filter((s) => (s.thresholds.length > 0 || suiteThresholds > 0) && s.result.validity?.valid === false)
    .map((s) => ({
      // As the table names it: `writes #2` for a trial.
      scenario: scenarioLabel(s, trials),
      reasons: s.result.validity?.reasons ?? [],
    }));
}

/** The line a run ends on when invalid results decided its exit: the first reason, and how many more. */
export function invalidVerdictLine(invalid: readonly InvalidJudged[]): string {
  const first = invalid[0];
  if (first === undefined) return "";
  const reason = first.reasons[0];
  const more = invalid.length - 1;
  return (
    `INVALID: the thresholds passed, but ${first.scenario}'s result cannot be trusted` +
    (reason === undefined ? "" : `: ${reason.message} [${reason.code}]`) +
    (more > 0 ? ` (and ${more} more scenario${more === 1 ? "" : "s"})` : "")
  );
}

export const ALLOW_INVALID_HINT =
  "rerun where the reason above does not hold (a quieter machine, a rate the generator reaches, a longer run), " +
  "or pass --allow-invalid to accept these numbers (exit 0)";
