// Driver schemas shaped like the real ones (strict zod objects, workloads discriminated on `type`),
// so the loader's tests do not depend on drivers being written in parallel. Schemas only: the
// loader never connects.
import { z } from "zod";
import type { DriverSchema, DriverSchemas } from "../../src/suite/types.js";

const postgres = {
  kind: "postgres",
  targetSchema: z.strictObject({
    kind: z.literal("postgres"),
    embedded: z.boolean().optional(),
    url: z.string().optional(),
    pool: z.number().int().positive().optional(),
  }),
  workloadSchema: z.discriminatedUnion("type", [
    z.strictObject({
      type: z.literal("insert"),
      table: z.string(),
      method: z.enum(["copy", "insert"]).optional(),
      batchSize: z.number().int().positive().optional(),
      generator: z.string().optional(),
    }),
    z.strictObject({ type: z.literal("query"), query: z.string() }),
  ]),
  probeKinds: ["postgres-stats"],
  probeMetrics: { cache_hit_ratio: "ratio", connection_usage: "ratio", mean_query_time: "duration" },
} satisfies DriverSchema;

const duckdb = {
  kind: "duckdb",
  targetSchema: z.strictObject({ kind: z.literal("duckdb"), path: z.string().optional() }),
  workloadSchema: z.discriminatedUnion("type", [z.strictObject({ type: z.literal("query"), query: z.string() })]),
  probeKinds: [],
};

const http = {
  kind: "http",
  targetSchema: z.strictObject({ kind: z.literal("http"), url: z.string(), connections: z.number().int().positive().optional() }),
  workloadSchema: z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("request"), method: z.enum(["GET", "POST"]).default("GET"), path: z.string() }),
  ]),
  probeKinds: [],
};

export const fakeDrivers: DriverSchemas = new Map<string, DriverSchema>([
  ["postgres", postgres],
  ["duckdb", duckdb],
  ["http", http],
]);
