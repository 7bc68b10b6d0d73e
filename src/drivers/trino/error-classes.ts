// The Trino driver's class for a query's error, TRINO_<errorName> (query.ts), read here as a time
// limit, the cluster's failure or the statement's.
import type { ErrorClassifier, ErrorKind } from "../../metrics/error-kind.js";

const TRINO = /^TRINO_([A-Z0-9_]+)$/;
/** Trino error names of a time limit (a server-side timer, or a client that stopped polling). */
const TRINO_TIMEOUTS = new Set(["EXCEEDED_TIME_LIMIT", "ABANDONED_QUERY", "PAGE_TRANSPORT_TIMEOUT"]);
/** Trino's INSUFFICIENT_RESOURCES and INTERNAL_ERROR names: the cluster's failure. Every other name
 * Trino sends is a USER_ERROR (syntax, unknown table, a bad cast), the statement's. */
const TRINO_SERVER = /^(EXCEEDED_|CLUSTER_OUT_OF_MEMORY|QUERY_QUEUE_FULL|GENERIC_INTERNAL_ERROR|NO_NODES_AVAILABLE|REMOTE_|PAGE_|SERVER_|TOO_MANY_REQUESTS_FAILED|COMPILER_ERROR|GENERIC_INSUFFICIENT_RESOURCES|HIVE_|ICEBERG_)/;

export const trinoErrorClass: ErrorClassifier = (errorClass) => {
  const trino = TRINO.exec(errorClass);
  if (!trino) return undefined;
  const name = trino[1] ?? "";
  const kind: ErrorKind = TRINO_TIMEOUTS.has(name) ? "timeout" : TRINO_SERVER.test(name) ? "server" : "client";
  return { kind, code: name, label: `${kind} trino ${name}` };
};
