// Where a run will send load, printed before anything connects, so a person sees a production host
// before it is hit: host:port for servers, never a user or password.
import { driverOf } from "../drivers/index.js";
import type { Suite, SuiteTarget } from "../suite/types.js";

/** The targets a scenario or a probe uses: the ones a run connects to. */
export function usedTargets(suite: Pick<Suite, "scenarios" | "probes">): Set<string> {
  return new Set([...suite.scenarios.map((s) => s.target), ...suite.probes.flatMap((p) => (p.target === undefined ? [] : [p.target]))]);
}

/** "pg → 127.0.0.1:5432" for each target the chosen scenarios and probes use, in suite order. */
export function targetEndpoints(suite: Suite): string[] {
  const used = usedTargets(suite);
  return Object.entries(suite.targets)
    .filter(([name]) => used.has(name))
    .map(([name, target]) => `${name} → ${endpointOf(target)}`);
}

/** Where one target sends load, as its driver describes it. */
export function endpointOf(target: SuiteTarget): string {
  // The suite loader has refused unknown kinds; "in-process" only keeps this total.
  return driverOf(target.kind)?.describeEndpoint(target.config) ?? "in-process";
}
