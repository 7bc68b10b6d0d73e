// The public API: what a program that embeds pipebench may import.
export { runSuite, SuiteSession } from "./engine/run-suite.js";
export type { RunOutcome, ScenarioOutcome, RunHooks, RunSuiteOptions, ScenarioPlacement } from "./engine/run-suite.js";
export { compareRuns, regressions } from "./compare/compare.js";
export type { RunComparison, MetricComparison, SettingDifference, Verdict } from "./compare/compare.js";
export { diagnose } from "./diagnose/diagnose.js";
export type { Finding, Impact } from "./diagnose/diagnose.js";
export { writeReport } from "./report/write-report.js";
export { validityOf } from "./engine/validity.js";
export { runScenario } from "./engine/run-scenario.js";
export { loadSuite } from "./suite/load-suite.js";
export { drivers, driverSchemas } from "./drivers/index.js";
export { ResultsStore, DEFAULT_STORE } from "./store/results-store.js";
export type { StoredRun, StoredScenario, RunRow, Variant } from "./store/results-store.js";
export * from "./errors.js";
export type { Driver, Connection, Operation, OpContext, OpOutcome, PreparedWorkload, Observer } from "./drivers/driver.js";
export type { Probe, ProbeReading, ProbeSnapshot } from "./probes/probe.js";
export type {
  ScenarioResult,
  LatencySummary,
  SeriesPoint,
  GeneratorHealth,
  ObservedLatency,
  ObservedSeriesPoint,
  Validity,
  ValidityReason,
} from "./metrics/summary.js";
export type { LoadProfile } from "./engine/load.js";
