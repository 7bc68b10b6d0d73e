// What a kafka target and its workloads accept. Strict objects: an unknown key is a mistake the
// suite loader reports with the field's line, not something to ignore.
import { z } from "zod";
import { GENERATOR_NAMES } from "../../data/index.js";
import { Duration } from "../../suite/units.js";
import { ConsumerSettingsSchema, ProducerSettingsSchema } from "./settings.js";

/** host:port, host defaulting nothing: a Kafka bootstrap address names both. */
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

/** `brokers:` as a list or as one comma-separated string (bootstrap.servers style). */
const Brokers = z
  .union([z.array(z.string()).min(1), z.string().min(1)])
  .transform((value) => (Array.isArray(value) ? value : value.split(",")).map((b) => b.trim()).filter((b) => b !== ""))
  .superRefine((brokers, ctx) => {
    if (brokers.length === 0) {
      ctx.addIssue({ code: "custom", message: "no broker address given", params: { fix: 'write e.g. brokers: "kafka-1:9092,kafka-2:9092"' } });
    }
    for (const broker of brokers) {
      const m = HOST_PORT.exec(broker);
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 65_535) {
        ctx.addIssue({
          code: "custom",
          message: `"${broker}" is not a host:port broker address`,
          params: { fix: "write each broker as host:port, e.g. 127.0.0.1:9092 (no scheme such as PLAINTEXT://)" },
        });
      }
    }
  });

/** Kafka's legal topic names (and not "." or ".."). */
export const TopicName = z.string().superRefine((name, ctx) => {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(name) || name === "." || name === "..") {
    ctx.addIssue({
      code: "custom",
      message: `"${name}" is not a legal Kafka topic name`,
      params: { fix: "use up to 249 letters, digits, '.', '_' and '-'" },
    });
  }
});

export const TopicSpec = z.strictObject({
  /** Default: the broker's num.partitions. */
  partitions: z.number().int().min(1).max(100_000).optional(),
  /** Default: the broker's default.replication.factor. */
  replicationFactor: z.number().int().min(1).max(100).optional(),
  /** Topic configs, e.g. { "retention.ms": "3600000", "min.insync.replicas": "2" }. */
  config: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).optional(),
});
export type TopicSpec = z.output<typeof TopicSpec>;

export const KafkaTargetSchema = z.strictObject({
  kind: z.literal("kafka"),
  brokers: Brokers,
  clientId: z.string().min(1).default("pipebench"),
  /** Producer settings by their Kafka names: batch.size, linger.ms, compression.type, acks … */
  producer: ProducerSettingsSchema.default(ProducerSettingsSchema.parse({})),
  /** Consumer settings by their Kafka names: fetch.min.bytes, max.partition.fetch.bytes … */
  consumer: ConsumerSettingsSchema.default(ConsumerSettingsSchema.parse({})),
  /** Topics created at connect when missing (existing ones are left as they are). */
  topics: z.record(z.string(), TopicSpec).default({}),
});
export type KafkaTarget = z.output<typeof KafkaTargetSchema>;

const Acks = z.union([z.literal(0), z.literal(1), z.literal(-1), z.literal("all")]).transform((a) => (a === "all" ? -1 : a));

/**
 * What every producing workload checks: its records are random bytes (`recordSize`) or a
 * generator's JSON, not both, and a key template needs a generator to take its fields from.
 */
function checkRecordContent(bothMessage: string, bothFix: string) {
  return (
    w: { recordSize?: number | undefined; generator?: string | undefined; key?: string | undefined },
    ctx: z.RefinementCtx,
  ): void => {
    if (w.recordSize !== undefined && w.generator !== undefined) {
      ctx.addIssue({ code: "custom", path: ["generator"], message: bothMessage, params: { fix: bothFix } });
    }
    if (w.key !== undefined && w.generator === undefined && w.key !== "") {
      ctx.addIssue({
        code: "custom",
        path: ["key"],
        message: "a key template takes its fields from a generator's records",
        params: { fix: "add generator: server-metrics (or another generator), or remove key" },
      });
    }
  };
}

