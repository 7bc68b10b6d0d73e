// The Kafka driver: a target schema, a workload schema and `connect`. The pieces live next door:
// schema.ts and settings.ts (what a suite may write), connect.ts (reachability, errors, topics),
// admin.ts (client options, topic creation), produce.ts with batcher.ts (one record per
// operation, batched into few requests) and producer-perf.ts (timed as kafka-producer-perf-test),
// consume.ts with record-queue.ts (group members' fetch loops feeding operations). The client is
// @platformatic/kafka (docs/decisions.md, "Kafka client").
import type { Driver } from "../driver.js";
import { kafkaErrorClass } from "./error-classes.js";
import { KafkaTargetSchema, KafkaWorkloadSchema, type KafkaTarget, type KafkaWorkload } from "./schema.js";
import { keyTemplateProblem } from "./key-template.js";
import { producerPerfLoadProblem } from "./producer-perf.js";

export const kafka: Driver<KafkaTarget, KafkaWorkload> = {
  kind: "kafka",
  targetSchema: KafkaTargetSchema,
  workloadSchema: KafkaWorkloadSchema,
  probeKinds: ["kafka-admin"],
  errorClasses: kafkaErrorClass,
  describeEndpoint: (target) => target.brokers.join(", "),
  checkWorkload: (_target, workload, _name, load) =>
    workload.type === "consume"
      ? undefined
      : (keyTemplateProblem(workload) ?? (workload.type === "produce" ? producerPerfLoadProblem(workload, load) : undefined)),
  // The client is loaded on first use: a suite without Kafka does not pay for it.
  connect: async (target, ctx) => (await import("./connect.js")).connectKafka(target, ctx),
};

export type { ConsumeWorkload, EndToEndWorkload, KafkaTarget, KafkaWorkload, ProduceWorkload } from "./schema.js";
