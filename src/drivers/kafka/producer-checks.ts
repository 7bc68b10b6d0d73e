// Producer settings that contradict each other, or that this process cannot carry out, are the
// suite's to fix (Connection.prepare's rule): every producing workload (produce, end-to-end,
// pipeline) checks them at prepare, before a producer is made.
import zlib from "node:zlib";
import { UsageError } from "../../errors.js";
import type { ProducerSettings } from "./settings.js";

/** Throws a UsageError, its hint naming the setting to change, when the producer cannot run as asked. */
export function checkProducerSettings(settings: Pick<ProducerSettings, "idempotent" | "compression">, acks: number): void {
  // Kafka's own rule: an idempotent producer has every record acknowledged by all in-sync replicas.
  if (settings.idempotent && acks !== -1) {
    throw new UsageError(`enable.idempotence needs acks=all, but this workload has acks=${acks}`, {
      hint: "set acks: all (on the workload, or under the target's producer:), or enable.idempotence: false under the target's producer:",
    });
  }
  if (settings.compression === "zstd" && !("zstdCompressSync" in zlib)) {
    throw new UsageError(`compression.type zstd needs Node.js 22.15 or newer (this is ${process.version}, whose zlib has no zstd)`, {
      hint: "set compression.type under the target's producer: to lz4, snappy or gzip, or run pipebench on Node.js 22.15 or newer",
    });
  }
}
