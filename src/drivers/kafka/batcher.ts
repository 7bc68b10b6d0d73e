// The producer's record accumulator. The client sends what one send() is given as one Produce
// request per leader and does no batching across calls, so the driver batches, as the Java client
// and librdkafka do inside: records join the open batch; it is sent when it holds batch.size bytes
// or linger.ms after its first record, with at most max.in.flight.requests.per.connection requests
// in flight. While they are all busy, records join the last batch waiting to be sent, while it has
// room, as the Java client appends to the last batch of a partition's queue: so with linger.ms 0 a
// busy producer still sends full batches, not one request per record. Every record of a batch
// settles with its request: acked, or failed with the request's error.
//
// Records without a key go to one partition per batch, the next batch to the next partition (the
// Java client's sticky partitioner): a request then carries one partition's batch, and a retry by
// the client (which re-sends a whole failed request) cannot duplicate another partition's records.
//
// Each record's operation is told when its batch is handed to the client (OpContext.sent): time in
// the accumulator (linger, a full set of in-flight requests, buffer.memory) is pipebench's queue.
//
// Memory stays bounded: records waiting to be sent (not yet in a request) hold at most
// buffer.memory bytes; past that, add() waits for room, as the Java client's send() blocks.
// `holdUntilAcked` counts that memory as the Java client does instead (its BufferPool): every batch
// takes batch.size bytes from buffer.memory when it is opened and gives them back when its request
// is answered, so requests in flight count too. `partitions` lets one request carry one ready batch
// of each partition, as the Java client's sender drains a node. (Both for `timing: producer-perf`.)
import type { Producer } from "@platformatic/kafka";
import type { OpContext } from "../driver.js";
import { KafkaOpError } from "./errors.js";

export interface OutRecord {
  readonly key: Buffer | undefined;
  readonly value: Buffer;
  /** A partition, or a hash the client reduces modulo the partition count; none: the batch's sticky partition. */
  readonly partition?: number | undefined;
}

export interface BatcherOptions {
  readonly topic: string;
  readonly acks: 0 | 1 | -1;
  readonly batchBytes: number;
  readonly lingerMs: number;
  readonly maxInFlight: number;
  readonly bufferBytes: number;
  /** Count buffer.memory as the Java client does: batch.size per batch, until its request is answered. */
  readonly holdUntilAcked?: boolean;
  /**
   * The topic's partition count, when records carry no partition of their own: a request then takes
   * up to one ready batch per partition, at most `maxRequestBytes` (else one batch per request).
   */
  readonly partitions?: number;
  readonly maxRequestBytes?: number;
}

interface KafkaMessage {
  topic: string;
  key?: Buffer;
  value: Buffer;
  partition?: number;
}

/** Per-record overhead in a v2 record batch (length, attributes, deltas, key/value lengths, headers). */
export const RECORD_OVERHEAD = 20;
/** A record batch's header. */
export const BATCH_OVERHEAD = 61;

class Batch<T> {
  readonly messages: KafkaMessage[] = [];
  /** The operations of its records, told when it leaves for the broker. */
  readonly ops: Pick<OpContext, "sent">[] = [];
  /** Where its records without a partition of their own go (sticky, as the Java client's). */
  partition = 0;
  bytes = BATCH_OVERHEAD;
  /** Bytes it holds of buffer.memory (holdUntilAcked). */
  held = 0;
  readonly done: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;

  constructor() {
    this.done = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A batch may fail with nobody listening yet (its records' operations add handlers later).
    this.done.catch(() => undefined);
  }
}

/** A record waiting for room in buffer.memory, and its operation's promise. */
interface Pending<T> {
  readonly record: OutRecord;
  readonly op: Pick<OpContext, "sent"> | undefined;
  readonly resolve: (value: T | Promise<T>) => void;
  readonly reject: (error: unknown) => void;
}

export class RecordBatcher<T> {
  private open: Batch<T> | undefined;
  private readonly ready: Batch<T>[] = [];
  private inFlight = 0;
  /** Bytes in the open and ready batches (not yet handed to the client). */
  private waitingBytes = 0;
  /** Bytes of buffer.memory held by batches not yet answered (holdUntilAcked). */
  private heldBytes = 0;
  private lingerTimer: NodeJS.Timeout | undefined;
  /** Counts batches: the next batch's sticky partition (the client takes it modulo the partition count). */
  private batches = 0;
  /** Records waiting for room, first come first served (as threads blocked in the Java client's send()). */
  private readonly pending: Pending<T>[] = [];
  private pendingHead = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly producer: Producer<Buffer, Buffer, Buffer, Buffer>,
    private readonly options: BatcherOptions,
    /** What every record's promise resolves to once its batch is acked. */
    private readonly ackValue: T,
  ) {}

  /** Queues one record; the promise settles when its batch is acked (or fails). `op` is told when it is sent. */
  add(record: OutRecord, op?: Pick<OpContext, "sent">): Promise<T> {
    if (this.closed) return Promise.reject(new Error("the producer is closed"));
    if (this.pendingHead < this.pending.length || !this.hasRoom(record)) {
      return new Promise<T>((resolve, reject) => this.pending.push({ record, op, resolve, reject }));
    }
    return this.append(record, op);
  }

  /** The batch a record of `size` bytes joins now, or undefined when it needs a new one. */
  private joinable(size: number): Batch<T> | undefined {
    const open = this.open;
    if (open !== undefined) return open.bytes + size <= this.options.batchBytes || open.messages.length === 0 ? open : undefined;
    // No open batch: the last one waiting for a free request slot takes the record, if it fits.
    const waiting = this.ready.at(-1);
    return waiting !== undefined && waiting.bytes + size <= this.options.batchBytes ? waiting : undefined;
  }

