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
// Each driver reads its own classes (Driver.errorClasses; drivers/error-classes.ts asks them all);
// this file holds the kinds and the network classes every client shares.
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
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "TimeoutError",
]);
const REFUSED = new Set(["ECONNREFUSED"]);
const RESETS = new Set([
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
]);

/**
 * A driver's reading of the error classes it produces itself (a prefix or shape of its own:
 * KAFKA_<code>_<name>, a SQLSTATE, HTTP_<status>), or undefined for a class that is not its.
 * Declared by each driver (Driver.errorClasses) so a new driver's codes need no edit here.
 */
export type ErrorClassifier = (errorClass: string) => ErrorClassInfo | undefined;

/** The classes every network client gives (errno, timers): read before any driver's own. */
export function networkErrorClass(errorClass: string): ErrorClassInfo | undefined {
  if (TIMEOUTS.has(errorClass) || (errorClass.startsWith("UND_ERR_") && errorClass.endsWith("_TIMEOUT"))) {
    return { kind: "timeout", label: `timeout (${errorClass})` };
  }
  if (REFUSED.has(errorClass)) return { kind: "refused", label: `refused (${errorClass})` };
  if (RESETS.has(errorClass)) return { kind: "reset", label: `reset (${errorClass})` };
  return undefined;
}

/** The kind, code and label of a stored error class. Pure; a class no classifier reads is `other`. */
export function classifyErrorClass(errorClass: string, classifiers: readonly ErrorClassifier[]): ErrorClassInfo {
  const network = networkErrorClass(errorClass);
  if (network !== undefined) return network;
  // The stored class does not say which driver made it; the drivers' shapes are disjoint, so the
  // first that reads it is the one.
  for (const classify of classifiers) {
    const info = classify(errorClass);
    if (info !== undefined) return info;
  }
  return { kind: "other", label: errorClass };
}

/** Error counts by class, summed by kind; kinds with no errors are left out. */
export function errorsByKindWith(
  byClass: Readonly<Record<string, number>>,
  classifiers: readonly ErrorClassifier[],
): Partial<Record<ErrorKind, number>> {
  const out: Partial<Record<ErrorKind, number>> = {};
  for (const [errorClass, n] of Object.entries(byClass)) {
    if (n <= 0) continue;
    const { kind } = classifyErrorClass(errorClass, classifiers);
    out[kind] = (out[kind] ?? 0) + n;
  }
  return out;
}
