// "Cannot reach X" for every networked driver: one line naming host:port, what went wrong and what
// to check. The network codes read the same for every client; a driver adds only its protocol's
// (a PostgreSQL 28P01, a ClickHouse code 516, a Trino HTTP 401) and its own words for a refused port.
import { firstLine, TargetUnreachable } from "../errors.js";

/** The errno-like code of a network error, looking through undici's, fetch's and Node's wrapping
 * (`cause`, an AggregateError's `errors`). */
export function networkCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && typeof e === "object" && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code !== "") return code;
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) e = errors[0];
    else e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export interface Reach {
  /** The product, as the message names it: "PostgreSQL", "Trino". */
  readonly product: string;
  /** host:port. */
  readonly at: string;
  /** The target's name in the suite. */
  readonly target: string;
  /** A connection refused: the question the message asks, and the hint (how to start one). */
  readonly refused?: { readonly ask?: string; readonly hint?: string };
  /** A connection reset: what it likely means for this protocol. */
  readonly reset?: string;
}

/** Builds the TargetUnreachable lines of one failed connect. */
export class Unreachable {
  readonly code: string | undefined;
  readonly where: string;

  constructor(
    readonly error: unknown,
    readonly reach: Reach,
  ) {
    this.code = networkCode(error);
    this.where = `targets.${reach.target}.url`;
  }

  fail(message: string, hint: string): TargetUnreachable {
    return new TargetUnreachable(this.reach.target, message, { hint, cause: this.error });
  }

  /** The line for a network code every client gives, or undefined for any other error. */
  network(): TargetUnreachable | undefined {
    const { product, at } = this.reach;
    const code = this.code;
    switch (code) {
      case "ECONNREFUSED":
        return this.fail(
          `cannot reach ${product} at ${at} (ECONNREFUSED): ${this.reach.refused?.ask ?? "is the server running and listening on that port?"} check ${this.where}`,
          this.reach.refused?.hint ?? "start the server, or fix the port",
        );
      case "ECONNRESET":
        return this.fail(`cannot reach ${product} at ${at} (ECONNRESET: connection reset): ${this.reach.reset ?? "is this the server's port?"} check ${this.where}`, "check the port and the network path from this machine to the server");
      case "ENOTFOUND":
      case "EAI_AGAIN":
        return this.fail(`cannot resolve the host of ${product} at ${at} (${code}): check the host name in ${this.where}`, "check for typos and that DNS works from this machine");
      case "ETIMEDOUT":
      case "EHOSTUNREACH":
      case "ENETUNREACH":
      case "UND_ERR_CONNECT_TIMEOUT":
      case "UND_ERR_HEADERS_TIMEOUT":
        return this.fail(`cannot reach ${product} at ${at} (${code}): is the host up, and is a firewall in the way? check ${this.where}`, "check the network path from this machine to the server");
      default:
        return undefined;
    }
  }

  /** The line for a client that gave up waiting (an abort signal's TimeoutError, "timeout" in the message), else undefined. */
  timedOut(waitedMs: number): TargetUnreachable | undefined {
    const e = this.error;
    const timeout = e instanceof Error && (e.name === "TimeoutError" || /timeout|timed out/i.test(e.message));
    if (!timeout) return undefined;
    return this.fail(
      `cannot reach ${this.reach.product} at ${this.reach.at} (no answer within ${waitedMs / 1000} s): is the host up, and is a firewall in the way? check ${this.where}`,
      "check the network path from this machine to the server",
    );
  }

  /** The line for anything else: the client's own words. */
  other(detail: string = firstLine(this.error)): TargetUnreachable {
    const code = this.code === undefined ? "" : ` (${this.code})`;
    return this.fail(`cannot connect to ${this.reach.product} at ${this.reach.at}${code}: ${detail}`, `check the server and ${this.where}`);
  }
}
