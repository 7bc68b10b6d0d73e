// The error taxonomy: every error class the drivers produce (classifyError: the error's `code`) maps
// to one of a few stable kinds a person can act on, plus the code the server gave when it gave one:
//
//   timeout   no answer in time (the driver's timer, the socket's, a server-side statement timeout)
//   refused   nothing listens: the connection was refused
//   reset     the connection broke mid-exchange (reset, closed, terminated)
//   server    the server answered with an error: HTTP 5xx, a PostgreSQL SQLSTATE, a Kafka error code
//   client    the request was wrong: HTTP 4xx, SQLSTATE classes 22/23/42 (data, constraint, syntax)
//   other     anything else (a driver's own failure, an unknown error)
//
// The stored class stays the raw code ("ECONNREFUSED", "HTTP_503", "57P01"), so results written by
// any version read the same; the kind and label are derived here, where they are shown. The codes
// below were checked against real servers (test/engine/target-faults-http.test.ts,
// test/cli/postgres-restart.test.ts, test/cli/kafka-broker-restarted.test.ts, the http driver's
// tests): the http driver's
// TIMEOUT, SOCKET_CLOSED, ECONNRESET, ECONNREFUSED, HTTP_<status> (and, for https://, undici's
// UND_ERR_HEADERS_TIMEOUT, UND_ERR_SOCKET, ECONNRESET, ECONNREFUSED); pg's ECONNREFUSED, ECONNRESET,
// CONNECTION_TERMINATED (pg's codeless "Connection terminated unexpectedly", coded by the driver),
// 57P01 / 57P03 while a server stops and starts; Kafka's ECONNREFUSED while a broker is down and
// KAFKA_10_MESSAGE_TOO_LARGE for a record over the topic's max.message.bytes.

export const ERROR_KINDS = ["timeout", "refused", "reset", "server", "client", "other"] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface ErrorClassInfo {
  kind: ErrorKind;
  /** The server's code when it gave one: HTTP status, SQLSTATE, Kafka error code. */
  code?: string;
  /** What a person reads: "refused (ECONNREFUSED)", "server 503", "server 57P01 admin_shutdown". */
  label: string;
}

const TIMEOUTS = new Set([
  "TIMEOUT",
  "CONNECT_TIMEOUT",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "timeout-at-end",
  "PLT_KFK_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "PG_TIMEOUT",
  "TimeoutError",
]);
const REFUSED = new Set(["ECONNREFUSED"]);
const RESETS = new Set([
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
  "SOCKET_CLOSED",
  "CONNECTION_TERMINATED",
  "UND_ERR_SOCKET",
  "PLT_KFK_NETWORK",
]);

/** The SQLSTATEs a load test meets when a server stops, starts or is overloaded, by name. */
const SQLSTATE_NAMES: Readonly<Record<string, string>> = {
  "08000": "connection_exception",
  "08003": "connection_does_not_exist",
  "08006": "connection_failure",
  "08001": "sqlclient_unable_to_establish_sqlconnection",
  "08004": "sqlserver_rejected_establishment_of_sqlconnection",
  "22001": "string_data_right_truncation",
  "22P02": "invalid_text_representation",
  "23502": "not_null_violation",
  "23505": "unique_violation",
  "25P02": "in_failed_sql_transaction",
  "40001": "serialization_failure",
  "40P01": "deadlock_detected",
  "42501": "insufficient_privilege",
  "42601": "syntax_error",
  "42703": "undefined_column",
  "42P01": "undefined_table",
  "53100": "disk_full",
  "53200": "out_of_memory",
  "53300": "too_many_connections",
  "55P03": "lock_not_available",
  "57014": "query_canceled",
  "57P01": "admin_shutdown",
  "57P02": "crash_shutdown",
  "57P03": "cannot_connect_now",
  "58000": "system_error",
  P0001: "raise_exception",
  XX000: "internal_error",
};
/** SQLSTATE classes that say the statement or its data was wrong, not the server. */
const SQLSTATE_CLIENT_CLASSES = new Set(["22", "23", "42", "0A", "2B", "3D", "3F", "44"]);

const HTTP = /^HTTP_(\d{3})$/;
/** SQLSTATE classes begin with a digit, but for F0 (config file), HV (FDW), P0 (PL/pgSQL) and XX (internal). */
const SQLSTATE = /^([0-9][0-9A-Z]{4}|(F0|HV|P0|XX)[0-9A-Z]{3})$/;
/** The ClickHouse driver's class for a server's error: CLICKHOUSE_<code>[_<name>] (drivers/clickhouse/errors.ts). */
const CLICKHOUSE = /^CLICKHOUSE_(\d+)(?:_([A-Z0-9_]+))?$/;
/** ClickHouse codes of a server-side time limit: TIMEOUT_EXCEEDED, TOO_SLOW, SOCKET_TIMEOUT. */
const CLICKHOUSE_TIMEOUTS = new Set(["159", "160", "209"]);
/** ClickHouse codes that say the statement or its data was wrong (syntax, unknown table, column,
 * setting or format, unparsable input, read-only user, access denied), not the server. */
