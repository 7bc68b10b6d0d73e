// The ClickHouse driver's class for a server's error, CLICKHOUSE_<code>[_<name>] (errors.ts), read
// here as a server-side time limit, the statement's fault or the server's.
import type { ErrorClassifier, ErrorKind } from "../../metrics/error-kind.js";

const CLICKHOUSE = /^CLICKHOUSE_(\d+)(?:_([A-Z0-9_]+))?$/;
/** ClickHouse codes of a server-side time limit: TIMEOUT_EXCEEDED, TOO_SLOW, SOCKET_TIMEOUT. */
const CLICKHOUSE_TIMEOUTS = new Set(["159", "160", "209"]);
/** ClickHouse codes that say the statement or its data was wrong (syntax, unknown table, column,
 * setting or format, unparsable input, read-only user, access denied), not the server. */
const CLICKHOUSE_CLIENT = new Set(["16", "26", "27", "38", "41", "46", "47", "50", "57", "60", "62", "73", "81", "115", "117", "164", "456", "497"]);

export const clickhouseErrorClass: ErrorClassifier = (errorClass) => {
  const clickhouse = CLICKHOUSE.exec(errorClass);
  if (!clickhouse) return undefined;
  const [, code = "", name] = clickhouse;
  const kind: ErrorKind = CLICKHOUSE_TIMEOUTS.has(code) ? "timeout" : CLICKHOUSE_CLIENT.has(code) ? "client" : "server";
  return { kind, code, label: `${kind} clickhouse ${code}${name === undefined ? "" : ` ${name}`}` };
};
