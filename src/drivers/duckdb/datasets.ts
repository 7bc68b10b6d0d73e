// Datasets: tables filled with a generator's rows before the scenarios run.
//
// The rows come from the generator itself, not from SQL that imitates it, so a seed gives the same
// rows in DuckDB as in PostgreSQL or in an HTTP body. (SQL over `range(n)` is 2–4× faster — 1M
// commodity prices in ~0.4–0.6 s against ~1.1–1.4 s here, on 2 cores — but it would be a second
// implementation of every generator; for tables larger than a generator fills quickly, write that
// SQL yourself in `setup:`.)
//
// Rows travel in DataChunks of 2048 through an appender into a staging table of plain types, and
// one `CREATE TABLE … AS SELECT` turns them into the generator's column types (appendDataChunk
// does not cast). What makes it fast is keeping strings off the wire: each string costs one call
// into the binding (~370 ns), while numbers are copied a whole vector at a time. So timestamps
// travel as epoch milliseconds and low-cardinality text (commodity, currency, region …) as
// dictionary codes; only high-cardinality text (ids, JSON) goes as VARCHAR.
import { DuckDBDataChunk, type DuckDBAppender, type DuckDBConnection, type DuckDBType, type DuckDBVector, BIGINT, BOOLEAN, DOUBLE, INTEGER, VARCHAR } from "@duckdb/node-api";
import { generators, type Column, type RowSource, type RowValue } from "../../data/index.js";
import { quoteIdent, sqlString } from "../sql-text.js";
import { isoMillis } from "./iso-millis.js";
import type { DuckDbDataset } from "./schema.js";

/** DuckDB's vector size: a chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;
/** A text column with at most this many distinct values in its first chunk is dictionary-coded. */
const DICTIONARY_MAX = 256;

export interface DatasetCreated {
  table: string;
  rows: number;
  ms: number;
}

export async function createDataset(connection: DuckDBConnection, dataset: DuckDbDataset): Promise<DatasetCreated> {
  const started = performance.now();
  const generator = generators[dataset.generator];
  const source = generator.create(dataset.seed);
  const firstRows = Array.from({ length: Math.min(CHUNK_ROWS, dataset.rows) }, (_, i) => source.row(i));
  const encoders = generator.columns.map((column, c) => encoderFor(column, firstRows.map((row) => row[c] ?? null)));
  const staging = `__pipebench_staging_${dataset.table}`;

  await connection.run(
    `CREATE OR REPLACE TEMP TABLE ${staging} (${encoders.map((e, c) => `c${c} ${e.wire.toString()}`).join(", ")})`,
  );
  const appender = await connection.createAppender(staging);
  try {
    appendRows(appender, encoders, source, firstRows, dataset.rows);
    appender.flushSync();
  } finally {
    appender.closeSync();
  }

  const select = generator.columns.map((column, c) => `${encoders[c]?.select(`c${c}`)} AS ${quoteIdent(column.name)}`);
  await connection.run(`CREATE OR REPLACE TABLE ${quoteIdent(dataset.table)} AS SELECT ${select.join(", ")} FROM ${staging}`);
  await connection.run(`DROP TABLE ${staging}`);
  return { table: dataset.table, rows: dataset.rows, ms: performance.now() - started };
}

function appendRows(
  appender: DuckDBAppender,
  encoders: readonly Encoder[],
  source: RowSource,
  firstRows: readonly (readonly RowValue[])[],
  rows: number,
): void {
  const chunk = DuckDBDataChunk.create(encoders.map((e) => e.wire));
  for (let start = 0; start < rows; start += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, rows - start);
    chunk.reset();
    chunk.rowCount = n; // also drops the chunk's cached vectors, which were sized for the last count
    const vectors: DuckDBVector[] = encoders.map((_, c) => chunk.getColumnVector(c));
    for (let r = 0; r < n; r++) {
      const row = start === 0 ? firstRows[r] : source.row(start + r);
      for (let c = 0; c < encoders.length; c++) {
        (vectors[c] as DuckDBVector).setItem(r, (encoders[c] as Encoder).encode(row?.[c] ?? null));
      }
    }
    for (const vector of vectors) vector.flush();
    appender.appendDataChunk(chunk);
  }
}

/** How one column travels: its staging type, the value written, and the SQL that restores it. */
interface Encoder {
  readonly wire: DuckDBType;
  encode(value: RowValue): string | number | bigint | boolean | null;
  select(stagingColumn: string): string;
}

function encoderFor(column: Column, sample: readonly RowValue[]): Encoder {
  const type = (column.duckType ?? column.sqlType).toUpperCase();
  const cast = (expr: string): string => `CAST(${expr} AS ${type})`;
  if (/^TIMESTAMP/.test(type)) {
    // Integer arithmetic on microseconds: exact, and independent of the session's TimeZone.
    const micros = (col: string): string => `CAST(${col} AS BIGINT) * 1000`;
    const select = /TZ$|WITH TIME ZONE$/.test(type)
      ? (col: string) => `to_timestamp(0) + to_microseconds(${micros(col)})`
      : (col: string) => `make_timestamp(${micros(col)})`;
    return { wire: DOUBLE, encode: (v) => epochMs(v, column.name), select };
  }
  if (/^(DOUBLE|FLOAT|REAL|DECIMAL|NUMERIC)\b/.test(type)) {
    return { wire: DOUBLE, encode: (v) => (v === null ? null : Number(v)), select: cast };
  }
  if (/^(INTEGER|INT|INT4|SMALLINT|TINYINT)$/.test(type)) {
    return { wire: INTEGER, encode: (v) => (v === null ? null : Number(v)), select: cast };
  }
  if (/^(BIGINT|INT8)$/.test(type)) {
    return { wire: BIGINT, encode: (v) => (v === null ? null : typeof v === "bigint" ? v : BigInt(Math.trunc(Number(v)))), select: cast };
  }
  if (/^(BOOLEAN|BOOL)$/.test(type)) {
    return { wire: BOOLEAN, encode: (v) => (v === null ? null : Boolean(v)), select: cast };
  }
  const distinct = new Set(sample.filter((v) => v !== null).map(asText));
  return distinct.size <= DICTIONARY_MAX ? dictionaryEncoder(cast) : { wire: VARCHAR, encode: (v) => (v === null ? null : asText(v)), select: cast };
}

/** Text as 1-based codes into a list that the final SELECT indexes: `['gold','silver'][code]`. */
function dictionaryEncoder(cast: (expr: string) => string): Encoder {
  const codes = new Map<string, number>();
  return {
    wire: INTEGER,
    encode(value) {
      if (value === null) return null;
      const text = asText(value);
      let code = codes.get(text);
      if (code === undefined) {
        code = codes.size + 1;
        codes.set(text, code);
      }
      return code;
    },
    select: (col) => (codes.size === 0 ? cast("NULL") : cast(`[${[...codes.keys()].map(sqlString).join(", ")}][${col}]`)),
  };
}

function epochMs(value: RowValue, column: string): number | null {
  if (value === null) return null;
  const ms = value instanceof Date ? value.getTime() : typeof value === "string" ? isoMillis(value) : Number(value);
  if (Number.isNaN(ms)) throw new Error(`column ${column}: ${String(value)} is not an ISO-8601 timestamp`);
  return ms;
}

function asText(value: Exclude<RowValue, null>): string {
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
