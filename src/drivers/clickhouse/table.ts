// A generator's table in ClickHouse: column types from the generator's (PostgreSQL-spelled) types,
// and the MergeTree a warm store uses (seed 004): partitioned by day, ordered by the generator's
// key columns then its time, so a query for one series over a time range reads few granules.
import type { Column } from "../../data/index.js";
import type { ServerFeatures } from "./server-features.js";

/** How each generator column is written on the wire and declared in the table. */
export type ColumnKind = "string" | "float64" | "int32" | "decimal" | "datetime" | "bool" | "uuid" | "json";

export interface ClickHouseColumn {
  readonly name: string;
  readonly kind: ColumnKind;
  /** The ClickHouse type, e.g. "Decimal(14, 4)", "DateTime('UTC')". */
  readonly type: string;
  /** Decimal scale (fraction digits), for RowBinary. */
  readonly scale?: number;
  /** Decimal precision, for RowBinary's width (≤ 9: 4 bytes, ≤ 18: 8 bytes). */
  readonly precision?: number;
}

/** The ClickHouse column for a generator column, on this server (DateTime64 only where it exists). */
export function clickHouseColumn(column: Column, features: ServerFeatures): ClickHouseColumn {
  const t = column.sqlType.toLowerCase();
  const decimal = /^numeric\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) {
    const precision = Number(decimal[1]);
    const scale = Number(decimal[2]);
    return { name: column.name, kind: "decimal", type: `Decimal(${precision}, ${scale})`, precision, scale };
  }
  switch (t) {
    case "timestamptz":
    case "timestamp":
      // 18.16 has no DateTime64: whole seconds there, milliseconds where the server can keep them.
      return { name: column.name, kind: "datetime", type: features.dateTime64 ? "DateTime64(3, 'UTC')" : "DateTime('UTC')" };
    case "double precision":
      return { name: column.name, kind: "float64", type: "Float64" };
    case "integer":
      return { name: column.name, kind: "int32", type: "Int32" };
    case "boolean":
      return { name: column.name, kind: "bool", type: "UInt8" };
    case "uuid":
      return { name: column.name, kind: "uuid", type: "UUID" };
    case "jsonb":
    case "json":
      return { name: column.name, kind: "json", type: "String" };
    default:
      return { name: column.name, kind: "string", type: "String" };
  }
}

export function quoteIdent(name: string): string {
  return `\`${name.replace(/\\/g, "\\\\").replace(/`/g, "\\`")}\``;
}

export interface TableShape {
  readonly orderBy?: string | undefined;
  readonly partitionBy?: string | undefined;
}

/** CREATE TABLE IF NOT EXISTS … ENGINE = MergeTree() for the generator's columns. */
export function createTableSql(table: string, columns: readonly ClickHouseColumn[], shape: TableShape): string {
  const time = columns.find((c) => c.kind === "datetime");
  // Low-cardinality text columns first (instrument, metric, host), then time: the warm-store key.
  const keys = columns.filter((c) => c.kind === "string").slice(0, 2);
  const orderBy = shape.orderBy ?? `(${[...keys, ...(time ? [time] : [])].map((c) => quoteIdent(c.name)).join(", ") || "tuple()"})`;
  const partitionBy = shape.partitionBy ?? (time ? `toYYYYMMDD(${quoteIdent(time.name)})` : undefined);
  const definitions = columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(", ");
  return (
    `CREATE TABLE IF NOT EXISTS ${table} (${definitions}) ENGINE = MergeTree()` +
    `${partitionBy === undefined ? "" : ` PARTITION BY ${partitionBy}`} ORDER BY ${orderBy}`
  );
}