/** `pipebench`: the load profile's timing; `producer-perf`: kafka-producer-perf-test's (see ProduceWorkload.timing). */
export const PRODUCE_TIMINGS = ["pipebench", "producer-perf"] as const;
export type ProduceTiming = (typeof PRODUCE_TIMINGS)[number];

export const ProduceWorkload = z
  .strictObject({
    type: z.literal("produce"),
    topic: TopicName,
    /** Bytes of one record's value: random bytes, made once (as kafka-producer-perf-test does). */
    recordSize: z.number().int().min(0).max(100_000_000).optional(),
    /** JSON records from a generator instead (seed 004's metric messages: server-metrics). */
    generator: z.enum(GENERATOR_NAMES).optional(),
    seed: z.number().int().default(1),
    /**
     * The record key, from the generator's fields: `{field}` is replaced by the field's value, e.g.
     * "{metric_name}:{host}" (the default for server-metrics). An empty string sends no key.
     */
    key: z.string().optional(),
    /** Overrides the target's producer acks. Default: the target's (all). */
    acks: Acks.optional(),
    /** Partitions, when the topic is missing and this workload creates it. */
    partitions: z.number().int().min(1).max(100_000).optional(),
    /**
     * Producers sending in parallel, each its own client, connections and batches; operations take
     * turns among them (like kafka-producer-perf-test run N times at once). Default 1.
     */
    producers: z.number().int().min(1).max(64).default(1),
    /**
     * How records are handed to the producer and timed. `producer-perf`: as Kafka's
     * kafka-producer-perf-test (ProducerPerformance) does, so that its numbers compare with the
     * Java tool's: records handed over as fast as the producer takes them (until buffer.memory is
     * full, counted as the Java client counts it; batch.size 16384 unless the target sets it), each
     * timed from its hand-off to its acknowledgement. With executor max this is `--throughput -1`,
     * with constant-rate `--throughput N`. Default (`pipebench`): the load profile's own timing
     * (max keeps a few batches in flight); its latencies are not the Java tool's.
     */
    timing: z
      .enum(PRODUCE_TIMINGS)
      .optional()
      .describe(
        "producer-perf: load and time as kafka-producer-perf-test does (records handed over until buffer.memory is full, " +
          "each timed from its send to its ack; executor max = --throughput -1, constant-rate = --throughput N), " +
          "so the numbers compare with the Java tool's; pipebench (default): the load profile's own timing",
      ),
  })
  .superRefine(checkRecordContent(
    "a produce workload sends either random bytes (recordSize) or generated JSON (generator), not both",
    "remove recordSize to send the generator's JSON records, or remove generator to send recordSize random bytes",
  ))
  .superRefine((w, ctx) => {
    if (w.timing !== "producer-perf") return;
    if (w.generator !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["generator"],
        message: "timing: producer-perf sends random bytes of recordSize, as kafka-producer-perf-test --record-size does",
        params: { fix: "remove generator (and key), or remove timing: producer-perf to time generated records pipebench's way" },
      });
    }
    if (w.producers !== 1) {
      ctx.addIssue({
        code: "custom",
        path: ["producers"],
        message: `timing: producer-perf runs one producer, as kafka-producer-perf-test does (producers is ${w.producers})`,
        params: { fix: "remove producers, or run several scenarios side by side as several Java tools would be" },
      });
    }
  });
export type ProduceWorkload = z.output<typeof ProduceWorkload>;

