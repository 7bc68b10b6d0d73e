// Running a suite whose scenarios sweep: every scenario in order, a swept one once per combination
// (each `--trials` times), each stored under its own name with its combination as `variant`. A
// combination that changes target settings reconnects the target with them; the next scenario
// that is not swept gets the target as the suite wrote it back.
import { SuiteSession, type RunOutcome, type RunSuiteOptions } from "../engine/run-suite.js";
import type { Variant } from "../store/results-store.js";
import type { Suite, SuiteScenario, SuiteTarget } from "../suite/types.js";

/** One thing to run: a plain scenario, or one combination of a swept one. */
interface Unit {
  scenario: SuiteScenario;
  variant?: Variant;
  /** Target settings this unit needs (a sweep of target settings). */
  target?: SuiteTarget;
}

export function hasSweeps(suite: Suite): boolean {
  return suite.scenarios.some((s) => s.sweep !== undefined);
}

function unitsOf(suite: Suite): Unit[] {
  return suite.scenarios.flatMap((s): Unit[] =>
    s.sweep === undefined
      ? [{ scenario: s }]
      : s.sweep.variants.map((v) => ({ scenario: v.scenario, variant: v.variant, ...(v.target === undefined ? {} : { target: v.target }) })),
  );
}

export async function runSweeps(suite: Suite, options: RunSuiteOptions): Promise<RunOutcome> {
  const session = await SuiteSession.open(suite, options);
  const trials = options.trials ?? 1;
  const units = unitsOf(suite);
  /** Targets currently connected with a combination's settings rather than the suite's. */
  const changed = new Set<string>();
  for (const [index, unit] of units.entries()) {
    if (!session.canContinue) break;
    const targetName = unit.scenario.target;
    try {
      if (unit.target !== undefined) {
        options.hooks?.log?.(`${targetName}: connecting with ${unit.scenario.name}'s settings`);
        await session.reconnect(targetName, unit.target.config);
        changed.add(targetName);
      } else if (changed.has(targetName)) {
        const written = suite.targets[targetName];
        if (written !== undefined) await session.reconnect(targetName, written.config);
        changed.delete(targetName);
      }
    } catch (error) {
      // The target refused a combination's settings at connect: keep what ran, close, report.
      await session.finish().catch(() => undefined);
      throw error;
    }
    for (let trial = 0; trial < trials && session.canContinue; trial++) {
      options.hooks?.scenarioStart?.(unit.scenario, index, units.length, trial);
      await session.runScenario(unit.scenario, {
        ordinal: index,
        trial,
        ...(unit.variant === undefined ? {} : { variant: unit.variant }),
      });
    }
  }
  return session.finish();
}
