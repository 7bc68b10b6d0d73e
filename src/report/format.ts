// Number formatting and text columns for the report's views. The formatters themselves live in
// src/format (sweep, compare and diagnose print numbers too, and must not import report); they are
// re-exported here so report's own modules and the CLI keep one import.
import { formatRate } from "../format/numbers.js";

export { formatBytes, formatCount, formatMs, formatPercent, formatRate } from "../format/numbers.js";
export { table } from "../format/columns.js";

/** What a workload's records per second are called: a query's records are the rows it returned. */
export function recordsUnit(workload: unknown): "rows/s" | "records/s" {
  return (workload as { type?: unknown } | null)?.type === "query" ? "rows/s" : "records/s";
}

/** Records per second as the tables show them: a query's records are the rows it returned, and say so. */
export function recordsRate(workload: unknown, perSecond: number): string {
  const rate = formatRate(perSecond);
  return recordsUnit(workload) === "rows/s" ? rate.replace(/\/s$/, " rows/s") : rate;
}
