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
}

interface KafkaMessage {
  topic: string;
  key?: Buffer;
  value: Buffer;
  partition?: number;
}

/** Per-record overhead in a v2 record batch (length, attributes, deltas, key/value lengths, headers). */
const RECORD_OVERHEAD = 20;
/** A record batch's header. */
const BATCH_OVERHEAD = 61;

class Batch<T> {
  readonly messages: KafkaMessage[] = [];
  /** The operations of its records, told when it leaves for the broker. */
  readonly ops: Pick<OpContext, "sent">[] = [];
  /** Where its records without a partition of their own go (sticky, as the Java client's). */
  partition = 0;
  bytes = BATCH_OVERHEAD;
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

export class RecordBatcher<T> {
  private open: Batch<T> | undefined;
  private readonly ready: Batch<T>[] = [];
  private inFlight = 0;
  /** Bytes in the open and ready batches (not yet handed to the client). */
  private waitingBytes = 0;
  private lingerTimer: NodeJS.Timeout | undefined;
  /** Counts batches: the next batch's sticky partition (the client takes it modulo the partition count). */
  private batches = 0;
  private readonly roomWaiters: (() => void)[] = [];
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
    if (this.waitingBytes >= this.options.bufferBytes && !this.closed) {
      return new Promise<void>((resolve) => this.roomWaiters.push(resolve)).then(() => this.add(record, op));
    }
    if (this.closed) return Promise.reject(new Error("the producer is closed"));
    const size = RECORD_OVERHEAD + record.value.length + (record.key?.length ?? 0);
    let batch = this.open;
    if (batch !== undefined && batch.bytes + size > this.options.batchBytes && batch.messages.length > 0) {
      this.seal();
      batch = undefined;
    }
    // No open batch: the last one waiting for a free request slot takes the record, if it fits.
    const waiting = this.ready.at(-1);
    if (batch === undefined && waiting !== undefined && waiting.bytes + size <= this.options.batchBytes) batch = waiting;
    if (batch === undefined) {
      batch = this.open = new Batch<T>();
      batch.partition = this.batches++ % 0x7fffffff;
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
      for (const batch of this.ready.splice(0)) batch.reject(new KafkaOpError(new Error("the producer closed before this batch was sent")));
    }
    for (const wake of this.roomWaiters.splice(0)) wake();
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
      const batch = this.ready.shift()!;
      this.waitingBytes -= batch.bytes - BATCH_OVERHEAD;
      this.inFlight++;
      for (const op of batch.ops) op.sent();
      this.producer.send({ messages: batch.messages, acks: this.options.acks }, (error) => {
        this.inFlight--;
        if (error) batch.reject(new KafkaOpError(error));
        else batch.resolve(this.ackValue);
        this.pump();
        this.settleWaiters();
      });
      this.settleWaiters();
    }
  }

  private settleWaiters(): void {
    while (this.waitingBytes < this.options.bufferBytes && this.roomWaiters.length > 0) this.roomWaiters.shift()!();
    if (this.open === undefined && this.ready.length === 0 && this.inFlight === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }
}
