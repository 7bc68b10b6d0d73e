// `insert` workloads: one operation writes one batch of generated rows, by COPY, by one
// multi-row INSERT, or by single-row INSERTs in one transaction (seed 004's and seed 001's ways
// of loading, fastest first). Rows come from a counter shared by the operations in flight, so
// concurrent batches write disjoint rows.
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { encodeCopyBatch, generators, pgText, type Column, type RowSource } from "../../data/index.js";
import { UsageError } from "../../errors.js";
import { checkout } from "./checkout.js";
import { UNDEFINED_COLUMN, withPgCode } from "./errors.js";
import type { OpContext, PreparedWorkload } from "../driver.js";
import { quoteIdent } from "../sql-text.js";
import type { InsertWorkload } from "./schema.js";

/** The next row index to write; shared by every operation writing one table, generator and seed. */
export interface RowCounter {
  next: number;
}

/** PostgreSQL's bind message counts parameters in an Int16. */
const MAX_PARAMETERS = 65_535;

let workloadIds = 0;

export async function prepareInsert(
  pool: pg.Pool,
  workload: InsertWorkload,
  counter: RowCounter,
  poolSize: number,
): Promise<PreparedWorkload> {
  const generator = generators[workload.generator];
  const columns = generator.columns;
  const columnList = columns.map((c) => quoteIdent(c.name)).join(", ");
  if (workload.createTable) await pool.query(`create table if not exists ${workload.table} (${columnDefinitions(columns)})`);
  await checkTable(pool, workload.table, columnList, workload);

  const source = generator.create(workload.seed);
  // Rows from the operation's number (`seq`, the whole scenario's: segments of one scenario on
  // several load generators write disjoint rows with one seed), after the rows of earlier scenarios.
  // The next scenario's rows start after this one's operation numbers (`ended`, told the same count
  // in every load generator), so N workers continue where one process would. Until then the counter
  // follows the highest row claimed, for a caller that never says.
  const base = counter.next;
  const take = (seq: number): number => {
    const first = base + seq * workload.batchSize;
    counter.next = Math.max(counter.next, first + workload.batchSize);
    return first;
  };
  const plan: BatchPlan = {
    pool,
    table: workload.table,
    columnList,
    width: columns.length,
    source,
    batchSize: workload.batchSize,
    take,
    statementPrefix: `pipebench_${++workloadIds}`,
  };
  const write = workload.method === "copy" ? copyBatch(plan) : workload.method === "multi-row" ? multiRowBatch(plan) : singleRowBatch(plan);
  return {
    run: (ctx) => write(ctx).catch((error: unknown) => Promise.reject(withPgCode(error))),
    concurrencyHint: poolSize,
    clientSlots: { count: poolSize, setting: "pool" },
    signalsSent: true,
    ended: (seqs) => {
      counter.next = base + seqs * workload.batchSize;
    },
  };
}

/** What every way of writing a batch needs. */
interface BatchPlan {
  pool: pg.Pool;
  table: string;
  /** Quoted column names, comma-separated, in the generator's order. */
  columnList: string;
  width: number;
  source: RowSource;
  batchSize: number;
  /** The first row index of operation `seq`'s batch. */
  take: (seq: number) => number;
  /** Names this workload's prepared statements apart from other workloads' on a pooled connection. */
  statementPrefix: string;
}

/** Writes one batch; tells `op` when the pool hands it a client (OpContext.sent). */
type BatchWriter = (op: Pick<OpContext, "sent" | "seq">) => Promise<{ records: number; bytes: number }>;

function copyBatch({ pool, table, columnList, source, batchSize, take }: BatchPlan): BatchWriter {
  const sql = `copy ${table} (${columnList}) from stdin`;
  // The next batch is encoded while the server ingests this one, so an operation's time is the
  // COPY itself (seed 004, too, generates rows before it starts its clock) and one writer keeps the
  // server busy. The batch ahead is for the operation number expected next (the last step between
  // numbers: 1, or N on one of N segments); another number encodes its own.
  let ahead: { seq: number; data: Promise<Buffer> } | undefined;
  let lastSeq: number | undefined;
  return async (op) => {
    const step = lastSeq === undefined || op.seq <= lastSeq ? 1 : op.seq - lastSeq;
    lastSeq = op.seq;
    // Claimed before the await: concurrent operations must never share one prefetched batch.
    const claimed = ahead?.seq === op.seq ? ahead.data : undefined;
    if (claimed !== undefined) ahead = undefined;
    const data = await (claimed ?? encodeInSlices(source, take(op.seq), batchSize));
    const out = await checkout(pool, op);
    try {
      const done = copyIn(out.client, sql, data);
      const next = op.seq + step;
      if (ahead === undefined || ahead.seq < next) ahead = { seq: next, data: encodeInSlices(source, take(next), batchSize) };
      await done;
      out.release();
    } catch (error) {
      // After a failed COPY the connection's protocol state is not to be trusted: discard it.
      out.release(true);
      throw error;
    }
    return { records: batchSize, bytes: data.length };
  };
}

/** Rows per slice when encoding ahead: small enough that the event loop stays responsive. */
const ENCODE_SLICE = 100;

/**
 * encodeCopyBatch, yielding to the event loop between slices: encoding ahead must not hold up the
 * current COPY, whose data is sent only once the server's CopyInResponse has been read.
 */
