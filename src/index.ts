// The public API: what a program that embeds pipebench may import.
export { runSuite } from "./engine/run-suite.js";
export type { RunOutcome, ScenarioOutcome, RunHooks, RunSuiteOptions } from "./engine/run-suite.js";
export { runScenario } from "./engine/run-scenario.js";
export { loadSuite } from "./suite/load-suite.js";
export { drivers, driverSchemas } from "./drivers/index.js";
export { ResultsStore, DEFAULT_STORE } from "./store/results-store.js";
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
} from "./metrics/summary.js";
export type { LoadProfile } from "./engine/load.js";
