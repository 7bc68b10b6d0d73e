import assert from "node:assert/strict";
import { test } from "node:test";
import { errorClassInfo, errorsByKind } from "../../src/drivers/error-classes.js";
import { errorsLine } from "../../src/report/errors-line.js";

// The classes the drivers produce against real servers (see the comment in error-kind.ts).
const CASES: [string, string, string, string | undefined][] = [
  ["ECONNREFUSED", "refused", "refused (ECONNREFUSED)", undefined],
  ["ECONNRESET", "reset", "reset (ECONNRESET)", undefined],
  ["SOCKET_CLOSED", "reset", "reset (SOCKET_CLOSED)", undefined],
  ["CONNECTION_TERMINATED", "reset", "reset (CONNECTION_TERMINATED)", undefined],
  ["TIMEOUT", "timeout", "timeout (TIMEOUT)", undefined],
  ["timeout-at-end", "timeout", "timeout (timeout-at-end)", undefined],
  ["UND_ERR_HEADERS_TIMEOUT", "timeout", "timeout (UND_ERR_HEADERS_TIMEOUT)", undefined],
  ["UND_ERR_SOCKET", "reset", "reset (UND_ERR_SOCKET)", undefined],
  ["HTTP_503", "server", "server 503", "503"],
  ["HTTP_404", "client", "client 404", "404"],
  ["57P01", "server", "server 57P01 admin_shutdown", "57P01"],
  ["57P03", "server", "server 57P03 cannot_connect_now", "57P03"],
  ["57014", "timeout", "timeout 57014 query_canceled", "57014"],
  ["42P01", "client", "client 42P01 undefined_table", "42P01"],
  // SQLSTATE classes that begin with a letter; a five-letter errno is not one.
  ["XX000", "server", "server XX000 internal_error", "XX000"],
  ["P0001", "server", "server P0001 raise_exception", "P0001"],
  ["EPERM", "other", "EPERM", undefined],
  ["KAFKA_19_NOT_ENOUGH_REPLICAS", "server", "server kafka 19 NOT_ENOUGH_REPLICAS", "19"],
  ["KAFKA_7_REQUEST_TIMED_OUT", "timeout", "timeout kafka 7 REQUEST_TIMED_OUT", "7"],
  ["KAFKA_10_MESSAGE_TOO_LARGE", "client", "client kafka 10 MESSAGE_TOO_LARGE", "10"],
  ["DUCKDB_INVALID_INPUT", "other", "DUCKDB_INVALID_INPUT", undefined],
  ["Error", "other", "Error", undefined],
];

test("each error class maps to one kind, its label and the server's code", () => {
  for (const [errorClass, kind, label, code] of CASES) {
    const info = errorClassInfo(errorClass);
    assert.deepEqual(info, { kind, label, ...(code === undefined ? {} : { code }) }, errorClass);
  }
});

test("errors by kind sum the classes; the line counts kinds and names servers' codes", () => {
  const byClass = { ECONNREFUSED: 400, TIMEOUT: 10, timeout_unknown: 0, "timeout-at-end": 2, HTTP_503: 120 };
  assert.deepEqual(errorsByKind(byClass), { refused: 400, timeout: 12, server: 120 });
  assert.equal(
    errorsLine({ errors: 532, errorsByClass: byClass, errorSeries: [{ t: 3, byClass: { ECONNREFUSED: 1 } }, { t: 7, byClass: { TIMEOUT: 1 } }] }),
    "errors: 532 (400 refused, 120 server 503, 12 timeout), first at 3 s, last at 7 s",
  );
  assert.equal(errorsLine({ errors: 0, errorsByClass: {} }), undefined);
  assert.equal(errorsLine({ errors: 2, errorsByClass: { "57P01": 2 } }), "errors: 2 (2 server 57P01 admin_shutdown)");
});