export const ConsumeWorkload = z.strictObject({
  type: z.literal("consume"),
  topic: TopicName,
  /** Consumer group id. Default: a new group per scenario, so every run reads the topic afresh. */
  group: z.string().min(1).optional(),
  /** Start at the earliest offset when the group has none committed (else the latest). Default: true. */
  fromBeginning: z.boolean().optional(),
  /** Members of the group, each its own connection and share of the partitions. */
  consumers: z.number().int().min(1).max(1000).default(1),
  /**
   * Records one operation takes. 1 (default): iterations count records, exactly. Larger values cost
   * the engine less per record: iterations × recordsPerOp records in all.
   */
  recordsPerOp: z.number().int().min(1).max(1_000_000).default(1),
});
export type ConsumeWorkload = z.output<typeof ConsumeWorkload>;

export const EndToEndWorkload = z
  .strictObject({
    type: z.literal("end-to-end"),
    topic: TopicName,
    /** Bytes of one record's value, its 20-byte sequence/stamp prefix included (at least 20). Default 1 KiB. */
    recordSize: z.number().int().min(0).max(100_000_000).optional(),
    /** JSON records from a generator instead (after the prefix). */
    generator: z.enum(GENERATOR_NAMES).optional(),
    seed: z.number().int().default(1),
    /** A key template over the generator's fields, e.g. "{customer}"; records then go by key hash. Default: none, records go round-robin by sequence number. */
    key: z.string().optional(),
    /** Overrides the target's producer acks. */
    acks: Acks.optional(),
    /** Partitions, when the topic is missing and this workload creates it. */
    partitions: z.number().int().min(1).max(100_000).optional(),
    /** The consumer client's group id (partitions are assigned directly, not by the group). Default: a new one per scenario. */
    group: z.string().min(1).optional(),
  })
  .superRefine(checkRecordContent(
    "an end-to-end workload sends either random bytes (recordSize) or generated JSON (generator), not both",
    "remove recordSize to send the generator's JSON records, or remove generator to send recordSize random bytes",
  ));
export type EndToEndWorkload = z.output<typeof EndToEndWorkload>;

/**
 * `pipeline`: produce JSON records ({"pb_seq":…,"pb_sent":…, …}) and watch a pipeline's sink until
 * each is queryable there (freshness), counting records lost and duplicated at the sink.
 */
export const PipelineWorkload = z
  .strictObject({
    type: z.literal("pipeline"),
    topic: TopicName,
    /** Pads each record's JSON (with a "pb_pad" field) to about this many bytes. Default: no padding. */
    recordSize: z.number().int().min(0).max(100_000_000).optional(),
    /** Adds a generator's fields to each record's JSON. */
    generator: z.enum(GENERATOR_NAMES).optional(),
    seed: z.number().int().default(1),
    /** A key template over the generator's fields; records then go by key hash. Default: round-robin by sequence number. */
    key: z.string().optional(),
    acks: Acks.optional(),
    partitions: z.number().int().min(1).max(100_000).optional(),
    sink: z.strictObject({
      kind: z.literal("postgres"),
      /** postgres://… of the sink database, or another target's: `{{targets.pg.url}}` (that target must be connected in the run: used by a scenario or a probe). */
      url: z.string().min(1),
      /** The table the pipeline writes, e.g. "events" or "analytics.events". */
      table: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/, "a table name, optionally schema-qualified (letters, digits, _)"),
      /** The bigint column the pipeline copies each record's pb_seq into. Default "pb_seq". */
      idColumn: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*$/).default("pb_seq"),
      /** A column holding pb_sent, if the pipeline copies it (not needed: stamps are kept in memory). */
      sentColumn: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*$/).optional(),
      /** How often the sink is polled. Default 50ms. */
      pollEvery: Duration.default(50),
    }),
  })
  .superRefine(checkRecordContent(
    "a pipeline workload pads its records (recordSize) or fills them from a generator, not both",
    "remove recordSize or generator",
  ));
export type PipelineWorkload = z.output<typeof PipelineWorkload>;

export const KafkaWorkloadSchema = z.discriminatedUnion("type", [ProduceWorkload, ConsumeWorkload, EndToEndWorkload, PipelineWorkload]);
export type KafkaWorkload = z.output<typeof KafkaWorkloadSchema>;
