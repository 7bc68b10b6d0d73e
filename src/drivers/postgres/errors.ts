// pg reports a broken connection without a `code` ("Connection terminated unexpectedly") and its
// own timeouts likewise; the engine counts errors by `code`, so these would all be "Error". An
// operation's failure gets a code here (checked against a real server stopped mid-run: SIGQUIT
// gives "Connection terminated unexpectedly" and ECONNRESET, then ECONNREFUSED, then 57P03 while it
// starts again). Errors with a code (SQLSTATE, errno) pass through untouched.

const CODELESS: readonly [RegExp, string][] = [
  [/^Connection terminated due to connection timeout/, "PG_TIMEOUT"],
  [/^timeout exceeded when trying to connect/, "PG_TIMEOUT"],
  [/^Query read timeout/, "PG_TIMEOUT"],
  [/^Connection terminated/, "CONNECTION_TERMINATED"],
];

/** The error, with a `code` when pg gave none and the message says what happened. */
export function withPgCode(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const e = error as Error & { code?: unknown };
  if (typeof e.code === "string" && e.code !== "") return error;
  for (const [pattern, code] of CODELESS) {
    if (pattern.test(e.message)) {
      Object.defineProperty(e, "code", { value: code, enumerable: true, configurable: true, writable: true });
      return error;
    }
  }
  return error;
}

/** SQLSTATEs of a statement that names what is not there: a mistake in the suite, not the server's. */
export const UNDEFINED_TABLE = "42P01";
export const UNDEFINED_COLUMN = "42703";