async function encodeInSlices(source: RowSource, first: number, count: number): Promise<Buffer> {
  if (count <= ENCODE_SLICE) return encodeCopyBatch(source, first, count);
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i += ENCODE_SLICE) {
    parts.push(encodeCopyBatch(source, first + i, Math.min(ENCODE_SLICE, count - i)));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return Buffer.concat(parts);
}

function copyIn(client: pg.PoolClient, sql: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const stream = client.query(copyFrom(sql));
    stream.on("error", reject);
    // pg-copy-streams emits `finish` after the server's ReadyForQuery: the rows are committed.
    stream.on("finish", resolve);
    stream.end(data);
  });
}

function multiRowBatch({ pool, table, columnList, width, source, batchSize, take, statementPrefix }: BatchPlan): BatchWriter {
  const rowsPerStatement = Math.min(batchSize, Math.floor(MAX_PARAMETERS / width));
  const statements = new Map<number, pg.QueryConfig>();
  const statementFor = (rows: number): pg.QueryConfig => {
    let statement = statements.get(rows);
    if (!statement) {
      statement = { name: `${statementPrefix}_${rows}`, text: `insert into ${table} (${columnList}) values ${valuesList(rows, width)}` };
      statements.set(rows, statement);
    }
    return statement;
  };
  const split = batchSize > rowsPerStatement;

  return async (op) => {
    const first = take(op.seq);
    const out = await checkout(pool, op);
    const client = out.client;
    let bytes = 0;
    try {
      // A batch larger than one statement can carry is still all-or-nothing, like a COPY.
      if (split) await client.query("begin");
      for (let start = first; start < first + batchSize; start += rowsPerStatement) {
        const rows = Math.min(rowsPerStatement, first + batchSize - start);
        const values: (string | null)[] = new Array(rows * width);
        let k = 0;
        for (let i = start; i < start + rows; i++) {
          for (const value of source.row(i)) {
            const text = pgText(value);
            if (text !== null) bytes += text.length;
            values[k++] = text;
          }
        }
        await client.query({ ...statementFor(rows), values });
      }
      if (split) await client.query("commit");
      out.release();
    } catch (error) {
      out.release(split ? !(await rollback(client)) : false);
      throw error;
    }
    return { records: batchSize, bytes };
  };
}

function singleRowBatch({ pool, table, columnList, width, source, batchSize, take, statementPrefix }: BatchPlan): BatchWriter {
  const statement = { name: `${statementPrefix}_single`, text: `insert into ${table} (${columnList}) values ${valuesList(1, width)}` };
  return async (op) => {
    const first = take(op.seq);
    const out = await checkout(pool, op);
    const client = out.client;
    let bytes = 0;
    try {
      await client.query("begin");
      for (let i = first; i < first + batchSize; i++) {
        const values = source.row(i).map((value) => pgText(value));
        for (const text of values) if (text !== null) bytes += text.length;
        await client.query({ ...statement, values });
      }
      await client.query("commit");
      out.release();
    } catch (error) {
      out.release(!(await rollback(client)));
      throw error;
    }
    return { records: batchSize, bytes };
  };
}

/**
 * Ends a failed transaction; false when even that fails, and the connection should be discarded
 * rather than handed to the next operation (a failed statement alone leaves it usable).
 */
async function rollback(client: pg.PoolClient): Promise<boolean> {
  try {
    await client.query("rollback");
    return true;
  } catch {
    return false;
  }
}

/** "($1, $2), ($3, $4)" for rows × width parameters. */
function valuesList(rows: number, width: number): string {
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const params: string[] = [];
    for (let c = 1; c <= width; c++) params.push(`$${r * width + c}`);
    tuples.push(`(${params.join(", ")})`);
  }
  return tuples.join(", ");
}

function columnDefinitions(columns: readonly Column[]): string {
  return columns.map((c) => `${quoteIdent(c.name)} ${c.sqlType}`).join(", ");
}

/**
 * Fails at prepare time when the table cannot take the rows: a table that is not there, or one
 * without the generator's columns, is a mistake in the suite (UsageError, its hint saying what to
 * change); anything else the server says is the target's.
 */
async function checkTable(pool: pg.Pool, table: string, columnList: string, workload: InsertWorkload): Promise<void> {
  const exists = await pool.query<{ oid: string | null }>("select to_regclass($1)::text as oid", [table]);
  if (exists.rows[0]?.oid === null || exists.rows[0]?.oid === undefined) {
    throw new UsageError(`table ${table} does not exist`, {
      hint: "set createTable: true on the workload to have pipebench create it, or create it in the target's setup:",
    });
  }
  try {
    await pool.query(`select ${columnList} from ${table} limit 0`);
  } catch (error) {
    if ((error as { code?: unknown }).code !== UNDEFINED_COLUMN) throw new Error(`table ${table}: ${(error as Error).message}`, { cause: error });
    throw new UsageError(`table ${table} cannot take ${workload.generator} rows: ${(error as Error).message}`, {
      hint: workload.createTable
        ? `it existed before with other columns: drop it, or create it in the target's setup: with the columns of ${workload.generator}`
        : `create it with the columns of ${workload.generator}, or set createTable: true on the workload and a table name that is not taken`,
    });
  }
}

/** SQLSTATE undefined_column. */
