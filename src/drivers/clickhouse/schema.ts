// What a clickhouse target and its workloads accept. Strict objects: an unknown key is a mistake
// the suite loader reports with the field's line, not something to ignore.
import { z } from "zod";
import { GENERATOR_NAMES } from "../../data/index.js";
import { exactlyOneQuery, matching, QUERY_FIELDS, RowCount } from "../sql-schema.js";

/** A table name, optionally database-qualified; interpolated into SQL, so plain identifiers only. */
const TableName = matching(
  /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/,
  "is not a plain table name",
  "use letters, digits and underscores, optionally database-qualified, e.g. market_ticks or warm.metrics_1m",
);

const HttpUrl = matching(
  /^https?:\/\/[^/]/,
  "is not an http:// or https:// URL",
  "write the server's HTTP interface, e.g. http://clickhouse.example.com:8123 (the native port 9000 does not speak HTTP)",
);

export const ClickHouseTargetSchema = z.strictObject({
  kind: z.literal("clickhouse"),
  /** The HTTP interface, e.g. http://127.0.0.1:8123; `${CLICKHOUSE_URL:-…}` takes it from the environment. */
  url: HttpUrl,
  user: z.string().min(1).default("default"),
  password: z.string().optional(),
  /** The database unqualified table names resolve in. */
  database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default("default"),
  /** HTTP connections kept open; also how many operations are at the server at once. */
  connections: z.number().int().min(1).max(1000).default(10),
  /** A request without an answer for this long fails as a timeout. */
  requestTimeoutMs: z.number().int().min(100).max(3_600_000).default(60_000),
  /** Server settings sent with every request, e.g. { max_threads: 4 }. The server refuses names it does not know. */
  settings: z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/), z.union([z.string(), z.number(), z.boolean()])).default({}),
  /** SQL run once, in order, right after connecting (databases, tables, materialized views). */
  setup: z.array(z.string().min(1)).default([]),
  /** Named SQL for `query` workloads. */
  queries: z.record(z.string().min(1), z.string().min(1)).default({}),
});
export type ClickHouseTarget = z.output<typeof ClickHouseTargetSchema>;

/** The most rows `pregenerate` holds: 20M market ticks are ~720 MB of TSV. */
const MAX_PREGENERATE = 20_000_000;

/** The wire formats an insert can use; all three exist in every ClickHouse since 2017. */
export const INSERT_FORMATS = ["TSV", "JSONEachRow", "RowBinary"] as const;
export type InsertFormat = (typeof INSERT_FORMATS)[number];

export const InsertWorkload = z.strictObject({
  type: z.literal("insert"),
  table: TableName,
  /** Rows per INSERT: ClickHouse makes one part per insert (per partition), so this sets the part rate. */
  batchSize: z.number().int().min(1).max(10_000_000).default(10_000),
  format: z.enum(INSERT_FORMATS).default("TSV"),
  generator: z.enum(GENERATOR_NAMES),
  /**
   * Rows generated and encoded before the load starts (whole batches, e.g. "1M"), as a file is
   * written before `clickhouse-client < file` starts: the operations that send them time the INSERT
   * alone. Later operations encode their rows as they go. Held in memory (~36 bytes a row in TSV).
   */
  pregenerate: RowCount.refine((n) => n <= MAX_PREGENERATE, {
    message: `more rows than pipebench holds in memory ahead (${MAX_PREGENERATE.toLocaleString("en-US")})`,
    params: { fix: "pregenerate at most 20M rows; the operations after them encode their rows as they go" },
  }).optional(),
  seed: z.number().int().default(1),
  /** Create the table (MergeTree, from the generator's columns) when it does not exist. */
  createTable: z.boolean().default(true),
  /** ORDER BY of a created table; default: the generator's key columns then its time. */
  orderBy: z.string().min(1).optional(),
  /** PARTITION BY of a created table; default: toYYYYMMDD(time). */
  partitionBy: z.string().min(1).optional(),
});
export type InsertWorkload = z.output<typeof InsertWorkload>;

export const QueryWorkload = z
  .strictObject({
    ...QUERY_FIELDS,
    /** Values for `{name:Type}` placeholders (query parameters: servers newer than 18.16; checked at prepare). */
    params: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.union([z.string(), z.number(), z.boolean()])).optional(),
  })
  .superRefine(exactlyOneQuery);
export type QueryWorkload = z.output<typeof QueryWorkload>;

export const ClickHouseWorkloadSchema = z.discriminatedUnion("type", [InsertWorkload, QueryWorkload]);
export type ClickHouseWorkload = z.output<typeof ClickHouseWorkloadSchema>;
