// `end-to-end` workloads: produce at the scenario's rate and consume the same records in the same
// scenario, as OpenMessaging Benchmark does. One operation sends one record through the produce
// path (RecordBatcher: batched, settles when acked). Each record's value starts with a fixed 20-byte
// prefix: magic "PBE1", its sequence number and its send stamp (observer.wallNow()), both float64
// big-endian; the rest is the payload (random bytes, or a generator's JSON). A prefix, not headers:
// the batcher carries key and value only, and the prefix costs nothing to parse.
//
// The consumer does not join a group: it is assigned every partition directly, starting at each
// partition's end offset read in prepare (before any record of this scenario exists), so no
// rebalance can come between the first send and the first fetch, and nothing is missed. It runs one
// fetch loop per leader from `attach` on, hands each record's stamp to `observer.arrived` and checks
// integrity:
//   - lost: sequence numbers the producer assigned whose sends did not fail, never received by
//     settle (a gap in the sequence counts: the record behind a skipped number was never sent);
//   - duplicated: a sequence number received more than once;
//   - out_of_order: within a partition, a sequence number lower than one received before it.
// Sequence numbers are global and assigned in send order; records go to partition seq % partitions
// (or by key hash with a generator and a key template), so within a partition they increase.
import { randomBytes } from "node:crypto";
import { Consumer, ListOffsetTimestamps, murmur2, Producer } from "@platformatic/kafka";
import { generators } from "../../data/index.js";
import type { Observer, OpContext, OpOutcome, PreparedWorkload } from "../driver.js";
import { baseOptions } from "./admin.js";
import { RecordBatcher } from "./batcher.js";
import { KafkaOpError } from "./errors.js";
import { CONTROL_BATCH, fetchFrom, partitionsByLeader } from "./fetch.js";
import { compileKeyTemplate } from "./key-template.js";
import { DEFAULT_RECORD_SIZE } from "./produce.js";
import { checkProducerSettings } from "./producer-checks.js";
import type { EndToEndWorkload, KafkaTarget } from "./schema.js";

/** "PBE1": marks a record as one of ours. */
const MAGIC = 0x50424531;
/** magic (4) + sequence number (float64) + send stamp (float64). */
export const PREFIX_BYTES = 20;

/** Test-only: faults injected at the producer, so that the broker really lacks or really repeats a record. */
export interface EndToEndFaults {
  /** This sequence number is skipped: the next record gets the number after it, nothing is sent for it. */
  readonly skipSeq?: number;
  /** The record with this sequence number is sent twice (two copies on the broker). */
  readonly duplicateSeq?: number;
  /**
   * The record with this sequence number is held back and sent right after the next record bound
   * for its partition (unkeyed records: sequence number + partitions), so the broker stores the two
   * in swapped order.
   */
  readonly reorderSeq?: number;
}

export interface EndToEndParts {
  readonly target: KafkaTarget;
  readonly workload: EndToEndWorkload;
  readonly scenario: string;
  readonly log: (line: string) => void;
  /** Not reachable from a suite: only tests pass it (see test/drivers/kafka/end-to-end.test.ts). */
  readonly faults?: EndToEndFaults;
}

/** Writes the prefix into the first PREFIX_BYTES of `value`. */
export function writePrefix(value: Buffer, seq: number, sentAt: number): void {
  value.writeUInt32BE(MAGIC, 0);
  value.writeDoubleBE(seq, 4);
  value.writeDoubleBE(sentAt, 12);
}

/** The prefix of a record's value, or undefined when it is not one of ours. */
export function readPrefix(value: Buffer | null): { seq: number; sentAt: number } | undefined {
  if (value === null || value.length < PREFIX_BYTES || value.readUInt32BE(0) !== MAGIC) return undefined;
  return { seq: value.readDoubleBE(4), sentAt: value.readDoubleBE(12) };
}

/** Per sequence number: what the producer knows of it and how often it was received. */
class Ledger {
  /** Times received (saturating at 255). */
  private received = new Uint8Array(1 << 16);
  /** 1: its send failed (not expected at the consumer). */
  private failed = new Uint8Array(1 << 16);
  /** Sequence numbers assigned so far (skipped ones included): every one below is expected unless failed. */
  next = 0;
  failures = 0;
  /** Distinct sequence numbers received. */
  distinct = 0;
  duplicated = 0;
  outOfOrder = 0;
  /** Received records that are not ours or carry a number never assigned. */
  foreign = 0;
  private readonly highest = new Map<number, number>();
  readonly perPartition = new Map<number, { duplicated: number; outOfOrder: number }>();

