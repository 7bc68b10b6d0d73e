// find-max on --workers judges every worker's own generator: a step is pipebench-bound when any
// worker ran out of CPU (the check, the search's stop and the answer read back name which), and
// the floor it reports says to add workers. On hand-made merged results (the segments a merge keeps)
// and a modelled target, as find-max-search.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ScenarioOutcome } from "../../src/engine/run-suite.js";
import type { ScenarioResult, SegmentReport } from "../../src/metrics/summary.js";
import { findMaxAnswer, renderFindMax } from "../../src/report/find-max-answer.js";
import type { StoredRun, StoredScenario } from "../../src/store/results-store.js";
import type { SuiteScenario } from "../../src/suite/types.js";
import { findMax, type StepSession } from "../../src/sweep/find-max.js";
import { CHECK, isGeneratorCheck, stabilityChecks } from "../../src/sweep/stability.js";
import { health } from "../diagnose/fixtures.js";
import { scenario, stepResult } from "./modelled-target.js";

function segment(index: number, busyCpuPercent: number, ops: number): SegmentReport {
  return { worker: `${index + 1}/2`, index, count: 2, status: "completed", ops, errors: 0, startSkewMs: 1, busyCpuPercent };
}

/** A step's merged result on two workers whose busy CPU is given; the merged generator is the busiest's, as a merge makes it. */
function onWorkers(r: ScenarioResult, busy: [number, number]): ScenarioResult {
  const rate = r.generator.askedRate ?? 0;
  return {
    ...r,
    generator: health({ cpuPercent: Math.max(...busy), askedRate: rate, achievedRate: rate }),
    segments: [segment(0, busy[0], Math.ceil(r.ops / 2)), segment(1, busy[1], Math.floor(r.ops / 2))],
  };
}

test("every worker's generator is judged, and the one out of CPU is named", () => {
  const fine = stabilityChecks(onWorkers(stepResult(500, 5, 1000), [40, 60]), [], []).find((c) => c.metric === CHECK.generator);
  assert.equal(fine?.passed, true);
  assert.equal(fine?.expr, "generator CPU ≤ 90% on each of 2 workers");
  const over = stabilityChecks(onWorkers(stepResult(500, 5, 1000), [40, 97]), [], []).find((c) => c.metric === CHECK.generator);
  assert.equal(over?.passed, false);
  assert.equal(over?.expr, "generator CPU ≤ 90% on each of 2 workers (over: worker 2/2 97%)");
  assert.equal(over?.actual, 97);
  // The stored check is still found as the generator's by the read-back and the capacity plan.
  assert.ok(isGeneratorCheck(over.expr) && isGeneratorCheck(fine.expr));
});

test("a search whose second worker runs out of CPU stops there, says which worker, and reports a floor", async () => {
  // The target keeps up with 10,000/s; worker 2/2 (a busier core) spends 0.12 % of a core per
  // operation per second of the whole rate, worker 1/2 half that: 2/2 passes 90 % at 750/s.
  const scenarioResults: StoredScenario[] = [];
  const session: StepSession = {
    canContinue: true,
    runScenario: async (step: SuiteScenario, placement: Parameters<StepSession["runScenario"]>[1]): Promise<ScenarioOutcome> => {
      const rate = step.load.executor === "constant-rate" ? step.load.rate : 0;
      const result = onWorkers(stepResult(rate, 5, 10_000), [rate * 0.06, rate * 0.12]);
      const thresholds = placement.judge?.(result, []) ?? [];
      scenarioResults.push({ name: step.name, variant: placement.variant, result, thresholds } as unknown as StoredScenario);
      return { name: step.name, target: "t", targetKind: "http", trial: placement.trial ?? 0, result, thresholds, probes: [] };
    },
  };
  const found = await findMax(session, scenario, { startRate: 200, stepMs: 5000, warmupMs: 1000 });
  assert.equal(found.rate, undefined);
  assert.equal(found.generatorBound, true);
  assert.equal(found.atLeast, 400);
  assert.match(found.stopped ?? "", /^at 800\/s the load generator of worker 2\/2 ran out of CPU: that is pipebench's limit, not the target's \(run more workers than 2/);

  const answer = findMaxAnswer({ scenarioResults } as unknown as StoredRun);
  assert.ok(answer !== undefined);
  const text = renderFindMax(answer);
  assert.match(text, /find-max ingest: at least 400\/s — the search stopped at pipebench's limit \(the load generator of worker 2\/2 ran out of CPU\), not the target's/);
  assert.match(text, /at 800\/s: generator CPU ≤ 90% on each of 2 workers \(over: worker 2\/2 96%\) ✗ 96/);
  assert.match(text, /the target may sustain more: run more workers than 2 \(--workers\)/);
});
