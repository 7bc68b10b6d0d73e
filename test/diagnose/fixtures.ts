// Hand-built stored runs for the rule tests: the shapes the store gives back, with only the
// numbers each test is about set away from healthy defaults.
import type { JsonValue } from "../../src/probes/probe.js";
import type { GeneratorHealth, LatencySummary, ScenarioResult } from "../../src/metrics/summary.js";
import { assessValidity } from "../../src/engine/validity.js";
import type { StoredProbeReading, StoredRun, StoredScenario } from "../../src/store/results-store.js";

export const latency = (values: Partial<LatencySummary> = {}): LatencySummary => ({
  count: 20_000, min: 1, mean: 2, stddev: 0.5, p50: 2, p90: 3, p95: 3.5, p99: 4, p999: 6, max: 9, ...values,
});

export const health = (values: Partial<GeneratorHealth> = {}): GeneratorHealth => ({
  cpuPercent: 20, spinCpuPercent: 0, eventLoopLagP99Ms: 1, eventLoopLagMaxMs: 2, askedRate: null, achievedRate: 1000,
  lateStarts: 0, saturated: false, warnings: [], ...values,
});

/** A result as the engine builds it, verdict included (judged on these numbers, like the real one). */
export function result(values: Partial<ScenarioResult> = {}, context: { inProcessTarget?: boolean; capWaits?: number } = {}): ScenarioResult {
  const r: ScenarioResult = {
    status: "completed", startedAt: 0, durationS: 20, warmupS: 2, executor: "closed",
    ops: 20_000, errors: 0, errorsByClass: {}, errorSamples: [], records: 20_000, bytes: 0,
    opsPerSec: 1000, throughput: 1000, mbps: 0, errorRate: 0, latency: latency(), service: latency(),
    latencyHistogram: "", serviceHistogram: "",
    series: Array.from({ length: 20 }, (_, t) => ({ t, ops: 1000, errors: 0, records: 1000, bytes: 0, p50: 2, p99: 4 })),
    generator: health(), ...values,
  };
  const { validity: _ignored, ...unjudged } = r;
  return { ...r, validity: values.validity ?? assessValidity(unjudged, context) };
}

export function reading(
  probe: string,
  target: string | null,
  metrics: Record<string, number>,
  details?: JsonValue,
  phase: "interval" | "sample" = "interval",
  takenAt = 1_000,
): StoredProbeReading {
  return { target, probe, phase, takenAt, reading: { metrics, notes: [], ...(details === undefined ? {} : { details }) } };
}

export interface ScenarioSpec {
  name?: string;
  target?: string;
  targetKind?: string;
  workload?: unknown;
  load?: unknown;
  result?: ScenarioResult;
  probes?: StoredProbeReading[];
  trial?: number;
}

export function scenario(spec: ScenarioSpec = {}, ordinal = 0): StoredScenario {
  const r = spec.result ?? result();
  return {
    id: ordinal + 1, ordinal, name: spec.name ?? "s", trial: spec.trial ?? 0,
    target: spec.target ?? "pg", targetKind: spec.targetKind ?? "postgres",
    workload: spec.workload ?? { type: "query", query: "q" }, load: spec.load ?? { executor: "closed", workers: 1, iterations: 20_000 },
    status: r.status, result: r, thresholds: [], probes: spec.probes ?? [],
  };
}

export function run(scenarios: StoredScenario[], options: { suite?: unknown; runProbes?: StoredProbeReading[]; memoryBytes?: number } = {}): StoredRun {
  return {
    id: 1, suiteName: "fixture", suiteFile: "/fixture.yaml", startedAt: 0, finishedAt: 1, status: "passed", exitCode: 0,
    scenarios: scenarios.length, tag: null, trials: 1,
    environment: {
      pipebench: "0.1.0", node: "v20", targets: {},
      host: { cpuModel: "cpu", cores: 2, memoryBytes: options.memoryBytes ?? 16 * 1024 ** 3 },
    },
    suite: options.suite ?? { targets: {} }, thresholds: [], runProbes: options.runProbes ?? [], scenarioResults: scenarios,
  };
}
