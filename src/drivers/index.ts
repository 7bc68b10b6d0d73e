// The driver registry: one explicit map, no registration by import side effect.
import type { Driver } from "./driver.js";
import { clickhouse } from "./clickhouse/index.js";
import { duckdb } from "./duckdb/index.js";
import { http } from "./http/index.js";
import { kafka } from "./kafka/index.js";
import { postgres } from "./postgres/index.js";
import { trino } from "./trino/index.js";

export const drivers: Readonly<Record<string, Driver>> = {
  postgres: postgres as Driver,
  duckdb: duckdb as Driver,
  http: http as Driver,
  kafka: kafka as Driver,
  trino: trino as Driver,
  clickhouse: clickhouse as Driver,
};

/** The schemas the suite loader validates targets and workloads against. */
export const driverSchemas: ReadonlyMap<string, Driver> = new Map(Object.entries(drivers));
