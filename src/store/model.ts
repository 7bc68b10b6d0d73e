// What the results store keeps, as the rest of pipebench sees it: a run, its scenarios, their
// thresholds and probe readings, as written (New*) and as read back (Stored*). Types only.
import type { ObservedLatency, ScenarioResult } from "../metrics/summary.js";
import type { JsonValue, ProbeReading } from "../probes/probe.js";
import type { RunOwner } from "./run-owner.js";

export const DEFAULT_STORE = ".pipebench/results.db";

/** `invalid`: the thresholds passed, but a result they judged is invalid (exit 4). */
export type RunStatus = "running" | "passed" | "failed" | "invalid" | "error" | "interrupted";
/** As stored: also `incomplete`, a run whose process died while it was `running` (SIGKILL, a crash). */
export type StoredRunStatus = RunStatus | "incomplete";

/** A threshold's verdict as stored; the thresholds module produces it. */
export interface StoredThreshold {
  expr: string;
  passed: boolean;
  actual: number | null;
  target: number;
  kind: string;
  note?: string;
}

export interface RunEnvironment {
  pipebench: string;
  node: string;
  host: Record<string, JsonValue>;
  targets: Record<string, { kind: string; version?: string }>;
}

export interface NewRun {
  suiteName: string;
  suiteFile: string;
  startedAt: number;
  environment: RunEnvironment;
  /** The resolved suite; redacted before it is written. */
  suite: unknown;
  /** A label for finding the run again (`--tag`); compare and report accept it as a ref. */
  tag?: string;
  /** Trials per scenario (`--trials`). */
  trials?: number;
  /** The process writing the run; this process unless given. */
  owner?: RunOwner;
}

/** A sweep combination: the setting paths and the values this scenario ran with. */
export type Variant = Record<string, JsonValue>;

export interface NewScenario {
  ordinal: number;
  name: string;
  /** 0-based; a scenario run with --trials N is stored N times. */
  trial?: number;
  variant?: Variant;
  target: string;
  targetKind: string;
  workload: unknown;
  load: unknown;
  result: ScenarioResult;
  thresholds: readonly StoredThreshold[];
  probes: readonly StoredProbeReading[];
}

export interface StoredProbeReading {
  target: string | null;
  probe: string;
  phase: "interval" | "sample";
  takenAt: number;
  reading: ProbeReading;
}

export interface RunRow {
  id: number;
  suiteName: string;
  suiteFile: string;
  startedAt: number;
  finishedAt: number | null;
  status: StoredRunStatus;
  exitCode: number | null;
  scenarios: number;
  tag: string | null;
  trials: number;
}

/** A run as `runs` lists it. */
export interface RunListing extends RunRow {
  /** Distinct scenarios among the stored results (each trial and each sweep point is a result). */
  distinctScenarios: number;
}

export interface StoredScenario extends Omit<NewScenario, "thresholds" | "probes" | "trial"> {
  id: number;
  trial: number;
  status: string;
  thresholds: StoredThreshold[];
  probes: StoredProbeReading[];
}

export interface StoredRun extends RunRow {
  environment: RunEnvironment;
  suite: unknown;
  thresholds: StoredThreshold[];
  runProbes: StoredProbeReading[];
  scenarioResults: StoredScenario[];
}

/** ScenarioResult as the scenarios.result column keeps it: histograms and series live in tables. */
export type StoredSummary = Omit<
  ScenarioResult,
  "latencyHistogram" | "serviceHistogram" | "clientWaitHistogram" | "startDelayHistogram" | "series" | "observed"
> & {
  observed?: Omit<ObservedLatency, "histogram" | "series">;
};
