// The rest of each result's validity verdict (src/engine/validity.ts), so the diagnosis and the
// INVALID label agree: a slipped schedule, a run not at steady state, too few samples. Who set the
// pace (a saturated pipebench, a busy machine, its connections, the target) is rules/culprit.ts's.
import { validityOf } from "../../engine/validity.js";
import type { GeneratorHealth, ValidityCode } from "../../metrics/summary.js";
import type { StoredScenario } from "../../store/results-store.js";
import { loadField, oncePerScenario } from "../readings.js";
import { defineRule, type Subject } from "../rule.js";

interface Invalid {
  scenario: StoredScenario;
  message: string;
  generator: GeneratorHealth;
}

/** The scenario's validity reason of `code`, with what the advice needs. */
function reason(code: ValidityCode) {
  return ({ scenario }: Subject): Invalid | undefined => {
    if (scenario === null) return undefined;
    const r = validityOf(scenario.result).reasons.find((x) => x.code === code);
    return r === undefined ? undefined : { scenario, message: r.message, generator: scenario.result.generator };
  };
}

/** "10" or "10–300". */
function span(xs: readonly number[]): string {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

const PIPEBENCH_SATURATED = "docs/runbooks/pipebench-saturated.md";
const MEASUREMENT_QUALITY = "docs/runbooks/measurement-quality.md";

export const GENERATOR_RULES = [
  defineRule<Invalid>({
    id: "generator.schedule-lag",
    area: "generator",
    // Neither its CPU full (culprit.process) nor the machine busy (culprit.machine): its own event
    // loop was held up (a long garbage collection, synchronous work in a driver).
    culprit: "process",
    scope: "scenario",
    title: "Operations started late: pipebench's schedule slipped",
    impact: "medium",
    runbook: PIPEBENCH_SATURATED,
    when: reason("schedule-lag"),
    evidence: (m) => [m.message],
    recommendation: () =>
      "pipebench's event loop was held up though it had CPU: lower the rate or split it over more pipebench processes; " +
      "large generated bodies or records encoded per operation are the usual cause",
  }),
  defineRule<Invalid>({
    id: "generator.not-steady",
    area: "generator",
    scope: "scenario",
    title: "Not at steady state: the numbers were still moving",
    impact: "low",
    runbook: MEASUREMENT_QUALITY,
    when: reason("not-steady"),
    evidence: (m) => [m.message],
    recommendation: (m) => {
      const warmup = m.scenario.result.warmupS;
      const duration = m.scenario.result.durationS;
      return (
        `load: { warmup: ${Math.max(10, Math.ceil(warmup * 2))}s, duration: ${Math.max(60, Math.ceil(duration * 2))}s } ` +
        `(now warmup ${warmup} s, duration ${Math.round(duration)} s), so caches, JIT and connection pools settle before measuring`
      );
    },
  }),
  defineRule<Invalid[]>({
    id: "generator.too-few-samples",
    area: "generator",
    // One finding for the run: short scenarios usually come several to a suite, with one remedy.
    scope: "run",
    title: (m) => `Too few samples for the tail percentile shown (${m.length} scenario${m.length === 1 ? "" : "s"})`,
    impact: "low",
    runbook: MEASUREMENT_QUALITY,
    when: ({ run }) => {
      const out = oncePerScenario(run, (scenario) => reason("too-few-samples")({ run, scenario }));
      return out.length === 0 ? undefined : out;
    },
    evidence: (m) => m.map((x) => `${x.scenario.name}: ${x.message.split(":")[0] ?? x.message}`),
    recommendation: (m) => {
      const iterations = m.map((x) => loadField(x.scenario, "iterations")).filter((x): x is number => typeof x === "number");
      return (
        (iterations.length > 0 ? `load: { iterations: 1000 } (now ${span(iterations)}), ` : "") +
        "or a duration long enough for 1,000 operations: p99 needs 1,000 latencies, p99.9 10,000; until then read max, not p99"
      );
    },
  }),
];
