// The client's errors nest (a MultipleErrors of NetworkErrors caused by an ECONNREFUSED; a
// ResponseError of ProtocolErrors). For counting errors by class and for messages, the useful part
// is the innermost specific one: the broker's error name (NOT_ENOUGH_REPLICAS, TOPIC_ALREADY_EXISTS),
// else the socket's errno (ECONNREFUSED), else the client's own code.

interface ErrorLike {
  code?: unknown;
  apiId?: unknown;
  apiCode?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
}

function children(error: ErrorLike): unknown[] {
  const out: unknown[] = [];
  if (Array.isArray(error.errors)) out.push(...(error.errors as unknown[]));
  if (error.cause !== undefined) out.push(error.cause);
  return out;
}

/** Every error in the tree, depth first, the root first. */
export function errorTree(error: unknown, depth = 0): ErrorLike[] {
  if (typeof error !== "object" || error === null || depth > 8) return [];
  const e = error as ErrorLike;
  return [e, ...children(e).flatMap((c) => errorTree(c, depth + 1))];
}

/** The broker's error name (e.g. "NOT_ENOUGH_REPLICAS") found anywhere in the tree. */
export function brokerErrorId(error: unknown): string | undefined {
  for (const e of errorTree(error)) if (typeof e.apiId === "string" && e.apiId !== "") return e.apiId;
  return undefined;
}

/** The socket errno (ECONNREFUSED, ENOTFOUND, ETIMEDOUT …) found anywhere in the tree. */
export function socketErrorCode(error: unknown): string | undefined {
  for (const e of errorTree(error)) if (typeof e.code === "string" && /^E[A-Z_]+$/.test(e.code)) return e.code;
  return undefined;
}

/**
 * The broker's error as a class, KAFKA_<error code>_<error name> (e.g. KAFKA_19_NOT_ENOUGH_REPLICAS),
 * so src/metrics/error-kind.ts can tell a broker's answer from the client's own codes.
 */
export function brokerErrorClass(error: unknown): string | undefined {
  for (const e of errorTree(error)) {
    if (typeof e.apiId === "string" && e.apiId !== "") return typeof e.apiCode === "number" ? `KAFKA_${e.apiCode}_${e.apiId}` : e.apiId;
  }
  return undefined;
}

/** A short stable class for counting: the broker's error, else errno, else the client's code. */
export function kafkaErrorClass(error: unknown): string {
  return brokerErrorClass(error) ?? socketErrorCode(error) ?? (typeof (error as ErrorLike)?.code === "string" ? String((error as ErrorLike).code) : "Error");
}

/** The messages along the tree, deduplicated: "Producing messages failed. … Connection closed". */
export function kafkaErrorDetail(error: unknown): string {
  const seen = new Set<string>();
  for (const e of errorTree(error)) {
    const text = typeof e.message === "string" ? e.message.trim() : "";
    if (text !== "") seen.add(text);
  }
  return [...seen].join(": ") || String(error);
}

/** An operation's failure as the engine counts it: `code` is the class above, the message says it all. */
export class KafkaOpError extends Error {
  readonly code: string;

  constructor(error: unknown) {
    super(kafkaErrorDetail(error), { cause: error });
    this.name = "KafkaOpError";
    this.code = kafkaErrorClass(error);
  }
}

/** The topic does not exist (the broker's UNKNOWN_TOPIC_OR_PARTITION, or the client's own "Unknown topic"). */
export function isUnknownTopic(error: unknown): boolean {
  return (
    brokerErrorId(error) === "UNKNOWN_TOPIC_OR_PARTITION" ||
    errorTree(error).some((e) => typeof e.message === "string" && /^Unknown topic /.test(e.message))
  );
}
