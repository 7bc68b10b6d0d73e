// Producer and consumer settings under their Apache Kafka names (batch.size, linger.ms, …), so a
// team's existing client properties can be pasted into a suite. Each name maps to what the client
// (@platformatic/kafka) or the driver's own batching does with it; a name we do not carry out is an
// error listing the ones we do, never silently ignored. Values may be written as Java properties
// files write them ("5", "true"), or as YAML numbers and booleans.
import { z } from "zod";
import { didYouMean, listNames } from "../../suite/did-you-mean.js";

type Raw = string | number | boolean;

interface SettingSpec<T> {
  /** What a value must be, for the message. */
  readonly expects: string;
  /** The value, or undefined when it does not fit. */
  parse(value: Raw): T | undefined;
}

function int(min: number, max = Number.MAX_SAFE_INTEGER): SettingSpec<number> {
  return {
    expects: max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`,
    parse: (value) => {
      const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
      return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
    },
  };
}

const bool: SettingSpec<boolean> = {
  expects: "true or false",
  parse: (value) => (value === true || value === "true" ? true : value === false || value === "false" ? false : undefined),
};

function oneOf<const T extends string>(values: readonly T[]): SettingSpec<T> {
  return {
    expects: `one of ${values.join(", ")}`,
    parse: (value) => (values as readonly string[]).includes(String(value)) ? (String(value) as T) : undefined,
  };
}

export type Acks = 0 | 1 | -1;
const acks: SettingSpec<Acks> = {
  expects: "0, 1, all or -1",
  parse: (value) => {
    const v = String(value).trim();
    return v === "all" || v === "-1" ? -1 : v === "1" ? 1 : v === "0" ? 0 : undefined;
  },
};

export const COMPRESSION_TYPES = ["none", "gzip", "snappy", "lz4", "zstd"] as const;
export type CompressionType = (typeof COMPRESSION_TYPES)[number];

/** What the producer side does with each setting, after defaults. */
export interface ProducerSettings {
  /** acks of the target's producers; a produce workload's own `acks` wins. */
  readonly acks: Acks;
  /** Bytes of records per produce request (the driver batches; the client sends what it is given). */
  readonly batchSize: number;
  /** How long a batch that is not full waits for more records. */
  readonly lingerMs: number;
  readonly compression: CompressionType;
  readonly idempotent: boolean;
  /** Produce requests in flight per producer. */
  readonly maxInFlight: number;
  /** Bytes of records waiting to be sent before a send waits for room. */
  readonly bufferMemory: number;
  /** Upper bound of one request's records, as the broker's message.max.bytes bounds a batch. */
  readonly maxRequestSize: number;
  readonly requestTimeoutMs: number;
  readonly retries: number;
  readonly retryBackoffMs: number;
  readonly metadataMaxAgeMs: number;
  /** The Kafka names the suite wrote; the others are defaults (a mode may pick other defaults). */
  readonly given: readonly string[];
}

/** What the consumer side does with each setting, after defaults. */
export interface ConsumerSettings {
  readonly fetchMinBytes: number;
  readonly fetchMaxBytes: number;
  readonly maxPartitionFetchBytes: number;
  readonly fetchMaxWaitMs: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly rebalanceTimeoutMs: number;
  /** Where a group without committed offsets starts; a consume workload's `fromBeginning` wins. */
  readonly autoOffsetReset: "earliest" | "latest";
  readonly enableAutoCommit: boolean;
  readonly autoCommitIntervalMs: number;
  readonly isolationLevel: "read_uncommitted" | "read_committed";
  readonly requestTimeoutMs: number;
  readonly retries: number;
  readonly retryBackoffMs: number;
  /** The Kafka names the suite wrote; the others are defaults. */
  readonly given: readonly string[];
}

type Specs<S> = { readonly [name: string]: readonly [Exclude<keyof S, "given">, SettingSpec<unknown>] };

// Kafka's name → [our field, its values]. Defaults (below) are the Java client's unless noted.
const PRODUCER_SPECS: Specs<ProducerSettings> = {
  acks: ["acks", acks],
  "batch.size": ["batchSize", int(1)],
  "linger.ms": ["lingerMs", int(0, 60_000)],
  "compression.type": ["compression", oneOf(COMPRESSION_TYPES)],
  "enable.idempotence": ["idempotent", bool],
  "max.in.flight.requests.per.connection": ["maxInFlight", int(1, 1000)],
  "buffer.memory": ["bufferMemory", int(1)],
  "max.request.size": ["maxRequestSize", int(1)],
  "request.timeout.ms": ["requestTimeoutMs", int(1)],
  retries: ["retries", int(0, 1_000_000)],
  "retry.backoff.ms": ["retryBackoffMs", int(0)],
  "metadata.max.age.ms": ["metadataMaxAgeMs", int(0)],
};

const CONSUMER_SPECS: Specs<ConsumerSettings> = {
  "fetch.min.bytes": ["fetchMinBytes", int(0)],
  "fetch.max.bytes": ["fetchMaxBytes", int(1)],
  "max.partition.fetch.bytes": ["maxPartitionFetchBytes", int(1)],
  "fetch.max.wait.ms": ["fetchMaxWaitMs", int(0)],
  "session.timeout.ms": ["sessionTimeoutMs", int(1)],
  "heartbeat.interval.ms": ["heartbeatIntervalMs", int(1)],
  "max.poll.interval.ms": ["rebalanceTimeoutMs", int(1)],
  "auto.offset.reset": ["autoOffsetReset", oneOf(["earliest", "latest"])],
  "enable.auto.commit": ["enableAutoCommit", bool],
  "auto.commit.interval.ms": ["autoCommitIntervalMs", int(1)],
  "isolation.level": ["isolationLevel", oneOf(["read_uncommitted", "read_committed"])],
  "request.timeout.ms": ["requestTimeoutMs", int(1)],
  retries: ["retries", int(0, 1_000_000)],
  "retry.backoff.ms": ["retryBackoffMs", int(0)],
};

export const PRODUCER_DEFAULTS: ProducerSettings = {
  acks: -1,
  // librdkafka's default, not Java's 16 KiB: the Java client packs many 16 KiB partition batches
  // into one request, while here one batch is one request, and a request costs the same JS work
  // whatever its size. Under the broker's default message.max.bytes (1 MiB + 12 B).
  batchSize: 1_000_000,
  lingerMs: 5,
  compression: "none",
  // Java's default is true. This client tracks idempotent sequence numbers per response, so an
  // idempotent producer can have one request in flight only; the driver turns it on when asked.
  idempotent: false,
  maxInFlight: 5,
  bufferMemory: 33_554_432,
  maxRequestSize: 1_048_576,
  requestTimeoutMs: 30_000,
  // Java retries "forever" within delivery.timeout.ms; a benchmark should see failures.
  retries: 3,
  retryBackoffMs: 100,
  metadataMaxAgeMs: 300_000,
  given: [],
};

/**
 * The Java client's defaults where they differ from ours, for `timing: producer-perf` (what
 * kafka-producer-perf-test runs with); its linger.ms (5 since Kafka 4.0), acks (all),
 * max.in.flight (5) and buffer.memory (32 MiB) are ours too.
 */
export const JAVA_PRODUCER_DEFAULTS: Pick<ProducerSettings, "batchSize"> = { batchSize: 16_384 };

export const CONSUMER_DEFAULTS: ConsumerSettings = {
  fetchMinBytes: 1,
  fetchMaxBytes: 52_428_800,
  maxPartitionFetchBytes: 1_048_576,
  fetchMaxWaitMs: 500,
  sessionTimeoutMs: 45_000,
  heartbeatIntervalMs: 3_000,
  rebalanceTimeoutMs: 300_000,
  autoOffsetReset: "earliest",
  enableAutoCommit: true,
  autoCommitIntervalMs: 5_000,
  isolationLevel: "read_uncommitted",
  requestTimeoutMs: 30_000,
  retries: 3,
  retryBackoffMs: 100,
  given: [],
};

export const PRODUCER_SETTING_NAMES: readonly string[] = Object.keys(PRODUCER_SPECS);
export const CONSUMER_SETTING_NAMES: readonly string[] = Object.keys(CONSUMER_SPECS);

const RawSettings = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/** The zod schema of `producer:` / `consumer:`: every problem reported at its key, with a fix. */
function settingsSchema<S>(side: "producer" | "consumer", specs: Specs<S>, defaults: S) {
  const names = Object.keys(specs);
  return RawSettings.superRefine((raw, ctx) => {
    for (const [name, value] of Object.entries(raw)) {
      const spec = specs[name];
      if (spec === undefined) {
        const hint = didYouMean(name, names);
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `"${name}" is not a ${side} setting pipebench carries out`,
          params: { fix: `${hint === undefined ? "" : `${hint} `}the supported ${side} settings are: ${listNames(names, names.length)}` },
        });
      } else if (spec[1].parse(value) === undefined) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `${side} setting ${name} must be ${spec[1].expects}, not ${JSON.stringify(value)}`,
          params: { fix: `write e.g. ${name}: ${kafkaText(name, (defaults as Record<string, unknown>)[spec[0] as string])} (the default)` },
        });
      }
    }
  }).transform((raw): S => {
    const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
    const given: string[] = [];
    for (const [name, value] of Object.entries(raw)) {
      const spec = specs[name];
      if (spec !== undefined) {
        out[spec[0] as string] = spec[1].parse(value);
        given.push(name);
      }
    }
    out.given = given;
    return out as S;
  });
}

/** A default as a Kafka properties file would write it. */
function kafkaText(name: string, value: unknown): string {
  return name === "acks" && value === -1 ? "all" : String(value);
}

export const ProducerSettingsSchema = settingsSchema("producer", PRODUCER_SPECS, PRODUCER_DEFAULTS);
export const ConsumerSettingsSchema = settingsSchema("consumer", CONSUMER_SPECS, CONSUMER_DEFAULTS);
