// What a `duckdb` target and its `query` workload accept.
import { z } from "zod";
import { GENERATOR_NAMES } from "../../data/index.js";
import { exactlyOneQuery, Identifier, QUERY_FIELDS, RowCount } from "../sql-schema.js";

/** A table filled with a generator's rows `0 … rows-1` before the scenarios run. */
export const DuckDbDatasetSchema = z.strictObject({
  table: Identifier,
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
    ...QUERY_FIELDS,
    /** Values for `?` / `$1` placeholders, bound on every run. */
    params: z.array(Param).optional(),
  })
  .superRefine(exactlyOneQuery);

export const DuckDbWorkloadSchema = z.discriminatedUnion("type", [QueryWorkloadSchema]);

export type DuckDbTarget = z.output<typeof DuckDbTargetSchema>;
export type DuckDbDataset = z.output<typeof DuckDbDatasetSchema>;
export type DuckDbWorkload = z.output<typeof DuckDbWorkloadSchema>;
export type QueryWorkload = z.output<typeof QueryWorkloadSchema>;
