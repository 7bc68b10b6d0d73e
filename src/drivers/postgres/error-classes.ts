// PostgreSQL's error classes as the engine counts them: the server's SQLSTATE, kept raw ("57P01")
// and read here into a kind (metrics/error-kind.ts) and a name a person knows.
import type { ErrorClassifier, ErrorKind } from "../../metrics/error-kind.js";

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
/** SQLSTATE classes begin with a digit, but for F0 (config file), HV (FDW), P0 (PL/pgSQL) and XX (internal). */
const SQLSTATE = /^([0-9][0-9A-Z]{4}|(F0|HV|P0|XX)[0-9A-Z]{3})$/;

/** pg's codeless errors, coded by the driver (errors.ts): a timer of pg's, a connection it lost. */
const PG_OWN: Readonly<Record<string, ErrorKind>> = { PG_TIMEOUT: "timeout", CONNECTION_TERMINATED: "reset" };

export const postgresErrorClass: ErrorClassifier = (errorClass) => {
  const own = Object.hasOwn(PG_OWN, errorClass) ? PG_OWN[errorClass] : undefined;
  if (own !== undefined) return { kind: own, label: `${own} (${errorClass})` };
  if (!SQLSTATE.test(errorClass)) return undefined;
  const name = SQLSTATE_NAMES[errorClass];
  const named = name === undefined ? errorClass : `${errorClass} ${name}`;
  // A statement_timeout is the server's timer: a timeout, with the server's code.
  const kind: ErrorKind =
    errorClass === "57014" ? "timeout" : SQLSTATE_CLIENT_CLASSES.has(errorClass.slice(0, 2)) ? "client" : "server";
  return { kind, code: errorClass, label: `${kind} ${named}` };
};