  assign(): number {
    const seq = this.next++;
    this.ensure(seq);
    return seq;
  }

  fail(seq: number): void {
    if (this.failed[seq] === 0) {
      this.failed[seq] = 1;
      this.failures++;
    }
  }

  /** One record of partition `partition` with sequence number `seq`; false when it was seen before. */
  receive(partition: number, seq: number): boolean {
    if (!Number.isInteger(seq) || seq < 0 || seq >= this.next) {
      this.foreign++;
      return false;
    }
    const times = this.received[seq]!;
    if (times < 255) this.received[seq] = times + 1;
    if (times === 0) {
      // Order is judged on first copies: a late duplicate counts as duplicated only.
      const high = this.highest.get(partition) ?? -1;
      if (seq < high) {
        this.outOfOrder++;
        this.partition(partition).outOfOrder++;
      } else this.highest.set(partition, seq);
      this.distinct++;
      return true;
    }
    this.duplicated++;
    this.partition(partition).duplicated++;
    return false;
  }

  /** Upper bound of what may still arrive (0: everything expected is in, or failed). */
  pending(): number {
    return this.next - this.failures - this.distinct;
  }

  /** Expected (assigned, not failed) but never received. */
  lost(): number {
    let lost = 0;
    for (let seq = 0; seq < this.next; seq++) if (this.received[seq] === 0 && this.failed[seq] === 0) lost++;
    return lost;
  }

  private partition(partition: number): { duplicated: number; outOfOrder: number } {
    let p = this.perPartition.get(partition);
    if (p === undefined) this.perPartition.set(partition, (p = { duplicated: 0, outOfOrder: 0 }));
    return p;
  }

  private ensure(seq: number): void {
    if (seq < this.received.length) return;
    let size = this.received.length;
    while (size <= seq) size *= 2;
    const received = new Uint8Array(size);
    received.set(this.received);
    this.received = received;
    const failed = new Uint8Array(size);
    failed.set(this.failed);
    this.failed = failed;
  }
}