  private hasRoom(record: OutRecord): boolean {
    if (this.options.holdUntilAcked !== true) return this.waitingBytes < this.options.bufferBytes;
    const size = RECORD_OVERHEAD + record.value.length + (record.key?.length ?? 0);
    // A record larger than buffer.memory still goes once nothing else holds any (the Java client
    // would refuse it; here the producer settings' checks are the place for that).
    return this.joinable(size) !== undefined || this.heldBytes === 0 || this.heldBytes + this.batchHold(size) <= this.options.bufferBytes;
  }

  private batchHold(size: number): number {
    return Math.max(this.options.batchBytes, BATCH_OVERHEAD + size);
  }

  private append(record: OutRecord, op: Pick<OpContext, "sent"> | undefined): Promise<T> {
    const size = RECORD_OVERHEAD + record.value.length + (record.key?.length ?? 0);
    let batch = this.joinable(size);
    if (batch === undefined) {
      if (this.open !== undefined) this.seal();
      batch = this.open = new Batch<T>();
      batch.partition = this.batches++ % 0x7fffffff;
      if (this.options.holdUntilAcked === true) this.heldBytes += batch.held = this.batchHold(size);
      if (this.options.lingerMs > 0) this.lingerTimer = setTimeout(() => this.onLinger(), this.options.lingerMs);
    }
    const message: KafkaMessage = { topic: this.options.topic, value: record.value };
    if (record.key !== undefined) message.key = record.key;
    message.partition = record.partition ?? batch.partition;
    batch.messages.push(message);
    if (op !== undefined) batch.ops.push(op);
    batch.bytes += size;
    this.waitingBytes += size;
    if (batch === this.open && (batch.bytes >= this.options.batchBytes || this.options.lingerMs === 0)) this.seal();
    this.pump();
    return batch.done;
  }

  /** Lets in the records waiting for room, in order, while there is room. */
  private admitPending(): void {
    while (this.pendingHead < this.pending.length && !this.closed) {
      const next = this.pending[this.pendingHead]!;
      if (!this.hasRoom(next.record)) break;
      this.pendingHead++;
      next.resolve(this.append(next.record, next.op));
    }
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
  }

  /** Resolves when nothing is waiting or in flight. */
  idle(): Promise<void> {
    if (this.open === undefined && this.ready.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Sends what is open now, waits (at most `timeoutMs`) for every request, then refuses new
   * records. The engine has already drained the scenario; what is still queued when the broker is
   * gone would otherwise wait out every retry (~30 s), so it fails instead.
   */
  async close(timeoutMs = 2_000): Promise<void> {
    if (this.open !== undefined) this.seal();
    this.pump();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.idle().then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
    ]);
    clearTimeout(timer);
    this.closed = true;
    if (timedOut) {
      for (const batch of this.ready.splice(0)) {
        this.heldBytes -= batch.held;
        batch.reject(new KafkaOpError(new Error("the producer closed before this batch was sent")));
      }
    }
    const closedError = new Error("the producer is closed");
    for (const p of this.pending.splice(0).slice(this.pendingHead)) p.reject(closedError);
    this.pendingHead = 0;
  }

  private onLinger(): void {
    this.lingerTimer = undefined;
    if (this.open !== undefined) {
      this.seal();
      this.pump();
    }
  }

  private seal(): void {
    if (this.lingerTimer !== undefined) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
    }
    if (this.open !== undefined) this.ready.push(this.open);
    this.open = undefined;
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.ready.length > 0) {
      const batches = this.nextRequest();
      let messages = batches[0]!.messages;
      for (const batch of batches) {
        this.waitingBytes -= batch.bytes - BATCH_OVERHEAD;
        for (const op of batch.ops) op.sent();
        if (batch !== batches[0]) messages = messages.concat(batch.messages);
      }
      this.inFlight++;
      this.producer.send({ messages, acks: this.options.acks }, (error) => {
        this.inFlight--;
        for (const batch of batches) {
          this.heldBytes -= batch.held;
          if (error) batch.reject(new KafkaOpError(error));
          else batch.resolve(this.ackValue);
        }
        this.pump();
        this.settleWaiters();
      });
      this.settleWaiters();
    }
  }

  /** The ready batches of the next request: the first, and with `partitions` one more per other partition that fits. */
  private nextRequest(): Batch<T>[] {
    const first = this.ready.shift()!;
    const partitions = this.options.partitions ?? 1;
    if (partitions <= 1 || this.ready.length === 0) return [first];
    const batches = [first];
    const taken = new Set([first.partition % partitions]);
    let bytes = first.bytes;
    const limit = this.options.maxRequestBytes ?? Infinity;
    // Batches are made round-robin over the partitions: the next few hold the other partitions' ones.
    for (let i = 0; i < Math.min(this.ready.length, 4 * partitions) && taken.size < partitions; ) {
      const batch = this.ready[i]!;
      const partition = batch.partition % partitions;
      if (taken.has(partition) || bytes + batch.bytes > limit) {
        i++;
        continue;
      }
      taken.add(partition);
      bytes += batch.bytes;
      batches.push(batch);
      this.ready.splice(i, 1);
    }
    return batches;
  }

  private settleWaiters(): void {
    this.admitPending();
    if (this.open === undefined && this.ready.length === 0 && this.inFlight === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }
}
