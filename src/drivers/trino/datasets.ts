// Datasets: tables filled with a generator's rows before the scenarios run, so seed 000's queries
// (written against `commodity_prices`) run on Trino as written, over the same rows a seed gives
// DuckDB and PostgreSQL.
//
// Trino has no bulk-load protocol; rows go in as SQL. Each INSERT carries a chunk of rows as one
// array per column, turned back into rows by UNNEST: the planner sees a handful of array literals
// instead of thousands of VALUES rows (whose analysis cost grows with the row count).
// Timestamps travel as ISO text and decimals as text, cast on the server, so nothing is rounded in
// between.
import { generators, type Column, type RowValue } from "../../data/index.js";
import { quoteIdent, sqlString } from "../sql-text.js";
import type { TrinoClient } from "./protocol.js";
import type { TrinoDataset } from "./schema.js";

/** Rows per INSERT: about 0.3–0.5 MB of SQL for the generators' rows, well under query.max-length. */
const CHUNK_ROWS = 5000;

export interface DatasetCreated {
  readonly table: string;
  readonly rows: number;
  readonly ms: number;
}

export async function createDataset(client: TrinoClient, dataset: TrinoDataset): Promise<DatasetCreated> {
  const started = performance.now();
  const generator = generators[dataset.generator];
  const source = generator.create(dataset.seed);
  const table = `${dataset.catalog}.${dataset.schema}.${quoteIdent(dataset.table)}`;
  const columns = generator.columns.map((c) => ({ name: c.name, type: trinoType(c) }));

  await client.execute(`DROP TABLE IF EXISTS ${table}`);
  await client.execute(`CREATE TABLE ${table} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(", ")})`);
  let written = 0;
  for (let start = 0; start < dataset.rows; start += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, dataset.rows - start);
    const arrays: string[][] = columns.map(() => []);
    for (let i = 0; i < n; i++) {
      const row = source.row(start + i);
      for (let c = 0; c < columns.length; c++) arrays[c]?.push(literal(row[c] ?? null));
    }
    const aliases = columns.map((_, c) => `c${c}`);
    const select = columns.map((col, c) => `${cast(`c${c}`, col.type)} AS ${quoteIdent(col.name)}`);
    const sql =
      `INSERT INTO ${table} SELECT ${select.join(", ")} ` +
      `FROM UNNEST(${arrays.map((a) => `ARRAY[${a.join(",")}]`).join(", ")}) AS t(${aliases.join(", ")})`;
    const result = await client.execute(sql, { keepRows: 1 });
    written += Number(result.data[0]?.[0] ?? 0);
  }
  if (written !== dataset.rows) throw new Error(`inserted ${written} rows into ${table}, expected ${dataset.rows}`);
  return { table, rows: written, ms: performance.now() - started };
}

/** The generator's PostgreSQL column type, in Trino's words. */
export function trinoType(column: Column): string {
  const t = column.sqlType.toLowerCase();
  if (t === "timestamptz" || t === "timestamp with time zone") return "timestamp(3) with time zone";
  if (t === "timestamp") return "timestamp(3)";
  if (t === "text" || t.startsWith("varchar") || t === "uuid" || t === "jsonb" || t === "json") return "varchar";
  if (t === "double precision" || t === "float8") return "double";
  if (t === "real" || t === "float4") return "real";
  if (t === "integer" || t === "int" || t === "int4") return "integer";
  if (t === "bigint" || t === "int8") return "bigint";
  if (t === "smallint") return "smallint";
  if (t === "boolean" || t === "bool") return "boolean";
  const decimal = /^numeric\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) return `decimal(${decimal[1]},${decimal[2]})`;
  return "varchar";
}

/** How a staged column (text, double, boolean) becomes the table's type. */
function cast(column: string, type: string): string {
  if (type.startsWith("timestamp")) return `CAST(from_iso8601_timestamp(${column}) AS ${type})`;
  if (type === "varchar") return column;
  return `CAST(${column} AS ${type})`;
}

/** A value as a SQL literal in a text array: every staged value is varchar (or NULL). */
function literal(value: RowValue): string {
  if (value === null) return "CAST(NULL AS varchar)";
  if (typeof value === "string") return sqlString(value);
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return sqlString(String(value));
  if (value instanceof Date) return sqlString(value.toISOString());
  if (value instanceof Uint8Array) return sqlString(Buffer.from(value).toString("hex"));
  return sqlString(JSON.stringify(value));
}
