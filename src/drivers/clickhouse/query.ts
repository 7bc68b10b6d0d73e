// `query` workloads: one operation runs one statement (named in the target's `queries`, or given
// inline) and reports the rows it returned, counted exactly: a SELECT is read as TabSeparated (one
// line per row, newlines inside values escaped) and its lines counted, never parsed. Other
// statements (INSERT … SELECT, OPTIMIZE, ALTER) count as one record each.
import { UsageError } from "../../errors.js";
import type { PreparedWorkload } from "../driver.js";
import type { WorkloadContext } from "./context.js";
import { clickHouseCode, withClickHouseCode } from "./errors.js";
import type { QueryWorkload } from "./schema.js";
import { needsNewer, type ServerFeatures } from "./server-features.js";

/** Statements that return rows; the driver gives them a FORMAT clause to count the rows by. */
const RETURNS_ROWS = /^\s*(?:\(\s*)*(select|with|show|describe|desc|exists)\b/i;
const NEWLINE = 0x0a;

export async function prepareQuery(
  c: WorkloadContext,
  workload: QueryWorkload,
  queries: Readonly<Record<string, string>>,
  scenario: string,
): Promise<PreparedWorkload> {
  const text = (workload.sql ?? queries[workload.query ?? ""] ?? "").trim().replace(/;\s*$/, "");
  if (/\bFORMAT\s+\w+\s*$/i.test(text)) {
    throw new UsageError(`scenario ${scenario}: the query ends in a FORMAT clause`, {
      hint: "remove it: pipebench reads the result as TabSeparated to count its rows exactly",
    });
  }
  const params = workload.params;
  if (params !== undefined) await checkParams(c, scenario);
  const rows = RETURNS_ROWS.test(text);
  const query = rows ? `${text}\nFORMAT TabSeparated` : text;

  return {
    run: async (op) => {
      const release = await c.slots.take(op);
      let records = 0;
      let bytes = 0;
      try {
        const result = await c.client.exec({ query, abort_signal: op.signal, ...(params === undefined ? {} : { query_params: params }) });
        for await (const chunk of result.stream as AsyncIterable<Buffer>) {
          bytes += chunk.length;
          for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) records++;
        }
      } catch (error) {
        throw withClickHouseCode(error);
      } finally {
        release();
      }
      return { records: rows ? records : 1, bytes };
    },
    concurrencyHint: c.connections,
    clientSlots: { count: c.connections, setting: "connections" },
    signalsSent: true,
  };
}

/**
 * Query parameters (`{name:Type}` with `params:`) exist on servers newer than 18.16. Asked of the
 * server itself: one that does not know them answers "Unknown setting param_…" (code 115).
 */
async function checkParams(c: WorkloadContext, scenario: string): Promise<void> {
  try {
    await c.client.command({ query: "SELECT {pipebench_probe:UInt8}", query_params: { pipebench_probe: 1 } });
  } catch (error) {
    const code = clickHouseCode(error);
    if (code !== 115 && code !== 62) throw withClickHouseCode(error);
    throw new UsageError(`scenario ${scenario}: ${needsNewer("params: (query parameters)", c.features.version, "it has no {name:Type} placeholders")}`, {
      hint: "write the values into the SQL as literals (quote strings with single quotes), and remove params:",
    });
  }
}
