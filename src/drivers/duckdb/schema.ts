// What a `duckdb` target and its `query` workload accept.
import { z } from "zod";
import { GENERATOR_NAMES } from "../../data/index.js";
import { parseCount } from "../../suite/units.js";

/** A plain SQL identifier: datasets name tables that other SQL in the suite refers to unquoted. */
const TableName = z.string().refine((name) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name), {
  message: "not a plain table name",
  params: { fix: "use letters, digits and underscores, starting with a letter, e.g. commodity_prices" },
});

/** A row count: 100000, "100k", "1M". */
const RowCount = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const n = parseCount(value);
  if (n === undefined || !Number.isInteger(n) || n < 0) {
    ctx.addIssue({
      code: "custom",
      message: `"${value}" is not a row count`,
      params: { fix: 'write a whole number of rows, e.g. 100000, "100k" or "1M"' },
    });
    return z.NEVER;
  }
  return n;
});

/** A table filled with a generator's rows `0 … rows-1` before the scenarios run. */
export const DuckDbDatasetSchema = z.strictObject({
  table: TableName,
  generator: z.enum(GENERATOR_NAMES),
  rows: RowCount,
  seed: z.number().int().default(1),
});

export const DuckDbTargetSchema = z.strictObject({
  kind: z.literal("duckdb"),
  /** Database file, relative to the suite file's directory; ":memory:" for an in-memory database. */
  path: z.string().min(1).default(":memory:"),
  /** DuckDB worker threads (its `threads` setting); default: one per core. */
  threads: z.number().int().positive().optional(),
  datasets: z.array(DuckDbDatasetSchema).default([]),
  /** SQL run once after the datasets are created (indexes, views, settings). */
  setup: z.array(z.string().min(1)).default([]),
  /** Named queries that workloads refer to with `query: NAME`. */
  queries: z.record(z.string(), z.string().min(1)).default({}),
});

const Param = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const QueryWorkloadSchema = z
  .strictObject({
    type: z.literal("query"),
    /** Name of one of the target's `queries`. */
    query: z.string().min(1).optional(),
    sql: z.string().min(1).optional(),
    /** Values for `?` / `$1` placeholders, bound on every run. */
    params: z.array(Param).optional(),
  })
  .refine((w) => (w.query === undefined) !== (w.sql === undefined), {
    message: "a query workload needs exactly one of `query` and `sql`",
    params: { fix: "name one of the target's queries with `query: NAME`, or give the SQL with `sql: …`" },
  });

export const DuckDbWorkloadSchema = z.discriminatedUnion("type", [QueryWorkloadSchema]);

export type DuckDbTarget = z.output<typeof DuckDbTargetSchema>;
export type DuckDbDataset = z.output<typeof DuckDbDatasetSchema>;
export type DuckDbWorkload = z.output<typeof DuckDbWorkloadSchema>;
export type QueryWorkload = z.output<typeof QueryWorkloadSchema>;
