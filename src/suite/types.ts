// What the suite loader takes and what it gives back. The resolved Suite is plain data: the run
// engine reads it, the store keeps `resolved`, and nothing in it refers back to the YAML.
import type { Driver } from "../drivers/driver.js";
import type { LoadProfile } from "../engine/load.js";
import type { ErrorPolicy } from "../engine/target-failure.js";
import type { Threshold } from "../thresholds/parse.js";
import type { Variant } from "../store/results-store.js";
import type { Monitoring } from "./monitoring.js";
import type { SweepRoot } from "./sweep-keys.js";

/** The parts of each driver the loader validates against, by target kind. Passed in, never imported,
 * so the loader does not pull every driver's client library in. */
export type DriverSchemas = ReadonlyMap<string, DriverSchema>;
export type DriverSchema = Pick<Driver, "kind" | "targetSchema" | "workloadSchema" | "probeKinds" | "probeMetrics" | "checkWorkload">;

/** Options as given (the CLI's flags). Layering: suite file < environment (`${VAR}`) < flags. */
export interface LoadSuiteOptions {
  /** Variables for `${VAR}` and `${VAR:-default}`; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** `path=value` overrides, applied in order, e.g. `scenarios.copy-100.load.rate=500`. */
  set?: readonly string[];
  /** Milliseconds; replaces every scenario's `load.duration` (steps are scaled to it). Applied after `set`. */
  duration?: number;
  /** Operations per second; replaces constant-rate `rate` and ramp `to`. Applied after `set`. */
  rate?: number;
  /** Run only these scenarios (names, or comma-separated lists of names), in suite order. */
  scenarios?: readonly string[];
  /** `--sweep key=v1,v2,…` (keys relative to the one selected scenario); several make a grid. */
  sweep?: readonly string[];
}

export interface SuiteTarget {
  kind: string;
  /** The driver's targetSchema output (`kind` included). */
  config: unknown;
}

export interface SuiteProbe {
  kind: string;
  /** Target name; absent for the host probe. */
  target?: string;
  /** Sampling period during a scenario; absent means before and after only. */
  everyMs?: number;
  /** prometheus: the server; metrics-endpoint: the metrics page (default: the target's URL + /metrics). */
  url?: string;
  /** prometheus: reading name → PromQL. */
  queries?: Record<string, string>;
  /** metrics-endpoint: the request-duration histogram and a label selection of its series. */
  histogram?: string;
  labels?: Record<string, string>;
  cpuLimit?: number;
  memoryLimitBytes?: number;
  /** The probe's place in the suite's `probes:` list, for errors found when the run starts. */
  index?: number;
}

export interface SuiteScenario {
  name: string;
  description?: string;
  target: string;
  /** The target driver's workloadSchema output. */
  workload: unknown;
  /** `defaults.load` merged under the scenario's own `load`, then validated. */
  load: LoadProfile;
  thresholds: Threshold[];
  /** Its `sweep:` block and `--sweep` flags, expanded and every combination validated. */
  sweep?: SuiteSweep;
  /** `onError`: when errors stop the scenario; absent, the engine's default limit. */
  onError?: ErrorPolicy;
}

export interface Suite {
  /** Absolute path of the suite file (or the name given to parseSuiteText). */
  file: string;
  /** Directory relative paths in targets resolve against. */
  dir: string;
  name: string;
  description?: string;
  targets: Record<string, SuiteTarget>;
  probes: SuiteProbe[];
  /** In file order; only the selected ones when `scenarios` was given. */
  scenarios: SuiteScenario[];
  /** Suite-level thresholds, judged on the whole run. */
  thresholds: Threshold[];
  /** `monitoring:`: the service's own Prometheus metric names (export prometheus-rules / grafana). */
  monitoring?: Monitoring;
  /** The document after `${VAR}` substitution and overrides (selected scenarios only), for storage. */
  resolved: unknown;
}

// A scenario's sweep, expanded (expand-sweeps.ts): the axes and every combination, validated.

/** A swept value: what a stored variant holds (JSON), named from the store so suite needs no probes import. */
export type SweepValue = Variant[string];

export interface SweepAxis {
  /** As written, e.g. `workload.batchSize` or `target.producer.linger.ms`; variants are keyed by it. */
  readonly key: string;
  readonly root: SweepRoot;
  /** The data path under the root the key resolved to, e.g. ["producer", "linger.ms"]. */
  readonly path: readonly string[];
  /** What a variant's name calls it: `batchSize`, `linger.ms`. */
  readonly label: string;
  readonly values: readonly SweepValue[];
  /** The flag that gave it; absent when the suite's `sweep:` block did. */
  readonly flag?: string;
}

export interface SweepVariant {
  /** `copy[batchSize=100 workers=4]`: the name the result is stored and printed under. */
  readonly name: string;
  /** Key as written → value, e.g. { "workload.batchSize": 100, "load.workers": 4 }. */
  readonly variant: Variant;
  /** The scenario with this combination applied, validated. */
  readonly scenario: SuiteScenario;
  /** The scenario's target with this combination's settings, when the sweep changes any. */
  readonly target?: SuiteTarget;
}

export interface SuiteSweep {
  /** The scenario swept, by its written name. */
  readonly scenario: string;
  readonly axes: readonly SweepAxis[];
  /** Every combination, first axis outermost. */
  readonly variants: readonly SweepVariant[];
}
