// The driver's record accumulator against a producer whose requests complete when the test says:
// what goes into each Produce request, with linger.ms 0 and with linger, while the request slots
// are busy. (The broker's side of it is in driver.test.ts, against a real broker.)
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Producer } from "@platformatic/kafka";
import { RecordBatcher, type BatcherOptions } from "../../../src/drivers/kafka/batcher.js";

/** Records each send() and completes it on request, as a broker that answers when told. */
class HeldProducer {
  readonly requests: { messages: { value: Buffer; partition?: number }[]; done: (error?: Error) => void }[] = [];
  send(options: { messages: { value: Buffer; partition?: number }[] }, callback: (error?: Error) => void): void {
    this.requests.push({ messages: [...options.messages], done: callback });
  }
  sizes(): number[] {
    return this.requests.map((r) => r.messages.length);
  }
}

function batcher(options: Partial<BatcherOptions> = {}) {
  const producer = new HeldProducer();
  const b = new RecordBatcher(producer as unknown as Producer<Buffer, Buffer, Buffer, Buffer>, {
    topic: "t", acks: 1, batchBytes: 1_000_000, lingerMs: 0, maxInFlight: 1, bufferBytes: 32 * 1024 * 1024, ...options,
  }, true);
  const value = Buffer.alloc(100);
  const add = (n: number): Promise<boolean>[] => Array.from({ length: n }, () => b.add({ key: undefined, value }));
  return { producer, b, add };
}

test("linger.ms 0: the first record goes at once; the records that come while the slot is busy go together in the next request", async () => {
  const { producer, add } = batcher({ lingerMs: 0, maxInFlight: 1 });
  const first = add(1);
  assert.deepEqual(producer.sizes(), [1], "sent at once, not held back");
  const next = add(99);
  assert.deepEqual(producer.sizes(), [1], "one request in flight at most");
  producer.requests[0]!.done();
  assert.deepEqual(await Promise.all(first), [true]);
  assert.deepEqual(producer.sizes(), [1, 99], "the 99 that waited, in one request (before: 99 requests of one)");
  producer.requests[1]!.done();
  assert.equal((await Promise.all(next)).length, 99);
  // One partition per batch (sticky): the waiting records joined the batch's partition.
  assert.equal(new Set(producer.requests[1]!.messages.map((m) => m.partition)).size, 1);
});

test("a waiting batch takes records up to batch.size, then the next batch starts", () => {
  // 100-byte values: 120 bytes a record in a batch, 61 bytes of batch header; 10 records fit 1,300.
  const { producer, add } = batcher({ lingerMs: 0, maxInFlight: 1, batchBytes: 1_300 });
  add(1);
  add(25);
  producer.requests[0]!.done();
  producer.requests[1]?.done();
  producer.requests[2]?.done();
  assert.deepEqual(producer.sizes(), [1, 10, 10, 5]);
  assert.ok(producer.requests.every((r) => r.messages.length * 120 + 61 <= 1_300));
});

test("linger: a batch sealed by its linger while the slots are busy keeps taking records until a slot frees", async () => {
  const { producer, add } = batcher({ lingerMs: 5, maxInFlight: 1 });
  add(1);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(producer.sizes(), [1], "sent when its linger ran out");
  add(3);
  await new Promise((resolve) => setTimeout(resolve, 20)); // the second batch's linger runs out: it waits for the slot
  add(4);
  producer.requests[0]!.done();
  assert.deepEqual(producer.sizes(), [1, 7]);
});

test("holdUntilAcked: buffer.memory counted as the Java client counts it, batch.size per batch until its request is answered", async () => {
  // Each batch holds 1,300 bytes however few records it has: 3 fit in 4,000 bytes of buffer.
  const { producer, add } = batcher({ lingerMs: 0, maxInFlight: 5, batchBytes: 1_300, bufferBytes: 4_000, holdUntilAcked: true });
  const order: number[] = [];
  const acked = add(40).map((p, i) => p.then(() => order.push(i)));
  // linger.ms 0 with free slots: one request per record, until 3 batches hold the buffer (without
  // holdUntilAcked, requests in flight hold nothing: 5 requests would go).
  assert.deepEqual(producer.sizes(), [1, 1, 1]);
  producer.requests[0]!.done();
  await Promise.resolve();
  assert.deepEqual(producer.sizes(), [1, 1, 1, 1], "an answered request's batch makes room for one more");
  for (let i = 0; i < 40 && order.length < 40; i++) {
    producer.requests[i]?.done();
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(acked);
  assert.equal(producer.sizes().reduce((a, b) => a + b, 0), 40);
  assert.ok(producer.sizes().every((n) => n * 120 + 61 <= 1_300));
  assert.deepEqual(order, Array.from({ length: 40 }, (_, i) => i), "acknowledged in the order handed over");
});

test("partitions: one request carries one ready batch of each partition, as the Java client's sender drains a node", async () => {
  const { producer, add } = batcher({ lingerMs: 0, maxInFlight: 1, batchBytes: 1_300, partitions: 3, maxRequestBytes: 1_000_000 });
  add(1);
  const rest = add(70); // 7 batches of 10, partitions 1, 2, 0, 1, 2, 0, 1 (sticky, round-robin)
  producer.requests[0]!.done();
  assert.deepEqual(producer.sizes(), [1, 30], "three batches, three partitions, one request");
  assert.equal(new Set(producer.requests[1]!.messages.map((m) => m.partition! % 3)).size, 3);
  producer.requests[1]!.done();
  producer.requests[2]!.done();
  producer.requests[3]?.done();
  await Promise.all(rest);
  assert.deepEqual(producer.sizes(), [1, 30, 30, 10]);
});