const CLICKHOUSE_CLIENT = new Set(["16", "26", "27", "38", "41", "46", "47", "50", "57", "60", "62", "73", "81", "115", "117", "164", "456", "497"]);
/** The Trino driver's class for a query's error: TRINO_<errorName> (drivers/trino/query.ts). */
const TRINO = /^TRINO_([A-Z0-9_]+)$/;
/** Trino error names of a time limit (a server-side timer, or a client that stopped polling). */
const TRINO_TIMEOUTS = new Set(["EXCEEDED_TIME_LIMIT", "ABANDONED_QUERY", "PAGE_TRANSPORT_TIMEOUT"]);
/** Trino's INSUFFICIENT_RESOURCES and INTERNAL_ERROR names: the cluster's failure. Every other name
 * Trino sends is a USER_ERROR (syntax, unknown table, a bad cast), the statement's. */
const TRINO_SERVER = /^(EXCEEDED_|CLUSTER_OUT_OF_MEMORY|QUERY_QUEUE_FULL|GENERIC_INTERNAL_ERROR|NO_NODES_AVAILABLE|REMOTE_|PAGE_|SERVER_|TOO_MANY_REQUESTS_FAILED|COMPILER_ERROR|GENERIC_INSUFFICIENT_RESOURCES|HIVE_|ICEBERG_)/;
/** The Kafka driver's class for a broker's error: KAFKA_<error code>_<error name>. */
const KAFKA = /^KAFKA_(\d+)_([A-Z_]+)$/;
const KAFKA_TIMEOUTS = new Set(["REQUEST_TIMED_OUT"]);
const KAFKA_RESETS = new Set(["NETWORK_EXCEPTION"]);
/** Broker errors that say the request was wrong (too large, not allowed), not the broker. */
const KAFKA_CLIENT = new Set([
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_TOPIC_EXCEPTION",
  "INVALID_REQUIRED_ACKS",
  "INVALID_RECORD",
  "TOPIC_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
]);

/** The kind, code and label of a stored error class. Pure; unknown classes are `other`. */
export function errorClassInfo(errorClass: string): ErrorClassInfo {
  if (TIMEOUTS.has(errorClass) || (errorClass.startsWith("UND_ERR_") && errorClass.endsWith("_TIMEOUT"))) {
    return { kind: "timeout", label: `timeout (${errorClass})` };
  }
  if (REFUSED.has(errorClass)) return { kind: "refused", label: `refused (${errorClass})` };
  if (RESETS.has(errorClass)) return { kind: "reset", label: `reset (${errorClass})` };
  const http = HTTP.exec(errorClass);
  if (http) {
    const status = http[1] ?? "";
    const kind: ErrorKind = status.startsWith("5") ? "server" : status.startsWith("4") ? "client" : "other";
    return { kind, code: status, label: kind === "other" ? `HTTP ${status}` : `${kind} ${status}` };
  }
  const kafka = KAFKA.exec(errorClass);
  if (kafka) {
    const [, code = "", name = ""] = kafka;
    const kind: ErrorKind =
      KAFKA_TIMEOUTS.has(name) ? "timeout"
      : KAFKA_RESETS.has(name) ? "reset"
      : KAFKA_CLIENT.has(name) ? "client"
      : "server";
    return { kind, code, label: `${kind} kafka ${code} ${name}` };
  }
  const clickhouse = CLICKHOUSE.exec(errorClass);
  if (clickhouse) {
    const [, code = "", name] = clickhouse;
    const kind: ErrorKind = CLICKHOUSE_TIMEOUTS.has(code) ? "timeout" : CLICKHOUSE_CLIENT.has(code) ? "client" : "server";
    return { kind, code, label: `${kind} clickhouse ${code}${name === undefined ? "" : ` ${name}`}` };
  }
  const trino = TRINO.exec(errorClass);
  if (trino) {
    const name = trino[1] ?? "";
    const kind: ErrorKind = TRINO_TIMEOUTS.has(name) ? "timeout" : TRINO_SERVER.test(name) ? "server" : "client";
    return { kind, code: name, label: `${kind} trino ${name}` };
  }
  if (SQLSTATE.test(errorClass)) {
    const name = SQLSTATE_NAMES[errorClass];
    const named = name === undefined ? errorClass : `${errorClass} ${name}`;
    // A statement_timeout is the server's timer: a timeout, with the server's code.
    const kind: ErrorKind =
      errorClass === "57014" ? "timeout" : SQLSTATE_CLIENT_CLASSES.has(errorClass.slice(0, 2)) ? "client" : "server";
    return { kind, code: errorClass, label: `${kind} ${named}` };
  }
  return { kind: "other", label: errorClass };
}

/** Error counts by class, summed by kind; kinds with no errors are left out. */
export function errorsByKind(byClass: Readonly<Record<string, number>>): Partial<Record<ErrorKind, number>> {
  const out: Partial<Record<ErrorKind, number>> = {};
  for (const [errorClass, n] of Object.entries(byClass)) {
    if (n <= 0) continue;
    const { kind } = errorClassInfo(errorClass);
    out[kind] = (out[kind] ?? 0) + n;
  }
  return out;
}
