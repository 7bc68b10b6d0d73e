// ClickHouse errors as the engine counts them. The server answers a failed request with its
// numeric error code in the body ("Code: 252, e.displayText() = DB::Exception: Too many parts …"
// on 18.16; "Code: 252. DB::Exception: … (TOO_MANY_PARTS)" on newer servers). @clickhouse/client
// parses the newer shape only, so an 18.16 error arrives as a plain Error. Either way the
// operation's error gets the class CLICKHOUSE_<code>_<NAME>, which error-classes.ts sorts into
// client (a wrong statement), timeout or server. Network errors keep their errno (ECONNREFUSED …).

/** The codes a load test meets, by name (ClickHouse's src/Common/ErrorCodes.cpp). */
const NAMES: Readonly<Record<number, string>> = {
  16: "NO_SUCH_COLUMN_IN_TABLE",
  26: "CANNOT_PARSE_QUOTED_STRING",
  27: "CANNOT_PARSE_INPUT_ASSERTION_FAILED",
  38: "CANNOT_PARSE_DATE",
  41: "CANNOT_PARSE_DATETIME",
  46: "UNKNOWN_FUNCTION",
  47: "UNKNOWN_IDENTIFIER",
  50: "UNKNOWN_TYPE",
  57: "TABLE_ALREADY_EXISTS",
  60: "UNKNOWN_TABLE",
  62: "SYNTAX_ERROR",
  73: "UNKNOWN_FORMAT",
  81: "UNKNOWN_DATABASE",
  115: "UNKNOWN_SETTING",
  117: "INCORRECT_DATA",
  159: "TIMEOUT_EXCEEDED",
  160: "TOO_SLOW",
  164: "READONLY",
  192: "UNKNOWN_USER",
  193: "WRONG_PASSWORD",
  194: "REQUIRED_PASSWORD",
  202: "TOO_MANY_SIMULTANEOUS_QUERIES",
  209: "SOCKET_TIMEOUT",
  210: "NETWORK_ERROR",
  241: "MEMORY_LIMIT_EXCEEDED",
  242: "TABLE_IS_READ_ONLY",
  252: "TOO_MANY_PARTS",
  394: "QUERY_WAS_CANCELLED",
  456: "UNKNOWN_QUERY_PARAMETER",
  497: "ACCESS_DENIED",
  516: "AUTHENTICATION_FAILED",
};

const CODE = /\bCode: (\d+)[.,]/;

/** The server's error code in an error's message, if it carries one. */
export function clickHouseCode(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === "string" && /^\d+$/.test(own)) return Number(own);
  const m = CODE.exec(error.message);
  return m ? Number(m[1]) : undefined;
}

/** The class the engine counts: CLICKHOUSE_252_TOO_MANY_PARTS, or CLICKHOUSE_<code> for a code without a name here. */
export function clickHouseClass(code: number): string {
  const name = NAMES[code];
  return name === undefined ? `CLICKHOUSE_${code}` : `CLICKHOUSE_${code}_${name}`;
}

/**
 * The error with `code` set to its class when the server gave one; the message shortened to the
 * server's own sentence (18.16 appends ", e.what() = DB::Exception" and a stack). Errors without
 * a server code (ECONNREFUSED, a timeout) pass through.
 */
export function withClickHouseCode(error: unknown): unknown {
  const code = clickHouseCode(error);
  if (code === undefined || !(error instanceof Error)) return timeoutCoded(error);
  Object.defineProperty(error, "code", { value: clickHouseClass(code), enumerable: true, configurable: true, writable: true });
  const short = serverSentence(error.message);
  if (short !== error.message) Object.defineProperty(error, "message", { value: short, configurable: true, writable: true });
  return error;
}

/** "Code: 60, e.displayText() = DB::Exception: Table default.x doesn't exist., e.what() = …" → "Code: 60: Table default.x doesn't exist." */
export function serverSentence(message: string): string {
  const m = /Code: (\d+)[.,]\s*(?:e\.displayText\(\) = )?(?:DB::Exception: )?([\s\S]*?)(?:, e\.what\(\) = [\s\S]*|\s*\(version [^)]*\)[\s\S]*)?$/.exec(message.trim());
  if (!m) return message;
  const text = (m[2] ?? "").trim().split("\n")[0] ?? "";
  return `Code: ${m[1]}: ${text}`;
}

/** The client's own request timeout ("Timeout error.") has no code: give it the engine's. */
function timeoutCoded(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const e = error as Error & { code?: unknown };
  if ((e.code === undefined || e.code === "") && /^Timeout error/i.test(e.message)) {
    Object.defineProperty(e, "code", { value: "TIMEOUT", enumerable: true, configurable: true, writable: true });
  }
  return error;
}
