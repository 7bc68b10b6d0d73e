// `pipebench run --max-rate N`: a guard against a suite (or a --rate, or a --set) that would send
// more than a system may take. Checked after the suite is loaded and before anything connects.
import type { LoadProfile } from "../engine/load.js";
import { UsageError } from "../errors.js";
import { formatRate } from "../report/format.js";
import type { SuiteScenario } from "../suite/types.js";

/** The most operations per second a load profile asks for; undefined for closed and max, which ask none. */
export function peakRate(load: LoadProfile): number | undefined {
  switch (load.executor) {
    case "constant-rate":
      return load.rate;
    case "ramp":
      return Math.max(load.from, load.to);
    case "steps":
      return Math.max(...load.steps.map((s) => s.rate));
    case "closed":
    case "max":
      return undefined;
  }
}

/** Throws a UsageError naming every scenario that asks more than `maxRate`, and its rate. */
export function checkMaxRate(scenarios: readonly SuiteScenario[], maxRate: number): void {
  // A swept scenario runs once per combination, and a combination may change the rate.
  const runs = scenarios.flatMap((s) => (s.sweep === undefined ? [s] : s.sweep.variants.map((v) => ({ ...v.scenario, name: v.name }))));
  const over = runs.flatMap((s) => {
    const rate = peakRate(s.load);
    return rate !== undefined && rate > maxRate ? [`${s.name} asks ${formatRate(rate)} (${s.load.executor})`] : [];
  });
  if (over.length === 0) return;
  throw new UsageError(
    `--max-rate ${formatRate(maxRate)}: ${over.length === 1 ? "scenario" : `${over.length} scenarios:`} ${over.join(", ")}; nothing was run`,
    { hint: "lower the rate in the suite (or with --rate / --set), or raise --max-rate if the target can take it" },
  );
}