export async function prepareEndToEnd({ target, workload, scenario, log, faults }: EndToEndParts): Promise<PreparedWorkload> {
  const settings = target.producer;
  const consumerSettings = target.consumer;
  const topic = workload.topic;
  const acks = workload.acks ?? settings.acks;
  checkProducerSettings(settings, acks);
  const maxInFlight = settings.idempotent ? 1 : settings.maxInFlight;

  const producer = new Producer({
    ...baseOptions(target, "e2e-producer", settings.requestTimeoutMs, settings.retries, settings.retryBackoffMs),
    metadataMaxAge: settings.metadataMaxAgeMs,
    maxInflights: maxInFlight,
    idempotent: settings.idempotent,
    ...(settings.compression === "none" ? {} : { compression: settings.compression }),
  });
  const group = workload.group ?? `pipebench-e2e-${scenario.replace(/[^A-Za-z0-9._-]/g, "_")}-${randomBytes(4).toString("hex")}`;
  const consumer = new Consumer({
    ...baseOptions(target, "e2e-consumer", consumerSettings.requestTimeoutMs, consumerSettings.retries, consumerSettings.retryBackoffMs),
    groupId: group,
    minBytes: consumerSettings.fetchMinBytes,
    maxBytes: consumerSettings.fetchMaxBytes,
    maxWaitTime: consumerSettings.fetchMaxWaitMs,
    isolationLevel: consumerSettings.isolationLevel === "read_committed" ? 1 : 0,
  });
  const closeClients = async (): Promise<void> => {
    await producer.close().catch(() => undefined);
    await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
  };

  let partitions = 0;
  const positions = new Map<number, bigint>();
  /** Every partition's log end offset, now. */
  const endOffsets = async (): Promise<Map<number, bigint>> => {
    const all = Array.from({ length: partitions }, (_, p) => p);
    const listed = await consumer.listOffsets({ topics: [topic], partitions: { [topic]: all }, timestamp: ListOffsetTimestamps.LATEST });
    const ends = listed.get(topic) ?? [];
    return new Map(all.map((p) => [p, ends[p] ?? 0n]));
  };
  try {
    const metadata = await producer.metadata({ topics: [topic] });
    const described = metadata.topics.get(topic);
    partitions = described?.partitionsCount ?? 0;
    if (partitions === 0) throw new Error(`topic ${topic} has no partitions`);
    const leaders = new Set(described?.partitions.map((p) => p.leader) ?? []);
    await producer.connectToBrokers([...leaders]);
    // Where this scenario's records will start: the end of every partition, now.
    for (const [p, end] of await endOffsets()) positions.set(p, end);
    await consumer.connectToBrokers([...leaders]);
  } catch (error) {
    await closeClients();
    throw error;
  }
  log(`end-to-end ${topic}: ${partitions} partition${partitions === 1 ? "" : "s"} read directly from their end offsets (client group id ${group})`);

  const batchBytes = Math.max(1, Math.min(settings.batchSize, settings.maxRequestSize));
  const batcher = new RecordBatcher<null>(producer, { topic, acks, batchBytes, lingerMs: settings.lingerMs, maxInFlight, bufferBytes: settings.bufferMemory }, null);

  // The payload after the prefix: random bytes made once, or generator record i as JSON.
  let payload: (i: number) => { value: Buffer; key: Buffer | undefined; hash: number | undefined };
  if (workload.generator === undefined) {
    const size = Math.max(PREFIX_BYTES, workload.recordSize ?? DEFAULT_RECORD_SIZE);
    const template = randomBytes(size);
    payload = () => {
      const value = Buffer.allocUnsafe(size);
      template.copy(value, PREFIX_BYTES, PREFIX_BYTES);
      return { value, key: undefined, hash: undefined };
    };
  } else {
    const source = generators[workload.generator].create(workload.seed);
    const keyOf = workload.key === undefined || workload.key === "" ? undefined : compileKeyTemplate(workload.key);
    payload = (i) => {
      const object = source.object(i);
      const json = JSON.stringify(object);
      const value = Buffer.allocUnsafe(PREFIX_BYTES + Buffer.byteLength(json));
      value.write(json, PREFIX_BYTES);
      if (keyOf === undefined) return { value, key: undefined, hash: undefined };
      const key = Buffer.from(keyOf(object));
      return { value, key, hash: murmur2(key) & 0x7fffffff };
    };
  }

  const ledger = new Ledger();
  let observer: Observer | undefined;
  const stop = new AbortController();
  let loop: Promise<void> | undefined;
  let fetchErrors = 0;
  let lastFetchError: unknown;

  const send = (seq: number, value: Buffer, key: Buffer | undefined, hash: number | undefined): Promise<null> =>
    batcher.add({ key, value, partition: hash ?? seq % partitions });

  let heldBack: (() => void) | undefined;
  const run = async (ctx: OpContext): Promise<OpOutcome> => {
    if (observer === undefined) throw new Error("end-to-end: an operation before attach");
    let seq = ledger.assign();
    if (faults?.skipSeq === seq) seq = ledger.assign();
    const { value, key, hash } = payload(seq);
    // With ctx: a warm-up operation that starts late stays on the warm-up side (driver.ts, Observer).
    writePrefix(value, seq, observer.wallNow(ctx));
    if (faults?.reorderSeq === seq && hash === undefined) {
      const held = new Promise<null>((resolve, reject) => (heldBack = () => send(seq, value, key, hash).then(resolve, reject)));
      try {
        await held;
      } catch (error) {
        ledger.fail(seq);
        throw error;
      }
      return { records: 1, bytes: value.length };
    }
    const sends = [send(seq, value, key, hash)];
    if (faults?.duplicateSeq === seq) sends.push(send(seq, value, key, hash));
    if (faults?.reorderSeq !== undefined && seq === faults.reorderSeq + partitions && heldBack !== undefined) {
      heldBack();
      heldBack = undefined;
    }
    try {
      await Promise.all(sends);
    } catch (error) {
      ledger.fail(seq);
      throw error;
    }
    return { records: 1, bytes: value.length + (key?.length ?? 0) };
  };

  const fetchLoop = async (obs: Observer): Promise<void> => {
    const signal = stop.signal;
    while (!signal.aborted) {
      try {
        const metadata = await consumer.metadata({ topics: [topic] });
        const described = metadata.topics.get(topic);
        if (described === undefined) throw new Error(`topic ${topic} is gone`);
        const byLeader = partitionsByLeader(described, positions.keys());
        await Promise.all(
          [...byLeader].map(async ([leader, list]) => {
            const response = await fetchFrom(
              consumer, leader, described.id, list, (partition) => positions.get(partition)!, consumerSettings.maxPartitionFetchBytes,
            );
            for (const topicResponse of response.responses) {
              for (const part of topicResponse.partitions) {
                const from = positions.get(part.partitionIndex);
                if (from === undefined) continue;
                let next = from;
                for (const batch of part.records ?? []) {
                  const last = batch.firstOffset + BigInt(batch.lastOffsetDelta);
                  if (last < from) continue;
                  if (last + 1n > next) next = last + 1n;
                  if ((batch.attributes & CONTROL_BATCH) !== 0) continue;
                  const skipBelow = batch.firstOffset >= from ? 0 : Number(from - batch.firstOffset);
                  for (const record of batch.records) {
                    if (record.offsetDelta < skipBelow) continue;
                    const prefix = readPrefix(record.value);
                    if (prefix === undefined) {
                      ledger.foreign++;
                      continue;
                    }
                    if (ledger.receive(part.partitionIndex, prefix.seq)) obs.arrived(prefix.sentAt);
                  }
                }
                positions.set(part.partitionIndex, next);
              }
            }
          }),
        );
      } catch (error) {
        if (signal.aborted) return;
        fetchErrors++;
        lastFetchError = error;
        consumer.clearMetadata();
        await sleep(Math.min(2_000, consumerSettings.retryBackoffMs * 2 ** Math.min(fetchErrors, 5)));
      }
    }
  };

  let closing: Promise<void> | undefined;
  return {
    run,
    concurrencyHint: 256,
    observes: "end_to_end",
    attach(obs: Observer): void {
      observer = obs;
      for (const name of ["lost", "duplicated", "out_of_order"]) obs.count(name, 0);
      loop = fetchLoop(obs);
    },
    async settle(timeoutMs: number): Promise<Record<string, number>> {
      await batcher.idle();
      const deadline = performance.now() + timeoutMs;
      // Every acked record is below its partition's end offset now (acks 1 or all): once the
      // consumer has read up to those ends, what has not arrived is not on the broker, and waiting
      // longer cannot change the counts.
      let ends: Map<number, bigint> | undefined;
      if (acks !== 0 && ledger.pending() > 0) ends = await endOffsets().catch(() => undefined);
      const caughtUp = (): boolean => ends !== undefined && [...ends].every(([p, end]) => (positions.get(p) ?? 0n) >= end);
      while (ledger.pending() > 0 && !caughtUp() && performance.now() < deadline) await sleep(Math.min(10, Math.max(1, deadline - performance.now())));
      const lost = ledger.lost();
      const problems = [...ledger.perPartition]
        .filter(([, p]) => p.duplicated > 0 || p.outOfOrder > 0)
        .map(([partition, p]) => `partition ${partition}: ${p.duplicated} duplicated, ${p.outOfOrder} out of order`);
      log(
        `end-to-end ${topic}: ${ledger.next} sequence numbers, ${ledger.failures} failed sends, ${ledger.distinct} received, ` +
          `${lost} lost, ${ledger.duplicated} duplicated, ${ledger.outOfOrder} out of order` +
          (ledger.foreign > 0 ? `, ${ledger.foreign} foreign records ignored` : "") +
          (fetchErrors > 0 ? `, ${fetchErrors} fetch errors (last: ${new KafkaOpError(lastFetchError).message})` : "") +
          (problems.length > 0 ? ` (${problems.join("; ")})` : ""),
      );
      return { lost, duplicated: ledger.duplicated, out_of_order: ledger.outOfOrder };
    },
    close(): Promise<void> {
      closing ??= (async () => {
        await batcher.close();
        stop.abort();
        // A fetch in flight ends within fetch.max.wait.ms; the client's close(force) ends it sooner.
        await closeClients();
        await loop?.catch(() => undefined);
      })();
      return closing;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
