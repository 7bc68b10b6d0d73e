// A Fetch request whose response is read for counting only: for each partition, how many records
// came back, each one's key + value size and offset, and the offset after them. The client's own
// fetch() decodes every record into an object (key and value Buffer slices, a headers array, BigInt
// timestamps): that decoding and its garbage were most of the `consume` workload's CPU (profile in
// docs/decisions.md). Here the Fetch request goes out on the client's own connection to the leader
// (its pool, its correlation ids, its timeouts), but the response is parsed by `parseCountedFetch`,
// which walks the record batches with a few varint reads per record and allocates nothing per
// record. The `end-to-end` and `pipeline` workloads read record contents and keep the client's
// decoding (fetch.ts).
import { type Consumer, compressionsAlgorithmsByBitmask, fetchV13, fetchV14, fetchV15, fetchV16, fetchV17, type Reader, ResponseError } from "@platformatic/kafka";
import { CONTROL_BATCH } from "./fetch.js";
import type { Chunk } from "./record-queue.js";

const FETCH_API = 1;
/** Fetch versions whose request this module can build (the client's) and whose response it reads: v13–v17 share one layout. */
const REQUEST_BY_VERSION = { 13: fetchV13.createRequest, 14: fetchV14.createRequest, 15: fetchV15.createRequest, 16: fetchV16.createRequest, 17: fetchV17.createRequest } as const;
type Version = keyof typeof REQUEST_BY_VERSION;

/** Record batch attribute: the compression codec bits. */
const COMPRESSION_BITS = 0x07;
/** Record batch v2 header: baseOffset … recordsCount; records follow at byte 61. */
const BATCH_HEADER = 61;
/** baseOffset (8) + batchLength (4): a batch is 12 + batchLength bytes. */
const BATCH_HEAD = 12;

export interface CountedFetchSettings {
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly isolationLevel: number;
  readonly partitionMaxBytes: number;
}

/** The highest Fetch version both sides speak, from the broker's ApiVersions; undefined if none (the caller falls back to the client's fetch). */
export async function countedFetchVersion(consumer: Consumer): Promise<Version | undefined> {
  const apis = await consumer.listApis();
  const fetch = apis.find((api) => api.apiKey === FETCH_API);
  if (fetch === undefined) return undefined;
  for (let v = 17; v >= 13; v--) if (v >= fetch.minVersion && v <= fetch.maxVersion) return v as Version;
  return undefined;
}

/**
 * One Fetch request to `leader` for some partitions of one topic, each from its own offset; per
 * partition a Chunk of the records at or after the requested offset (a fetch returns whole batches,
 * so the first may start before it), control batches skipped.
 */
export async function fetchCounted(
  consumer: Consumer,
  version: Version,
  leader: number,
  topicId: string,
  partitions: readonly number[],
  offsetOf: (partition: number) => bigint,
  settings: CountedFetchSettings,
): Promise<Chunk[]> {
  const metadata = await consumer.metadata({ topics: [] });
  const broker = metadata.brokers.get(leader);
  if (broker === undefined) throw new Error(`no broker with node id ${leader} in the metadata`);
  const connection = await consumer.connections.get(broker);
  const requested = new Map(partitions.map((partition) => [partition, offsetOf(partition)]));
  const topics = [
    {
      topicId,
      partitions: partitions.map((partition) => ({
        partition,
        fetchOffset: requested.get(partition)!,
        partitionMaxBytes: settings.partitionMaxBytes,
        currentLeaderEpoch: -1,
        lastFetchedEpoch: -1,
      })),
    },
  ];
  const createRequest = REQUEST_BY_VERSION[version];
  return new Promise<Chunk[]>((resolve, reject) => {
    connection.send(
      FETCH_API,
      version,
      () => createRequest(settings.maxWaitMs, settings.minBytes, settings.maxBytes, settings.isolationLevel, 0, 0, topics, [], ""),
      (_correlationId: number, _apiKey: number, apiVersion: number, reader: Reader) => parseCountedFetch(reader, apiVersion, requested),
      true,
      true,
      (error, chunks) => (error ? reject(error) : resolve(chunks!)),
    );
  });
}

/**
 * Fetch response v13–v17: throttle_time_ms error_code session_id [responses] TAG_BUFFER, each
 * response topic_id [partitions] TAG_BUFFER, each partition partition_index error_code
 * high_watermark last_stable_offset log_start_offset [aborted_transactions] preferred_read_replica
 * records TAG_BUFFER. Throws the client's ResponseError (broker error names in it) when the
 * response or a partition carries an error, as the client's own parser does.
 */
