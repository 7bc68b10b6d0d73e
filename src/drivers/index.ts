// The driver registry: one explicit map, no registration by import side effect. What a driver
// declares (error classes, probe metrics, endpoint) is read from here by the modules above it;
// `satisfies` checks each entry against the contract without widening its own types.
import type { Driver } from "./driver.js";
import { clickhouse } from "./clickhouse/index.js";
import { duckdb } from "./duckdb/index.js";
import { http } from "./http/index.js";
import { kafka } from "./kafka/index.js";
import { postgres } from "./postgres/index.js";
import { ray } from "./ray/index.js";
import { trino } from "./trino/index.js";

export const drivers = {
  postgres,
  duckdb,
  http,
  kafka,
  trino,
  clickhouse,
  ray,
} as const satisfies Readonly<Record<string, Driver>>;

export type DriverKind = keyof typeof drivers;

/** The schemas the suite loader validates targets and workloads against. */
export const driverSchemas: ReadonlyMap<string, Driver> = new Map(Object.entries(drivers));

/** The driver of a target kind; undefined for a kind the suite loader would have refused. */
export function driverOf(kind: string): Driver | undefined {
  return driverSchemas.get(kind);
}
