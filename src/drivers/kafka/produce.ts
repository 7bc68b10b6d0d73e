// `produce` workloads: one operation sends one record and settles when the broker acks it (or at
// once with acks=0, when it is written to the socket). The records of all operations in flight are
// batched by the RecordBatcher, so `max` with concurrency N keeps N records in flight in a few
// large requests, and a load's `iterations` is the exact number of records.
//
// Records are random bytes of `recordSize` made once (as kafka-producer-perf-test does), or a
// generator's record i as JSON, keyed by a template over its fields.
import { randomBytes } from "node:crypto";
import { murmur2, Producer } from "@platformatic/kafka";
import { generators, type GeneratorName } from "../../data/index.js";
import type { OpContext, OpOutcome, PreparedWorkload } from "../driver.js";
import { RECORD_OVERHEAD, RecordBatcher, type OutRecord } from "./batcher.js";
import { baseOptions } from "./admin.js";
import { compileKeyTemplate } from "./key-template.js";
import { checkProducerSettings } from "./producer-checks.js";
import { producerPerfSettings, recordsInBuffer } from "./producer-perf.js";
import type { KafkaTarget, ProduceWorkload } from "./schema.js";

/** Record value size when neither recordSize nor generator is given (kafka-baseline's 1 KiB). */
export const DEFAULT_RECORD_SIZE = 1024;

/** Keys by generator when the workload gives none: seed 004 keys metrics by `metric_name:host`. */
const DEFAULT_KEYS: Partial<Record<GeneratorName, string>> = {
  "server-metrics": "{metric_name}:{host}",
};

/** The next record index to send; shared by every operation producing one topic from one generator and seed. */
export interface RecordCounter {
  next: number;
}

export interface ProduceParts {
  readonly target: KafkaTarget;
  readonly workload: ProduceWorkload;
  readonly counter: RecordCounter;
  readonly log: (line: string) => void;
}

export async function prepareProduce({ target, workload, counter, log }: ProduceParts): Promise<PreparedWorkload> {
  const perf = workload.timing === "producer-perf";
  const settings = perf ? producerPerfSettings(target.producer) : target.producer;
  const acks = workload.acks ?? settings.acks;
  checkProducerSettings(settings, acks);
  const keyTemplate = workload.generator === undefined ? undefined : (workload.key ?? DEFAULT_KEYS[workload.generator]);
  const keyed = keyTemplate !== undefined && keyTemplate !== "";
  // This client tracks idempotent sequence numbers per response: two requests in flight would reuse one.
  const maxInFlight = settings.idempotent ? 1 : settings.maxInFlight;
  if (settings.idempotent && settings.maxInFlight > 1) {
    log(`produce ${workload.topic}: enable.idempotence allows one produce request in flight with this client (max.in.flight.requests.per.connection ${settings.maxInFlight} → 1)`);
  }

  const openProducer = async (): Promise<Producer> => {
    const producer = new Producer({
      ...baseOptions(target, "producer", settings.requestTimeoutMs, settings.retries, settings.retryBackoffMs),
      metadataMaxAge: settings.metadataMaxAgeMs,
      maxInflights: maxInFlight,
      idempotent: settings.idempotent,
      ...(settings.compression === "none" ? {} : { compression: settings.compression }),
    });
    try {
      // Metadata and the leaders' connections now, so the first operations do not pay for them.
      const metadata = await producer.metadata({ topics: [workload.topic] });
      const described = metadata.topics.get(workload.topic);
      partitions = described?.partitionsCount ?? 1;
      const leaders = new Set(described?.partitions.map((p) => p.leader) ?? []);
      await producer.connectToBrokers([...leaders]);
    } catch (error) {
      await producer.close().catch(() => undefined);
      throw error;
    }
    return producer;
  };
  const producers: Producer[] = [];
  let partitions = 1;
  try {
    for (let i = 0; i < workload.producers; i++) producers.push(await openProducer());
  } catch (error) {
    await Promise.all(producers.map((p) => p.close().catch(() => undefined)));
    throw error;
  }

  const batchBytes = Math.max(1, Math.min(settings.batchSize, settings.maxRequestSize));
  const batcherOptions = {
    topic: workload.topic,
    acks,
    batchBytes,
    lingerMs: settings.lingerMs,
    maxInFlight,
    bufferBytes: settings.bufferMemory,
    // The Java client's buffer accounting and requests of one batch per partition (producer-perf.ts).
    ...(perf ? { holdUntilAcked: true, partitions, maxRequestBytes: settings.maxRequestSize } : {}),
  };

  // Operations take turns among the producers; each batches only its own records.
  const batchersOf = <T>(ack: T): RecordBatcher<T>[] =>
    producers.map((producer) => new RecordBatcher<T>(producer, batcherOptions, ack));
  let turn = 0;
  const nextOf = <T>(batchers: readonly RecordBatcher<T>[]): RecordBatcher<T> =>
    batchers.length === 1 ? batchers[0]! : batchers[turn++ % batchers.length]!;

  if (workload.generator === undefined) {
    const size = workload.recordSize ?? DEFAULT_RECORD_SIZE;
    const record: OutRecord = { key: undefined, value: randomBytes(size) };
    // Every record is the same size, so every operation settles with the same outcome: the
    // operation's promise is its batch's promise, with nothing allocated per record but a slot.
    const batchers = batchersOf<OpOutcome>(Object.freeze({ records: 1, bytes: size }));
    const run = (ctx: OpContext): Promise<OpOutcome> => nextOf(batchers).add(record, ctx);
    const slots = slotsFor(batchBytes, size, maxInFlight, producers.length);
    if (perf) {
      const inBuffer = recordsInBuffer(settings.bufferMemory, batchBytes, size);
      log(
        `produce ${workload.topic}: timing producer-perf (as kafka-producer-perf-test): up to ${inBuffer} records handed over at once ` +
          `(buffer.memory ${settings.bufferMemory}, batch.size ${batchBytes}, linger.ms ${settings.lingerMs}, max.in.flight ${maxInFlight}, acks ${acks === -1 ? "all" : acks})`,
      );
      return { run, ...slots, concurrencyHint: inBuffer, signalsSent: true, close: closer(batchers, producers) };
    }
    return { run, ...slots, signalsSent: true, close: closer(batchers, producers) };
  }

  const source = generators[workload.generator].create(workload.seed);
  const keyOf = keyed ? compileKeyTemplate(keyTemplate) : undefined;
  const keys = new KeyCache();
  const batchers = batchersOf<null>(null);
  const run = (ctx: OpContext): Promise<OpOutcome> => {
    const object = source.object(counter.next++);
    const value = Buffer.from(JSON.stringify(object));
    const key = keyOf === undefined ? undefined : keys.get(keyOf(object));
    const bytes = value.length + (key?.key.length ?? 0);
    return nextOf(batchers).add({ key: key?.key, value, partition: key?.hash }, ctx).then(() => ({ records: 1, bytes }));
  };
  const sampleSize = Buffer.byteLength(JSON.stringify(source.object(0)));
  return { run, ...slotsFor(batchBytes, sampleSize, maxInFlight, producers.length), signalsSent: true, close: closer(batchers, producers) };
}

