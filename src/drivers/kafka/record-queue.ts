// Fetched records waiting for operations to take them. The group's members push what each fetch
// returned (per partition: how many records, their sizes and the offset after them); a `consume`
// operation takes the next `count` records, waiting for them if need be. Only sizes are kept, never
// the records themselves, so holding a fetch's worth costs a few bytes per record.
import type { OpOutcome } from "../driver.js";

export interface Chunk {
  readonly partition: number;
  /** Sizes (key + value bytes) of its records, in offset order. */
  readonly sizes: Uint32Array;
  /** Their offsets (numbers: offsets stay far below 2^53). */
  readonly offsets: Float64Array;
  /** The partition's offset after the chunk's last record: its position once all are taken. */
  readonly nextOffset: bigint;
}

interface Waiter {
  remaining: number;
  records: number;
  bytes: number;
  resolve: (outcome: OpOutcome) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

export class RecordQueue {
  private readonly chunks: Chunk[] = [];
  private head = 0;
  /** Records of chunks[0] already taken. */
  private index = 0;
  private readonly waiters: Waiter[] = [];
  private roomWaiters: (() => void)[] = [];
  private failure: unknown;
  /** Records and bytes waiting to be taken. */
  bufferedRecords = 0;
  bufferedBytes = 0;
  /** Records handed to operations. */
  delivered = 0;

  constructor(
    /** Called after a take with the offset after the last record handed out, per partition touched. */
    private readonly onPosition: (partition: number, offset: bigint) => void,
  ) {}

  push(chunk: Chunk): void {
    if (chunk.sizes.length === 0) {
      this.onPosition(chunk.partition, chunk.nextOffset);
      return;
    }
    this.chunks.push(chunk);
    this.bufferedRecords += chunk.sizes.length;
    for (const size of chunk.sizes) this.bufferedBytes += size;
    this.serveWaiters();
  }

  /** The next operation fails with this error (a fetch failed); later ones take records again. */
  fail(error: unknown): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      waiter.signal.removeEventListener("abort", waiter.onAbort);
      waiter.reject(error);
    } else this.failure = error;
  }

  /** The next `count` records; resolves when all of them are here. */
  take(count: number, signal: AbortSignal): Promise<OpOutcome> {
    if (this.failure !== undefined) {
      const error = this.failure;
      this.failure = undefined;
      return Promise.reject(error);
    }
    if (this.waiters.length === 0 && this.bufferedRecords >= count) {
      const bytes = this.takeNow(count);
      return Promise.resolve({ records: count, bytes });
    }
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<OpOutcome>((resolve, reject) => {
      const waiter: Waiter = {
        remaining: count,
        records: count,
        bytes: 0,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = this.waiters.indexOf(waiter);
          if (at >= 0) this.waiters.splice(at, 1);
          reject(signal.reason);
        },
      };
      signal.addEventListener("abort", waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      this.serveWaiters();
    });
  }

  /** Resolves when fewer than `maxBytes` bytes are buffered (a member then fetches again). */
  room(maxBytes: number): Promise<void> {
    if (this.bufferedBytes < maxBytes) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.bufferedBytes < maxBytes) resolve();
        else this.roomWaiters.push(check);
      };
      this.roomWaiters.push(check);
    });
  }

  /** Wakes members waiting for room (at close, so their loops can see they should stop). */
  wakeAll(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  private serveWaiters(): void {
    while (this.waiters.length > 0 && this.bufferedRecords > 0) {
      const waiter = this.waiters[0]!;
      const n = Math.min(waiter.remaining, this.bufferedRecords);
      waiter.bytes += this.takeNow(n);
      waiter.remaining -= n;
      if (waiter.remaining > 0) break;
      this.waiters.shift();
      waiter.signal.removeEventListener("abort", waiter.onAbort);
      waiter.resolve({ records: waiter.records, bytes: waiter.bytes });
    }
  }

  /** Takes n ≤ bufferedRecords records; returns their bytes. */
  private takeNow(n: number): number {
    let bytes = 0;
    let left = n;
    while (left > 0) {
      const chunk = this.chunks[this.head]!;
      const end = Math.min(chunk.sizes.length, this.index + left);
      for (let i = this.index; i < end; i++) bytes += chunk.sizes[i]!;
      left -= end - this.index;
      this.index = end;
      if (this.index === chunk.sizes.length) {
        this.head++;
        this.index = 0;
        this.onPosition(chunk.partition, chunk.nextOffset);
      } else {
        this.onPosition(chunk.partition, BigInt(chunk.offsets[this.index - 1]!) + 1n);
      }
    }
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks.splice(0, this.head);
      this.head = 0;
    }
    this.bufferedRecords -= n;
    this.bufferedBytes -= bytes;
    this.delivered += n;
    if (this.roomWaiters.length > 0) this.wakeAll();
    return bytes;
  }
}
