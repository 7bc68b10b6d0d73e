// What a `trino` target and its `query` workload accept. Strict objects: an unknown key is a
// mistake the suite loader reports with its line.
import { z } from "zod";
import { baseUrl } from "../base-url.js";
import { GENERATOR_NAMES } from "../../data/index.js";
import { exactlyOneQuery, Identifier, QUERY_FIELDS, RowCount } from "../sql-schema.js";

const HttpUrl = baseUrl("Trino coordinator", "write the coordinator's base URL, e.g. http://trino.example.com:8080 (no path), or ${TRINO_URL:-http://127.0.0.1:8080}");

/**
 * A table filled with a generator's rows `0 … rows-1` before the scenarios run, in a catalog
 * whose connector can create tables (the memory connector by default). It is dropped and made
 * again on every connect, so a run starts from the same rows.
 */
export const TrinoDatasetSchema = z.strictObject({
  table: Identifier,
  generator: z.enum(GENERATOR_NAMES),
  rows: RowCount,
  seed: z.number().int().default(1),
  catalog: Identifier.default("memory"),
  schema: Identifier.default("default"),
});

export const TrinoTargetSchema = z.strictObject({
  kind: z.literal("trino"),
  /** The coordinator, e.g. http://127.0.0.1:8080; `${TRINO_URL:-…}` takes it from the environment. */
  url: HttpUrl,
  /** X-Trino-User: who the queries run as (resource groups and access control see it). */
  user: z.string().min(1).default("pipebench"),
  /** X-Trino-Source: how the queries show in system.runtime.queries and the web UI. */
  source: z.string().min(1).default("pipebench"),
  /** Default catalog and schema of unqualified names (X-Trino-Catalog / X-Trino-Schema). */
  catalog: Identifier.optional(),
  schema: Identifier.optional(),
  /** Session properties sent with every query, e.g. { query_max_run_time: 10m, join_distribution_type: BROADCAST }. */
  session: z.record(z.string().regex(/^[a-z][a-z0-9_.]*$/), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
  /** Sockets kept open to the coordinator; also the concurrency the engine is told suits the target. */
  connections: z.number().int().min(1).max(1000).default(8),
  datasets: z.array(TrinoDatasetSchema).default([]),
  /** SQL run once, in order, after the datasets are loaded. */
  setup: z.array(z.string().min(1)).default([]),
  /** Named queries that workloads refer to with `query: NAME`. */
  queries: z.record(z.string().min(1), z.string().min(1)).default({}),
});

export const TrinoQueryWorkloadSchema = z.strictObject(QUERY_FIELDS).superRefine(exactlyOneQuery);

export const TrinoWorkloadSchema = z.discriminatedUnion("type", [TrinoQueryWorkloadSchema]);

export type TrinoTarget = z.output<typeof TrinoTargetSchema>;
export type TrinoDataset = z.output<typeof TrinoDatasetSchema>;
export type TrinoWorkload = z.output<typeof TrinoWorkloadSchema>;
export type TrinoQueryWorkload = z.output<typeof TrinoQueryWorkloadSchema>;
