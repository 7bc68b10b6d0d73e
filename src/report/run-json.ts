// The JSON a script reads (`run --format json`, `show --format json`, `--out`'s and a report's
// results.json): the stored run as it is, headed by a schema name that changes when a field changes
// meaning or is removed (adding a field does not), and the unit of every number that has one, so a
// script never guesses whether `p99` is µs or ms, or MB is 10^6 or 2^20 bytes.
import type { StoredRun } from "../store/results-store.js";

/** The document's kind and version: `pipebench.run/2` would mean a field of this one changed. */
export const RUN_JSON_SCHEMA = "pipebench.run/1";

/** Units by field path (`[]` is any element; `*` any key of a map). Counts and names have none. */
export const RUN_JSON_UNITS: Readonly<Record<string, string>> = {
  "startedAt, finishedAt, scenarioResults[].result.startedAt": "ms since 1970-01-01 UTC",
  "scenarioResults[].result.durationS, .warmupS": "s (the measured interval; warm-up apart)",
  "scenarioResults[].result.latency.*, .service.*, .clientWait.*, .startDelay.* (not .count)": "ms",
  "scenarioResults[].result.*Histogram": "HdrHistogram, compressed base64; values in µs",
  "scenarioResults[].result.opsPerSec": "operations/s",
  "scenarioResults[].result.throughput, .peakThroughput":
    "records/s: messages (Kafka), rows written (COPY, insert), rows returned (queries), requests (HTTP)",
  "scenarioResults[].result.bytes": "bytes",
  "scenarioResults[].result.mbps": "MB/s, MB = 10^6 bytes (--format kafka-perf prints Kafka's MB = 2^20 bytes)",
  "scenarioResults[].result.errorRate": "ratio 0–1",
  "scenarioResults[].result.series[].t": "s from the measured start; ops, errors, records, bytes per second",
  "scenarioResults[].result.series[].p50, .p99": "ms",
  "scenarioResults[].result.generator.cpuPercent, .spinCpuPercent": "% of one core",
  "scenarioResults[].result.generator.eventLoopLagP99Ms": "ms",
  "scenarioResults[].result.generator.askedRate, .achievedRate": "operations/s",
  "scenarioResults[].result.generator.machine.*Percent": "% of the measured interval's wall time (othersCpuPercent: % of one core)",
  "scenarioResults[].result.serviceByConcurrency[].meanServiceMs": "ms",
  "thresholds[].actual, .target; scenarioResults[].thresholds[].actual, .target":
    "by .kind: duration ms, rate /s, bandwidth MB/s (10^6 bytes), ratio 0–1, count none",
};

/** The run as a script reads it: `schema` and `units` first, then the stored run's own fields. */
export function runDocument(run: StoredRun): { schema: string; units: Readonly<Record<string, string>> } & StoredRun {
  return { schema: RUN_JSON_SCHEMA, units: RUN_JSON_UNITS, ...run };
}

export function runJson(run: StoredRun): string {
  return `${JSON.stringify(runDocument(run), null, 2)}\n`;
}