/** A key's bytes and its partition hash. */
interface Key {
  readonly key: Buffer;
  /** murmur2 of the key, made positive: the Java client's default partitioner, before `% partitions`. */
  readonly hash: number;
}

/**
 * Keys repeat (seed 004's 10,000 metric:host pairs), and the client's JavaScript murmur2 is a
 * sizeable part of a keyed record's cost: each distinct key is encoded and hashed once.
 */
class KeyCache {
  private readonly keys = new Map<string, Key>();

  get(text: string): Key {
    let key = this.keys.get(text);
    if (key === undefined) {
      const bytes = Buffer.from(text);
      key = { key: bytes, hash: murmur2(bytes) & 0x7fffffff };
      if (this.keys.size < 100_000) this.keys.set(text, key);
    }
    return key;
  }
}

/**
 * Operations in flight when the suite gives `max` no concurrency (`concurrencyHint`): two full
 * batches' worth per producer (one fills while another is in flight), at most 2,000. More adds
 * latency without throughput, and past a few thousand it costs throughput: records waiting longer
 * live through more garbage collections (250-byte records: 2,000 in flight ~9 CPU µs per record,
 * 7,400 in flight ~18 µs). The client's ceiling (`clientSlots`): records in full batches in every
 * allowed in-flight request of every producer (more only wait in the accumulator).
 */
function slotsFor(batchBytes: number, recordBytes: number, maxInFlight: number, producers: number): Pick<PreparedWorkload, "concurrencyHint" | "clientSlots"> {
  const perBatch = Math.max(1, Math.floor(batchBytes / (recordBytes + RECORD_OVERHEAD)));
  return {
    concurrencyHint: Math.max(64, Math.min(2_000, 2 * perBatch)) * producers,
    clientSlots: { count: perBatch * maxInFlight * producers, setting: "max.in.flight.requests.per.connection × batch.size" },
  };
}

function closer<T>(batchers: readonly RecordBatcher<T>[], producers: readonly Producer[]): () => Promise<void> {
  return async () => {
    await Promise.all(batchers.map((b) => b.close()));
    // A producer whose broker is gone may wait out its retries before closing: do not wait for it.
    await Promise.race([
      Promise.all(producers.map((p) => p.close().catch(() => undefined))),
      new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
    ]);
  };
}