export function parseCountedFetch(reader: Reader, apiVersion: number, requested: ReadonlyMap<number, bigint>): Chunk[] {
  const errors: Record<string, [number, null]> = {};
  let failed = false;
  reader.readInt32(); // throttle_time_ms
  const errorCode = reader.readInt16();
  if (errorCode !== 0) {
    errors[""] = [errorCode, null];
    failed = true;
  }
  reader.readInt32(); // session_id
  const chunks: Chunk[] = [];
  const topicCount = reader.readUnsignedVarInt() - 1;
  for (let t = 0; t < topicCount; t++) {
    reader.skip(16); // topic_id
    const partitionCount = reader.readUnsignedVarInt() - 1;
    for (let p = 0; p < partitionCount; p++) {
      const partition = reader.readInt32();
      const partitionError = reader.readInt16();
      reader.skip(24); // high_watermark, last_stable_offset, log_start_offset
      const aborted = reader.readUnsignedVarInt() - 1;
      for (let a = 0; a < aborted; a++) {
        reader.skip(16); // producer_id, first_offset
        skipTaggedFields(reader);
      }
      reader.skip(4); // preferred_read_replica
      const recordsSize = reader.readUnsignedVarInt() - 1;
      if (partitionError !== 0) {
        errors[`/responses/${t}/partitions/${p}`] = [partitionError, null];
        failed = true;
      }
      const from = requested.get(partition);
      if (recordsSize > 0) {
        if (from !== undefined && partitionError === 0) {
          chunks.push(countRecords(reader.buffer.slice(reader.position, reader.position + recordsSize), partition, from));
        }
        reader.skip(recordsSize);
      }
      skipTaggedFields(reader);
    }
    skipTaggedFields(reader);
  }
  if (failed) throw new ResponseError(FETCH_API, apiVersion, errors, { chunks });
  return chunks;
}

function skipTaggedFields(reader: Reader): void {
  const count = reader.readUnsignedVarInt();
  for (let i = 0; i < count; i++) {
    reader.readUnsignedVarInt(); // tag
    reader.skip(reader.readUnsignedVarInt());
  }
}

/**
 * The records of one partition's record batches (v2), counted: sizes and offsets of those at or
 * after `from`. A batch cut off at the end (the fetch's size limit) is left for the next fetch.
 */
export function countRecords(buf: Buffer, partition: number, from: bigint): Chunk {
  // First pass over the batch headers: how many records, to size the arrays once.
  let total = 0;
  for (let at = 0; at + BATCH_HEADER <= buf.length; ) {
    const end = at + BATCH_HEAD + buf.readInt32BE(at + 8);
    if (end > buf.length) break;
    if ((buf.readInt16BE(at + 21) & CONTROL_BATCH) === 0) total += buf.readInt32BE(at + 57);
    at = end;
  }
  const sizes = new Uint32Array(total);
  const offsets = new Float64Array(total);
  let n = 0;
  let nextOffset = from;
  const fromNumber = Number(from);
  for (let at = 0; at + BATCH_HEADER <= buf.length; ) {
    const end = at + BATCH_HEAD + buf.readInt32BE(at + 8);
    if (end > buf.length) break;
    const base = buf.readBigInt64BE(at);
    const last = base + BigInt(buf.readInt32BE(at + 23));
    const attributes = buf.readInt16BE(at + 21);
    const count = buf.readInt32BE(at + 57);
    const batchStart = at;
    at = end;
    if (last < from) continue;
    if (last + 1n > nextOffset) nextOffset = last + 1n;
    if ((attributes & CONTROL_BATCH) !== 0) continue;
    const baseNumber = Number(base);
    const codec = attributes & COMPRESSION_BITS;
    let records: Buffer;
    let pos: number;
    if (codec === 0) {
      records = buf;
      pos = batchStart + BATCH_HEADER;
    } else {
      const algorithm = compressionsAlgorithmsByBitmask[codec as keyof typeof compressionsAlgorithmsByBitmask];
      if (algorithm === undefined) throw new Error(`record batch with unknown compression codec ${codec}`);
      records = algorithm.decompressSync(buf.subarray(batchStart + BATCH_HEADER, end));
      pos = 0;
    }
    for (let i = 0; i < count; i++) {
      // Record: length attributes timestampDelta offsetDelta keyLength key valueLength value headers (varints zigzag-encoded).
      let v = readVarint(records, pos);
      const length = v.value;
      const recordEnd = v.end + length;
      pos = v.end + 1; // attributes
      pos = skipVarint(records, pos); // timestampDelta
      v = readVarint(records, pos);
      const offset = baseNumber + v.value;
      v = readVarint(records, v.end);
      const keyLength = v.value > 0 ? v.value : 0;
      v = readVarint(records, v.end + keyLength);
      const valueLength = v.value > 0 ? v.value : 0;
      pos = recordEnd;
      if (offset < fromNumber) continue;
      sizes[n] = keyLength + valueLength;
      offsets[n] = offset;
      n++;
    }
  }
  return { partition, sizes: n === total ? sizes : sizes.subarray(0, n), offsets: n === total ? offsets : offsets.subarray(0, n), nextOffset };
}

// One reused result object: the varint reader runs several times per record and must not allocate.
const varint = { value: 0, end: 0 };

/** A zigzag varint (at most 5 bytes) at `pos`: its value and the position after it. */
function readVarint(buf: Buffer, pos: number): typeof varint {
  let raw = 0;
  let shift = 0;
  let byte: number;
  do {
    if (pos >= buf.length) throw new RangeError("record batch ends inside a varint");
    byte = buf[pos++]!;
    raw |= (byte & 0x7f) << shift;
    shift += 7;
  } while ((byte & 0x80) !== 0 && shift < 35);
  varint.value = (raw >>> 1) ^ -(raw & 1);
  varint.end = pos;
  return varint;
}

/** The position after a varint or varlong at `pos`. */
function skipVarint(buf: Buffer, pos: number): number {
  while ((buf[pos++]! & 0x80) !== 0) if (pos >= buf.length) throw new RangeError("record batch ends inside a varint");
  return pos;
}
