// `timing: producer-perf`: a produce workload loaded and timed as Kafka's kafka-producer-perf-test
// (org.apache.kafka.tools.ProducerPerformance) does, so that its numbers compare with the Java
// tool's. The tool's main thread calls send() as fast as the producer takes records: send()
// returns at once while buffer.memory has room and blocks when it is full, and each record is timed
// from just before its send() to its acknowledgement. So its latency is mostly the wait in a full
// 32 MiB buffer, and its rate that of a producer kept saturated.
//
// Here the engine owns time as everywhere: `max` runs a closed loop whose concurrency is what
// buffer.memory holds (plus one batch, so that the buffer, not the loop, is the bound), each
// operation handing one record to the RecordBatcher, which takes it while the buffer has room (held
// as the Java client holds it: batch.size per batch until its request is answered) and makes it
// wait otherwise. A closed loop times from the start, i.e. from the hand-off. constant-rate is the
// tool's `--throughput N`: the same, started on a schedule (timed from each record's intended
// start, which is the tool's send time while the producer keeps up).
import type { LoadProfile } from "../../engine/load.js";
import type { WorkloadProblem } from "../driver.js";
import { BATCH_OVERHEAD, RECORD_OVERHEAD } from "./batcher.js";
import type { ProduceWorkload } from "./schema.js";
import { JAVA_PRODUCER_DEFAULTS, type ProducerSettings } from "./settings.js";

/** The executors the tool's two ways of sending map to: `--throughput -1` and `--throughput N`. */
const PERF_EXECUTORS = ["max", "constant-rate"] as const;

/** The settings the Java tool runs with: the Java client's defaults for what the target does not set. */
export function producerPerfSettings(settings: ProducerSettings): ProducerSettings {
  return settings.given.includes("batch.size") ? settings : { ...settings, batchSize: JAVA_PRODUCER_DEFAULTS.batchSize };
}

/**
 * Records in flight that fill buffer.memory, held as the Java client holds it (every batch
 * batch.size bytes, or one record's if larger), plus one batch: the closed loop's concurrency.
 */
export function recordsInBuffer(bufferBytes: number, batchBytes: number, recordBytes: number): number {
  const size = RECORD_OVERHEAD + recordBytes;
  const perBatch = Math.max(1, Math.floor((batchBytes - BATCH_OVERHEAD) / size));
  const batches = Math.max(1, Math.floor(bufferBytes / Math.max(batchBytes, BATCH_OVERHEAD + size)));
  return (batches + 1) * perBatch;
}

/** A load this timing cannot run as the tool does, as a problem at the workload's `timing`. */
export function producerPerfLoadProblem(workload: Pick<ProduceWorkload, "timing">, load: LoadProfile | undefined): WorkloadProblem | undefined {
  if (workload.timing !== "producer-perf" || load === undefined) return undefined;
  if (!(PERF_EXECUTORS as readonly string[]).includes(load.executor)) {
    return {
      path: "timing",
      message: `timing: producer-perf hands records over as kafka-producer-perf-test does, which the ${load.executor} executor cannot`,
      fix: "use load: { executor: max, iterations: N } (the tool's --throughput -1) or { executor: constant-rate, rate: R, duration: D } (--throughput R), or remove timing",
    };
  }
  if (load.executor === "max" && load.concurrency !== undefined) {
    return {
      path: "timing",
      message: `timing: producer-perf keeps in flight what buffer.memory holds, as the Java producer does, but the load sets concurrency: ${load.concurrency}`,
      fix: "remove load.concurrency (set buffer.memory under the target's producer: to change the bound), or remove timing",
    };
  }
  return undefined;
}
