// `insert` workloads: one operation is one INSERT of `batchSize` generated rows, in one HTTP
// request, in TSV, JSONEachRow or RowBinary. ClickHouse writes each INSERT as a new part (per
// partition) and merges parts in the background, so the batch size sets the part rate: seed 004's
// batch sweep, and the too-many-parts finding when batches are small. Rows come from a counter
// shared by the operations in flight, so concurrent batches write disjoint rows.
import { Readable } from "node:stream";
import type { ClickHouseClient } from "@clickhouse/client";
import { generators, type RowSource } from "../../data/index.js";
import { UsageError } from "../../errors.js";
import type { PreparedWorkload } from "../driver.js";
import type { WorkloadContext } from "./context.js";
import { encoderFor, type BatchEncoder } from "./encode.js";
import { clickHouseCode, withClickHouseCode } from "./errors.js";
import type { InsertWorkload } from "./schema.js";
import type { ServerFeatures } from "./server-features.js";
import { clickHouseColumn, createTableSql, quoteIdent } from "./table.js";

/** The next row index to write; shared by every operation writing one table, generator and seed. */
export interface RowCounter {
  next: number;
}

export async function prepareInsert(c: WorkloadContext, workload: InsertWorkload, counter: RowCounter): Promise<PreparedWorkload> {
  const generator = generators[workload.generator];
  const columns = generator.columns.map((col) => clickHouseColumn(col, c.features));
  if (workload.createTable) {
    await c.client.command({ query: createTableSql(workload.table, columns, { orderBy: workload.orderBy, partitionBy: workload.partitionBy }) });
  }
  const columnList = columns.map((col) => quoteIdent(col.name)).join(", ");
  await checkTable(c.client, workload, columnList);

  const encode = encoderFor(workload.format, columns);
  const source: RowSource = generator.create(workload.seed);
  const query = `INSERT INTO ${workload.table} (${columnList}) FORMAT ${workload.format === "TSV" ? "TabSeparated" : workload.format}`;
  const batch = (): Promise<Buffer> => {
    const first = counter.next;
    counter.next += workload.batchSize;
    return encodeInSlices(encode, source, first, workload.batchSize);
  };
  // `pregenerate`: whole batches encoded now, before the load starts (the operations that send
  // them time the INSERT alone, as clickhouse-client reading a file written beforehand).
  const ready: Buffer[] = [];
  for (let rows = 0; rows < (workload.pregenerate ?? 0); rows += workload.batchSize) {
    // A turn of the event loop between batches: probes and the live view go on meanwhile.
    if (rows > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    ready.push(encode(source, counter.next, workload.batchSize));
    counter.next += workload.batchSize;
  }
  let taken = 0;
  // After those, the next batch is encoded while the server ingests this one, so an operation's time
  // is the INSERT itself (as seed 004 generates its rows before starting the clock). Rows encoded for
  // an operation that never runs leave a gap in the row indices.
  let ahead: Promise<Buffer> | undefined;
  return {
    run: async (op) => {
      const pregenerated = ready[taken];
      if (pregenerated !== undefined) ready[taken++] = EMPTY;
      // Claimed before the await: concurrent operations must never share one prefetched batch.
      const claimed = pregenerated === undefined ? ahead : undefined;
      if (pregenerated === undefined) ahead = undefined;
      const data = pregenerated ?? (await (claimed ?? batch()));
      const release = await c.slots.take(op);
      try {
        const sending = c.client.exec({ query, values: Readable.from([data], { objectMode: false }), abort_signal: op.signal });
        if (taken >= ready.length) ahead ??= batch();
        const result = await sending;
        // The body is empty on success; reading it to the end hands the socket back to the agent.
        for await (const _ of result.stream) void _;
      } catch (error) {
        throw withClickHouseCode(error);
      } finally {
        release();
      }
      return { records: workload.batchSize, bytes: data.length };
    },
    concurrencyHint: c.connections,
    clientSlots: { count: c.connections, setting: "connections" },
    signalsSent: true,
  };
}

/** What a sent pregenerated batch leaves behind: its memory goes as soon as its INSERT is done. */
const EMPTY = Buffer.alloc(0);

/** Rows per slice when encoding ahead: small enough that the request in flight is not held up. */
const ENCODE_SLICE = 2000;

/** The encoder, yielding to the event loop between slices (the batch in flight is sent meanwhile). */
async function encodeInSlices(encode: BatchEncoder, source: RowSource, first: number, count: number): Promise<Buffer> {
  if (count <= ENCODE_SLICE) return encode(source, first, count);
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i += ENCODE_SLICE) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    parts.push(encode(source, first + i, Math.min(ENCODE_SLICE, count - i)));
  }
  return Buffer.concat(parts);
}

/**
 * Fails at prepare time when the table cannot take the rows: a table that is not there, or one
 * without the generator's columns, is a mistake in the suite (UsageError, its hint saying what to
 * change); anything else the server says is the target's.
 */
async function checkTable(client: ClickHouseClient, workload: InsertWorkload, columnList: string): Promise<void> {
  try {
    await client.command({ query: `SELECT ${columnList} FROM ${workload.table} LIMIT 0` });
  } catch (error) {
    const code = clickHouseCode(error);
    const message = (withClickHouseCode(error) as Error).message;
    if (code === 60 || code === 81) {
      throw new UsageError(`table ${workload.table} does not exist (${message})`, {
        hint: "set createTable: true on the workload to have pipebench create it, or create it in the target's setup:",
      });
    }
    if (code === 16 || code === 47) {
      throw new UsageError(`table ${workload.table} cannot take ${workload.generator} rows: ${message}`, {
        hint: workload.createTable
          ? `it existed before with other columns: drop it, or create it in the target's setup: with the columns of ${workload.generator}`
          : `create it with the columns of ${workload.generator}, or set createTable: true and a table name that is not taken`,
      });
    }
    throw withClickHouseCode(error);
  }
}
