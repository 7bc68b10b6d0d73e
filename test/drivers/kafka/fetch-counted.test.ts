// The consume workload's record counting (fetch-counted.ts) on record batches encoded by the
// client's own producer code (createRecordsBatch), checked against the client's own decoder
// (readRecordsBatches): same records, same key + value sizes, same offsets. The broker-level
// counts (exact records and bytes, compressed topics) are in driver.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CompressionAlgorithms, createRecordsBatch, Reader, readRecordsBatches, type MessageRecord } from "@platformatic/kafka";
import { countRecords } from "../../../src/drivers/kafka/fetch-counted.js";

/** A batch of `messages` whose first record has offset `base` (the producer writes 0 there; the broker assigns it). */
function batch(messages: MessageRecord[], base: number, compression: (typeof CompressionAlgorithms)[keyof typeof CompressionAlgorithms] = "none"): Buffer {
  const buf = Buffer.from(createRecordsBatch(messages, { compression }).buffer);
  buf.writeBigInt64BE(BigInt(base), 0);
  return buf;
}

// Sizes around the varint length boundaries (63/64, 8191/8192 bytes), empty and null.
const SIZES = [0, 1, 63, 64, 127, 128, 8191, 8192, 20_000];
function messages(n: number, seed: number): MessageRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const keySize = SIZES[(i + seed) % SIZES.length]!;
    const valueSize = SIZES[(i * 7 + seed) % SIZES.length]!;
    return {
      topic: "t",
      key: (i + seed) % 5 === 0 ? undefined : Buffer.alloc(keySize % 300, 1),
      value: Buffer.alloc(valueSize, 2),
      headers: i % 3 === 0 ? new Map([[Buffer.from("h"), Buffer.from("header value")]]) : undefined,
    } as MessageRecord;
  });
}

/** What the client's full decoder makes of the same bytes: per record, key + value size and offset. */
function reference(buf: Buffer, from: number): { sizes: number[]; offsets: number[] } {
  const sizes: number[] = [];
  const offsets: number[] = [];
  for (const b of readRecordsBatches(Reader.from(buf))) {
    if ((b.attributes & 0x20) !== 0) continue;
    for (const r of b.records) {
      const offset = Number(b.firstOffset) + r.offsetDelta;
      if (offset < from) continue;
      sizes.push((r.key?.length ?? 0) + (r.value?.length ?? 0));
      offsets.push(offset);
    }
  }
  return { sizes, offsets };
}

test("counts every record of plain and compressed batches as the client's decoder reads them", () => {
  const plain = batch(messages(40, 0), 0);
  const gzip = batch(messages(25, 3), 40, "gzip");
  const snappy = batch(messages(30, 5), 65, "snappy");
  const lz4 = batch(messages(10, 7), 95, "lz4");
  const buf = Buffer.concat([plain, gzip, snappy, lz4]);
  const chunk = countRecords(buf, 2, 0n);
  const want = reference(buf, 0);
  assert.equal(chunk.partition, 2);
  assert.equal(want.sizes.length, 105);
  assert.deepEqual([...chunk.sizes], want.sizes);
  assert.deepEqual([...chunk.offsets], want.offsets);
  assert.equal(chunk.nextOffset, 105n);
});

test("skips records before the requested offset, and leaves a batch cut off at the end for the next fetch", () => {
  const first = batch(messages(10, 1), 100);
  const second = batch(messages(10, 2), 110, "gzip");
  const third = batch(messages(10, 3), 120);
  // The fetch's size limit cut the third batch: only part of it arrived.
  const buf = Buffer.concat([first, second, third.subarray(0, third.length - 7)]);
  const chunk = countRecords(buf, 0, 104n);
  const want = reference(Buffer.concat([first, second]), 104);
  assert.equal(want.sizes.length, 16);
  assert.deepEqual([...chunk.sizes], want.sizes);
  assert.deepEqual([...chunk.offsets], want.offsets);
  assert.equal(chunk.nextOffset, 120n, "the cut batch is fetched again from its first offset");
});

test("a control batch (transaction marker) moves the position on but counts no record", () => {
  const data = batch(messages(5, 0), 0);
  const marker = batch(messages(1, 0), 5);
  marker.writeInt16BE(marker.readInt16BE(21) | 0x20, 21);
  const chunk = countRecords(Buffer.concat([data, marker]), 0, 0n);
  assert.equal(chunk.sizes.length, 5);
  assert.equal(chunk.nextOffset, 6n);
});

test("a batch wholly before the requested offset only moves the position", () => {
  const chunk = countRecords(batch(messages(5, 0), 0), 0, 5n);
  assert.equal(chunk.sizes.length, 0);
  assert.equal(chunk.nextOffset, 5n);
});
